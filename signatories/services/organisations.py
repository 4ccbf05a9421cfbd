"""Organisations: found rather than duplicated, listed once vouched for, and their own e-mail
domains, which verify their signers. Claims nobody has verified capture nobody else's name or
code; names that look alike in another script are asked about (docs/trust.md)."""

import re

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from compact.services import require_academy_staff
from core.errors import DomainError

from ..models import Organisation, Signature
from ..normalise import clean_name, domain_matches, email_domain, name_key, name_skeleton
from ._common import clean_text, public_list_changed, verify_for_organisation

# Organisation codes of trusts (RX1), ICBs (QWE), sub-ICB locations (00L), trust sites (RX1AB)
# and GP practices (A81001): primary care signs too.
ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")
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


def normalise_ods_code(*, code: str | None) -> str:
    code = (code or "").strip().upper()
    if code and not ODS_CODE.match(code):
        raise DomainError("An ODS code is 3 to 6 letters and numbers, for example RX1, QWE, 00L or A81001.")
    return code


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
            verify_for_organisation(signature=signature, how=Signature.VerifiedBy.DOMAIN)
            versions[signature.version_id] = signature.version
            promoted += 1
    for version in versions.values():
        public_list_changed(version=version)
    return organisation, promoted
