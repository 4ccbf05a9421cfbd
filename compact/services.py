"""Workflows that change a compact. Each checks the actor's role and runs in one transaction.

Views, tasks and tests call these; none of them writes compact models directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import MANAGE_PERMISSION, is_academy_staff
from audit import services as audit
from notifications import outbox
from notifications.kinds import Kind
from notifications.services import route

from .errors import DomainError, NotAllowed, VersionLocked
from .models import Commitment, Compact, Party, Section, Theme, Version
from .signals import version_published

MINIMUM_PARTIES = 2

# What a draft is made of; the part services below work on any of them.
Part = Party | Theme | Section | Commitment


def require_academy_staff(*, actor: User | AnonymousUser | None) -> None:
    if not is_academy_staff(actor):
        raise NotAllowed("Only academy staff can do that.")


def _require_editable(version: Version) -> None:
    if version.status == Version.Status.CONSULTATION:
        raise VersionLocked(
            f"Version {version.number} is in consultation: its text cannot be edited until the round closes."
        )
    if not version.is_editable:
        raise VersionLocked(
            f"Version {version.number} is {version.get_status_display().lower()}: its text cannot change. "
            "Start a new draft to make changes."
        )


def _lock(version: Version) -> Version:
    """Re-read the version under a row lock so two staff members cannot race a state change."""
    return Version.objects.select_for_update().select_related("compact").get(pk=version.pk)


def _next_position(queryset: QuerySet[Any]) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


# --- Compacts and drafts ------------------------------------------------------------------------
@transaction.atomic
def create_compact(
    *,
    actor: User,
    title: str,
    summary: str = "",
    vision: str = "",
    party_names: Iterable[str] = (),
    layout: str = Version.Layout.THEMES,
) -> Compact:
    """A new compact starts as version 1, a draft, with its parties as columns."""
    require_academy_staff(actor=actor)
    title = title.strip()
    if not title:
        raise DomainError("Enter a title for the compact.")
    if layout not in Version.Layout.values:
        raise DomainError("Choose how the compact is laid out.")
    names = [name.strip() for name in party_names if name and name.strip()]
    if len(set(names)) != len(names):
        raise DomainError("Each party needs a different name.")
    compact = Compact.objects.create(
        title=title, slug=Compact.unique_slug_for(title), summary=summary.strip(), created_by=actor
    )
    version = Version.objects.create(
        compact=compact, number=1, vision=vision.strip(), layout=layout, created_by=actor
    )
    for position, name in enumerate(names, start=1):
        Party.objects.create(version=version, name=name, position=position)
    return compact


@transaction.atomic
def update_compact(*, actor: User, compact: Compact, title: str, summary: str = "") -> Compact:
    require_academy_staff(actor=actor)
    if compact.versions.filter(status__in=Version.LOCKED).exists() and title.strip() != compact.title:
        # The title is part of every ratified version's hashed text.
        raise VersionLocked("The title of a compact with a ratified version cannot change.")
    compact.title = title.strip()
    compact.summary = summary.strip()
    compact.save(update_fields=["title", "summary"])
    Compact.objects.bump_generation(compact_id=compact.pk)
    return compact


@transaction.atomic
def start_new_draft(*, actor: User, compact: Compact) -> Version:
    """Copy the latest version into a new draft, keeping every key so history can be followed."""
    require_academy_staff(actor=actor)
    # Lock the compact row: two staff pressing the button together get one draft, not an error.
    Compact.objects.select_for_update().get(pk=compact.pk)
    in_progress = compact.versions.in_progress().first()
    if in_progress:
        raise DomainError(
            f"Version {in_progress.number} is already being drafted; finish it before starting another."
        )
    latest = compact.versions.order_by("-number").first()
    if latest is None:
        return Version.objects.create(compact=compact, number=1, created_by=actor)
    return copy_version(source=latest, created_by=actor)


def copy_version(*, source: Version, created_by: User | None) -> Version:
    draft = Version.objects.create(
        compact=source.compact,
        number=source.number + 1,
        vision=source.vision,
        vision_heading=source.vision_heading,
        layout=source.layout,
        based_on=source,
        created_by=created_by,
    )
    Section.objects.bulk_create(
        Section(
            version=draft,
            kind=s.kind,
            heading=s.heading,
            body=s.body,
            placement=s.placement,
            position=s.position,
        )
        for s in source.sections.all()
    )
    party_ids: dict[int, Party] = {}
    for party in source.parties.all():
        party_ids[party.id] = Party.objects.create(
            version=draft,
            key=party.key,
            name=party.name,
            heading=party.heading,
            note=party.note,
            closing=party.closing,
            position=party.position,
        )
    theme_ids: dict[int | None, Theme | None] = {None: None}
    for theme in source.themes.all():
        theme_ids[theme.id] = Theme.objects.create(
            version=draft,
            key=theme.key,
            title=theme.title,
            description=theme.description,
            party_keys=list(theme.party_keys),
            position=theme.position,
        )
    Commitment.objects.bulk_create(
        Commitment(
            version=draft,
            key=c.key,
            theme=theme_ids[c.theme_id],
            party=party_ids[c.party_id],
            text=c.text,
            row=c.row,
            position=c.position,
        )
        for c in source.commitments.all()
    )
    return draft


@transaction.atomic
def update_vision(
    *, actor: User, version: Version, vision: str, vision_heading: str | None = None
) -> Version:
    """Change the shared vision and, when given, its heading (blank: the vision has none)."""
    require_academy_staff(actor=actor)
    version = _lock(version)
    _require_editable(version)
    version.vision = vision.strip()
    if vision_heading is not None:
        version.vision_heading = vision_heading.strip()
    version.save(update_fields=["vision", "vision_heading"])
    return version


# --- Parts of a draft: parties, themes, sections, commitments ------------------------------------
def _siblings(part: Part) -> QuerySet[Any]:
    """The parts a part is ordered among: commitments within their theme and party column."""
    model = type(part)
    siblings = model.objects.filter(version_id=part.version_id)
    if isinstance(part, Commitment):
        siblings = siblings.filter(theme_id=part.theme_id, party_id=part.party_id)
    return siblings


def _check_commitment_belongs(version: Version, fields: dict[str, Any], *, adding: bool = False) -> None:
    theme, party = fields.get("theme"), fields.get("party")
    if (theme and theme.version_id != version.pk) or (party and party.version_id != version.pk):
        raise DomainError("Choose a theme and a party from this version.")
    if adding and party is None:
        raise DomainError("Choose which party gives this commitment.")
    if adding and theme is None and version.layout in Version.THEMED_LAYOUTS:
        if not version.themes.exists():
            raise DomainError(
                "Add a theme first: this compact groups its commitments under themes "
                "(or choose a layout without themes)."
            )
        raise DomainError(
            "Choose a theme for this commitment: this compact groups its commitments under themes."
        )
    if theme is not None and version.layout == Version.Layout.PARTIES:
        raise DomainError("This compact has no themes: add the commitment without one.")
    if (
        theme is not None
        and party is not None
        and theme.party_keys
        and str(party.key) not in theme.party_keys
    ):
        raise DomainError(f"The theme “{theme.title}” does not hold commitments of “{party.name}”.")
    if "text" in fields and not (fields["text"] or "").strip():
        raise DomainError("Enter the wording of the commitment.")
    row = fields.get("row")
    if row is not None and row < 1:
        raise DomainError("Give a row number of 1 or more.")


def _check_pair_is_free(version: Version, commitment: Commitment) -> None:
    """In paired rows, a pair holds at most one commitment of each party."""
    if version.layout != Version.Layout.ROWS or commitment.row is None:
        return
    taken = _siblings(commitment).filter(row=commitment.row).exclude(pk=commitment.pk)
    if taken.exists():
        where = f" under “{commitment.theme.title}”" if commitment.theme is not None else ""
        raise DomainError(
            f"Row {commitment.row}{where} already has a commitment of “{commitment.party.name}”: "
            "choose another row, or leave it blank for the next free row."
        )


def _check_theme_parties(version: Version, theme: Theme, party_keys: object) -> None:
    """A theme may hold some parties only; they must be parties of this version, and a party
    cannot be left out while it still has commitments under the theme."""
    if party_keys is None:
        return
    if not isinstance(party_keys, list | tuple):
        raise DomainError("Choose the parties whose commitments this theme holds.")
    parties = {str(p.key): p for p in version.parties.all()}
    unknown = [key for key in party_keys if str(key) not in parties]
    if unknown:
        raise DomainError("Choose parties of this version for the theme: one of them is not a party here.")
    if theme.pk and party_keys:
        kept = {str(key) for key in party_keys}
        left_out = (
            theme.commitments.exclude(party__key__in=kept)
            .select_related("party")
            .order_by("position")
            .first()
        )
        if left_out is not None:
            raise DomainError(
                f"“{left_out.party.name}” still has commitments under “{theme.title}”. "
                "Move or remove them before leaving the party out of the theme."
            )


def _check_names(
    version: Version, model: type[Part], fields: dict[str, Any], part: Part | None = None
) -> None:
    """Names and headings a reader needs are there and tell parts apart, before the database's
    unique constraints would refuse them with an error nobody can act on."""
    others = model.objects.filter(version=version).exclude(pk=getattr(part, "pk", None))
    if model is Party and "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            raise DomainError("Enter the name of the party.")
        if others.filter(name__iexact=name).exists():
            raise DomainError(f"This version already has a party called “{name}”.")
    if model is Theme and "title" in fields:
        title = (fields["title"] or "").strip()
        if not title:
            raise DomainError("Enter the title of the theme.")
        if others.filter(title__iexact=title).exists():
            raise DomainError(f"This version already has a theme called “{title}”.")
    # A section's heading may be blank (the compact prints some without one); its text may not.
    if model is Section and "body" in fields and not (fields["body"] or "").strip():
        raise DomainError("Enter the text of the section.")


def _check_placement(fields: dict[str, Any]) -> None:
    if "placement" in fields and fields["placement"] not in Section.Placement.values:
        raise DomainError("Choose whether the section comes before or after the commitments.")


@transaction.atomic
def add_part(*, actor: User, version: Version, model: type[Part], **fields: Any) -> Part:
    """Add a party, theme, section or commitment at the end of its list."""
    require_academy_staff(actor=actor)
    version = _lock(version)
    _require_editable(version)
    if model is Commitment:
        _check_commitment_belongs(version, fields, adding=True)
    if model not in (Party, Theme, Section, Commitment):
        raise DomainError("A compact is made of parties, themes, sections and commitments only.")
    _check_names(version, model, fields)
    if model is Theme:
        _check_theme_parties(version, Theme(version=version), fields.get("party_keys"))
    if model is Section:
        _check_placement(fields)
    part = model(version=version, **fields)
    part.position = _next_position(_siblings(part))
    if isinstance(part, Commitment) and version.layout == Version.Layout.ROWS:
        if part.row is None:
            # A new commitment starts the next free row of its party, beside the other party's.
            part.row = (_siblings(part).aggregate(top=Max("row"))["top"] or 0) + 1
        _check_pair_is_free(version, part)
    part.save()
    return part


@transaction.atomic
def add_commitments(
    *,
    actor: User,
    version: Version,
    party: Party,
    texts: Iterable[str],
    theme: Theme | None = None,
    row: int | None = None,
) -> list[Part]:
    """Add several commitments to one column at once, in order: all of them or none.

    With a row given (paired rows), the commitments take that row and the ones after it.
    """
    texts = [text.strip() for text in texts if text and text.strip()]
    if not texts:
        raise DomainError("Enter the wording of at least one commitment.")
    added = []
    for offset, text in enumerate(texts):
        fields: dict[str, Any] = {"theme": theme, "party": party, "text": text}
        if row is not None:
            fields["row"] = row + offset
        added.append(add_part(actor=actor, version=version, model=Commitment, **fields))
    return added


@transaction.atomic
def change_layout(*, actor: User, version: Version, layout: str) -> Version:
    """Choose how the draft is laid out; refused while the text does not fit the new layout."""
    require_academy_staff(actor=actor)
    version = _lock(version)
    _require_editable(version)
    if layout not in Version.Layout.values:
        raise DomainError("Choose how the compact is laid out.")
    if layout == Version.Layout.PARTIES and version.themes.exists():
        raise DomainError(
            "Remove the themes (moving their commitments out first) before choosing a layout without themes."
        )
    if layout in Version.THEMED_LAYOUTS and version.commitments.filter(theme__isnull=True).exists():
        raise DomainError("Put every commitment under a theme before choosing a layout with themes.")
    if layout == Version.Layout.COLUMNS:
        shared = [theme.title for theme in version.themes.all() if len(theme.party_keys) != 1]
        if shared:
            raise DomainError(
                f"In facing columns each theme belongs to one party: choose the party of “{shared[0]}” first."
            )
    if layout == Version.Layout.ROWS:
        # Number the rows from each column's order, so each party's n-th commitment pairs up.
        for commitment in version.commitments.filter(row__isnull=True).order_by("position", "id"):
            siblings = _siblings(commitment).order_by("position", "id").values_list("pk", flat=True)
            commitment.row = list(siblings).index(commitment.pk) + 1
            commitment.save(update_fields=["row"])
    version.layout = layout
    version.save(update_fields=["layout"])
    return version


@transaction.atomic
def change_part(*, actor: User, part: Part, **fields: Any) -> Part:
    require_academy_staff(actor=actor)
    version = _lock(part.version)
    _require_editable(version)
    if type(part) is Commitment:
        _check_commitment_belongs(version, fields)
        moved_column = any(
            name in fields and getattr(part, f"{name}_id") != getattr(fields[name], "pk", None)
            for name in ("theme", "party")
        )
    else:
        moved_column = False
    _check_names(version, type(part), fields, part)
    if type(part) is Theme:
        _check_theme_parties(version, part, fields.get("party_keys"))
    if type(part) is Section:
        _check_placement(fields)
    for name, value in fields.items():
        setattr(part, name, value)
    if moved_column:
        part.position = _next_position(_siblings(part).exclude(pk=part.pk))
    if type(part) is Commitment:
        moved_without_row = moved_column and "row" not in fields
        if version.layout == Version.Layout.ROWS and (part.row is None or moved_without_row):
            part.row = (_siblings(part).exclude(pk=part.pk).aggregate(top=Max("row"))["top"] or 0) + 1
        _check_pair_is_free(version, part)
    part.save()
    return part


@transaction.atomic
def remove_part(*, actor: User, part: Part) -> None:
    require_academy_staff(actor=actor)
    version = _lock(part.version)
    _require_editable(version)
    if type(part) is Party:
        if version.parties.count() <= MINIMUM_PARTIES:
            raise DomainError(f"A compact needs at least {MINIMUM_PARTIES} parties.")
        if part.commitments.exists():
            raise DomainError(
                f"“{part.name}” still has commitments. Move or remove them before removing the party."
            )
    if type(part) is Theme and part.commitments.exists():
        raise DomainError(
            f"“{part.title}” still has commitments. Move or remove them before removing the theme."
        )
    part.delete()


@transaction.atomic
def move_part(*, actor: User, part: Part, direction: str) -> Part:
    """Swap a part with its neighbour above ("up") or below ("down")."""
    require_academy_staff(actor=actor)
    version = _lock(part.version)
    _require_editable(version)
    if type(part) is Commitment and version.layout == Version.Layout.ROWS:
        return _move_pair(version, Commitment.objects.get(pk=part.pk), direction)
    siblings = list(_siblings(part).order_by("position", "id"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == part.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(siblings):
        return part
    siblings[index], siblings[target] = siblings[target], siblings[index]
    # Renumber the whole list so positions stay dense even after deletions.
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            type(sibling).objects.filter(pk=sibling.pk).update(position=position)
    return part


def _move_pair(version: Version, commitment: Commitment, direction: str) -> Commitment:
    """In paired rows a commitment moves with its pair: the whole row swaps with the row above
    or below within its theme, so a pair is never separated by reordering."""
    rows = version.commitments.filter(row__isnull=False)
    if commitment.theme_id is None:
        rows = rows.filter(theme__isnull=True)
    else:
        rows = rows.filter(theme_id=commitment.theme_id)
    if commitment.row is None or direction not in ("up", "down"):
        return commitment
    if direction == "up":
        neighbour = rows.filter(row__lt=commitment.row).aggregate(row=Max("row"))["row"]
    else:
        neighbour = (
            rows.exclude(row__lte=commitment.row).order_by("row").values_list("row", flat=True).first()
        )
    if neighbour is None:
        return commitment
    here = list(rows.filter(row=commitment.row).values_list("pk", flat=True))
    there = list(rows.filter(row=neighbour).values_list("pk", flat=True))
    Commitment.objects.filter(pk__in=here).update(row=neighbour)
    Commitment.objects.filter(pk__in=there).update(row=commitment.row)
    commitment.row = neighbour
    return commitment


# --- Ratify and publish -------------------------------------------------------------------------
def readiness_problems(*, version: Version) -> list[str]:
    """What stops a draft being ratified, in words staff can act on."""
    problems = []
    if version.parties.count() < MINIMUM_PARTIES:
        problems.append(f"Add at least {MINIMUM_PARTIES} parties.")
    if version.layout in Version.THEMED_LAYOUTS and not version.themes.exists():
        problems.append("Add at least one theme.")
    if version.layout == Version.Layout.COLUMNS:
        problems.extend(
            f"In facing columns each theme belongs to one party: choose the party of “{theme.title}”."
            for theme in version.themes.all()
            if len(theme.party_keys) != 1
        )
    if version.layout == Version.Layout.PARTIES and version.themes.exists():
        problems.append("This layout has no themes: remove them or choose a layout with themes.")
    if version.themes.exists() and version.commitments.filter(theme__isnull=True).exists():
        problems.append("Put every commitment under a theme.")
    if not version.commitments.exists():
        problems.append("Add at least one commitment.")
    empty = version.themes.filter(commitments__isnull=True).values_list("title", flat=True)
    problems.extend(f"The theme “{title}” has no commitments." for title in empty)
    if version.layout == Version.Layout.ROWS:
        problems.extend(_pairing_problems(version))
    return problems


def _pairing_problems(version: Version) -> list[str]:
    problems, seen = [], set()
    for commitment in version.commitments.select_related("party", "theme").order_by("row", "position"):
        if commitment.row is None:
            problems.append(f"Give “{commitment.text[:60]}” a row: in paired rows every commitment has one.")
            continue
        place = (commitment.theme_id, commitment.row, commitment.party_id)
        if place in seen:
            theme = f" under “{commitment.theme.title}”" if commitment.theme else ""
            problems.append(f"Row {commitment.row}{theme} has two commitments of “{commitment.party.name}”.")
        seen.add(place)
    return problems


@transaction.atomic
def ratify(*, actor: User, version: Version) -> Version:
    """Freeze a draft's text and fix its content hash."""
    require_academy_staff(actor=actor)
    version = _lock(version)
    if version.status == Version.Status.CONSULTATION:
        raise DomainError("This version is in an open consultation round; close the round first.")
    if version.status != Version.Status.DRAFT:
        raise DomainError(f"Version {version.number} is already {version.get_status_display().lower()}.")
    problems = readiness_problems(version=version)
    if problems:
        raise DomainError("This draft is not ready to ratify: " + " ".join(problems))
    # Consultation's own rule about a draft, asked directly: a round scheduled on it must be
    # cancelled first (the lazy import keeps compact's module free of consultation at load).
    from consultation.selectors import ratifying_problem

    problem = ratifying_problem(version=version)
    if problem:
        raise DomainError(problem)
    version.content_hash = version.compute_content_hash()
    version.status = Version.Status.RATIFIED
    version.ratified_at = timezone.now()
    version.ratified_by = actor
    version.save()
    audit.record(
        action="ratify",
        actor=actor,
        target=version,
        before={"status": "draft"},
        after={"status": "ratified", "content_hash": version.content_hash},
    )
    return version


@transaction.atomic
def publish(*, actor: User, version: Version, note: str = "", review_due_on: date | None = None) -> Version:
    """Make a ratified version the compact's current one; the previous one is superseded."""
    require_academy_staff(actor=actor)
    version = _lock(version)
    if version.status != Version.Status.RATIFIED:
        raise DomainError("Only a ratified version can be published.")
    now = timezone.now()
    previous = Version.objects.select_for_update().filter(compact_id=version.compact_id).published().first()
    if previous:
        previous.status = Version.Status.SUPERSEDED
        previous.superseded_at = now
        previous.save()
    version.status = Version.Status.PUBLISHED
    version.published_at = now
    version.published_by = actor
    version.publication_note = note.strip()
    version.review_due_on = review_due_on or (now + timedelta(days=365)).date()
    version.save()
    audit.record(
        action="publish",
        actor=actor,
        target=version,
        before={"status": "ratified", "superseded": previous.number if previous else None},
        after={"status": "published", "note": version.publication_note},
    )
    Compact.objects.bump_generation(compact_id=version.compact_id)
    version_published.send(sender=Version, version=version, previous=previous)
    return version


# --- Review cycle -------------------------------------------------------------------------------
REVIEW_NOTICE = timedelta(days=30)


def due_for_review(*, today: date | None = None) -> QuerySet[Version]:
    """Published versions whose review date is within a month or has passed."""
    today = today or timezone.localdate()
    return (
        Version.objects.published()
        .filter(review_due_on__isnull=False, review_due_on__lte=today + REVIEW_NOTICE)
        .select_related("compact")
        .order_by("review_due_on")
    )


def _review_letters(
    people: Iterable[User], version: Version, rendered: outbox.Rendered
) -> list[outbox.Letter]:
    return [
        outbox.Letter(
            key=f"review-due:{version.pk}:user:{person.pk}",
            kind="review-due",
            about=f"version:{version.pk}",
            to=person.email,
            user_id=person.pk,
            rendered=rendered,
        )
        for person in people
    ]


def remind_reviews(*, today: date | None = None) -> int:
    """Once per version, a month before its review date: staff (under their own "review" kind)
    and its signatories (under "a compact I signed") are told. The e-mails are outbox rows
    written with the version's stamp; the outbox sends them after commit, so the version is
    never locked while mail goes out."""
    sent = 0
    for version in due_for_review(today=today).filter(review_reminder_sent_at__isnull=True):
        with transaction.atomic():
            outbox.lock_timeout()
            version = Version.objects.select_for_update().select_related("compact").get(pk=version.pk)
            if version.review_reminder_sent_at is not None:
                continue
            app_label, codename = MANAGE_PERMISSION.split(".")
            staff = list(
                get_user_model()
                .objects.filter(
                    is_active=True,
                    groups__permissions__codename=codename,
                    groups__permissions__content_type__app_label=app_label,
                )
                .distinct()
            )
            signed = apps.get_model("signatories", "Signature").objects.public().filter(version=version)
            signatories = get_user_model().objects.filter(is_active=True, pk__in=signed.values("signer_id"))
            url = settings.SITE_URL + reverse("compact:detail", kwargs={"slug": version.compact.slug})
            rendered = outbox.render(
                template="compact/email/review_due",
                subject=f"Time to review {version.compact.title}: due {version.review_due_on:%-d %B %Y}",
                context={"version": version, "url": url},
            )

            staff_ids = {person.pk for person in staff}
            outbox.put(letters=route(kind=Kind.REVIEW, letters=_review_letters(staff, version, rendered)))
            outbox.put(
                letters=route(
                    kind=Kind.COMPACT,
                    letters=_review_letters(
                        [p for p in signatories if p.pk not in staff_ids], version, rendered
                    ),
                )
            )
            version.review_reminder_sent_at = timezone.now()
            version.save(update_fields=["review_reminder_sent_at"])
            sent += 1
    return sent
