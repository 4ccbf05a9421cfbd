"""The sign page: what is filled in, what is offered, and what the person has signed already."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from accounts.roles import has_verified_email

from . import selectors, services
from .models import Organisation, Signature

if TYPE_CHECKING:
    from accounts.models import User
    from compact.models import Version


@dataclass
class SignPage:
    version: Version
    existing: Signature | None  # a standing signature on this version: a receipt, not a form
    own_existing: bool  # that signature is this account's (not the same mailbox's other account)
    earlier: Signature | None  # the person's signature on an earlier version
    verified: bool  # their e-mail address is verified: they may sign
    organisations: QuerySet[Organisation]
    initial: dict[str, Any] = field(default_factory=dict)


def sign_page(*, user: User, version: Version) -> SignPage:
    """Someone who signed an earlier version re-signs in one step: exactly what they gave then is
    filled in, personal staying personal. Otherwise only their name and role come from their
    profile: the organisation a profile names is never chosen for them (anyone may type any name
    there, and signing for an organisation is a choice the person makes)."""
    existing = services.active_signature_of(user=user, version=version)
    earlier = selectors.earlier_signature(user=user, version=version)
    initial: dict[str, Any] = {"full_name": user.full_name, "role": user.job_title}
    if earlier is not None:
        initial.update(full_name=earlier.full_name, role=earlier.role)
        if earlier.organisation_id:
            initial.update(on_behalf="organisation", organisation=earlier.organisation_id)
        else:
            initial.update(on_behalf="personal")
    return SignPage(
        version=version,
        existing=existing,
        own_existing=existing is not None and existing.signer_id == user.pk,
        earlier=earlier,
        verified=has_verified_email(user),
        organisations=selectors.organisations_to_offer(version=version, earlier=earlier),
        initial=initial,
    )
