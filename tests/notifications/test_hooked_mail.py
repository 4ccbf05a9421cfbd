"""Mail other apps already sent now follows each person's settings and carries an unsubscribe."""

from datetime import date

import pytest

from compact import services as compact_services
from notifications import services
from notifications.kinds import Kind, Mode
from tests.compact.test_review_cycle import publish
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory
from tests.mailbox import delivered
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


def test_round_opening_mail_carries_the_round_kind_unsubscribe(staff, django_capture_on_commit_callbacks):
    leader = LeaderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        open_round(staff=staff)
    [message] = [m for m in delivered() if m.to == [leader.email]]
    headers = message.message()
    assert "/notifications/unsubscribe/round/" in headers["List-Unsubscribe"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_review_reminders_follow_the_signatorys_compact_setting(staff):
    version = publish(staff, review_due_on=date(2027, 6, 30))
    keen = SignatureFactory(version=version)
    quiet = SignatureFactory(version=version)
    services.set_preference(user=quiet.signer, kind=Kind.COMPACT, mode=Mode.OFF)
    delivered().clear()
    assert compact_services.remind_reviews(today=date(2027, 6, 1)) == 1
    recipients = sorted(m.to[0] for m in delivered())
    assert recipients == sorted([staff.email, keen.signer.email])
    assert all("List-Unsubscribe" in m.message() for m in delivered())


def test_the_notice_that_a_comment_was_hidden_is_service_mail_no_setting_stops(
    staff, django_capture_on_commit_callbacks
):
    """A moderation decision about the person's own words: sent at once whatever they chose, with
    no unsubscribe (there is nothing to unsubscribe from), and once per hiding."""
    from consultation import services as consultation
    from consultation.services import notices
    from notifications.models import PendingNotification

    round = open_round(staff=staff)
    author = LeaderFactory()
    for kind in Kind.values:  # every kind of e-mail switched off
        services.set_preference(user=author, kind=kind, mode=Mode.OFF)
    comment = consultation.post_comment(actor=author, round=round, body="Something unkind.")
    delivered().clear()
    with django_capture_on_commit_callbacks(execute=True):
        consultation.hide_comment(actor=staff, comment=comment, reason="Personal attack")
    [notice] = [m for m in delivered() if m.to == [author.email]]
    assert notice.subject == "[Leadership Compact] Your comment has been hidden by the moderators"
    assert "Personal attack" in notice.body
    assert "List-Unsubscribe" not in notice.message() and "Stop e-mails about" not in notice.body
    assert not PendingNotification.objects.filter(user=author).exists()  # not held for a digest
    # The task run again (a retried or duplicated message) sends nothing more.
    assert notices.tell_author_comment_hidden(comment_id=comment.pk) == 0
    assert len([m for m in delivered() if m.to == [author.email]]) == 1
