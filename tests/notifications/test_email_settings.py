"""People choose, per kind, whether mail comes at once, in a daily digest, or not at all; every
non-transactional e-mail carries a one-click unsubscribe that cannot be forged."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consultation import services as consultation
from consultation.models import Comment, Proposal
from notifications import services
from notifications.kinds import Kind, Mode
from notifications.models import PendingNotification
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory
from tests.mailbox import delivered, to

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(staff):
    return open_round(staff=staff)


def _comment(round, author, **kwargs):
    return consultation.post_comment(actor=author, round=round, body=kwargs.pop("body", "I agree."), **kwargs)


def _reply_setup(round, capture, mode=None):
    """Alice comments; Bob replies. Returns (alice, bob)."""
    alice, bob = LeaderFactory(), LeaderFactory()
    if mode:
        services.set_preference(user=alice, kind=Kind.REPLY, mode=mode)
    with capture(execute=True):
        first = _comment(round, alice)
    delivered().clear()
    with capture(execute=True):
        _comment(round, bob, parent=first, body="Have you thought about rotas?")
    return alice, bob


def _to(person):
    return to(person.email)


def test_a_reply_is_emailed_at_once_by_default(round, django_capture_on_commit_callbacks):
    alice, _ = _reply_setup(round, django_capture_on_commit_callbacks)
    [message] = _to(alice)
    assert "replied to your comment" in message.subject
    assert "Have you thought about rotas?" in message.body


def test_a_reply_waits_for_the_digest_when_chosen_and_the_digest_goes_once(
    round, django_capture_on_commit_callbacks
):
    alice, _ = _reply_setup(round, django_capture_on_commit_callbacks, mode=Mode.DIGEST)
    assert _to(alice) == []
    assert services.send_digests() == 1
    assert services.send_digests() == 0  # run twice: still one e-mail
    [digest] = _to(alice)
    assert "daily digest" in digest.subject
    assert "replied to your comment" in digest.body
    # Something new later the same day waits for tomorrow's digest: one a day at most.
    with django_capture_on_commit_callbacks(execute=True):
        _comment(round, LeaderFactory(), parent=Comment.objects.filter(author=alice).get(), body="Me too")
    assert services.send_digests() == 0
    assert len(_to(alice)) == 1


def test_a_reply_is_not_emailed_when_switched_off(round, django_capture_on_commit_callbacks):
    alice, _ = _reply_setup(round, django_capture_on_commit_callbacks, mode=Mode.OFF)
    services.send_digests()
    assert _to(alice) == []
    assert not PendingNotification.objects.filter(user=alice).exists()


def test_a_comment_on_my_proposal_tells_me(round, django_capture_on_commit_callbacks):
    author, critic = LeaderFactory(), LeaderFactory()
    commitment = round.version.commitments.order_by("pk").first()
    proposal = consultation.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen first.",
        rationale="Clearer.",
    )
    delivered().clear()
    with django_capture_on_commit_callbacks(execute=True):
        _comment(round, critic, target=Comment.Target.PROPOSAL, proposal=proposal, body="Too vague.")
    [message] = _to(author)
    assert f"commented on your proposal #{proposal.pk}" in message.subject


def test_round_opening_notice_honours_each_setting(staff, django_capture_on_commit_callbacks):
    keen, later, quiet = LeaderFactory(), LeaderFactory(), LeaderFactory()
    services.set_preference(user=later, kind=Kind.ROUND, mode=Mode.DIGEST)
    services.set_preference(user=quiet, kind=Kind.ROUND, mode=Mode.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        open_round(staff=staff)
    assert len(_to(keen)) == 1 and "is open until" in _to(keen)[0].subject
    assert _to(later) == [] and _to(quiet) == []
    services.send_digests()
    assert "is open until" in _to(later)[0].body
    assert _to(quiet) == []


def test_decision_notice_can_be_switched_off(staff, django_capture_on_commit_callbacks):
    from consultation.models import Round
    from consultation.tasks import tell_authors_of_decisions

    round = open_round(staff=staff)
    keen, quiet = LeaderFactory(), LeaderFactory()
    services.set_preference(user=quiet, kind=Kind.DECISION, mode=Mode.OFF)
    commitment = round.version.commitments.order_by("pk").first()
    for person, text in ((keen, "Wording one."), (quiet, "Wording two.")):
        consultation.propose(
            actor=person,
            round=round,
            kind=Proposal.Kind.REWORDING,
            commitment=commitment,
            text=text,
            rationale="Clearer.",
        )
    round.proposals.update(status=Proposal.Status.ACCEPTED)
    Round.objects.filter(pk=round.pk).update(status=Round.Status.APPLIED, applied_at=timezone.now())
    delivered().clear()
    tell_authors_of_decisions(round.pk)
    assert len(_to(keen)) == 1 and _to(quiet) == []


def test_non_transactional_mail_has_one_click_unsubscribe_headers_and_a_link(
    round, django_capture_on_commit_callbacks
):
    alice, _ = _reply_setup(round, django_capture_on_commit_callbacks)
    [message] = _to(alice)
    headers = message.message()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http") and "/notifications/unsubscribe/reply/" in url
    assert url in message.body


def test_transactional_mail_carries_no_unsubscribe(client, leader):
    client.post(reverse("account_reset_password"), {"email": leader.email})
    [reset] = delivered()
    assert "List-Unsubscribe" not in reset.message()
    assert "unsubscribe" not in reset.body.lower()


def _link(user, kind):
    return services.unsubscribe_url(user=user, kind=kind).split("://", 1)[1].split("/", 1)[1]


def test_unsubscribe_link_asks_first_then_switches_off_exactly_that_kind_signed_out(client, leader):
    services.set_preference(user=leader, kind=Kind.FOLLOWING, mode=Mode.IMMEDIATE)
    path = "/" + _link(leader, Kind.REPLY)
    page = client.get(path)
    assert page.status_code == 200
    assert b"Stop these e-mails" in page.content
    from notifications.selectors import mode_for

    assert mode_for(user=leader, kind=Kind.REPLY) == Mode.IMMEDIATE  # a GET (a mail scanner) changes nothing
    done = client.post(path)
    assert done.status_code == 200
    assert mode_for(user=leader, kind=Kind.REPLY) == Mode.OFF
    assert mode_for(user=leader, kind=Kind.FOLLOWING) == Mode.IMMEDIATE
    assert mode_for(user=leader, kind=Kind.DECISION) == Mode.IMMEDIATE


def test_rfc_8058_one_click_post_unsubscribes_without_csrf_or_session(leader):
    from django.test import Client

    mailer = Client(enforce_csrf_checks=True)
    response = mailer.post("/" + _link(leader, Kind.ROUND), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    from notifications.selectors import mode_for

    assert mode_for(user=leader, kind=Kind.ROUND) == Mode.OFF


def test_a_tampered_or_cross_kind_token_is_refused_and_changes_nothing(client, leader):
    from notifications.selectors import mode_for

    path = "/" + _link(leader, Kind.REPLY)
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    refused = client.post(tampered)
    assert refused.status_code == 400
    assert b"This link does not work" in refused.content
    # A genuine token for one kind is no good for another.
    other_kind = path.replace("/reply/", "/decision/")
    assert client.post(other_kind).status_code == 400
    assert mode_for(user=leader, kind=Kind.REPLY) == Mode.IMMEDIATE
    assert mode_for(user=leader, kind=Kind.DECISION) == Mode.IMMEDIATE


def test_settings_are_saved_from_the_account_page(leader_client, leader):
    from notifications.selectors import mode_for

    page = leader_client.get(reverse("accounts:profile"))
    assert b"E-mails we send you" in page.content
    assert b"New reports to moderate" not in page.content  # staff only
    data = {kind: Mode.IMMEDIATE for kind in Kind.values if kind != Kind.MODERATION}
    data[Kind.ROUND] = Mode.OFF
    data[Kind.FOLLOWING] = Mode.DIGEST
    response = leader_client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    assert mode_for(user=leader, kind=Kind.ROUND) == Mode.OFF
    assert mode_for(user=leader, kind=Kind.FOLLOWING) == Mode.DIGEST


def test_staff_hear_of_new_reports_in_their_digest(round, staff, django_capture_on_commit_callbacks):
    author, reporter = LeaderFactory(), LeaderFactory()
    comment = _comment(round, author)
    delivered().clear()
    with django_capture_on_commit_callbacks(execute=True):
        consultation.report_comment(actor=reporter, comment=comment, reason="Names a patient.")
    assert _to(staff) == []
    assert services.send_digests() == 1
    assert "was reported" in _to(staff)[0].body
    assert _to(reporter) == [] and _to(author) == []
