"""Organisations and the named people who sign a published compact version.

A signature is bound to the exact text signed: it stores the version's content hash, and only a
confirmed, not withdrawn, not hidden signature counts or shows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


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
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # NHS Organisation Data Service code, e.g. "RX1" for a trust or "QWE" for an ICB.
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    region = models.CharField(max_length=30, choices=Region.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # Found by name or ODS code rather than duplicated.
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_case_insensitive"),
            models.UniqueConstraint(
                fields=["ods_code"], condition=~Q(ods_code=""), name="organisation_ods_code_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_verified(self):
        return self.verified_at is not None


class SignatureQuerySet(models.QuerySet):
    def public(self):
        """What the public list, counts, CSV and PDF show: confirmed and still standing."""
        return self.filter(status=Signature.Status.CONFIRMED)

    def active(self):
        return self.filter(status__in=Signature.ACTIVE)


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for e-mail confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        HIDDEN = "hidden", "Hidden by staff"

    # A person has at most one of these per version at a time.
    ACTIVE = (Status.PENDING, Status.CONFIRMED)

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
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
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

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["-confirmed_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "signer"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="one_active_signature_per_person_per_version",
            ),
            models.UniqueConstraint(
                fields=["token_hash"], condition=~Q(token_hash=""), name="signature_token_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="confirmed_signature_has_confirmation_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(consent_to_publish=True),
                name="confirmed_signature_has_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["version", "status", "confirmed_at"], name="signature_public_list"),
        ]

    def __str__(self):
        on_behalf = f" for {self.organisation}" if self.organisation_id else ""
        return f"{self.full_name}, {self.role}{on_behalf}"

    @property
    def counts(self):
        return self.status == self.Status.CONFIRMED


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
