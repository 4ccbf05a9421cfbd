"""Confirming a signature from the e-mail sent after signing.

A confirmation link carries a random token; only its SHA-256 is stored, it works once, and it
expires. Opening the link changes nothing (mail scanners open links): the page it shows posts.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from core.errors import DomainError, NotAllowed
from notifications import outbox

from ..models import Signature
from ._common import public_list_changed
from .organisations import signer_domain_verified

RESEND_INTERVAL = timedelta(minutes=5)
RESENDS_PER_DAY = 5


def confirmation_hours() -> int:
    return int(getattr(settings, "SIGNATURE_CONFIRMATION_HOURS", 72))


def hash_token(*, token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def confirmation_letter(*, signature_id: int, again: bool = False) -> outbox.Letter:
    """The e-mail with a signature's confirmation link. Transactional: sent before bulk mail and
    never suppressed by a setting. The link is minted when it is sent (`confirmation`), so no
    usable token is ever stored in the outbox or passed through the broker (`signatories.mail.confirmation`)."""
    signature = Signature.objects.select_related("signer").get(pk=signature_id)
    # The first e-mail is one per signature; each asked-for resend is an event of its own.
    key = f"signature-confirmation:{signature_id}:{uuid.uuid4().hex if again else 'first'}"
    return outbox.Letter(
        key=key,
        kind="signature-confirmation",
        about=f"signature:{signature_id}",
        to=signature.signer.email if signature.signer else "",
        user_id=signature.signer_id,
        urgent=True,
        render_with="signatories.mail.confirmation",
        params={"signature_id": signature_id},
    )


def issue_confirmation(*, signature: Signature) -> str:
    """A fresh single-use token for a pending signature; any earlier link stops working."""
    token = secrets.token_urlsafe(32)
    signature.token_hash = hash_token(token=token)
    now = timezone.now()
    signature.token_expires_at = now + timedelta(hours=confirmation_hours())
    signature.confirmation_sent_at = now
    signature.save(update_fields=["token_hash", "token_expires_at", "confirmation_sent_at"])
    return token


@transaction.atomic
def resend_confirmation(*, actor: User, signature: Signature) -> None:
    """Rate-limited: once every five minutes, five times a day, per signature. The counters live
    in the shared cache, so every web process sees them; losing them (a cache flush) only
    allows a few more e-mails, never a wrong confirmation."""
    if signature.signer_id != actor.pk:
        raise NotAllowed("Only the signatory can ask for the e-mail again.")
    if signature.status != Signature.Status.PENDING:
        raise DomainError("This signature does not need confirming.")
    recent_key, daily_key = f"resend:recent:{signature.pk}", f"resend:day:{signature.pk}"
    # None means the cache is unreachable: sending one more e-mail beats refusing the signatory.
    if cache.add(recent_key, 1, timeout=int(RESEND_INTERVAL.total_seconds())) is False:
        raise DomainError("We sent the e-mail a moment ago. Wait five minutes before asking again.")
    cache.add(daily_key, 0, timeout=24 * 3600)
    if (cache.incr(daily_key) or 0) > RESENDS_PER_DAY:
        raise DomainError("We have sent this e-mail five times today. Try again tomorrow.")
    outbox.put(letters=[confirmation_letter(signature_id=signature.pk, again=True)])


# What a link that finds no pending signature says, whatever the reason: a guessed link learns
# nothing about anyone.
LINK_NOT_VALID = "This link has already been used or is not valid."


class LinkExpired(DomainError):
    """Carries the signature so the page can point its owner to a fresh link. Whoever holds an
    expired link was sent it, so naming the signature's page reveals nothing new to them."""

    def __init__(self, signature: Signature) -> None:
        self.signature = signature
        super().__init__("This link has expired. Sign in and ask for a new one from your signature page.")


def signature_for_token(*, token: str) -> Signature:
    """The pending signature a link is for, or a domain error saying plainly what is wrong."""
    # `token_hash <> ''` repeats the unique index's condition: with server-side binding PostgreSQL
    # may plan the lookup once for any value, and only then can that plan use the partial index
    # (without it, it read the whole table).
    found = Signature.objects.select_related("version__compact", "organisation", "signer").exclude(
        token_hash=""
    )
    try:
        # Tokens are unique; get() also skips the list's ordering, which a lookup does not need.
        signature: Signature | None = found.get(token_hash=hash_token(token=token or ""))
    except Signature.DoesNotExist:
        signature = None
    if signature is None or signature.status != Signature.Status.PENDING:
        raise DomainError(LINK_NOT_VALID)
    if signature.token_expires_at is None or signature.token_expires_at <= timezone.now():
        raise LinkExpired(signature)
    return signature


def confirm(*, token: str) -> Signature:
    """Confirm the signature a link is for.

    The signature is read without a lock, then written by an UPDATE guarded by the token and the
    status that were read: a second confirmation of the same link, a withdrawal or a fresh link
    sent in between has changed one of them, so the guarded write changes nothing and the link
    reads as used. (PostgreSQL makes a concurrent writer of the row wait and then tests the guard
    against the row as that writer left it: of two confirmations at once, exactly one writes.)
    The audit row is written in the same transaction, so neither exists without the other."""
    signature = signature_for_token(token=token)
    link = signature.token_hash
    now = timezone.now()
    signature.confirmed_at = now
    signature.token_hash = ""  # single use
    signature.token_expires_at = None
    fields = ["status", "confirmed_at", "token_hash", "token_expires_at"]
    if signature.organisation_id is None:
        signature.status = Signature.Status.CONFIRMED
    elif signer_domain_verified(signature=signature) or _verified_before(signature):
        signature.status = Signature.Status.CONFIRMED
        signature.organisation_verified_at = now
        signature.organisation_verified_how = (
            Signature.VerifiedBy.DOMAIN
            if signer_domain_verified(signature=signature)
            else Signature.VerifiedBy.RENEWED
        )
        fields += ["organisation_verified_at", "organisation_verified_how"]
    else:
        # Counts and shows as the organisation's only once verified for this signer.
        signature.status = Signature.Status.AWAITING_ORGANISATION
    with transaction.atomic():
        written = Signature.objects.filter(
            pk=signature.pk, token_hash=link, status=Signature.Status.PENDING
        ).update(**{name: getattr(signature, name) for name in fields})
        if not written:
            raise DomainError(LINK_NOT_VALID)
        audit.record(
            action="confirm signature",
            actor=signature.signer,
            target=signature,
            compact_id=signature.version.compact_id,  # already read: no query to find it again
            before={"status": "pending"},
            after={"status": signature.status},
        )
        if signature.status == Signature.Status.CONFIRMED:
            public_list_changed(version=signature.version)  # its receivers act once this commits
    return signature


def _verified_before(signature: Signature) -> bool:
    """Re-signing a refreshed version for the organisation staff (or its domain) already verified
    this signer for: no second wait. Signatures confirmed under the earlier rules do not vouch."""
    if not (signature.organisation_id and signature.signer_id):
        return False
    return (
        Signature.objects.filter(
            signer_id=signature.signer_id,
            organisation_id=signature.organisation_id,
            organisation_verified_at__isnull=False,
            status__in=[Signature.Status.CONFIRMED, Signature.Status.WITHDRAWN],
        )
        .exclude(pk=signature.pk)
        .exclude(organisation_verified_how=Signature.VerifiedBy.EARLIER_RULES)
        .exists()
    )
