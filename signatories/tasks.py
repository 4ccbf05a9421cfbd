"""Signing e-mails. Nothing here sends: each task writes outbox rows (notifications/outbox.py)
and the outbox's tasks send them, so no signature or version is locked while mail goes out."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from compact.models import Version
from config.tasks import LateAckTask
from notifications import outbox
from notifications.kinds import Kind
from notifications.services import route

from . import mail, services

# Invitations per transaction: the RefreshInvitation rows and their outbox rows commit together.
INVITE_BATCH = 200


@shared_task(base=LateAckTask)
def send_confirmation(signature_id, again=False):
    """Owed by a signature the outbox never heard of (one signed before the outbox, or found by
    `reconcile_mail`): writes its confirmation e-mail, once."""
    with transaction.atomic():
        return outbox.put(letters=[services.confirmation_letter(signature_id=signature_id, again=again)])


@shared_task(base=LateAckTask)
def send_refresh_invitations(version_id, previous_id):
    version = Version.objects.select_related("compact").get(pk=version_id)
    previous = Version.objects.get(pk=previous_id)
    url = settings.SITE_URL + reverse("signatories:sign", kwargs={"slug": version.compact.slug})
    compare = settings.SITE_URL + reverse("compact:compare", kwargs={"slug": version.compact.slug})
    compare += f"?from={previous.number}&to={version.number}"
    written = 0
    while True:
        # Recorded and written together, a batch at a time: a batch that fails rolls back both,
        # and the next run invites the same people; one that committed is never written twice.
        with transaction.atomic():
            batch = list(services.signatures_to_invite(version=version, previous=previous)[:INVITE_BATCH])
            if not batch:
                return written
            letters = [
                mail.refresh_letter(
                    signature=signature, version=version, previous=previous, url=url, compare=compare
                )
                for signature in batch
                if services.record_invitation(signature=signature, version=version)
            ]
            written += outbox.put(letters=route(kind=Kind.COMPACT, letters=letters))


@shared_task(base=LateAckTask)
def reconcile_mail():
    """Beat, every five minutes: write what the database says is owed but the broker lost."""
    return services.reconcile_mail()
