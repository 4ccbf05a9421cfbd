"""Mail other apps already sent now follows each person's settings and carries an unsubscribe."""

from datetime import date

import pytest
from django.core import mail

from compact import services as compact_services
from notifications import services
from notifications.kinds import Kind, Mode
from tests.compact.test_review_cycle import publish
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


def test_round_opening_mail_carries_the_round_kind_unsubscribe(staff, django_capture_on_commit_callbacks):
    leader = LeaderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        open_round(staff=staff)
    [message] = [m for m in mail.outbox if m.to == [leader.email]]
    headers = message.message()
    assert "/notifications/unsubscribe/round/" in headers["List-Unsubscribe"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_review_reminders_follow_the_signatorys_compact_setting(staff):
    version = publish(staff, review_due_on=date(2027, 6, 30))
    keen = SignatureFactory(version=version)
    quiet = SignatureFactory(version=version)
    services.set_preference(user=quiet.signer, kind=Kind.COMPACT, mode=Mode.OFF)
    mail.outbox.clear()
    assert compact_services.remind_reviews(today=date(2027, 6, 1)) == 1
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([staff.email, keen.signer.email])
    assert all("List-Unsubscribe" in m.message() for m in mail.outbox)
