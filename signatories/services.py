"""Signing a published compact, confirming by e-mail, withdrawing, and staff verification.

A confirmation link carries a random token; only its SHA-256 is stored, it works once, and it
expires. Opening the link changes nothing (mail scanners open links): the page it shows posts.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

import audit
from accounts.roles import has_verified_email
from compact.errors import DomainError, NotAllowed
from compact.models import Version
from compact.services import require_academy_staff
from compact.signals import signatures_changed
from config import dispatch

from .models import Organisation, RefreshInvitation, Signature

# Organisation codes of trusts (RX1), ICBs (QWE), sub-ICB locations (00L), trust sites (RX1AB)
# and GP practices (A81001): primary care signs too.
ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")
MAX_NAME_LENGTH = 150
RESEND_INTERVAL = timedelta(minutes=5)
RESENDS_PER_DAY = 5


def confirmation_hours():
    return int(getattr(settings, "SIGNATURE_CONFIRMATION_HOURS", 72))


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_text(value, label, *, limit=MAX_NAME_LENGTH, required=True):
    value = " ".join((value or "").split())
    if required and not value:
        raise DomainError(f"Enter your {label}.")
    if len(value) > limit:
        raise DomainError(f"Your {label} must be {limit} characters or fewer.")
    return value


def normalise_ods_code(code):
    code = (code or "").strip().upper()
    if code and not ODS_CODE.match(code):
        raise DomainError("An ODS code is 3 to 6 letters and numbers, for example RX1, QWE, 00L or A81001.")
    return code


# --- Organisations ---------------------------------------------------------------------------------
def find_organisation(*, name="", ods_code=""):
    """An existing organisation by ODS code, else by name (ignoring case): found, not duplicated."""
    ods_code = normalise_ods_code(ods_code)
    if ods_code:
        found = Organisation.objects.filter(ods_code=ods_code).first()
        if found:
            return found
    name = " ".join((name or "").split())
    if name:
        return Organisation.objects.annotate(lower_name=Lower("name")).filter(lower_name=name.lower()).first()
    return None


def find_or_create_organisation(*, name, kind, ods_code="", region=""):
    name = clean_text(name, "organisation's name", limit=200)
    ods_code = normalise_ods_code(ods_code)
    existing = find_organisation(name=name, ods_code=ods_code)
    if existing:
        return existing
    if kind not in Organisation.Kind.values:
        raise DomainError("Choose what kind of organisation it is.")
    if region and region not in Organisation.Region.values:
        raise DomainError("Choose a region from the list.")
    try:
        with transaction.atomic():
            return Organisation.objects.create(name=name, kind=kind, ods_code=ods_code, region=region)
    except IntegrityError:
        # Someone registered the same organisation a moment ago: use theirs.
        return find_organisation(name=name, ods_code=ods_code)


# --- Signing ---------------------------------------------------------------------------------------
def _already_signed_message(signature):
    if signature.status == Signature.Status.CONFIRMED:
        return f"You already signed on {timezone.localtime(signature.confirmed_at):%-d %B %Y}."
    return (
        f"You already signed on {timezone.localtime(signature.created_at):%-d %B %Y}; "
        "your signature is waiting for you to confirm it from the e-mail we sent."
    )


class AlreadySigned(DomainError):
    def __init__(self, signature):
        self.signature = signature
        super().__init__(_already_signed_message(signature))


@transaction.atomic
def sign(*, actor, version, full_name, role, consent, organisation=None, new_organisation=None):
    """A signed-in person with a verified e-mail signs a published version, personally or for an
    organisation. The signature counts once confirmed from the e-mail sent after commit."""
    if not (actor and actor.is_authenticated):
        raise NotAllowed("Sign in to sign the compact.")
    if not has_verified_email(actor):
        raise NotAllowed("Confirm your e-mail address before you sign.")
    version = Version.objects.get(pk=version.pk)
    if version.status != Version.Status.PUBLISHED:
        raise DomainError("Only the current published version can be signed.")
    full_name = clean_text(full_name, "full name")
    role = clean_text(role, "role")
    if not consent:
        raise DomainError(
            "Agree to your name, role and organisation being shown publicly, or you cannot sign."
        )
    existing = Signature.objects.active().filter(version=version, signer=actor).first()
    if existing:
        raise AlreadySigned(existing)
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
            )
    except IntegrityError:
        # The same person submitted twice at once; the database kept one.
        raise AlreadySigned(Signature.objects.active().get(version=version, signer=actor)) from None
    from .tasks import send_confirmation

    dispatch.send_on_commit(send_confirmation, signature.pk)
    return signature


def issue_confirmation(signature):
    """A fresh single-use token for a pending signature; any earlier link stops working."""
    token = secrets.token_urlsafe(32)
    signature.token_hash = hash_token(token)
    now = timezone.now()
    signature.token_expires_at = now + timedelta(hours=confirmation_hours())
    signature.confirmation_sent_at = now
    signature.save(update_fields=["token_hash", "token_expires_at", "confirmation_sent_at"])
    return token


@transaction.atomic
def resend_confirmation(*, actor, signature):
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
    from .tasks import send_confirmation

    dispatch.send_on_commit(send_confirmation, signature.pk, True)


class LinkExpired(DomainError):
    """Carries the signature so the page can point its owner to a fresh link. Whoever holds an
    expired link was sent it, so naming the signature's page reveals nothing new to them."""

    def __init__(self, signature):
        self.signature = signature
        super().__init__("This link has expired. Sign in and ask for a new one from your signature page.")


def signature_for_token(token):
    """The pending signature a link is for, or a domain error saying plainly what is wrong."""
    signature = (
        Signature.objects.select_related("version__compact", "organisation")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if signature is None or signature.status != Signature.Status.PENDING:
        raise DomainError("This link has already been used or is not valid.")
    if signature.token_expires_at is None or signature.token_expires_at <= timezone.now():
        raise LinkExpired(signature)
    return signature


@transaction.atomic
def confirm(*, token):
    signature = signature_for_token(token)
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Signature.Status.PENDING:
        raise DomainError("This link has already been used or is not valid.")
    signature.status = Signature.Status.CONFIRMED
    signature.confirmed_at = timezone.now()
    signature.token_hash = ""  # single use
    signature.token_expires_at = None
    signature.save(update_fields=["status", "confirmed_at", "token_hash", "token_expires_at"])
    audit.record(
        "confirm signature",
        actor=signature.signer,
        target=signature,
        before={"status": "pending"},
        after={"status": "confirmed"},
    )
    _changed(signature.version)
    return signature


@transaction.atomic
def withdraw(*, actor, signature, reason=""):
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.signer_id != actor.pk:
        raise NotAllowed("Only the signatory can withdraw a signature.")
    if signature.status not in Signature.ACTIVE:
        raise DomainError("This signature has already been withdrawn.")
    was_public = signature.status == Signature.Status.CONFIRMED
    signature.status = Signature.Status.WITHDRAWN
    signature.withdrawn_at = timezone.now()
    signature.withdrawal_reason = clean_text(reason, "reason", limit=1000, required=False)
    signature.token_hash = ""
    signature.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "token_hash"])
    audit.record(
        "withdraw signature",
        actor=actor,
        target=signature,
        before={"status": "confirmed" if was_public else "pending"},
        after={"status": "withdrawn"},
    )
    if was_public:
        _changed(signature.version, removed=True)
    return signature


# --- Staff -----------------------------------------------------------------------------------------
@transaction.atomic
def verify_organisation(*, actor, organisation, verified=True):
    require_academy_staff(actor)
    before = {"verified": organisation.verified_at is not None}
    organisation.verified_at = timezone.now() if verified else None
    organisation.verified_by = actor if verified else None
    organisation.save(update_fields=["verified_at", "verified_by"])
    audit.record(
        "verify organisation" if verified else "unverify organisation",
        actor=actor,
        target=organisation,
        before=before,
        after={"verified": verified, "name": organisation.name},
    )
    return organisation


@transaction.atomic
def hide_signature(*, actor, signature, reason):
    require_academy_staff(actor)
    reason = clean_text(reason, "reason for hiding it", limit=1000)
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Signature.Status.CONFIRMED:
        raise DomainError("Only a confirmed signature on the public list can be hidden.")
    signature.status = Signature.Status.HIDDEN
    signature.hidden_at, signature.hidden_by, signature.hidden_reason = timezone.now(), actor, reason
    signature.save(update_fields=["status", "hidden_at", "hidden_by", "hidden_reason"])
    audit.record(
        "hide signature",
        actor=actor,
        target=signature,
        before={"status": "confirmed"},
        after={"status": "hidden", "reason": reason},
    )
    _changed(signature.version, removed=True)
    return signature


@transaction.atomic
def restore_signature(*, actor, signature):
    require_academy_staff(actor)
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Signature.Status.HIDDEN:
        raise DomainError("Only a hidden signature can be restored.")
    if Signature.objects.active().filter(version=signature.version, signer=signature.signer_id).exists():
        raise DomainError(
            "This person has signed this version again since; the hidden signature stays hidden."
        )
    signature.status = Signature.Status.CONFIRMED
    signature.hidden_at, signature.hidden_by, signature.hidden_reason = None, None, ""
    signature.save(update_fields=["status", "hidden_at", "hidden_by", "hidden_reason"])
    audit.record(
        "restore signature",
        actor=actor,
        target=signature,
        before={"status": "hidden"},
        after={"status": "confirmed"},
    )
    _changed(signature.version)
    return signature


def anonymise_signatures(*, signer):
    """On erasure, a person's signatures keep counting for their organisation without their name."""
    versions = set()
    for signature in Signature.objects.select_for_update().filter(signer=signer):
        signature.full_name, signature.role = f"Signatory {signature.pk}", ""
        signature.save(update_fields=["full_name", "role"])
        if signature.status == Signature.Status.CONFIRMED:
            versions.add(signature.version)
    for version in versions:
        _changed(version, removed=True)  # the PDF lists names: it goes, and is rendered again


def _changed(version, removed=False):
    signatures_changed.send(sender=Signature, version=version, removed=removed)


# --- Refresh ---------------------------------------------------------------------------------------
def signatures_to_invite(version, previous):
    """Confirmed signatories of the previous version not yet invited to sign this one."""
    already_signed = Signature.objects.active().filter(version=version).values("signer_id")
    return (
        Signature.objects.public()
        .filter(version=previous, signer__isnull=False)
        .exclude(signer_id__in=already_signed)
        .exclude(refresh_invitations__version=version)
        .select_related("signer")
    )


def record_invitation(signature, version):
    """True if this call is the one that records (and so sends) the invitation."""
    try:
        with transaction.atomic():
            RefreshInvitation.objects.create(signature=signature, version=version)
        return True
    except IntegrityError:
        return False


def public_filter(queryset, query):
    query = " ".join((query or "").split())[:100]
    if not query:
        return queryset
    return queryset.filter(
        Q(full_name__icontains=query) | Q(organisation__name__icontains=query) | Q(role__icontains=query)
    )


def reconcile_mail(now=None, older_than=None):
    """Re-send confirmation e-mails and refresh invitations that should have gone by now: the
    broker may have been down when they were enqueued, or lost them in a restart. The tasks are
    idempotent, so a duplicate reaches nobody twice."""
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
        previous = (
            Version.objects.filter(
                compact_id=version.compact_id, status=Version.Status.SUPERSEDED, number__lt=version.number
            )
            .order_by("-number")
            .first()
        )
        if previous is not None and signatures_to_invite(version, previous).exists():
            sent += dispatch.send(send_refresh_invitations, version.pk, previous.pk)
    return sent
