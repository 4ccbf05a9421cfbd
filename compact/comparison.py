"""Two versions of a compact side by side: what was added, removed, reworded or moved, and why.

Commitments are followed by their stable key, so a commitment that changed theme or party is
"moved", not "removed and added"; its wording is compared word by word with the same diff the
consultation shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.apps import apps

from core.text import word_diff

from .models import Commitment, Party, Theme, Version

# A column of a theme: the party and the changes to its commitments there.
Column = tuple[Party, list["CommitmentChange"]]


@dataclass
class CommitmentChange:
    kind: str  # added, removed, reworded, moved, reworded and moved, unchanged
    key: UUID
    before: Commitment | None = None
    after: Commitment | None = None
    diff: str = ""
    # consultation.ChangeLogEntry rows: why it changed (compact does not import consultation's models).
    reasons: list[Any] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.kind != "unchanged"

    @property
    def commitment(self) -> Commitment:
        """The commitment as it reads now, or as it read before it was removed."""
        commitment = self.after or self.before
        if commitment is None:
            raise ValueError("A change has a commitment before it, after it, or both.")
        return commitment


@dataclass
class ThemeChanges:
    """A theme (or, key None, the commitments outside any theme) and its changes per column."""

    title: str
    key: UUID | None
    columns: list[Column]  # only parties with something in this theme
    show_unchanged: bool = False

    @property
    def changed(self) -> bool:
        return any(change.changed for _, changes in self.columns for change in changes)

    @property
    def shown_columns(self) -> list[Column]:
        """The columns with something to show: no heading ever stands over nothing."""
        shown = []
        for party, changes in self.columns:
            visible = [c for c in changes if c.changed or self.show_unchanged]
            if visible:
                shown.append((party, visible))
        return shown


@dataclass
class Comparison:
    before: Version
    after: Version
    vision_diff: str
    sections: list[tuple[str, str, str]]  # (heading, what happened, word diff)
    themes: list[ThemeChanges]
    counts: dict[str, int]
    # Changes to how the text is laid out and titled, each a sentence.
    structure: list[str] = field(default_factory=list)

    @property
    def shown_themes(self) -> list[ThemeChanges]:
        """The themes with something to show; a theme with no column left is left out."""
        return [theme for theme in self.themes if theme.shown_columns]

    @property
    def summary(self) -> str:
        """ "2 reworded, 1 added; 5 unchanged" – or "no commitment changed"."""
        changed = ", ".join(f"{n} {kind}" for kind, n in self.counts.items() if kind != "unchanged")
        unchanged = f"{self.counts['unchanged']} unchanged" if self.counts.get("unchanged") else ""
        if not changed:
            return f"no commitment changed; {unchanged}" if unchanged else "no commitment changed"
        return f"{changed}; {unchanged}" if unchanged else changed


def _lineage_log(before: Version, after: Version) -> dict[UUID, list[Any]]:
    """Change-log entries of the versions made between `before` and `after`, by commitment key."""
    versions: list[int] = []
    current: Version | None = after
    while current is not None and current.pk != before.pk and len(versions) < 100:
        versions.append(current.pk)
        current = current.based_on
    entry_model = apps.get_model("consultation", "ChangeLogEntry")
    by_key: dict[UUID, list[Any]] = {}
    for entry in entry_model.objects.filter(version_id__in=versions).select_related("round").order_by("id"):
        if entry.commitment_key:
            by_key.setdefault(entry.commitment_key, []).append(entry)
    return by_key


def _theme_key(commitment: Commitment) -> UUID | None:
    return commitment.theme.key if commitment.theme is not None else None


def _structure_changes(
    before: Version,
    after: Version,
    old_parties: dict[UUID, Party],
    new_parties: dict[UUID, Party],
    old_themes: dict[UUID, Theme],
    new_themes: dict[UUID, Theme],
) -> list[str]:
    """What changed in the shape of the text, in sentences a reader can follow."""
    changes = []
    if before.layout != after.layout:
        changes.append(
            f"Layout changed from {LAYOUT_NAMES.get(before.layout, before.layout)} "
            f"to {LAYOUT_NAMES.get(after.layout, after.layout)}."
        )
    for key, party in new_parties.items():
        was = old_parties.get(key)
        if was is None:
            changes.append(f"New party: {party.name}.")
            continue
        if was.name != party.name:
            changes.append(f"The party “{was.name}” is now called “{party.name}”.")
        if was.column_heading != party.column_heading:
            changes.append(f"The column heading “{was.column_heading}” changed to “{party.column_heading}”.")
    changes += [
        f"Party removed: {party.name}." for key, party in old_parties.items() if key not in new_parties
    ]

    def holders(theme: Theme, parties: dict[UUID, Party]) -> str:
        if not theme.party_keys:
            return "every party"
        names = [parties[key].name for key in parties if str(key) in {str(k) for k in theme.party_keys}]
        return " and ".join(names) if names else "no party"

    for key, theme in new_themes.items():
        old_theme = old_themes.get(key)
        if old_theme is None:
            continue
        old_holders, new_holders = holders(old_theme, old_parties), holders(theme, new_parties)
        if old_holders != new_holders:
            changes.append(
                f"The theme “{theme.title}” now holds the commitments of {new_holders} (was {old_holders})."
            )
    return changes


LAYOUT_NAMES = {
    "themes": "themes in columns",
    "parties": "columns without themes",
    "rows": "paired rows",
}


def compare(before: Version, after: Version, *, show_unchanged: bool = False) -> Comparison:
    old = {c.key: c for c in before.commitments.select_related("theme", "party")}
    new = {c.key: c for c in after.commitments.select_related("theme", "party")}
    log = _lineage_log(before, after)
    changes: dict[UUID, CommitmentChange] = {}
    for key in old.keys() | new.keys():
        was, now = old.get(key), new.get(key)
        if was is None:
            kind = "added"
        elif now is None:
            kind = "removed"
        else:
            reworded = was.text != now.text
            moved = _theme_key(was) != _theme_key(now) or was.party.key != now.party.key
            kind = {
                (True, True): "reworded and moved",
                (True, False): "reworded",
                (False, True): "moved",
            }.get((reworded, moved), "unchanged")
        diff = word_diff(was.text, now.text) if was and now and was.text != now.text else ""
        changes[key] = CommitmentChange(kind, key, was, now, diff, log.get(key, []))

    old_themes = {t.key: t for t in before.themes.order_by("position", "id")}
    new_themes = {t.key: t for t in after.themes.order_by("position", "id")}
    ordered = [(key, t.title) for key, t in new_themes.items()]
    ordered += [(key, t.title) for key, t in old_themes.items() if key not in new_themes]
    if any(_theme_key(change.commitment) is None for change in changes.values()):
        # Commitments outside any theme come first, as on the page.
        title = "Commitments without a theme" if ordered else "Commitments"
        ordered.insert(0, (None, title))
    old_parties = {p.key: p for p in before.parties.order_by("position", "id")}
    new_parties = {p.key: p for p in after.parties.order_by("position", "id")}
    parties = list(new_parties.values()) + [p for key, p in old_parties.items() if key not in new_parties]

    cells: dict[tuple[UUID | None, UUID], list[CommitmentChange]] = {}
    for change in changes.values():
        commitment = change.commitment
        cells.setdefault((_theme_key(commitment), commitment.party.key), []).append(change)
    themes = []
    for theme_key, title in ordered:
        columns = []
        for party in parties:
            cell = cells.get((theme_key, party.key), [])
            if not cell:
                continue
            cell.sort(
                key=lambda c: (
                    c.after is None,
                    c.commitment.row or 0,
                    c.commitment.position,
                )
            )
            columns.append((party, cell))
        if theme_key in old_themes and theme_key in new_themes and title != old_themes[theme_key].title:
            title = f"{title} (was “{old_themes[theme_key].title}”)"
        themes.append(ThemeChanges(title, theme_key, columns, show_unchanged))

    old_sections = {s.heading: s for s in before.sections.all()}
    sections = []
    for section in after.sections.order_by("position", "id"):
        previous = old_sections.pop(section.heading, None)
        if previous is None:
            sections.append((section.heading, "added", ""))
            continue
        if previous.body != section.body:
            sections.append((section.heading, "changed", word_diff(previous.body, section.body)))
        if previous.placement != section.placement:
            sections.append((section.heading, f"moved {section.get_placement_display().lower()}", ""))
    sections += [(heading, "removed", "") for heading in old_sections]

    counts: dict[str, int] = {}
    for change in changes.values():
        counts[change.kind] = counts.get(change.kind, 0) + 1
    vision = word_diff(before.vision, after.vision) if before.vision != after.vision else ""
    structure = _structure_changes(before, after, old_parties, new_parties, old_themes, new_themes)
    return Comparison(before, after, vision, sections, themes, counts, structure)
