"""The compact: a shared vision and reciprocal commitments between parties, in numbered versions.

Invariants live here: a version that has been ratified is frozen (its text, and the text of its
parties, themes, sections and commitments, refuse every change through the ORM), and the content
hash quoted by signatures and PDFs is computed from one canonical serialisation of that text.
"""

import hashlib
import json
import secrets
import uuid
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify

from .errors import IssueRecorded, VersionLocked

# The database's own copy of Version.LOCKED, for the triggers below (SQL cannot import Python).
_LOCKED_SQL = "('consulted', 'ratified', 'published', 'superseded')"


def fields_but_generation(instance: models.Model, update_fields: Any) -> Any:
    """What a `save()` of an existing Compact or Round writes: everything it would, but never
    the generation, which only `bump_generation` raises, in SQL. A copy read before a raise and
    saved after it would otherwise write the older number back, and pages cached under a number
    could be served again for changed data."""
    if instance._state.adding or update_fields is not None:
        return update_fields
    return [f.name for f in instance._meta.concrete_fields if not f.primary_key and f.name != "generation"]


class CompactQuerySet(models.QuerySet["Compact"]):
    def bump_generation(self, *, compact_id: int) -> None:
        """Something a visitor sees of the compact changed: its cached pages are stale.

        Called by each service that makes such a change, inside its transaction, so the new
        number commits with the change or not at all (no cache, no receiver, no commit hook to
        lose in an outage). Pages and fragments are cached under the number (compact.caching)."""
        self.filter(pk=compact_id).update(generation=F("generation") + 1)


class Compact(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=300, blank=True, help_text="One line shown in lists of compacts.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised by every change a visitor could see (`Compact.objects.bump_generation`): cached
    # pages and their ETags carry it, so a raise makes them all stale at once, on every worker.
    generation = models.PositiveBigIntegerField(default=1, editable=False)

    objects = CompactQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        permissions = [
            ("manage_compacts", "Can draft, consult on, ratify and publish compacts (academy staff)")
        ]

    def __str__(self):
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = fields_but_generation(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("compact:detail", kwargs={"slug": self.slug})

    SLUG_LENGTH = 70

    @staticmethod
    def unique_slug_for(title: str) -> str:
        base = slugify(title)
        if len(base) > Compact.SLUG_LENGTH:
            # End on a word boundary: "...-for-health-and-care", never "...-for-health-an".
            cut = base[: Compact.SLUG_LENGTH + 1]
            base = cut[: cut.rfind("-")] if "-" in cut else base[: Compact.SLUG_LENGTH]
        base = base.strip("-") or "compact"
        slug, n = base, 2
        while Compact.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class VersionQuerySet(models.QuerySet["Version"]):
    def published(self) -> "VersionQuerySet":
        return self.filter(status=Version.Status.PUBLISHED)

    def publicly_readable(self) -> "VersionQuerySet":
        return self.filter(status__in=[Version.Status.PUBLISHED, Version.Status.SUPERSEDED])

    def in_progress(self) -> "VersionQuerySet":
        return self.filter(status__in=Version.IN_PROGRESS)


class Version(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CONSULTATION = "consultation", "In consultation"
        # The text a round was held on, once its results have been applied to a new draft:
        # frozen, because the votes and the change log refer to exactly this wording.
        CONSULTED = "consulted", "Consulted"
        RATIFIED = "ratified", "Ratified"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

    # Versions whose text can no longer change; their content hash is fixed.
    LOCKED = (Status.CONSULTED, Status.RATIFIED, Status.PUBLISHED, Status.SUPERSEDED)
    # At most one version of a compact is being worked on at a time.
    IN_PROGRESS = (Status.DRAFT, Status.CONSULTATION)

    class Layout(models.TextChoices):
        # Commitments under themes, each party's in a column. A theme may belong to some parties
        # only (a compact of six themes of what the employer gives and six of what staff give):
        # then only those parties' columns show, full width for one.
        THEMES = "themes", "Themes, with each party's commitments in columns"
        # No themes: each party's commitments in its column, directly under the vision.
        PARTIES = "parties", "No themes: each party's commitments in its column"
        # Commitments paired row by row across the parties ("we give" beside "we get"), with or
        # without themes; a pair is never separated, on the web or on paper.
        ROWS = "rows", "Paired rows: each row pairs what the parties give each other"
        # Each party's column has its own themes (the organisation's "Communications",
        # "Development"…, the staff's "Respect"…) and the columns face each other: every theme
        # belongs to one party, and the page reads a party's column top to bottom.
        COLUMNS = "columns", "Facing columns, each with its own themes"

    # Layouts whose commitments all stand under a theme.
    THEMED_LAYOUTS = (Layout.THEMES, Layout.COLUMNS)

    # Fields that make up the text of the version itself (children hold the rest).
    TEXT_FIELDS = (
        "compact_id",
        "number",
        "vision",
        "vision_heading",
        "layout",
        "content_hash",
        "based_on_id",
    )

    # The vision's heading when the source gives none of its own: what every version had before
    # the heading was part of the text (so it is in the canonical text only when it differs).
    DEFAULT_VISION_HEADING = "Our shared vision"

    compact = models.ForeignKey(Compact, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    vision = models.TextField("shared vision", blank=True)
    # The vision's heading as the compact words it; blank for none (a compact whose opening
    # paragraph has no heading). Never invented on a page: blank shows no heading.
    vision_heading = models.CharField(max_length=200, blank=True, default=DEFAULT_VISION_HEADING)
    layout = models.CharField(max_length=20, choices=Layout.choices, default=Layout.THEMES)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ratified_at = models.DateTimeField(null=True, blank=True)
    ratified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publication_note = models.TextField(blank=True)
    # A living compact is revisited: staff are reminded a month before this date.
    review_due_on = models.DateField(null=True, blank=True)
    review_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["compact", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["compact", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["compact"],
                condition=Q(status="published"),
                name="one_published_version_per_compact",
            ),
            models.UniqueConstraint(
                fields=["compact"],
                condition=Q(status__in=["draft", "consultation"]),
                name="one_version_in_progress_per_compact",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "consultation"]) | ~Q(content_hash=""),
                name="locked_version_has_content_hash",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]
        # The last line behind save() and the QuerySet guards: on PostgreSQL even raw SQL cannot
        # change a frozen version's text or delete it. Status and dates stay changeable, so
        # published -> superseded still works. (pgtrigger installs nothing on SQLite.)
        triggers = [
            pgtrigger.Trigger(
                name="locked_version_text_is_frozen",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    f"OLD.status IN {_LOCKED_SQL} AND ("
                    "NEW.status IN ('draft', 'consultation')"
                    " OR OLD.compact_id IS DISTINCT FROM NEW.compact_id"
                    " OR OLD.number IS DISTINCT FROM NEW.number"
                    " OR OLD.vision IS DISTINCT FROM NEW.vision"
                    " OR OLD.vision_heading IS DISTINCT FROM NEW.vision_heading"
                    " OR OLD.layout IS DISTINCT FROM NEW.layout"
                    " OR OLD.content_hash IS DISTINCT FROM NEW.content_hash"
                    " OR OLD.based_on_id IS DISTINCT FROM NEW.based_on_id)"
                ),
                func="RAISE EXCEPTION 'Version % is %: its text cannot change.', OLD.number, OLD.status;",
            ),
            pgtrigger.Trigger(
                name="locked_version_is_kept",
                when=pgtrigger.Before,
                operation=pgtrigger.Delete,
                condition=pgtrigger.Condition(f"OLD.status IN {_LOCKED_SQL}"),
                func="RAISE EXCEPTION 'Version % is %: it cannot be deleted.', OLD.number, OLD.status;",
            ),
        ]

    def __str__(self):
        return f"{self.compact} — version {self.number}"

    def get_absolute_url(self):
        return reverse("compact:version", kwargs={"slug": self.compact.slug, "number": self.number})

    @property
    def is_editable(self):
        """Staff may change the text only of a draft that is not out for consultation."""
        return self.status == self.Status.DRAFT

    @property
    def short_hash(self):
        return self.content_hash[:12]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            self._refuse_text_change_when_locked()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.pk and Version.objects.filter(pk=self.pk, status__in=self.LOCKED).exists():
            raise VersionLocked("A ratified version cannot be deleted.")
        return super().delete(*args, **kwargs)

    def _refuse_text_change_when_locked(self):
        stored = Version.objects.filter(pk=self.pk).values("status", *self.TEXT_FIELDS).first()
        if stored is None or stored["status"] not in self.LOCKED:
            return
        for field in self.TEXT_FIELDS:
            if stored[field] != getattr(self, field):
                raise VersionLocked(f"Version {self.number} is {stored['status']}: its text cannot change.")
        if self.status in self.IN_PROGRESS:
            raise VersionLocked(f"Version {self.number} is {stored['status']}: it cannot go back to draft.")

    # --- the canonical text -------------------------------------------------------------------
    def canonical_text(self) -> dict[str, Any]:
        """The version's text as one deterministic structure: what the content hash covers.

        Keys and order are part of the text (a commitment moved to another theme is a change);
        database ids and timestamps are not, so a copy of the same text hashes the same.

        Fingerprints already issued must keep verifying, so everything added to the text after
        the first ratifications (the layout, column headings, a section's placement, a theme's
        parties, a commitment's row, commitments outside any theme) appears only when it differs
        from the value every earlier version implicitly had. A version that uses none of them
        serialises exactly as it did before they existed.
        """
        parties = list(self.parties.order_by("position", "id"))
        party_keys = {party.id: str(party.key) for party in parties}
        commitments_by_theme: dict[int | None, list[dict[str, Any]]] = {}
        for commitment in self.commitments.order_by("position", "id"):
            entry = {
                "key": str(commitment.key),
                "party": party_keys[commitment.party_id],
                "text": commitment.text,
            }
            if commitment.row is not None:
                entry["row"] = commitment.row
            commitments_by_theme.setdefault(commitment.theme_id, []).append(entry)
        text = {
            "compact": self.compact.title,
            "vision": self.vision,
            "sections": [
                {"kind": s.kind, "heading": s.heading, "body": s.body}
                | ({"placement": s.placement} if s.placement != Section.Placement.BEFORE else {})
                for s in self.sections.order_by("position", "id")
            ],
            "parties": [
                {"key": str(p.key), "name": p.name}
                | ({"heading": p.heading} if p.heading else {})
                | ({"note": p.note} if p.note else {})
                | ({"closing": p.closing} if p.closing else {})
                for p in parties
            ],
            "themes": [
                {
                    "key": str(theme.key),
                    "title": theme.title,
                    "description": theme.description,
                    "commitments": commitments_by_theme.get(theme.id, []),
                }
                | ({"parties": list(theme.party_keys)} if theme.party_keys else {})
                for theme in self.themes.order_by("position", "id")
            ],
        }
        if self.layout != Version.Layout.THEMES:
            text["layout"] = self.layout
        if self.vision_heading != Version.DEFAULT_VISION_HEADING:
            text["vision_heading"] = self.vision_heading
        if commitments_by_theme.get(None):
            text["commitments"] = commitments_by_theme[None]
        return text

    def compute_content_hash(self) -> str:
        serialised = json.dumps(
            self.canonical_text(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(serialised.encode("utf-8")).hexdigest()


class VersionPartQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        # QuerySet.update() skips save(); refuse it on frozen versions so bulk paths cannot
        # bypass immutability. (The database trigger on PostgreSQL is the last line.)
        if self.filter(version__status__in=Version.LOCKED).exists():
            raise VersionLocked("Parts of a ratified version cannot change.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(version__status__in=Version.LOCKED).exists():
            raise VersionLocked("Parts of a ratified version cannot be deleted.")
        return super().delete()


class VersionPart(models.Model):
    """Something that belongs to one version's text and is frozen with it."""

    position = models.PositiveIntegerField(default=0)

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]
        # A trigger's WHEN clause cannot hold a subquery, so the lock is looked up in the body.
        triggers = [
            pgtrigger.Trigger(
                name="locked_version_parts_are_frozen",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                # A constant, not input: the SQL is fixed when the migration is written.
                func=f"""
                IF (TG_OP <> 'INSERT' AND EXISTS (
                        SELECT 1 FROM compact_version WHERE id = OLD.version_id AND status IN {_LOCKED_SQL}))
                   OR (TG_OP <> 'DELETE' AND EXISTS (
                        SELECT 1 FROM compact_version WHERE id = NEW.version_id AND status IN {_LOCKED_SQL}))
                THEN
                    RAISE EXCEPTION 'This version is ratified: its text cannot change (% on %).',
                        TG_OP, TG_TABLE_NAME;
                END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
                """,  # noqa: S608
            ),
        ]

    def _refuse_if_locked(self):
        version_ids = {self.version_id}
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("version_id", flat=True).first()
            if stored:
                version_ids.add(stored)
        if Version.objects.filter(pk__in=version_ids, status__in=Version.LOCKED).exists():
            raise VersionLocked("This version is ratified: its text cannot change.")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)


class Party(VersionPart):
    """One side of the compact, shown as a column under its heading ("We give", "The Trust will…")."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="parties")

    key = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=150)
    # The column's heading as the compact words it. Blank means the default below; no page builds
    # a sentence around the name, which garbles names such as "Regulator responsibilities".
    heading = models.CharField(max_length=200, blank=True)
    # What some compacts print under a column's heading ("We know most of you already do this")
    # and at its foot ("Signed on behalf of staff side…"); blank for none.
    note = models.TextField(blank=True)
    closing = models.TextField(blank=True)

    class Meta(VersionPart.Meta):
        verbose_name_plural = "parties"
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="party_name_unique_in_version"),
            models.UniqueConstraint(fields=["version", "key"], name="party_key_unique_in_version"),
        ]

    def __str__(self):
        return self.name

    @property
    def column_heading(self):
        # The compact's own words, or the party's name: never a sentence built around it.
        return self.heading or self.name


class Theme(VersionPart):
    """A heading that groups commitments, e.g. "Creating the right environment"."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="themes")

    key = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The keys of the parties whose commitments this theme holds; empty means every party. Keys,
    # not a many-to-many, so the restriction is part of the theme's own (frozen) row and a new
    # draft copies it as it is: a party keeps its key from version to version.
    party_keys = models.JSONField(default=list, blank=True)

    class Meta(VersionPart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["version", "title"], name="theme_title_unique_in_version"),
            models.UniqueConstraint(fields=["version", "key"], name="theme_key_unique_in_version"),
        ]

    def __str__(self):
        return self.title


class Section(VersionPart):
    """Prose beside the vision: why the compact is needed, its purpose, how it is sustained."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="sections")

    class Placement(models.TextChoices):
        BEFORE = "before", "Before the commitments"
        AFTER = "after", "After the commitments"

    class Kind(models.TextChoices):
        WHY = "why", "Why we need a compact"
        PURPOSE = "purpose", "Our shared purpose"
        GOALS = "goals", "What we want to achieve"
        SUSTAIN = "sustain", "How we will keep it alive"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    # Blank for a section the compact prints without a heading.
    heading = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # Governance, "how we will review this" and notes close a compact; where a section stands is
    # part of the text.
    placement = models.CharField(max_length=10, choices=Placement.choices, default=Placement.BEFORE)

    class Meta(VersionPart.Meta):
        pass

    def __str__(self):
        return self.heading


class Commitment(VersionPart):
    """One sentence a party commits to (under a theme, where the compact has themes); its key
    follows it from version to version."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="commitments")

    key = models.UUIDField(default=uuid.uuid4, editable=False)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="commitments"
    )
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="commitments")
    text = models.TextField()
    # In the paired-rows layout, the commitments of one row (within their theme, if any) are a
    # pair: what each party gives the other. Empty in the other layouts.
    row = models.PositiveIntegerField(null=True, blank=True)

    class Meta(VersionPart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="commitment_key_unique_in_version"),
        ]

    def __str__(self):
        return self.text[:80]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A commitment's theme and party must belong to its own version; the database cannot
        # express a cross-table equality, so it is checked here and in the services.
        theme_elsewhere = self.theme is not None and self.theme.version_id != self.version_id
        if theme_elsewhere or self.party.version_id != self.version_id:
            raise ValueError("A commitment's theme and party must belong to its version.")
        super().save(*args, **kwargs)


# Where every stored PDF lives, in MEDIA_ROOT or the object store (exports.remove_orphan_files lists it).
PDF_FOLDER = "compacts/pdf"


def pdf_upload_to(export, filename):
    return f"{PDF_FOLDER}/{filename}"


def new_pdf_token():
    """The secret part of a PDF's address: a superseded file must not be found by counting."""
    return secrets.token_urlsafe(16)


class PdfExportQuerySet(models.QuerySet["PdfExport"]):
    def ready(self) -> "PdfExportQuerySet":
        return self.filter(status=PdfExport.Status.READY).exclude(file="")

    def waiting(self) -> "PdfExportQuerySet":
        return self.filter(status__in=[PdfExport.Status.PENDING, PdfExport.Status.RENDERING])


class PdfExport(models.Model):
    """One rendering of a version with one set of signatories.

    The file name carries the content hash and a digest of the signatories shown, so the same
    content is never rendered twice; a pending row is the durable record that a render is owed
    (the reconciler re-enqueues it if the broker lost the message).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be prepared"
        RENDERING = "rendering", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="pdf_exports")
    token = models.CharField(max_length=32, unique=True, default=new_pdf_token, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    content_hash = models.CharField(max_length=64, blank=True)
    signatories_digest = models.CharField(max_length=64, blank=True)
    signatory_count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=pdf_upload_to, blank=True)
    size = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    objects = PdfExportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # At most one render waiting per version: requests coalesce onto it. A render already
            # under way may read the signatories before a change lands, so a change during it
            # owes a new pending row rather than joining the one being rendered.
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(status="pending"),
                name="one_pending_pdf_per_version",
            ),
            models.UniqueConstraint(
                fields=["version", "signatories_digest"],
                condition=Q(status="ready"),
                name="one_ready_pdf_per_signatory_set",
            ),
        ]

    def __str__(self):
        return f"PDF of {self.version} ({self.get_status_display().lower()})"

    @property
    def filename(self):
        return f"{self.version.compact.slug}-version-{self.version.number}-{self.content_hash[:12]}.pdf"


class IssuedPdfQuerySet(models.QuerySet["IssuedPdf"]):
    def update(self, **kwargs: Any) -> int:
        raise IssueRecorded("A record of an issued PDF cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise IssueRecorded("A record of an issued PDF cannot be deleted.")


class IssuedPdf(models.Model):
    """A PDF file this site handed out, known by the SHA-256 digest of its bytes.

    A row for each file issued: a version's public PDF when it becomes ready, and each copy
    rendered for a signing event. The row outlives the file (an export is deleted once it is
    replaced, or at once when someone it lists withdraws), so a copy downloaded years ago is still
    recognised, byte for byte, by /verify/. The text layer alone cannot vouch for a copy: a box
    drawn over a word leaves every word in place. The digest holds nothing about who is listed.
    """

    class Kind(models.TextChoices):
        PUBLIC = "public", "The version’s PDF"
        SIGNING = "signing", "A copy for a signing event"

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="issued_pdfs")
    sha256 = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    size = models.PositiveIntegerField()
    signatory_count = models.PositiveIntegerField(default=0)
    issued_at = models.DateTimeField()

    objects = IssuedPdfQuerySet.as_manager()

    class Meta:
        ordering = ["issued_at", "id"]
        triggers = [
            # What was issued stays issued: the record is written once (pgtrigger installs
            # nothing on SQLite, where save() and the QuerySet refuse it).
            pgtrigger.Protect(
                name="issued_pdfs_are_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.version}, issued {self.issued_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise IssueRecorded("A record of an issued PDF cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise IssueRecorded("A record of an issued PDF cannot be deleted.")
