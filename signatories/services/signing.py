"""Signing a published version, personally or for an organisation, and withdrawing a signature.

A signature counts once confirmed from its e-mail (`confirmation`); one for an organisation also
once the organisation is verified for its signer (`organisations`, `review`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import has_verified_email
from audit import services as audit
from compact.models import Version
from core.errors import DomainError, NotAllowed
from notifications import outbox

from ..models import Organisation, Signature
from ..normalise import email_key
from ._common import clean_text, public_list_changed
from .confirmation import confirmation_letter
from .holds import client_key, flag_repeated_name, hold_bursts
from .organisations import find_or_create_organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _already_signed_message(signature: Signature, actor: User | None = None) -> str:
    if actor is not None and signature.signer_id != actor.pk:
        return "Your e-mail address has already signed this version, from another account."
    if signature.status in (Signature.Status.CONFIRMED, Signature.Status.AWAITING_ORGANISATION):
        return f"You already signed on {timezone.localtime(signature.confirmed_at):%-d %B %Y}."
    return (
        f"You already signed on {timezone.localtime(signature.created_at):%-d %B %Y}; "
        "your signature is waiting for you to confirm it from the e-mail we sent."
    )


class AlreadySigned(DomainError):
    def __init__(self, signature: Signature, actor: User | None = None) -> None:
        self.signature = signature
        self.own = actor is None or signature.signer_id == actor.pk
        super().__init__(_already_signed_message(signature, actor))


def active_signature_of(*, user: User | AnonymousUser | None, version: Version) -> Signature | None:
    """The person's standing signature on a version: by account, or by their mailbox from another
    account (plus-tags and Gmail dots make no second signer)."""
    if not (user and user.is_authenticated):
        return None
    mine = Q(signer=user)
    key = email_key(user.email)
    if key:
        mine |= Q(email_key=key)
    return (
        Signature.objects.active()
        .filter(mine, version=version)
        .select_related("organisation")
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def sign(
    *,
    actor: User | AnonymousUser | None,
    version: Version,
    full_name: str,
    role: str,
    consent: bool,
    organisation: Organisation | None = None,
    new_organisation: dict[str, str] | None = None,
    client_address: str = "",
) -> Signature:
    """A signed-in person with a verified e-mail signs a published version, personally or for an
    organisation. A personal signature counts once confirmed from the e-mail sent after commit;
    one for an organisation also needs the organisation verified for this signer."""
    if not isinstance(actor, User):  # anonymous
        raise NotAllowed("Sign in to sign the compact.")
    if not has_verified_email(actor):
        raise NotAllowed("Confirm your e-mail address before you sign.")
    # Signing a version one at a time (a lock that inserting signatures does not wait on), so a
    # burst sent in parallel is counted whole and held, not split between transactions that
    # cannot see each other's rows.
    version = Version.objects.select_for_update(no_key=True).get(pk=version.pk)
    if version.status != Version.Status.PUBLISHED:
        raise DomainError("Only the current published version can be signed.")
    full_name = clean_text(value=full_name, label="full name")
    role = clean_text(value=role, label="role")
    if not consent:
        raise DomainError(
            "Agree to your name, role and organisation being shown publicly, or you cannot sign."
        )
    existing = active_signature_of(user=actor, version=version)
    if existing:
        raise AlreadySigned(existing, actor)
    if new_organisation:
        organisation = find_or_create_organisation(**new_organisation)
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                version=version,
                content_hash=version.content_hash,
                signer=actor,
                organisation=organisation,
                full_name=full_name,
                role=role,
                consent_to_publish=True,
                email_key=email_key(actor.email),
                client_key=client_key(address=client_address),
            )
    except IntegrityError:
        # The same person (or mailbox) submitted twice at once; the database kept one.
        existing = active_signature_of(user=actor, version=version)
        if existing is None:  # the other submission was withdrawn in the meantime
            raise DomainError("Your signature could not be saved. Try again.") from None
        raise AlreadySigned(existing, actor) from None
    flag_repeated_name(signature=signature)
    hold_bursts(signature=signature)
    # The confirmation e-mail is written with the signature, in its transaction (the outbox
    # sends it once this commits).
    outbox.put(letters=[confirmation_letter(signature_id=signature.pk)])
    return signature


@transaction.atomic
def withdraw(*, actor: User, signature: Signature, reason: str = "") -> Signature:
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.signer_id != actor.pk:
        raise NotAllowed("Only the signatory can withdraw a signature.")
    if signature.status not in Signature.ACTIVE:
        raise DomainError("This signature has already been withdrawn.")
    was_public = signature.status == Signature.Status.CONFIRMED
    before = signature.status
    signature.status = Signature.Status.WITHDRAWN
    signature.withdrawn_at = timezone.now()
    signature.withdrawal_reason = clean_text(value=reason, label="reason", limit=1000, required=False)
    signature.token_hash = ""
    signature.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "token_hash"])
    audit.record(
        action="withdraw signature",
        actor=actor,
        target=signature,
        before={"status": before},
        after={"status": "withdrawn"},
    )
    if was_public:
        public_list_changed(version=signature.version, removed=True)
    return signature
