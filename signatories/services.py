"""Signing a published compact, confirming by e-mail, withdrawing, and staff verification.

A confirmation link carries a random token; only its SHA-256 is stored, it works once, and it
expires. Opening the link changes nothing (mail scanners open links): the page it shows posts.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.roles import has_verified_email
from audit import services as audit
from compact.errors import DomainError, NotAllowed
from compact.models import Compact, Version
from compact.selectors import previous_published
from compact.services import require_academy_staff
from compact.signals import signatures_changed
from config import dispatch
from notifications import outbox

from .models import Organisation, RefreshInvitation, Signature
from .normalise import clean_name, domain_matches, email_domain, email_key, name_key, name_skeleton

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

from accounts.models import User

# Organisation codes of trusts (RX1), ICBs (QWE), sub-ICB locations (00L), trust sites (RX1AB)
# and GP practices (A81001): primary care signs too.
ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")
MAX_NAME_LENGTH = 150
RESEND_INTERVAL = timedelta(minutes=5)
RESENDS_PER_DAY = 5
# A fraud signal staff see; the signer is told nothing different.
REASON_NAME = "The same name signed this version more than once"
# Holds (settings SIGNATURE_HOLD_PER_DOMAIN and SIGNATURE_HOLD_PER_ADDRESS, "N/period"): past N
# signatures of one version from one e-mail domain, or one client address, within the period,
# every standing signature of that burst is held until staff release it (docs/trust.md).
HOLD_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# Mailboxes anyone can open: recording one for an organisation would verify everybody.
SHARED_MAIL_DOMAINS = {
    "nhs.net",
    "nhs.uk",
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "live.co.uk",
    "yahoo.com",
    "yahoo.co.uk",
    "icloud.com",
    "me.com",
    "aol.com",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "btinternet.com",
    "sky.com",
    "mail.com",
}
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def confirmation_hours() -> int:
    return int(getattr(settings, "SIGNATURE_CONFIRMATION_HOURS", 72))


def hash_token(*, token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_text(*, value: str, label: str, limit: int = MAX_NAME_LENGTH, required: bool = True) -> str:
    # Invisible and control characters go too: a zero-width space must not make a second name.
    value = clean_name(value)
    if required and not value:
        raise DomainError(f"Enter your {label}.")
    if len(value) > limit:
        raise DomainError(f"Your {label} must be {limit} characters or fewer.")
    return value


def normalise_ods_code(*, code: str | None) -> str:
    code = (code or "").strip().upper()
    if code and not ODS_CODE.match(code):
        raise DomainError("An ODS code is 3 to 6 letters and numbers, for example RX1, QWE, 00L or A81001.")
    return code


# --- Organisations ---------------------------------------------------------------------------------
class OrganisationMismatch(DomainError):
    """The typed name and ODS code point at different organisations: ask, save nothing."""

    def __init__(self, organisation: Organisation, *, by_code: bool, typed_code: str = "") -> None:
        self.organisation = organisation
        name = organisation.name
        if by_code:
            message = f"{organisation.ods_code} is {name}. Did you mean {name}, or is your code different?"
        else:
            message = (
                f"The ODS code of {name} is {organisation.ods_code}, not {typed_code}. "
                f"Did you mean {name}, or is your code different?"
            )
        super().__init__(message)


class OrganisationLookalike(OrganisationMismatch):
    """The typed name looks like a listed organisation's (one skeleton) but is spelt with other
    characters, such as a Cyrillic "ѕ" for an "s": ask, save nothing."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.lookalike = True
        name = organisation.name
        DomainError.__init__(
            self,
            f"The name you typed looks like {name} but is spelt with different characters "
            f"(letters from another alphabet, say). Did you mean {name}?",
        )


def lookalikes(*, name: str, exclude_pk: int | None = None) -> QuerySet[Organisation]:
    """Organisations whose name looks the same as `name` (one skeleton) but is spelt otherwise."""
    found = Organisation.objects.filter(name_skeleton=name_skeleton(name)[:200]).exclude(
        name_key=name_key(name)
    )
    return found.exclude(pk=exclude_pk) if exclude_pk is not None else found


def listed_organisations() -> QuerySet[Organisation]:
    """Organisations others may see and be matched to: staff vouched for them, or a signature
    for them was verified. A claim nobody has verified captures nobody else's name or code."""
    return Organisation.objects.filter(listed=True)


def find_organisation(*, name: str = "", ods_code: str = "") -> Organisation | None:
    """A listed organisation by ODS code or name (compared normalised), found rather than
    duplicated. Raises OrganisationMismatch when the code and the name disagree."""
    ods_code = normalise_ods_code(code=ods_code)
    key = name_key(name)
    by_code = listed_organisations().filter(ods_code=ods_code).first() if ods_code else None
    if by_code is not None and key and by_code.name_key != key:
        raise OrganisationMismatch(by_code, by_code=True)
    by_name = listed_organisations().filter(name_key=key).first() if key else None
    if by_name is not None and ods_code and by_name.ods_code and by_name.ods_code != ods_code:
        raise OrganisationMismatch(by_name, by_code=False, typed_code=ods_code)
    if by_code is None and by_name is None and key:
        lookalike = lookalikes(name=name).filter(listed=True).first()
        if lookalike is not None:
            raise OrganisationLookalike(lookalike)
    return by_code or by_name


def find_or_create_organisation(
    *, name: str, kind: str, ods_code: str = "", region: str = ""
) -> Organisation:
    name = clean_text(value=name, label="organisation's name", limit=200)
    ods_code = normalise_ods_code(code=ods_code)
    existing = find_organisation(name=name, ods_code=ods_code)
    if existing:
        return existing
    if kind not in Organisation.Kind.values:
        raise DomainError("Choose what kind of organisation it is.")
    if region and region not in Organisation.Region.values:
        raise DomainError("Choose a region from the list.")
    # The same unlisted claim (name and code) is shared by everyone who makes it; any other
    # claim is a new, unlisted organisation until staff or a verified signature vouch for it.
    claim = Organisation.objects.filter(listed=False, name_key=name_key(name), ods_code=ods_code)
    try:
        with transaction.atomic():
            return claim.first() or Organisation.objects.create(
                name=name, kind=kind, ods_code=ods_code, region=region
            )
    except IntegrityError:
        # Someone made the same claim a moment ago: use theirs.
        found = claim.first() or find_organisation(name=name, ods_code=ods_code)
        if found is None:  # the clashing claim was removed in the meantime
            raise DomainError("We could not save the organisation. Try again.") from None
        return found


def list_organisation(*, organisation: Organisation) -> Organisation:
    """Make an organisation visible to others (staff vouched for it, or verified a signature)."""
    if organisation.listed:
        return organisation
    clash = (
        listed_organisations()
        .filter(Q(name_key=organisation.name_key) | (Q(ods_code=organisation.ods_code) & ~Q(ods_code="")))
        .first()
    )
    lookalike = lookalikes(name=organisation.name, exclude_pk=organisation.pk).filter(listed=True).first()
    if clash is None and lookalike is not None:
        raise DomainError(
            f"{organisation.name} looks the same as {lookalike.name}, which is already listed, but is "
            "spelt with different characters (letters from another alphabet, say). Listing both would "
            "show two organisations nobody can tell apart. Hide this signature, or ask the signatory "
            "to sign for the listed organisation."
        )
    if clash is not None:
        raise DomainError(
            f"{organisation.name} ({organisation.ods_code or 'no ODS code'}) has the same name or ODS "
            f"code as {clash.name} ({clash.ods_code or 'no ODS code'}), which is already listed. "
            "Hide this signature, or ask the signatory to sign for the listed organisation."
        )
    organisation.listed = True
    organisation.save(update_fields=["listed"])
    return organisation


def signer_domain_verified(*, signature: Signature) -> bool:
    """Is the signer's e-mail at a domain staff recorded for the organisation?"""
    organisation = signature.organisation
    if organisation is None or not organisation.listed:
        return False
    address = signature.email_key or (signature.signer.email if signature.signer is not None else "")
    domain = email_domain(address)
    return any(domain_matches(domain, recorded) for recorded in organisation.email_domains or [])


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


def client_key(*, address: str) -> str:
    """A keyed hash of the client address: enough to see a burst, useless to anyone who reads it."""
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


# --- Signing ---------------------------------------------------------------------------------------
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
    _flag_for_review(signature)
    _hold_bursts(signature)
    # The confirmation e-mail is written with the signature, in its transaction (the outbox
    # sends it once this commits).
    outbox.put(letters=[confirmation_letter(signature_id=signature.pk)])
    return signature


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
            _changed(signature.version)  # its receivers act once this commits
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
        _changed(signature.version, removed=True)
    return signature


# --- Staff -----------------------------------------------------------------------------------------
@transaction.atomic
def verify_organisation(*, actor: User, organisation: Organisation, verified: bool = True) -> Organisation:
    require_academy_staff(actor=actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {"verified": organisation.verified_at is not None}
    if verified:
        list_organisation(organisation=organisation)
    organisation.verified_at = timezone.now() if verified else None
    organisation.verified_by = actor if verified else None
    organisation.save(update_fields=["verified_at", "verified_by"])
    audit.record(
        action="verify organisation" if verified else "unverify organisation",
        actor=actor,
        target=organisation,
        before=before,
        after={"verified": verified},  # the organisation by reference: its name may be a person's typing
    )
    return organisation


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
        _changed(signature.version, removed=True)
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
        _changed(signature.version)
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
    _verify_for_organisation(signature, how=Signature.VerifiedBy.STAFF, by=actor)
    audit.record(
        action="approve signature for organisation",
        actor=actor,
        target=signature,
        before={"status": "awaiting_organisation"},
        after={"status": "confirmed", "organisation": organisation.pk},
    )
    _changed(signature.version)
    return signature


def _verify_for_organisation(signature: Signature, *, how: str, by: User | None = None) -> None:
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


def parse_email_domains(*, text: str) -> list[str]:
    """Domains typed one a line or separated by commas or spaces; refuses shared mail services."""
    domains = []
    for raw in re.split(r"[\s,;]+", clean_name(text).lower()):
        domain = raw.strip().lstrip("@").rstrip(".")
        if not domain:
            continue
        if not DOMAIN.match(domain):
            raise DomainError(f"“{raw[:60]}” is not an e-mail domain. Enter domains like riverside.nhs.uk.")
        if domain in SHARED_MAIL_DOMAINS:
            raise DomainError(
                f"{domain} is shared by people in many organisations, so it cannot verify anyone "
                "for one organisation. Enter the organisation's own domain."
            )
        if domain not in domains:
            domains.append(domain)
    if len(domains) > 20:
        raise DomainError("Enter at most 20 domains.")
    return domains


@transaction.atomic
def set_organisation_email_domains(
    *, actor: User, organisation: Organisation, domains: list[str]
) -> tuple[Organisation, int]:
    """Staff record the organisation's own e-mail domains. Recording them vouches for the
    organisation (it is listed), and signatures awaiting it from those domains now count."""
    require_academy_staff(actor=actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    domains = parse_email_domains(text=domains) if isinstance(domains, str) else list(domains)
    before = {"email_domains": list(organisation.email_domains or [])}
    if domains:
        list_organisation(organisation=organisation)
    organisation.email_domains = domains
    organisation.save(update_fields=["email_domains"])
    audit.record(
        action="set organisation e-mail domains",
        actor=actor,
        target=organisation,
        before=before,
        after={"email_domains": domains},
    )
    versions = {}
    waiting = (
        Signature.objects.select_for_update(of=("self",))
        .select_related("organisation", "signer", "version")
        .filter(organisation=organisation, status=Signature.Status.AWAITING_ORGANISATION)
    )
    promoted = 0
    for signature in waiting:
        if signer_domain_verified(signature=signature):
            _verify_for_organisation(signature, how=Signature.VerifiedBy.DOMAIN)
            versions[signature.version_id] = signature.version
            promoted += 1
    for version in versions.values():
        _changed(version)
    return organisation, promoted


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
        _changed(signature.version)
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


def _flag_for_review(signature: Signature) -> None:
    """A silent fraud signal: a name signed twice puts both signatures in the staff queue.
    Nothing differs for the signer. (Bursts from one address or domain are held: _hold_bursts.)"""
    same_name = Signature.objects.filter(
        version_id=signature.version_id, full_name__iexact=signature.full_name
    ).exclude(status=Signature.Status.WITHDRAWN)
    ids = list(same_name.values_list("pk", flat=True)[:500])
    if len(ids) < 2:
        return
    for flagged in Signature.objects.select_for_update().filter(pk__in=ids):
        if REASON_NAME not in flagged.review_reasons:
            flagged.review_reasons = [*flagged.review_reasons, REASON_NAME]
            flagged.needs_review = True
            flagged.save(update_fields=["review_reasons", "needs_review"])


def hold_threshold(*, setting: str) -> tuple[int, timedelta]:
    """A hold setting ("3/hour") as a count and a period. A setting that cannot be read is a
    deployment error, said at once rather than guessed round."""
    value = str(getattr(settings, setting, "3/hour"))
    count, _, period = value.partition("/")
    seconds = HOLD_PERIODS.get(period.strip().lower().removesuffix("s"))
    if not count.strip().isdigit() or seconds is None or int(count) < 1:
        raise ValueError(
            f'{setting} must look like "3/hour" (per second, minute, hour or day), not {value!r}.'
        )
    return int(count), timedelta(seconds=seconds)


def _period_words(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return next(
        f"a{'n' if name == 'hour' else ''} {name}" for name, n in HOLD_PERIODS.items() if n == seconds
    )


def _recorded_domain(domain: str) -> bool:
    """Is the domain (or a parent) one staff recorded for a listed organisation? Staff vouched
    that the organisation owns its mail: a burst from it is colleagues at a signing event, each
    a real mailbox, not addresses minted at a catch-all domain."""
    recorded = Organisation.objects.filter(listed=True).values_list("email_domains", flat=True)
    return any(domain_matches(domain, one) for domains in recorded for one in domains or [])


def _hold_bursts(signature: Signature) -> None:
    """Hold every standing signature of a burst: more than the setting's count of this version's
    signatures from one e-mail domain, or one client address, within its period.

    Public mail services (nhs.net, gmail.com: SHARED_MAIL_DOMAINS) are counted by address only:
    thousands of unrelated people share them, and each address there is a mailbox its owner had
    to open, unlike addresses at a catch-all domain, which cost nothing. Signers at a domain staff
    recorded for a listed organisation are never held. Signatures staff released stay released.
    """
    groups: list[tuple[Q, int, str]] = []
    if signature.client_key:
        limit, window = hold_threshold(setting="SIGNATURE_HOLD_PER_ADDRESS")
        since = signature.created_at - window
        reason = f"More than {limit} signatures from one address within {_period_words(window)}"
        groups.append((Q(client_key=signature.client_key, created_at__gte=since), limit, reason))
    domain = email_domain(signature.email_key)
    if domain and domain not in SHARED_MAIL_DOMAINS:
        limit, window = hold_threshold(setting="SIGNATURE_HOLD_PER_DOMAIN")
        since = signature.created_at - window
        # Not the domain itself: one person's own domain names them, and the reason outlives
        # their erasure (staff see the address beside it while it exists).
        reason = f"More than {limit} signatures from one e-mail domain within {_period_words(window)}"
        groups.append((Q(email_key__endswith="@" + domain, created_at__gte=since), limit, reason))
    reasons_for: dict[int, list[str]] = {}
    for query, limit, reason in groups:
        burst = Signature.objects.filter(query, version_id=signature.version_id)
        if burst.count() <= limit:
            continue
        # Those not yet held (and this one, which may be held already for the other reason):
        # once a burst is held, each later signature of it locks only itself.
        standing = burst.filter(status__in=Signature.ACTIVE, released_at__isnull=True).filter(
            Q(held_at__isnull=True) | Q(pk=signature.pk)
        )
        for pk in standing.values_list("pk", flat=True)[:500]:
            reasons_for.setdefault(pk, []).append(reason)
    vouched: dict[str, bool] = {}
    newly_held_public = False
    for held in Signature.objects.select_for_update().filter(pk__in=list(reasons_for)).order_by("pk"):
        held_domain = email_domain(held.email_key)
        if held_domain and vouched.setdefault(held_domain, _recorded_domain(held_domain)):
            continue
        reasons = [reason for reason in reasons_for[held.pk] if reason not in held.hold_reasons]
        if not reasons:
            continue
        was_public = held.held_at is None and held.status == Signature.Status.CONFIRMED
        was_held = held.held_at is not None
        held.held_at = held.held_at or timezone.now()
        held.hold_reasons = [*held.hold_reasons, *reasons]
        held.save(update_fields=["held_at", "hold_reasons"])
        audit.record(
            action="hold signature",
            target=held,
            before={"held": was_held},
            after={"held": True, "reasons": reasons},
        )
        newly_held_public = newly_held_public or was_public
    if newly_held_public:
        _changed(signature.version, removed=True)


def anonymise_signatures(*, signer: User) -> None:
    """On erasure, a person's signatures keep counting for their organisation without their name."""
    versions = set()
    for signature in Signature.objects.select_for_update().filter(signer=signer):
        signature.full_name, signature.role = f"Signatory {signature.pk}", ""
        # The mailbox key and address hash are personal data too; the signature keeps counting.
        signature.email_key, signature.client_key = "", ""
        signature.save(update_fields=["full_name", "role", "email_key", "client_key"])
        if signature.status == Signature.Status.CONFIRMED:
            versions.add(signature.version)
    for version in versions:
        _changed(version, removed=True)  # the PDF lists names: it goes, and is rendered again


def _changed(version: Version, removed: bool = False) -> None:
    """The public list of signatures changed: the compact's pages show it (cached under its
    generation, raised here in the caller's transaction), and its PDF lists it."""
    Compact.objects.bump_generation(compact_id=version.compact_id)
    signatures_changed.send(sender=Signature, version=version, removed=removed)


# --- Refresh ---------------------------------------------------------------------------------------
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
