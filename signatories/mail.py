"""The signing e-mails as the outbox renders them when it sends (notifications/outbox.py), and the
refresh invitation's letter. The services write the confirmation letter (`services.confirmation_letter`);
this module reads the services, never the reverse."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from compact.models import Version
from notifications import outbox

from . import services
from .models import Signature


def confirmation(*, signature_id: int) -> outbox.Rendered | None:
    """Called by the outbox as it sends: a fresh link for a signature still pending, or None when
    it no longer needs one (confirmed, withdrawn, erased). The signature's row is locked only
    while the token is written, never while the mail is sent."""
    with transaction.atomic():
        outbox.lock_timeout()
        signature = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("version__compact", "signer", "organisation")
            .filter(pk=signature_id)
            .first()
        )
        if signature is None or signature.status != Signature.Status.PENDING or signature.signer is None:
            return None
        token = services.issue_confirmation(signature=signature)
    url = settings.SITE_URL + reverse("signatories:confirm", kwargs={"token": token})
    return outbox.render(
        template="signatories/email/confirm",
        subject=f"Confirm your signature on {signature.version.compact.title}",
        context={"signature": signature, "url": url, "hours": services.confirmation_hours()},
    )


def refresh_letter(
    *, signature: Signature, version: Version, previous: Version, url: str, compare: str
) -> outbox.Letter:
    """The invitation to sign a refreshed version, for one earlier signatory."""
    assert signature.signer is not None  # signatures_to_invite only finds signed-in signers
    return outbox.Letter(
        key=f"refresh-invitation:{version.pk}:signature:{signature.pk}",
        kind="refresh-invitation",
        about=f"version:{version.pk}",
        to=signature.signer.email,
        user_id=signature.signer_id,
        rendered=outbox.render(
            template="signatories/email/refresh",
            subject=f"{version.compact.title} has been refreshed: will you sign version {version.number}?",
            context={
                "signature": signature,
                "version": version,
                "previous": previous,
                "url": url,
                "compare_url": compare,
            },
        ),
    )
