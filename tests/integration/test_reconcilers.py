"""When the broker refuses work, the request still succeeds and nothing is lost: the database says
what is owed, and the reconcilers in Celery beat send it once the broker is back, exactly once.

The broker's refusal is simulated at the point of publishing (kombu's OperationalError, what a
down Redis raises); tests/integration/test_redis_outage.py does the same with a real Redis.
"""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from celery.app.task import Task
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from compact import exports
from compact import services as compact_services
from compact.models import PdfExport
from consultation import selectors as consultation_selectors
from consultation import services as consultation
from consultation.models import Comment, Round
from notifications import outbox
from notifications.models import Outgoing
from signatories import services as signing
from signatories.models import Signature
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version
from tests.mailbox import delivered
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


@contextmanager
def broker_down():
    refused = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(Task, "apply_async", side_effect=refused) as publish:
        yield publish


def later():
    return timezone.now() + timedelta(minutes=10)


def test_signing_while_the_broker_is_down_succeeds_and_the_confirmation_goes_out_once_it_is_back(
    client, leader, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    version = published_version()
    client.force_login(leader)
    form = {"full_name": "Ada Lovelace", "role": "Chief executive", "on_behalf": "personal", "consent": "on"}
    with broker_down() as publish, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signatories:sign", kwargs={"slug": version.compact.slug}), form)
    assert response.status_code == 302
    assert publish.called
    signature = Signature.objects.get(signer=leader)
    assert signature.status == Signature.Status.PENDING and signature.confirmation_sent_at is None
    assert "deferred to its reconciler" in caplog.text
    assert not mailoutbox
    # The e-mail was written with the signature: the outbox owes it.
    assert Outgoing.objects.get().status == Outgoing.Status.PENDING

    assert outbox.reconcile() == 0  # not yet owed: the first send may still be on its way
    assert outbox.reconcile(now=later()) == 1
    [mail] = mailoutbox
    assert mail.to == [leader.email] and "/signatures/confirm/" in mail.body
    assert outbox.reconcile(now=later()) == 0  # sent is sent: nothing twice
    assert signing.reconcile_mail(now=later()) == 0
    assert len(mailoutbox) == 1


def test_a_confirmation_owed_longer_than_a_link_would_last_is_no_longer_retried(leader, mailoutbox, settings):
    settings.SIGNATURE_CONFIRMATION_HOURS = 72
    version = published_version()
    with broker_down():
        signing.sign(actor=leader, version=version, full_name="A", role="B", consent=True)
    # e.g. a mail server that refuses the address: the send rolls back and stays owed
    assert signing.reconcile_mail(now=timezone.now() + timedelta(hours=71)) == 1
    Signature.objects.update(confirmation_sent_at=None)
    assert signing.reconcile_mail(now=timezone.now() + timedelta(hours=73)) == 0


def test_a_duplicate_confirmation_task_sends_nothing_and_keeps_the_first_link(leader, mailoutbox):
    from signatories.tasks import send_confirmation

    version = published_version()
    signature = signing.sign(actor=leader, version=version, full_name="A", role="B", consent=True)
    delivered()
    token_hash = Signature.objects.get(pk=signature.pk).token_hash
    assert token_hash and len(mailoutbox) == 1
    send_confirmation(signature.pk)  # e.g. the reconciler racing a slow queue
    delivered()
    assert len(mailoutbox) == 1
    assert Signature.objects.get(pk=signature.pk).token_hash == token_hash
    send_confirmation(signature.pk, again=True)  # a resend the signatory asked for
    delivered()
    assert len(mailoutbox) == 2
    assert Signature.objects.get(pk=signature.pk).token_hash != token_hash


def test_opening_notices_lost_by_the_broker_are_sent_by_the_reconciler_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    LeaderFactory.create_batch(2)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        round = open_round()
    assert Round.objects.get(pk=round.pk).opening_notice_sent_at is None
    assert not mailoutbox
    assert consultation.reconcile_notices(now=later()) == 1
    sent = len(delivered())
    assert sent == consultation_selectors.eligible_leaders(round).count() >= 2
    assert consultation.reconcile_notices(now=later()) == 0
    assert len(delivered()) == sent


def test_a_hidden_comment_notice_lost_by_the_broker_reaches_its_author_once(
    staff, leader, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        round = open_round()  # its opening notices go out as usual
    comment = consultation.post_comment(actor=leader, round=round, body="Too long a meeting")
    delivered().clear()
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        consultation.hide_comment(actor=staff, comment=comment, reason="Off topic")
    assert not mailoutbox
    assert consultation.reconcile_notices(now=later()) == 1
    [mail] = delivered()
    assert mail.to == [leader.email] and "hidden" in mail.subject
    assert Comment.objects.get(pk=comment.pk).hidden_notice_sent_at is not None
    assert consultation.reconcile_notices(now=later()) == 0


def test_refresh_invitations_lost_by_the_broker_are_sent_by_the_reconciler_once(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    version = published_version(staff=staff)
    signature = SignatureFactory(version=version)
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    compact_services.ratify(actor=staff, version=draft)
    mailoutbox.clear()
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        compact_services.publish(actor=staff, version=draft, note="Refreshed")
    assert not mailoutbox
    assert signing.reconcile_mail(now=later()) == 1
    [mail] = delivered()
    assert mail.to == [signature.signer.email]
    assert signing.reconcile_mail(now=later()) == 0
    assert len(delivered()) == 1


def test_a_pdf_render_the_broker_never_took_is_rendered_by_the_reconciler(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        version = published_version()
    assert PdfExport.objects.get(version=version).status == PdfExport.Status.PENDING
    assert exports.reconcile(older_than=timedelta(0)) == 1
    assert PdfExport.objects.get(version=version).status == PdfExport.Status.READY
    assert exports.reconcile(older_than=timedelta(0)) == 0
