"""What the signatories workflows share: cleaning what people type, confirming a signature for
its organisation, and what a change to the public list of signatures sets off."""

from django.utils import timezone

from accounts.models import User
from compact.models import Compact, Version
from compact.signals import signatures_changed
from core.errors import DomainError

from ..models import Signature
from ..normalise import clean_name

MAX_NAME_LENGTH = 150


def clean_text(*, value: str, label: str, limit: int = MAX_NAME_LENGTH, required: bool = True) -> str:
    # Invisible and control characters go too: a zero-width space must not make a second name.
    value = clean_name(value)
    if required and not value:
        raise DomainError(f"Enter your {label}.")
    if len(value) > limit:
        raise DomainError(f"Your {label} must be {limit} characters or fewer.")
    return value


def verify_for_organisation(*, signature: Signature, how: str, by: User | None = None) -> None:
    """The signature counts and shows as its organisation's: staff approved it, or its signer's
    mailbox is at a domain staff recorded for the organisation."""
    signature.status = Signature.Status.CONFIRMED
    signature.organisation_verified_at = timezone.now()
    signature.organisation_verified_how = how
    signature.organisation_verified_by = by
    signature.save(
        update_fields=[
            "status",
            "organisation_verified_at",
            "organisation_verified_how",
            "organisation_verified_by",
        ]
    )


def public_list_changed(*, version: Version, removed: bool = False) -> None:
    """The public list of signatures changed: the compact's pages show it (cached under its
    generation, raised here in the caller's transaction), and its PDF lists it."""
    Compact.objects.bump_generation(compact_id=version.compact_id)
    signatures_changed.send(sender=Signature, version=version, removed=removed)
