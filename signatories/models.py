"""Organisations and the named people who sign a published compact version.

A signature is bound to the exact text signed: it stores the version's content hash, and only a
confirmed, not withdrawn, not hidden signature counts or shows. A signature for an organisation
is confirmed only once the organisation is verified *for that signer* (their e-mail domain is one
staff recorded for it, or staff approved that signature); until then, after the e-mail link, it
waits as "awaiting the organisation" and neither counts nor shows.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from .normalise import name_key, name_skeleton


class Organisation(models.Model):
    class Kind(models.TextChoices):
        TRUST = "trust", "NHS trust"
        INTEGRATED_CARE_BOARD = "icb", "Integrated care board"
        NATIONAL_BODY = "national", "National body"
        OTHER = "other", "Other"

    class Region(models.TextChoices):
        EAST_OF_ENGLAND = "east", "East of England"
        LONDON = "london", "London"
        MIDLANDS = "midlands", "Midlands"
        NORTH_EAST_AND_YORKSHIRE = "north-east-yorkshire", "North East and Yorkshire"
        NORTH_WEST = "north-west", "North West"
        SOUTH_EAST = "south-east", "South East"
        SOUTH_WEST = "south-west", "South West"
        NATIONAL = "national", "National"

    name = models.CharField(max_length=200)
    # The name as compared: NFKC, invisible characters removed, spaces collapsed, case folded.
    name_key = models.CharField(max_length=200, editable=False, default="")
    # What the name looks like (Unicode TR 39's skeleton): a name spelt with look-alike letters
    # of another script has the same skeleton as the real one, and is asked about, not listed.
    name_skeleton = models.CharField(max_length=200, editable=False, default="", db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # NHS Organisation Data Service code, e.g. "RX1" for a trust or "QWE" for an ICB.
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    region = models.CharField(max_length=30, choices=Region.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Domains staff recorded for the organisation ("riverside.nhs.uk"): a signer whose e-mail is
    # at one of them (or a sub-domain) is verified for it without waiting for staff.
    email_domains = models.JSONField(default=list, blank=True)
    # Others see the organisation (look-up, "already signed", matching a typed name or code) only
    # once staff vouched for it or one of its signatures was verified. Until then it is one
    # signer's claim, which must not capture a name or ODS code from the people who really hold it.
    listed = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Among organisations others can see, found by name or ODS code rather than duplicated.
            models.UniqueConstraint(
                fields=["name_key"], condition=Q(listed=True), name="listed_organisation_name_unique"
            ),
            models.UniqueConstraint(
                fields=["ods_code"],
                condition=Q(listed=True) & ~Q(ods_code=""),
                name="listed_organisation_ods_code_unique",
            ),
            # The same claim (name and code) made twice at once is one organisation, not two; a
            # different name under the same code stays a separate, unlisted claim.
            models.UniqueConstraint(
                fields=["name_key", "ods_code"],
                condition=Q(listed=False) & ~Q(name_key=""),
                name="unlisted_organisation_claim_unique",
            ),
        ]
        indexes = [models.Index(fields=["name_key"], name="organisation_name_key")]

    def __str__(self):
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = name_key(self.name)
        self.name_skeleton = name_skeleton(self.name)[:200]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key", "name_skeleton"}
        super().save(*args, **kwargs)

    @property
    def is_verified(self):
        return self.verified_at is not None


class SignatureQuerySet(models.QuerySet["Signature"]):
    def public(self) -> "SignatureQuerySet":
        """What the public list, counts, CSV, PDF, API and feeds show, and what lets a signer
        reflect: confirmed (for an organisation, verified for its signer), still standing, and not
        held back as part of a burst (until staff release it). The one place this rule lives."""
        return self.filter(status=Signature.Status.CONFIRMED, held_at__isnull=True)

    def held(self) -> "SignatureQuerySet":
        """Standing signatures held back for staff: a burst from one e-mail domain or address."""
        return self.filter(status__in=Signature.ACTIVE, held_at__isnull=False)

    def active(self) -> "SignatureQuerySet":
        return self.filter(status__in=Signature.ACTIVE)


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for e-mail confirmation"
        # E-mail confirmed; the organisation is not yet verified for this signer.
        AWAITING_ORGANISATION = "awaiting_organisation", "Awaiting the organisation's verification"
        CONFIRMED = "confirmed", "Confirmed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        HIDDEN = "hidden", "Hidden by staff"

    # A person has at most one of these per version at a time.
    ACTIVE = (Status.PENDING, Status.AWAITING_ORGANISATION, Status.CONFIRMED)

    class VerifiedBy(models.TextChoices):
        DOMAIN = "domain", "E-mail domain recorded for the organisation"
        STAFF = "staff", "Approved by staff"
        RENEWED = "renewed", "Verified for the organisation on an earlier version"
        EARLIER_RULES = "earlier", "Confirmed before organisations were verified per signer"

    version = models.ForeignKey("compact.Version", on_delete=models.PROTECT, related_name="signatures")
    # The hash of the text signed, copied at signing so the binding survives anything.
    content_hash = models.CharField(max_length=64)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="signatures"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=150)
    consent_to_publish = models.BooleanField(default=False)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    # Confirmation: only a hash of the single-use token is stored, never the token itself.
    token_hash = models.CharField(max_length=64, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.TextField(blank=True)
    # The signer's mailbox as compared (case, plus-tags and Gmail's dots removed): one mailbox
    # signs a version once, however many accounts it has.
    email_key = models.CharField(max_length=254, blank=True)
    # A keyed hash of the client address, never the address: only compared, for fraud signals.
    client_key = models.CharField(max_length=32, blank=True)
    organisation_verified_at = models.DateTimeField(null=True, blank=True)
    organisation_verified_how = models.CharField(max_length=10, choices=VerifiedBy.choices, blank=True)
    organisation_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Silent signals for staff (bursts from one address or domain, repeated names); the signer is
    # told nothing different.
    review_reasons = models.JSONField(default=list, blank=True)
    needs_review = models.BooleanField(default=False)
    # Held: part of a burst from one e-mail domain or client address (settings
    # SIGNATURE_HOLD_PER_DOMAIN, SIGNATURE_HOLD_PER_ADDRESS). A held signature neither shows nor
    # counts, whatever its status, until staff release it; the reasons say why, for staff.
    held_at = models.DateTimeField(null=True, blank=True)
    hold_reasons = models.JSONField(default=list, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["-confirmed_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "signer"],
                condition=Q(status__in=["pending", "awaiting_organisation", "confirmed"]),
                name="one_active_signature_per_person_per_version",
            ),
            models.UniqueConstraint(
                fields=["version", "email_key"],
                condition=Q(status__in=["pending", "awaiting_organisation", "confirmed"]) & ~Q(email_key=""),
                name="one_active_signature_per_mailbox_per_version",
            ),
            models.UniqueConstraint(
                fields=["token_hash"], condition=~Q(token_hash=""), name="signature_token_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["confirmed", "awaiting_organisation"])
                | Q(confirmed_at__isnull=False),
                name="confirmed_signature_has_confirmation_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(consent_to_publish=True),
                name="confirmed_signature_has_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["version", "status", "confirmed_at"], name="signature_public_list"),
            models.Index(fields=["version", "client_key", "created_at"], name="signature_by_address"),
            models.Index(fields=["status", "needs_review"], name="signature_staff_queue"),
            models.Index(fields=["held_at"], condition=Q(held_at__isnull=False), name="signature_held"),
        ]

    def __str__(self):
        on_behalf = f" for {self.organisation}" if self.organisation_id else ""
        return f"{self.full_name}, {self.role}{on_behalf}"

    @property
    def awaiting_organisation(self):
        return self.status == self.Status.AWAITING_ORGANISATION

    @property
    def signer_verified_for_organisation(self):
        """Verified for this signer under the current rules (a signature confirmed before them
        keeps counting but vouches for nothing)."""
        return bool(
            self.organisation_id
            and self.organisation_verified_at
            and self.organisation_verified_how != self.VerifiedBy.EARLIER_RULES
        )

    @property
    def shows_organisation_verified(self):
        """The public "Verified" tag describes the organisation only beside a signer verified for it."""
        return self.signer_verified_for_organisation and self.organisation.is_verified


class RefreshInvitation(models.Model):
    """A signatory of an earlier version was asked to sign a newly published one. Recorded so
    the invitation goes once, however often the task runs."""

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="refresh_invitations")
    version = models.ForeignKey("compact.Version", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["signature", "version"], name="one_refresh_invitation_per_signature"
            )
        ]

    def __str__(self):
        return f"Invitation to sign version {self.version_id}"
