"""Staff review of signatures: hide and restore one, approve one for its organisation, clear a
flagged one from the queue, release or reject a held one. Each is audited."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from compact.services import require_academy_staff
from core.errors import DomainError

from ..models import Signature
from ._common import clean_text, public_list_changed, verify_for_organisation
from .organisations import list_organisation


@transaction.atomic
def hide_signature(*, actor: User, signature: Signature, reason: str) -> Signature:
    require_academy_staff(actor=actor)
    reason = clean_text(value=reason, label="reason for hiding it", limit=1000)
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status not in (Signature.Status.CONFIRMED, Signature.Status.AWAITING_ORGANISATION):
        raise DomainError("Only a confirmed signature, or one awaiting its organisation, can be hidden.")
    was = signature.status
    signature.status = Signature.Status.HIDDEN
    signature.hidden_at, signature.hidden_by, signature.hidden_reason = timezone.now(), actor, reason
    signature.save(update_fields=["status", "hidden_at", "hidden_by", "hidden_reason"])
    audit.record(
        action="hide signature",
        actor=actor,
        target=signature,
        before={"status": was},
        after={"status": "hidden", "reason": reason},
    )
    if was == Signature.Status.CONFIRMED:
        public_list_changed(version=signature.version, removed=True)
    return signature


@transaction.atomic
def restore_signature(*, actor: User, signature: Signature) -> Signature:
    require_academy_staff(actor=actor)
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Signature.Status.HIDDEN:
        raise DomainError("Only a hidden signature can be restored.")
    same_person = Q(signer=signature.signer_id)
    if signature.email_key:
        same_person |= Q(email_key=signature.email_key)
    if Signature.objects.active().filter(same_person, version=signature.version).exists():
        raise DomainError(
            "This person has signed this version again since; the hidden signature stays hidden."
        )
    # Back to where it was: a signature for an organisation not verified for its signer waits,
    # and one rejected from the hold before its e-mail link was used waits for that.
    counts = signature.organisation_id is None or signature.organisation_verified_at is not None
    signature.status = Signature.Status.CONFIRMED if counts else Signature.Status.AWAITING_ORGANISATION
    if signature.confirmed_at is None:
        counts, signature.status = False, Signature.Status.PENDING
    counts = counts and signature.held_at is None  # a held one stays held until released
    signature.hidden_at, signature.hidden_by, signature.hidden_reason = None, None, ""
    signature.save(update_fields=["status", "hidden_at", "hidden_by", "hidden_reason"])
    audit.record(
        action="restore signature",
        actor=actor,
        target=signature,
        before={"status": "hidden"},
        after={"status": signature.status},
    )
    if counts:
        public_list_changed(version=signature.version)
    return signature


@transaction.atomic
def approve_organisation_signature(*, actor: User, signature: Signature) -> Signature:
    """Staff checked that this signer really signs for their organisation: it now counts and
    shows as the organisation's, and the organisation is listed for others to find."""
    require_academy_staff(actor=actor)
    signature = (
        Signature.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=signature.pk)
    )
    organisation = signature.organisation
    if signature.status != Signature.Status.AWAITING_ORGANISATION or organisation is None:
        raise DomainError("Only a signature awaiting its organisation's verification can be approved.")
    list_organisation(organisation=organisation)
    verify_for_organisation(signature=signature, how=Signature.VerifiedBy.STAFF, by=actor)
    audit.record(
        action="approve signature for organisation",
        actor=actor,
        target=signature,
        before={"status": "awaiting_organisation"},
        after={"status": "confirmed", "organisation": organisation.pk},
    )
    public_list_changed(version=signature.version)
    return signature


@transaction.atomic
def mark_reviewed(*, actor: User, signature: Signature) -> Signature:
    """Staff looked at a flagged signature and found nothing wrong: it leaves the queue."""
    require_academy_staff(actor=actor)
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    signature.reviewed_at, signature.reviewed_by, signature.needs_review = timezone.now(), actor, False
    signature.save(update_fields=["reviewed_at", "reviewed_by", "needs_review"])
    audit.record(
        action="review flagged signature",
        actor=actor,
        target=signature,
        before={"reasons": signature.review_reasons},
        after={"reviewed": True},
    )
    return signature


@transaction.atomic
def release_signature(*, actor: User, signature: Signature) -> Signature:
    """Staff looked at a held signature and found it genuine: it shows and counts (once
    confirmed, and verified for its organisation) and is never held again."""
    require_academy_staff(actor=actor)
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.held_at is None or signature.status not in Signature.ACTIVE:
        raise DomainError("Only a held signature that still stands can be released.")
    signature.held_at, signature.released_at, signature.released_by = None, timezone.now(), actor
    signature.save(update_fields=["held_at", "released_at", "released_by"])
    audit.record(
        action="release held signature",
        actor=actor,
        target=signature,
        before={"held": True, "reasons": signature.hold_reasons},
        after={"held": False, "status": signature.status},
    )
    if signature.status == Signature.Status.CONFIRMED:
        public_list_changed(version=signature.version)
    return signature


REJECTED_WITHOUT_REASON = "Held as part of a burst of signatures and rejected by staff"


@transaction.atomic
def reject_held_signature(*, actor: User, signature: Signature, reason: str = "") -> Signature:
    """Staff found a held signature not genuine: it is hidden (its link, if unused, stops
    working). It never counted, so nothing public changes."""
    require_academy_staff(actor=actor)
    reason = clean_text(value=reason, label="reason", limit=1000, required=False) or REJECTED_WITHOUT_REASON
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.held_at is None or signature.status not in Signature.ACTIVE:
        raise DomainError("Only a held signature that still stands can be rejected.")
    was = signature.status
    signature.status = Signature.Status.HIDDEN
    signature.hidden_at, signature.hidden_by, signature.hidden_reason = timezone.now(), actor, reason
    signature.token_hash = ""
    signature.save(update_fields=["status", "hidden_at", "hidden_by", "hidden_reason", "token_hash"])
    audit.record(
        action="reject held signature",
        actor=actor,
        target=signature,
        before={"status": was, "held": True},
        after={"status": "hidden", "reason": reason},
    )
    return signature
