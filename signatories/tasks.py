"""Signing e-mails. Each task re-reads its signature and does nothing if it is no longer needed."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from compact.models import Version
from config.tasks import LateAckTask, RetryingTask
from notifications.kinds import Kind
from notifications.services import route_messages

from . import services
from .models import Signature


@shared_task(base=RetryingTask)
def send_confirmation(signature_id, again=False):
    """The first confirmation e-mail, or (again=True) a fresh link the signatory asked for."""
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("version__compact", "signer", "organisation")
            .filter(pk=signature_id)
            .first()
        )
        if signature is None or signature.status != Signature.Status.PENDING or signature.signer is None:
            return 0
        if signature.confirmation_sent_at is not None and not again:
            return 0  # a duplicate (the reconciler and a slow queue): the first link stands
        # The token is made here, never passed through the broker; a retry makes a new one.
        token = services.issue_confirmation(signature=signature)
        url = settings.SITE_URL + reverse("signatories:confirm", kwargs={"token": token})
        body = render_to_string(
            "signatories/email/confirm.txt",
            {"signature": signature, "url": url, "hours": services.confirmation_hours()},
        )
        subject = f"Confirm your signature on {signature.version.compact.title}"
        return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [signature.signer.email]).send()


@shared_task(base=RetryingTask)
def send_refresh_invitations(version_id, previous_id):
    version = Version.objects.select_related("compact").get(pk=version_id)
    previous = Version.objects.get(pk=previous_id)
    url = settings.SITE_URL + reverse("signatories:sign", kwargs={"slug": version.compact.slug})
    compare = settings.SITE_URL + reverse("compact:compare", kwargs={"slug": version.compact.slug})
    compare += f"?from={previous.number}&to={version.number}"
    with transaction.atomic():
        # Recorded and sent together: if the mail server fails, the records roll back and the
        # retry invites the same people; a second run finds them recorded and sends nothing.
        return _invite(version, previous, url, compare)


def _invite(version, previous, url, compare):
    messages = []
    for signature in services.signatures_to_invite(version=version, previous=previous):
        if not services.record_invitation(signature=signature, version=version):
            continue
        body = render_to_string(
            "signatories/email/refresh.txt",
            {
                "signature": signature,
                "version": version,
                "previous": previous,
                "url": url,
                "compare_url": compare,
            },
        )
        subject = f"{version.compact.title} has been refreshed: will you sign version {version.number}?"
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [signature.signer.email]))
    return get_connection().send_messages(route_messages(kind=Kind.COMPACT, messages=messages)) or 0


@shared_task(base=LateAckTask)
def reconcile_mail():
    """Beat, every five minutes: send what the database says is owed but the broker lost."""
    return services.reconcile_mail()
