"""Writing a version as the plain-text outline (docs/compact-format.md).

Every key is written as a `{#…}` marker, so importing the file again gives a version with the
same keys and therefore the same content hash.
"""

import re

from ..models import Section, Version
from .order import default_order

_LOOKS_LIKE_HEADING = re.compile(r"^\\*#")


def _prose(text):
    """Prose lines that would read as an outline heading get a backslash the import takes off."""
    return "\n".join("\\" + line if _LOOKS_LIKE_HEADING.match(line) else line for line in text.split("\n"))


def _commitment(text, key, order, prefix=""):
    marker = f"{{#{key}{f' @{order}' if order else ''}}}"
    # A line break inside a commitment is kept as Markdown's hard break: a backslash at the end
    # of the line, the next line indented.
    body = text.replace("\n", "\\\n  ")
    return f"- {prefix}{body} {marker}"


def _section(section):
    lines = [f"## Section: {section.heading}".rstrip(), f"Placement: {section.placement}"]
    if section.kind != Section.Kind.OTHER:
        lines.append(f"Kind: {section.kind}")
    return [*lines, "", _prose(section.body), ""]


def serialise(version):
    """The version as the outline, ending with a newline."""
    parties = list(version.parties.order_by("position", "id"))
    names = {party.id: party.name for party in parties}
    rank = {party.name: index for index, party in enumerate(parties)}
    themes = list(version.themes.order_by("position", "id"))
    by_theme = {}
    for commitment in version.commitments.order_by("position", "id"):
        by_theme.setdefault(commitment.theme_id, []).append(commitment)
    paired = version.layout == Version.Layout.ROWS

    out = [f"# {version.compact.title}", f"Layout: {version.layout}"]
    if version.compact.summary:
        out.append(f"Summary: {version.compact.summary}")
    if version.vision_heading == Version.DEFAULT_VISION_HEADING:
        vision = "## Vision"
    else:
        vision = f"## Vision: {version.vision_heading}".rstrip()
    out += ["", vision, "", _prose(version.vision), ""]
    sections = list(version.sections.order_by("position", "id"))
    # Closing sections are written where they read, after the commitments; the import keeps
    # sections in the order written, so only the run of them that ends the list goes there (an
    # `after` section that stands before a `before` one keeps its place, and the order with it).
    first_closing = len(sections)
    while first_closing and sections[first_closing - 1].placement == Section.Placement.AFTER:
        first_closing -= 1
    opening, closing = sections[:first_closing], sections[first_closing:]
    for section in opening:
        out += _section(section)
    out += ["## Parties", ""]
    for party in parties:
        heading = f" | {party.heading}" if party.heading else ""
        out.append(f"- {party.name}{heading} {{#{party.key}}}")
        if party.note:
            out.append(f"  Note: {party.note}")
        if party.closing:
            out.append(f"  Closing: {party.closing}")
    out.append("")

    def block(commitments):
        if paired:
            grouped = sorted(commitments, key=lambda c: (c.row or 0, rank[names[c.party_id]]))
        else:
            grouped = sorted(commitments, key=lambda c: rank[names[c.party_id]])  # stable: keeps order
        # Spell out the sequence only where the default would not rebuild it.
        expected = default_order(grouped, party_of=lambda c: names[c.party_id], party_rank=rank.__getitem__)
        explicit = [c.pk for c in expected] != [c.pk for c in commitments]
        order = {c.pk: index for index, c in enumerate(commitments, start=1)} if explicit else {}
        lines, current = [], object()
        for commitment in grouped:
            group = commitment.row if paired else commitment.party_id
            if group != current:
                lines += [
                    "",
                    f"### Row {commitment.row}" if paired else f"### {names[commitment.party_id]}",
                    "",
                ]
                current = group
            prefix = f"{names[commitment.party_id]}: " if paired else ""
            lines.append(_commitment(commitment.text, commitment.key, order.get(commitment.pk), prefix))
        return lines

    for theme in themes:
        out.append(f"## Theme: {theme.title} {{#{theme.key}}}")
        if theme.party_keys:
            by_key = {str(party.key): party.name for party in parties}
            out.append("Parties: " + "; ".join(by_key.get(key, key) for key in theme.party_keys))
        if theme.description:
            out += ["", _prose(theme.description)]
        out += block(by_theme.get(theme.id, []))
        out.append("")
    if by_theme.get(None):
        out.append("## Commitments")
        out += block(by_theme[None])
        out.append("")
    for section in closing:
        out += _section(section)
    return "\n".join(out).rstrip("\n") + "\n"
