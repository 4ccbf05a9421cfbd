"""Two versions of a compact side by side: what was added, removed, reworded or moved, and why.

Commitments are followed by their stable key, so a commitment that changed theme or party is
"moved", not "removed and added"; its wording is compared word by word with the same diff the
consultation shows.
"""

from dataclasses import dataclass, field

from consultation.text import word_diff


@dataclass
class CommitmentChange:
    kind: str  # added, removed, reworded, moved, reworded and moved, unchanged
    key: object
    before: object = None
    after: object = None
    diff: str = ""
    reasons: list = field(default_factory=list)

    @property
    def changed(self):
        return self.kind != "unchanged"


@dataclass
class ThemeChanges:
    title: str
    key: object
    columns: list  # [(party name, [CommitmentChange])]

    @property
    def changed(self):
        return any(change.changed for _, changes in self.columns for change in changes)


@dataclass
class Comparison:
    before: object
    after: object
    vision_diff: str
    sections: list
    themes: list
    counts: dict

    @property
    def summary(self):
        """ "1 added, 2 reworded; 24 unchanged", or "no commitment changed; 26 unchanged"."""
        changed = ", ".join(f"{n} {kind}" for kind, n in self.counts.items() if kind != "unchanged")
        unchanged = self.counts.get("unchanged", 0)
        return (changed or "no commitment changed") + (f"; {unchanged} unchanged" if unchanged else "")


def _lineage_log(before, after):
    """Change-log entries of the versions made between `before` and `after`, by commitment key."""
    versions, current = [], after
    while current is not None and current.pk != before.pk and len(versions) < 100:
        versions.append(current.pk)
        current = current.based_on
    from django.apps import apps

    entry_model = apps.get_model("consultation", "ChangeLogEntry")
    by_key = {}
    for entry in entry_model.objects.filter(version_id__in=versions).select_related("round").order_by("id"):
        if entry.commitment_key:
            by_key.setdefault(entry.commitment_key, []).append(entry)
    return by_key


def compare(before, after):
    old = {c.key: c for c in before.commitments.select_related("theme", "party")}
    new = {c.key: c for c in after.commitments.select_related("theme", "party")}
    log = _lineage_log(before, after)
    changes = {}
    for key in old.keys() | new.keys():
        was, now = old.get(key), new.get(key)
        if was is None:
            kind = "added"
        elif now is None:
            kind = "removed"
        else:
            reworded = was.text != now.text
            moved = was.theme.key != now.theme.key or was.party.key != now.party.key
            kind = {
                (True, True): "reworded and moved",
                (True, False): "reworded",
                (False, True): "moved",
            }.get((reworded, moved), "unchanged")
        diff = word_diff(was.text, now.text) if was and now and was.text != now.text else ""
        changes[key] = CommitmentChange(kind, key, was, now, diff, log.get(key, []))

    themes = []
    old_themes = {t.key: t for t in before.themes.all()}
    new_themes = list(after.themes.order_by("position", "id"))
    ordered = [(t.key, t.title) for t in new_themes] + [
        (t.key, t.title)
        for t in before.themes.order_by("position", "id")
        if t.key not in {n.key for n in new_themes}
    ]
    parties = [(p.key, p.name) for p in after.parties.order_by("position", "id")]
    parties += [
        (p.key, p.name) for p in before.parties.order_by("position", "id") if p.key not in dict(parties)
    ]
    for theme_key, title in ordered:
        columns = []
        for party_key, party_name in parties:
            cell = [
                change
                for change in changes.values()
                if (change.after or change.before).theme.key == theme_key
                and (change.after or change.before).party.key == party_key
            ]
            cell.sort(key=lambda c: (c.after is None, (c.after or c.before).position))
            columns.append((party_name, cell))
        if theme_key in old_themes and title != old_themes[theme_key].title:
            title = f"{title} (was “{old_themes[theme_key].title}”)"
        themes.append(ThemeChanges(title, theme_key, columns))

    old_sections = {s.heading: s.body for s in before.sections.all()}
    sections = []
    for section in after.sections.order_by("position", "id"):
        previous = old_sections.pop(section.heading, None)
        if previous is None:
            sections.append((section.heading, "added", ""))
        elif previous != section.body:
            sections.append((section.heading, "changed", word_diff(previous, section.body)))
    sections += [(heading, "removed", "") for heading in old_sections]

    counts = {}
    for change in changes.values():
        counts[change.kind] = counts.get(change.kind, 0) + 1
    vision = word_diff(before.vision, after.vision) if before.vision != after.vision else ""
    return Comparison(before, after, vision, sections, themes, counts)


def shown(comparison, show_unchanged=False):
    """The themes and party columns that have something to show: a party heading with nothing
    under it, or a theme with no column left, is left out rather than shown empty."""
    themes = []
    for theme in comparison.themes:
        columns = [
            (party_name, [change for change in changes if show_unchanged or change.changed])
            for party_name, changes in theme.columns
        ]
        columns = [(party_name, changes) for party_name, changes in columns if changes]
        if columns:
            themes.append(ThemeChanges(theme.title, theme.key, columns))
    return themes
