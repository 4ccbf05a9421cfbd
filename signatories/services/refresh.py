"""A refreshed version published: earlier signatories are invited to sign it, once each; and the
reconciler that sends again whatever confirmation or invitation the broker lost."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from compact.models import Version
from compact.selectors import previous_published
from config import dispatch

from ..models import RefreshInvitation, Signature
from .confirmation import confirmation_hours


def signatures_to_invite(*, version: Version, previous: Version) -> QuerySet[Signature]:
    """Confirmed signatories of the previous version not yet invited to sign this one."""
    already_signed = Signature.objects.active().filter(version=version).values("signer_id")
    return (
        Signature.objects.public()
        .filter(version=previous, signer__isnull=False)
        .exclude(signer_id__in=already_signed)
        .exclude(refresh_invitations__version=version)
        .select_related("signer")
    )


def record_invitation(*, signature: Signature, version: Version) -> bool:
    """True if this call is the one that records (and so sends) the invitation."""
    try:
        with transaction.atomic():
            RefreshInvitation.objects.create(signature=signature, version=version)
        return True
    except IntegrityError:
        return False


def reconcile_mail(*, now: datetime | None = None, older_than: timedelta | None = None) -> int:
    """Re-send confirmation e-mails and refresh invitations that should have gone by now: the
    broker may have been down when they were enqueued, or lost them in a restart. The tasks are
    idempotent, so a duplicate reaches nobody twice."""
    now = now or timezone.now()
    if older_than is None:
        older_than = timedelta(seconds=settings.RECONCILE_AFTER_SECONDS)
    stale = now - older_than
    sent = 0
    # Only while a link could still be used: past that window a mail server that keeps refusing
    # the address would otherwise be asked every five minutes for ever; the signatory can still
    # ask for a new link from the compact page.
    unsent = Signature.objects.filter(
        status=Signature.Status.PENDING,
        signer__isnull=False,
        confirmation_sent_at__isnull=True,
        created_at__lt=stale,
        created_at__gte=now - timedelta(hours=confirmation_hours()),
    )
    for pk in unsent.values_list("pk", flat=True):
        sent += dispatch.send("signatories.tasks.send_confirmation", pk)
    # Invitations are owed for a month after a refresh is published; older ones are history.
    recent = Version.objects.filter(
        status=Version.Status.PUBLISHED, published_at__lt=stale, published_at__gte=now - timedelta(days=30)
    )
    for version in recent:
        previous = previous_published(version=version)
        if previous is not None and signatures_to_invite(version=version, previous=previous).exists():
            sent += dispatch.send("signatories.tasks.send_refresh_invitations", version.pk, previous.pk)
    return sent
