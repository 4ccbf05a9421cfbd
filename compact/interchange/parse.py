"""Reading the compact's plain-text outline (docs/compact-format.md) into a checked structure.

Parsing never touches the database: it returns what it read and every problem with the line it is
on, so a person can fix the whole file in one go. Text is kept exactly as typed (quotes,
apostrophes, dashes, brackets, note markers): only the outline's own markers are taken off.
"""

import re
import uuid
from dataclasses import dataclass, field

from ..models import Compact, Party, Section, Theme, Version

# The longest commitment the import accepts: long enough for the wordiest real compact (a
# 1,000-character promise), short enough that a pasted paragraph of prose is caught.
COMMITMENT_LIMIT = 2000
MINIMUM_PARTIES = 2

# Every pattern here runs in time linear in the line (a file is up to 512 kB of anyone's text): none
# has a lazy or optional part followed by another that can match the same characters. Trailing
# spaces are taken off before matching (_trimmed) rather than by the pattern: "(.*?)[ \t]*$" tries
# every split of a long run of spaces, and a line of 60,000 of them took 30 s.
_HEADING = re.compile(r"(#{1,3})(?:[ \t]+(.*))?")
_HEADER_LINE = re.compile(r"([A-Za-z]+)[ \t]*:[ \t]*(.*)")
# Matched where the last "{#" of the trimmed text starts, never searched for.
_KEY = re.compile(
    r"\{#([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"(?:[ \t]+@(\d+))?\}"
)
_ROW = re.compile(r"row(?:[ \t]+(\d+))?", re.IGNORECASE)
# A prose line that would read as one of the outline's headings is written with a backslash in
# front; the import takes exactly one off, so any text survives the round trip.
_ESCAPED = re.compile(r"^\\+#")


@dataclass
class Problem:
    line: int
    message: str
    # Where to go to fix it, when that is another page (the compact a title is already used by).
    link: str = ""
    link_text: str = ""

    def __str__(self):
        return f"Line {self.line}: {self.message}"


@dataclass
class ParsedParty:
    name: str
    heading: str
    key: str | None
    line: int
    note: str = ""
    closing: str = ""


@dataclass
class ParsedSection:
    heading: str
    body: str
    placement: str
    kind: str
    line: int


@dataclass
class ParsedCommitment:
    text: str
    party: str  # the party's name as typed; checked against the parties once all are read
    line: int
    key: str | None = None
    order: int | None = None
    row: int | None = None
    raw: str = ""  # in paired rows, "Party: text" before it is split
    # The lines read so far, each with what joins it to the next: joined once, when the
    # commitment ends (adding to `raw` line by line copies it each time, quadratic in its lines).
    pieces: list = field(default_factory=list)
    heading_line: int = 0  # the "### " line it stands under


@dataclass
class ParsedBlock:
    """A theme, or (title None) the commitments outside any theme."""

    title: str | None
    line: int
    key: str | None = None
    description: str = ""
    parties: list = field(default_factory=list)  # names from "Parties:"
    parties_raw: str = ""
    parties_line: int = 0
    commitments: list = field(default_factory=list)


@dataclass
class ParsedCompact:
    title: str = ""
    title_line: int = 1
    summary: str = ""
    layout: str = ""
    layout_line: int = 0
    vision: str = ""
    vision_line: int = 0
    vision_heading: str = Version.DEFAULT_VISION_HEADING
    sections: list = field(default_factory=list)
    parties: list = field(default_factory=list)
    parties_line: int = 0
    blocks: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def themes(self):
        return [block for block in self.blocks if block.title is not None]

    @property
    def loose(self):
        return next((block for block in self.blocks if block.title is None), None)

    @property
    def commitment_count(self):
        return sum(len(block.commitments) for block in self.blocks)

    def problem(self, line, message):
        self.problems.append(Problem(line, message))


def _trimmed(line):
    return line.rstrip(" \t")


def _heading(line):
    return _HEADING.fullmatch(_trimmed(line))


def _header_line(line):
    return _HEADER_LINE.fullmatch(_trimmed(line))


def _row(title):
    return _ROW.fullmatch(title)


def _first_word(value):
    words = value.split()
    return words[0].lower() if words else ""


def _split_key(text):
    trimmed = _trimmed(text)
    start = trimmed.rfind("{#")
    match = _KEY.fullmatch(trimmed, start) if start >= 0 else None
    if not match:
        return text, None, None
    return _trimmed(trimmed[:start]), match.group(1).lower(), int(match.group(2)) if match.group(2) else None


def _prose(lines):
    """A block of prose as typed: blank lines at either end dropped, heading escapes undone."""
    lines = [line[1:] if _ESCAPED.match(line) else line for line in lines]
    written = [number for number, line in enumerate(lines) if line.strip()]
    return "\n".join(lines[written[0] : written[-1] + 1]) if written else ""


def _infer_layout(lines):
    if any(_row(m.group(2) or "") for m in map(_heading, lines) if m and m.group(1) == "###"):
        return Version.Layout.ROWS
    if any(
        (m.group(2) or "").lower().startswith("theme:")
        for m in map(_heading, lines)
        if m and m.group(1) == "##"
    ):
        return Version.Layout.THEMES
    return Version.Layout.PARTIES


class _Reader:
    """One pass over the lines; what needs every party is checked afterwards in `_check`."""

    def __init__(self, text):
        self.result = ParsedCompact()
        self.lines = text.split("\n")
        self.mode = "start"  # start, header, vision, section, parties, block, other
        self.prose = []
        self.section = None
        self.block = None
        self.block_rows, self.block_last_row = set(), 0  # the rows of the block's commitments so far
        self.loose_seen = False
        self.sub = None  # ("party", name, line) or ("row", number, line)
        self.item = None  # the commitment being read (continuation lines join it)
        self.headers_open = False
        self.seen_vision = False

    def run(self):
        result = self.result
        declared = None
        for line in self.lines:
            if line.startswith("## "):
                break
            match = _header_line(line)
            if match and match.group(1).lower() == "layout":
                declared = _first_word(match.group(2))
        self.layout = (declared or "").strip().lower() or _infer_layout(self.lines)
        for number, line in enumerate(self.lines, start=1):
            self.line(number, line)
        self.close_prose()
        self.close_item()
        if not result.layout:
            result.layout = self.layout
        return result

    # --- blocks of prose (vision, sections, theme descriptions) -------------------------------
    def close_prose(self):
        text = _prose(self.prose)
        if self.mode == "vision":
            self.result.vision = text
        elif self.mode == "section" and self.section is not None:
            self.section.body = text
        elif self.mode == "block" and self.block is not None and self.sub is None:
            self.block.description = text
        self.prose = []

    def close_item(self):
        if self.item is None:
            return
        item, self.item = self.item, None
        item.raw, item.pieces = "".join(item.pieces), []
        text, item.key, item.order = _split_key(item.raw)
        text = text.strip()
        item.heading_line = self.sub[2]
        if self.sub[0] == "row":
            item.raw, item.row = text, self.sub[1]
            if item.row:
                self.block_rows.add(item.row)
                self.block_last_row = max(self.block_last_row, item.row)
        else:
            item.text, item.party = text, self.sub[1]
        self.block.commitments.append(item)

    # --- one line -------------------------------------------------------------------------------
    def line(self, number, line):
        result = self.result
        heading = _heading(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2) or ""
            if level == 3 and self.mode == "block":
                self.close_item()
                if self.sub is None:
                    self.close_prose()
                self.subheading(number, title)
                return
            self.close_item()
            self.close_prose()
            self.sub = None
            if level == 1:
                if self.mode != "start":
                    result.problem(
                        number,
                        "Only the first line is the title (“# ”); use “## ” for the parts of the compact.",
                    )
                    self.mode = "other"
                    return
                result.title, result.title_line = title, number
                self.mode, self.headers_open = "header", True
                return
            if level == 3:
                result.problem(
                    number,
                    "A “### ” heading (a party or a row) belongs under “## Theme: …” or “## Commitments”.",
                )
                return
            self.part(number, title)
            return
        if self.mode == "start":
            if line.strip():
                result.problem(number, "Start with the title of the compact: a line beginning with “# ”.")
                self.mode = "other"
            return
        if self.headers_open:
            if not line.strip():
                return
            header = _header_line(line)
            if header and self.header(number, header.group(1).lower(), header.group(2)):
                return
            self.headers_open = False
        if self.mode == "header":
            if line.strip():
                result.problem(
                    number,
                    "Between the title and the first “## ” heading only “Layout:” and “Summary:” lines may stand.",
                )
            return
        if self.mode in ("vision", "section"):
            self.prose.append(line)
            return
        if self.mode == "parties":
            self.party_line(number, line)
            return
        if self.mode == "block":
            self.block_line(number, line)
            return

    def header(self, number, name, value):
        result = self.result
        if self.mode == "header" and name == "layout":
            # The first word: "Layout: rows (themes | parties | rows)" copied from a guide works.
            result.layout, result.layout_line = _first_word(value), number
            return True
        if self.mode == "header" and name == "summary":
            result.summary = value
            return True
        if self.mode == "section" and name in ("placement", "kind"):
            setattr(self.section, name, _first_word(value))
            setattr(self.section, f"{name}_line", number)
            return True
        if self.mode == "block" and self.block.title is not None and name == "parties":
            # Split once every party is known (in `_check`): a name may hold a comma.
            self.block.parties_raw = value
            self.block.parties_line = number
            return True
        return False

    def part(self, number, title):
        result = self.result
        lowered = title.lower()
        self.headers_open = False
        if lowered == "vision" or lowered.startswith("vision:"):
            if self.seen_vision:
                result.problem(number, "The vision is given twice; keep one “## Vision”.")
            self.seen_vision, result.vision_line, self.mode = True, number, "vision"
            # "## Vision: Our purpose" gives the heading as the compact words it; "## Vision:"
            # with nothing after it, none; "## Vision" alone, the usual one.
            if lowered.startswith("vision:"):
                result.vision_heading = title[len("vision:") :].strip()
        elif lowered.startswith("section:"):
            self.section = ParsedSection(
                heading=title[len("section:") :].strip(),
                body="",
                placement=Section.Placement.BEFORE,
                kind=Section.Kind.OTHER,
                line=number,
            )
            result.sections.append(self.section)
            self.mode, self.headers_open = "section", True
        elif lowered == "parties":
            if result.parties_line:
                result.problem(number, "The parties are listed twice; keep one “## Parties”.")
            result.parties_line, self.mode = number, "parties"
        elif lowered.startswith("theme:"):
            name, key, _ = _split_key(title[len("theme:") :])
            self.block = ParsedBlock(title=name.strip(), line=number, key=key)
            self.block_rows, self.block_last_row = set(), 0
            result.blocks.append(self.block)
            self.mode, self.headers_open = "block", True
        elif lowered == "commitments":
            if self.loose_seen:
                result.problem(number, "“## Commitments” is given twice; keep one.")
            self.loose_seen = True
            self.block = ParsedBlock(title=None, line=number)
            self.block_rows, self.block_last_row = set(), 0
            result.blocks.append(self.block)
            self.mode = "block"
        else:
            result.problem(
                number,
                f"“## {title}” is not a part of a compact. Use “## Vision”, “## Section: …”, "
                "“## Parties”, “## Theme: …” or “## Commitments”.",
            )
            self.mode = "other"

    def party_line(self, number, line):
        if not line.strip():
            return
        note = _HEADER_LINE.match(line.strip())
        if line[:1] in (" ", "\t") and note and note.group(1).lower() in ("note", "closing"):
            if not self.result.parties:
                self.result.problem(number, "A “Note:” or “Closing:” line goes under its party’s line.")
                return
            setattr(self.result.parties[-1], note.group(1).lower(), note.group(2))
            return
        if not line.startswith(("- ", "* ")):
            self.result.problem(
                number, "List each party on its own line starting with “- ”: name | column heading."
            )
            return
        text, key, _ = _split_key(line[2:])
        name, _, heading = text.partition("|")
        self.result.parties.append(
            ParsedParty(name=name.strip(), heading=heading.strip(), key=key, line=number)
        )

    def subheading(self, number, title):
        if self.layout == Version.Layout.ROWS:
            match = _row(title)
            if not match:
                self.result.problem(
                    number,
                    f"In paired rows, commitments go under “### Row 1”, “### Row 2”…, not “### {title}”.",
                )
                self.sub = ("row", None, number)
                return
            # The rows this block's commitments stand in, kept as they are read (not searched for
            # at every heading: that was quadratic in the number of rows).
            rows = self.block_rows
            previous = self.block_last_row
            if self.sub and self.sub[0] == "row" and self.sub[1]:
                previous = max(previous, self.sub[1])
            row = int(match.group(1)) if match.group(1) else previous + 1
            if row < 1:
                self.result.problem(number, "Rows are numbered from 1.")
            elif row in rows:
                self.result.problem(number, f"Row {row} appears twice here; put its pair under one heading.")
            self.sub = ("row", row, number)
            return
        if _row(title):
            self.result.problem(
                number, "Rows belong to the paired-rows layout: add “Layout: rows” under the title."
            )
        self.sub = ("party", title, number)

    def block_line(self, number, line):
        if self.sub is None:
            # A theme's description, before its first "### ".
            if self.block.title is None:
                if line.strip():
                    self.result.problem(number, "Put commitments under a “### ” heading (a party, or a row).")
                return
            self.prose.append(line)
            return
        if not line.strip():
            self.close_item()
            return
        if line.startswith(("- ", "* ")) or line.strip() in ("-", "*"):
            self.close_item()
            self.item = ParsedCommitment(text="", party="", line=number)
            self.item.pieces.append(line[2:].strip())
            return
        if line[:1] in (" ", "\t") and self.item is not None:
            # A continuation line: wrapped text joins with a space; a line ended with a backslash
            # keeps its line break (Markdown's hard break).
            pieces = self.item.pieces
            if pieces[-1].endswith("\\"):
                pieces[-1] = pieces[-1][:-1]
                pieces += ["\n", line.strip()]
            else:
                pieces += [" ", line.strip()]
            return
        self.result.problem(
            number,
            "Start each commitment with “- ”; indent the lines that continue it.",
        )


def parse(text):
    """The outline → ParsedCompact, with every problem found (an empty list means it can be saved)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    result = _Reader(text).run()
    _check(result)
    result.problems.sort(key=lambda p: p.line)
    return result


def _too_long(result, line, what, value, limit):
    if len(value) > limit:
        result.problem(line, f"{what} is {len(value):,} characters; the most is {limit:,}.")


def _check(result):
    """Problems that need the whole outline: parties named in themes and rows, keys, pairs."""
    problem = result.problem
    if not result.title.strip() and not any(p.line == 1 for p in result.problems):
        problem(1, "Give the compact a title: the first line is “# ” and the title.")
    _too_long(
        result, result.title_line, "The title", result.title, Compact._meta.get_field("title").max_length
    )
    _too_long(
        result,
        result.title_line,
        "The summary",
        result.summary,
        Compact._meta.get_field("summary").max_length,
    )
    if result.layout not in Version.Layout.values:
        problem(
            result.layout_line or 1,
            f"“{result.layout}” is not a layout: write themes, columns, parties or rows.",
        )
    _too_long(
        result,
        result.vision_line or 1,
        "The vision’s heading",
        result.vision_heading,
        Version._meta.get_field("vision_heading").max_length,
    )

    for section in result.sections:
        _too_long(
            result,
            section.line,
            "The section heading",
            section.heading,
            Section._meta.get_field("heading").max_length,
        )
        if not section.body.strip():
            named = f"The section “{section.heading}”" if section.heading else "This section"
            problem(section.line, f"{named} has no text.")
        if section.placement not in Section.Placement.values:
            problem(
                getattr(section, "placement_line", section.line),
                "Placement is “before” or “after” (the commitments).",
            )
        if section.kind not in Section.Kind.values:
            kinds = ", ".join(Section.Kind.values)
            problem(getattr(section, "kind_line", section.line), f"Kind is one of: {kinds}.")

    parties, keys = {}, {}

    def claim(key, line, what):
        if key is None:
            return
        if key in keys:
            problem(line, f"The key {key} of this {what} is already used on line {keys[key]}.")
        keys[key] = line

    if len(result.parties) < MINIMUM_PARTIES:
        problem(result.parties_line or 1, f"List at least {MINIMUM_PARTIES} parties under “## Parties”.")
    for party in result.parties:
        if not party.name:
            problem(party.line, "Give the party a name before the “|”.")
            continue
        _too_long(
            result, party.line, "The party’s name", party.name, Party._meta.get_field("name").max_length
        )
        _too_long(
            result,
            party.line,
            "The column heading",
            party.heading,
            Party._meta.get_field("heading").max_length,
        )
        if party.name.casefold() in parties:
            problem(
                party.line,
                f"The party “{party.name}” is listed twice (line {parties[party.name.casefold()].line}).",
            )
            continue
        parties[party.name.casefold()] = party
        claim(party.key, party.line, "party")

    layout = result.layout
    themes = result.themes
    if layout == Version.Layout.PARTIES and themes:
        problem(
            themes[0].line,
            "This compact’s layout has no themes (Layout: parties): remove the themes or choose themes or rows.",
        )
    if layout in Version.THEMED_LAYOUTS:
        if not themes:
            problem(result.layout_line or 1, "The themes layout needs at least one “## Theme: …”.")
        if result.loose is not None and result.loose.commitments:
            problem(result.loose.line, "In the themes layout every commitment belongs under a “## Theme: …”.")
    if result.commitment_count == 0:
        problem(result.parties_line or 1, "Add at least one commitment.")

    titles, unknown_headings = {}, set()
    for block in result.blocks:
        allowed = None
        if block.title is not None:
            if not block.title:
                problem(block.line, "Give the theme a title after “Theme:”.")
            _too_long(
                result,
                block.line,
                "The theme’s title",
                block.title,
                Theme._meta.get_field("title").max_length,
            )
            if block.title.casefold() in titles:
                problem(
                    block.line,
                    f"The theme “{block.title}” is given twice (line {titles[block.title.casefold()]}).",
                )
            titles.setdefault(block.title.casefold(), block.line)
            claim(block.key, block.line, "theme")
            raw = block.parties_raw
            if ";" in raw:
                names = raw.split(";")
            elif raw.strip().casefold() in parties:
                names = [raw]
            else:
                names = raw.split(",")
            block.parties = [name.strip() for name in names if name.strip()]
            if block.parties_line and not block.parties:
                problem(
                    block.parties_line,
                    "Name the parties this theme holds after “Parties:”, or remove the line.",
                )
            if block.parties:
                allowed = set()
                for name in block.parties:
                    if name.casefold() not in parties:
                        problem(
                            block.parties_line,
                            f"“{name}” is not one of the parties listed under “## Parties”.",
                        )
                    allowed.add(name.casefold())
            if layout == Version.Layout.COLUMNS:
                _one_party_theme(result, block, parties)
            if not block.commitments:
                under = "“### Row 1”" if layout == Version.Layout.ROWS else "“### ” and a party’s name"
                problem(block.line, f"The theme “{block.title}” has no commitments: list them under {under}.")
        pairs = {}
        for item in block.commitments:
            if layout == Version.Layout.ROWS:
                _split_row_item(result, item, parties)
            elif item.party.casefold() not in parties and item.heading_line not in unknown_headings:
                unknown_headings.add(item.heading_line)
                problem(
                    item.heading_line, f"“{item.party}” is not one of the parties listed under “## Parties”."
                )
            if item.party and item.party.casefold() in parties:
                item.party = parties[item.party.casefold()].name
                if allowed is not None and item.party.casefold() not in allowed:
                    problem(
                        item.line,
                        f"The theme “{block.title}” does not hold commitments of “{item.party}” (see its “Parties:” line).",
                    )
            if not item.text:
                problem(item.line, "This commitment is empty: write its wording after “- ”.")
            _too_long(result, item.line, "This commitment", item.text, COMMITMENT_LIMIT)
            claim(item.key, item.line, "commitment")
            if layout == Version.Layout.ROWS and item.row and item.party:
                place = (item.row, item.party)
                if place in pairs:
                    problem(
                        item.line,
                        f"Row {item.row} already has a commitment of “{item.party}” (line {pairs[place]}): a pair has one per party.",
                    )
                pairs.setdefault(place, item.line)


def _one_party_theme(result, block, parties):
    """In facing columns every theme is one party's: named on its “Parties:” line, or else the
    party whose “### ” heading its commitments stand under."""
    if len(block.parties) > 1:
        result.problem(
            block.parties_line,
            f"In facing columns each theme belongs to one party; “{block.title}” names {len(block.parties)}.",
        )
        return
    if block.parties:
        return
    named = []
    for item in block.commitments:
        if item.party.casefold() in parties and item.party.casefold() not in named:
            named.append(item.party.casefold())
    if len(named) == 1:
        block.parties = [parties[named[0]].name]
    elif len(named) > 1:
        result.problem(
            block.line,
            f"In facing columns each theme belongs to one party; “{block.title}” has commitments of "
            f"{len(named)}. Give each party its own themes.",
        )


def _split_row_item(result, item, parties):
    """ "The Trust: we will…" → party and text, matching the longest party name that fits."""
    raw = item.raw
    # Each colon in turn, the text before it (less spaces) looked up among the parties: the last
    # that names one is the longest name that fits. Not every party tried on every commitment
    # (that is quadratic in a long file), and no colon past the longest name a party may have.
    longest = Party._meta.get_field("name").max_length
    found = None
    for colon in (m.start() for m in re.finditer(":", raw)):
        end = len(raw[:colon].rstrip())
        if end > longest:
            break
        party = parties.get(raw[:end].casefold())
        if party is not None:
            found = (party.name, colon)
    if found is not None:
        item.party = found[0]
        item.text = raw[found[1] + 1 :].strip()
        return
    item.text = raw
    head = raw.partition(":")[0].strip() if ":" in raw else ""
    if head:
        result.problem(item.line, f"“{head}” is not one of the parties listed under “## Parties”.")
    else:
        result.problem(
            item.line, "Start each commitment of a row with its party’s name and a colon: “- The Trust: …”."
        )


def new_key():
    return str(uuid.uuid4())
