"""The outbox on SQLite: each e-mail is a row written once per person and event, sent through a
real SMTP server, marked as it goes, retried alone when it fails, shown to staff when it keeps
failing, and found again by the reconciler when its task or its worker is lost."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import outbox
from notifications.models import Outgoing
from signatories import services as signing_services
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version
from tests.mailbox import delivered
from tests.mailserver import _free_port, smtp_server

pytestmark = pytest.mark.django_db


def _letters(people, event="news", urgent=False):
    return [
        outbox.Letter(
            key=f"{event}:user:{person.pk}",
            kind=event,
            to=person.email,
            user_id=person.pk,
            urgent=urgent,
            rendered=outbox.render(
                template="notifications/email/notice",
                subject=f"Something happened ({event})",
                context={"user": person, "body": "It did.", "url": ""},
            ),
        )
        for person in people
    ]


def _all_ids():
    return list(Outgoing.objects.order_by("pk").values_list("pk", flat=True))


def _later(minutes=90):
    return timezone.now() + timedelta(minutes=minutes)


@pytest.fixture
def relay(settings):
    """A real SMTP server that hangs up once, after six messages."""
    with smtp_server(drop_after=6) as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        yield server


def test_the_same_event_written_twice_is_one_email():
    person = LeaderFactory()
    outbox.put(letters=_letters([person]))
    outbox.put(letters=_letters([person]))
    assert Outgoing.objects.count() == 1
    delivered()
    delivered()
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_a_relay_that_drops_after_six_leaves_every_recipient_with_exactly_one_notice(relay):
    people = LeaderFactory.create_batch(10)
    outbox.put(letters=_letters(people))

    outbox.deliver(ids=_all_ids())
    assert relay.count() == 9  # the seventh was refused with the dropped connection; the rest went
    waiting = Outgoing.objects.get(status=Outgoing.Status.PENDING)
    assert waiting.attempts == 1 and "Disconnected" in waiting.last_error

    outbox.deliver(ids=_all_ids(), now=_later())  # its retry, once its backoff has passed
    assert sorted(relay.recipients()) == sorted(p.email for p in people)
    assert set(Outgoing.objects.values_list("status", flat=True)) == {Outgoing.Status.SENT}


def test_a_message_that_keeps_failing_is_shown_to_staff_who_can_send_it_again(settings, staff_client):
    settings.MAIL_MAX_ATTEMPTS = 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", _free_port(), False
    settings.EMAIL_TIMEOUT = 5
    person = LeaderFactory()
    outbox.put(letters=_letters([person]))
    outbox.deliver(ids=_all_ids())  # nobody listens on that port
    outbox.deliver(ids=_all_ids(), now=_later())
    row = Outgoing.objects.get()
    assert row.status == Outgoing.Status.FAILED and row.attempts == 2

    page = staff_client.get(reverse("compact:staff_dashboard")).content.decode()
    assert "E-mails that failed: 1" in page

    with smtp_server() as server:
        settings.EMAIL_PORT = server.port
        response = staff_client.post(reverse("notifications:retry_failed_mail"))
        assert response.status_code == 302
        delivered()
        assert server.recipients() == [person.email]
    assert "E-mails that failed: 0" in staff_client.get(reverse("compact:staff_dashboard")).content.decode()


def test_only_staff_can_send_failed_mail_again(leader_client):
    response = leader_client.post(reverse("notifications:retry_failed_mail"))
    assert response.status_code in (302, 403)
    assert Outgoing.objects.count() == 0


def test_the_reconciler_sends_what_the_broker_lost(settings):
    people = LeaderFactory.create_batch(3)
    # Written, but its tasks never ran (in a test, nothing commits; in production, Redis was down).
    outbox.put(letters=_letters(people))
    assert mail.outbox == []
    assert outbox.reconcile(now=timezone.now()) == 0  # too young: its own task may be on its way
    assert outbox.reconcile(now=_later()) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_a_crash_after_sending_resends_that_one_message_never_the_batch(monkeypatch, settings):
    """The accepted edge (notifications/outbox.py): the relay took the third message, then the
    worker died before marking it. Its claim expires and that one message goes again; the two
    marked before it and the two never sent go exactly once."""
    people = LeaderFactory.create_batch(5)
    outbox.put(letters=_letters(people))
    finish = outbox._finish
    calls = []

    def dies_on_the_third(row, *, status):
        calls.append(row.pk)
        if len(calls) == 3:
            raise SystemExit("worker killed")
        finish(row, status=status)

    monkeypatch.setattr(outbox, "_finish", dies_on_the_third)
    with pytest.raises(SystemExit):
        outbox.deliver(ids=_all_ids())
    monkeypatch.setattr(outbox, "_finish", finish)
    assert len(mail.outbox) == 3

    outbox.deliver(ids=_all_ids())  # the claim still stands: nothing is taken from a live worker
    assert len(mail.outbox) == 3
    settings.MAIL_CLAIM_SECONDS = 0  # time passes: the dead worker's claim expires
    outbox.reconcile()

    sent = [m.to[0] for m in mail.outbox]
    assert sorted(set(sent)) == sorted(p.email for p in people)
    assert sent.count(people[2].email) == 2
    assert [sent.count(p.email) for p in people] == [1, 1, 2, 1, 1]


def test_transactional_mail_is_sent_before_bulk_mail():
    bulk_people, waiting = LeaderFactory.create_batch(3), LeaderFactory()
    outbox.put(letters=_letters(bulk_people))
    outbox.put(letters=_letters([waiting], event="reset", urgent=True))
    delivered()
    assert mail.outbox[0].to == [waiting.email]


def test_bulk_mail_says_it_is_automatic_and_transactional_mail_does_not():
    person = LeaderFactory()
    outbox.put(letters=_letters([person]) + _letters([person], event="reset", urgent=True))
    bulk, urgent = sorted(delivered(), key=lambda m: "reset" in m.subject)
    assert bulk.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Auto-Submitted" not in urgent.extra_headers


def test_a_password_reset_link_is_built_from_site_url_never_the_request_host(client, leader, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "attacker.example"]
    client.post(reverse("account_reset_password"), {"email": leader.email}, HTTP_HOST="attacker.example")
    [reset] = delivered()
    assert "attacker.example" not in reset.body
    assert f"{settings.SITE_URL}/accounts/password/reset/key/" in reset.body
    assert "attacker.example" not in reset.alternatives[0][0]


def test_a_reset_for_an_unknown_address_does_the_same_work_as_for_a_known_one(client, leader):
    client.post(reverse("account_reset_password"), {"email": leader.email})
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    known, unknown = Outgoing.objects.order_by("pk")
    assert known.priority == unknown.priority == Outgoing.Priority.TRANSACTIONAL
    assert (known.to, unknown.to) == (leader.email, "nobody@example.org")
    assert "No account uses this address" in unknown.body_text


def test_a_sent_link_is_not_kept_in_the_outbox(client, leader):
    client.post(reverse("account_reset_password"), {"email": leader.email})
    assert "/accounts/password/reset/key/" in Outgoing.objects.get().body_text
    delivered()
    row = Outgoing.objects.get()
    assert row.status == Outgoing.Status.SENT and row.body_text == row.body_html == ""


def test_opening_notices_written_twice_reach_each_leader_once(staff):
    from consultation.models import Round
    from consultation.services import notices

    round = open_round(staff=staff)
    leaders = LeaderFactory.create_batch(3)
    notices.send_opening_notices(round_id=round.pk)
    # As if the first run died before its stamp: the second writes the same rows, which exist.
    Round.objects.filter(pk=round.pk).update(opening_notice_sent_at=None)
    notices.send_opening_notices(round_id=round.pk)
    sent = [m.to[0] for m in delivered() if "is open until" in m.subject]
    for person in [*leaders, staff]:
        assert sent.count(person.email) == 1


def test_a_signature_confirmation_link_is_minted_when_sent_and_never_stored(staff):
    from signatories.models import Signature
    from tests.signatories.factories import SignatureFactory

    signature = SignatureFactory(
        version=published_version(staff=staff), status=Signature.Status.PENDING, confirmed_at=None
    )

    outbox.put(letters=[signing_services.confirmation_letter(signature_id=signature.pk)])
    row = Outgoing.objects.get(kind="signature-confirmation")
    assert row.body_text == "" and row.priority == Outgoing.Priority.TRANSACTIONAL
    [message] = [m for m in delivered() if m.to == [signature.signer.email]]
    assert "Confirm my signature" in message.body and settings.SITE_URL in message.body
    signature.refresh_from_db()
    assert signature.token_hash and signature.confirmation_sent_at is not None


def test_a_confirmation_no_longer_needed_is_not_sent(staff):
    from signatories.models import Signature
    from tests.signatories.factories import SignatureFactory

    signature = SignatureFactory(
        version=published_version(staff=staff), status=Signature.Status.PENDING, confirmed_at=None
    )
    outbox.put(letters=[signing_services.confirmation_letter(signature_id=signature.pk)])
    Signature.objects.filter(pk=signature.pk).update(status=Signature.Status.WITHDRAWN)
    assert delivered() == []
    assert Outgoing.objects.get().status == Outgoing.Status.CANCELLED
