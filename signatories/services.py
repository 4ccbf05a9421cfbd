"""Signing a published compact, confirming by e-mail, withdrawing, and staff verification.

A confirmation link carries a random token; only its SHA-256 is stored, it works once, and it
expires. Opening the link changes nothing (mail scanners open links): the page it shows posts.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

import audit
from accounts.roles import has_verified_email
from compact.errors import DomainError, NotAllowed
from compact.models import Compact, Version
from compact.selectors import previous_published
from compact.services import require_academy_staff
from compact.signals import signatures_changed
from config import dispatch
from core.rows import columns, from_row, prepared, update_if

from .models import Organisation, RefreshInvitation, Signature
from .normalise import clean_name, domain_matches, email_domain, email_key, name_key

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

from accounts.models import User

# Organisation codes of trusts (RX1), ICBs (QWE), sub-ICB locations (00L), trust sites (RX1AB)
# and GP practices (A81001): primary care signs too.
ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")
MAX_NAME_LENGTH = 150
RESEND_INTERVAL = timedelta(minutes=5)
RESENDS_PER_DAY = 5
# Fraud signals (staff see them; the signer is told nothing different): this many signatures of
# one version from one client address, or one e-mail domain, within REVIEW_WINDOW.
REVIEW_WINDOW = timedelta(hours=1)
SAME_ADDRESS_LIMIT = 3
SAME_DOMAIN_LIMIT = 10
REASON_ADDRESS = "Several signatures from one address within an hour"
REASON_DOMAIN = "Many signatures from one e-mail domain within an hour"
REASON_NAME = "The same name signed this version more than once"
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
    version = Version.objects.get(pk=version.pk)
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
    # here, not at the top: signatories.tasks imports this one.
    from .tasks import send_confirmation

    dispatch.send_on_commit(send_confirmation, signature.pk)
    return signature


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
    # here, not at the top: signatories.tasks imports this one.
    from .tasks import send_confirmation

    dispatch.send_on_commit(send_confirmation, signature.pk, True)


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
    signature: Signature | None
    if connection.vendor == "postgresql":
        signature = _by_token(token_hash=hash_token(token=token or ""))
    else:
        found = Signature.objects.select_related("version__compact", "organisation", "signer")
        try:
            # Tokens are unique; get() also skips the list's ordering, which a lookup does not need.
            signature = found.get(token_hash=hash_token(token=token or ""))
        except Signature.DoesNotExist:
            signature = None
    if signature is None or signature.status != Signature.Status.PENDING:
        raise DomainError(LINK_NOT_VALID)
    if signature.token_expires_at is None or signature.token_expires_at <= timezone.now():
        raise LinkExpired(signature)
    return signature


def confirm(*, token: str) -> Signature:
    """Confirm the signature a link is for.

    One read finds and checks it; one statement then writes it, with its audit row, only if it is
    still the pending signature this link was for (`core.rows.update_if`). No lock is held
    between the two: a second confirmation of the same link, a withdrawal or a fresh link sent in
    between changes the token, so this write finds nothing to change and the link reads as used,
    as it would have after waiting on a lock. Nothing in between can be left half done either:
    the decision is made from the row as read, and the row is written only as it was read."""
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
    event = audit.event(
        action="confirm signature",
        actor=signature.signer,
        target=signature,
        compact_id=signature.version.compact_id,  # already read: no query to find it again
        before={"status": "pending"},
        after={"status": signature.status},
    )
    still_pending = {"token_hash": link, "status": Signature.Status.PENDING}
    if not update_if(signature, fields=fields, unchanged=still_pending, inserting=[event]):
        raise DomainError(LINK_NOT_VALID)
    if signature.status == Signature.Status.CONFIRMED:
        _changed(signature.version)
    return signature


# The link's signature with what the page and the audit row need (its version and compact, its
# signer and organisation, if any), as the ORM's select_related would read it, in SQL written once:
# on the confirmation POST, building that five-table query took the ORM longer than PostgreSQL
# took to plan and run it. It is prepared (planned once per connection); `token_hash <> ''` says
# what the unique index covers, so the plan PostgreSQL keeps reads that index even though used
# links all have an empty hash.
_BY_TOKEN_MODELS = (Signature, Version, Compact, User, Organisation)
_BY_TOKEN = " ".join(
    f"""
    SELECT {", ".join(columns(model) for model in _BY_TOKEN_MODELS)}
    FROM "{Signature._meta.db_table}"
    INNER JOIN "{Version._meta.db_table}"
        ON "{Signature._meta.db_table}"."version_id" = "{Version._meta.db_table}"."id"
    INNER JOIN "{Compact._meta.db_table}"
        ON "{Version._meta.db_table}"."compact_id" = "{Compact._meta.db_table}"."id"
    LEFT OUTER JOIN "{User._meta.db_table}"
        ON "{Signature._meta.db_table}"."signer_id" = "{User._meta.db_table}"."id"
    LEFT OUTER JOIN "{Organisation._meta.db_table}"
        ON "{Signature._meta.db_table}"."organisation_id" = "{Organisation._meta.db_table}"."id"
    WHERE "{Signature._meta.db_table}"."token_hash" = %s AND "{Signature._meta.db_table}"."token_hash" <> ''
    """.split()  # noqa: S608 - names from the models, the token a parameter
)


def _by_token(*, token_hash: str) -> Signature | None:
    with prepared() as cursor:
        cursor.execute(_BY_TOKEN, [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    parts: list[Any] = []
    start = 0
    for model in _BY_TOKEN_MODELS:
        end = start + len(model._meta.concrete_fields)
        values = row[start:end]
        # A left join that found nothing is a row of NULLs: no signer, or no organisation.
        parts.append(None if values[0] is None else from_row(model, values, using=connection.alias))
        start = end
    version, compact, signer, organisation = parts[1:]
    signature: Signature = parts[0]
    version.compact = compact
    signature.version = version
    signature.signer = signer
    signature.organisation = organisation
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
        after={"verified": verified, "name": organisation.name},
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
    # Back to where it was: a signature for an organisation not verified for its signer waits.
    counts = signature.organisation_id is None or signature.organisation_verified_at is not None
    signature.status = Signature.Status.CONFIRMED if counts else Signature.Status.AWAITING_ORGANISATION
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
        after={"status": "confirmed", "organisation": organisation.name},
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
        after={"email_domains": domains, "name": organisation.name},
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


def _flag_for_review(signature: Signature) -> None:
    """Silent fraud signals: a burst from one address or one e-mail domain, or a name signed
    twice, puts every signature involved in the staff queue. Nothing differs for the signer."""
    recent = Signature.objects.filter(
        version_id=signature.version_id, created_at__gte=signature.created_at - REVIEW_WINDOW
    )
    groups = []
    if signature.client_key:
        groups.append((recent.filter(client_key=signature.client_key), SAME_ADDRESS_LIMIT, REASON_ADDRESS))
    domain = email_domain(signature.email_key)
    if domain:
        groups.append((recent.filter(email_key__endswith="@" + domain), SAME_DOMAIN_LIMIT, REASON_DOMAIN))
    same_name = Signature.objects.filter(
        version_id=signature.version_id, full_name__iexact=signature.full_name
    ).exclude(status=Signature.Status.WITHDRAWN)
    groups.append((same_name, 2, REASON_NAME))
    for queryset, limit, reason in groups:
        ids = list(queryset.values_list("pk", flat=True)[:500])
        if len(ids) < limit:
            continue
        for flagged in Signature.objects.select_for_update().filter(pk__in=ids):
            if reason not in flagged.review_reasons:
                flagged.review_reasons = [*flagged.review_reasons, reason]
                flagged.needs_review = True
                flagged.save(update_fields=["review_reasons", "needs_review"])


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
    # here, not at the top: signatories.tasks imports this one.
    from .tasks import send_confirmation, send_refresh_invitations

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
        sent += dispatch.send(send_confirmation, pk)
    # Invitations are owed for a month after a refresh is published; older ones are history.
    recent = Version.objects.filter(
        status=Version.Status.PUBLISHED, published_at__lt=stale, published_at__gte=now - timedelta(days=30)
    )
    for version in recent:
        previous = previous_published(version=version)
        if previous is not None and signatures_to_invite(version=version, previous=previous).exists():
            sent += dispatch.send(send_refresh_invitations, version.pk, previous.pk)
    return sent
