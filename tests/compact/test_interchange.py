"""Whole compacts in and out as plain text: real shapes import, read verbatim and round-trip."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from compact import interchange, pdf, services
from compact.interchange import ImportRefused, parse
from compact.models import Commitment, Compact, Version
from consultation import services as consultation_services

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "compacts"
SHAPES = [
    "themes_two_parties",
    "one_party_themes",
    "three_parties",
    "paired_rows",
    "facing_columns",
    "rows_with_notes_no_vision",
]


def fixture(name):
    return (FIXTURES / f"{name}.md").read_text(encoding="utf-8")


def imported(staff, name):
    return interchange.import_compact(actor=staff, text=fixture(name))


def escaped(text):
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def squash(text):
    # A line may break after a hyphen already in the text ("long-" / "serving"), which pypdf
    # reads as a space: both sides drop the space after a hyphen, so "long-serving" matches.
    return re.sub(r"\s+", " ", re.sub(r"-\s+", "-", text)).strip()


def published(staff, name):
    version = imported(staff, name)
    services.ratify(actor=staff, version=version)
    return services.publish(actor=staff, version=version)


# --- what the four shapes hold ---------------------------------------------------------------
def test_themes_with_two_parties_import_in_their_columns_and_order(staff):
    version = imported(staff, "themes_two_parties")
    assert version.layout == Version.Layout.THEMES and version.number == 1
    assert version.compact.summary == "What the Trust board and its senior leaders promise each other."
    assert [p.column_heading for p in version.parties.order_by("position")] == [
        "What the board will do",
        "What senior leaders will do",
    ]
    theme = version.themes.get(title="Listening and communicating")
    board = version.commitments.filter(theme=theme, party__name="The Trust board").order_by("position")
    assert board[0].text == "We will listen before we decide, and explain what we heard [see note 2]."
    long = board[1].text
    assert len(long) >= 1000 and "\n" not in long and "  " not in long
    assert long.startswith("We will set out, in one place") and long.endswith("and what it achieved.")
    assert [(s.heading, s.placement, s.kind) for s in version.sections.order_by("position")] == [
        ("Why we need a compact", "before", "why"),
        ("How we will review it", "after", "sustain"),
    ]
    assert services.readiness_problems(version=version) == []


def test_themes_that_belong_to_one_party_hold_only_that_partys_commitments(staff):
    version = imported(staff, "one_party_themes")
    trust, staff_party = version.parties.order_by("position")
    themes = list(version.themes.order_by("position"))
    assert [t.party_keys for t in themes] == [[str(trust.key)]] * 3 + [[str(staff_party.key)]] * 3
    for theme in themes:
        assert {c.party_id for c in theme.commitments.all()} == {
            trust.pk if theme.party_keys == [str(trust.key)] else staff_party.pk
        }


def test_three_parties_without_themes_import_as_columns(staff):
    version = imported(staff, "three_parties")
    assert version.layout == Version.Layout.PARTIES
    assert not version.themes.exists()
    assert version.parties.count() == 3
    assert version.parties.get(name="Provider collaborative").column_heading == "Provider collaborative"
    assert version.commitments.filter(theme__isnull=True).count() == 7


def test_paired_rows_import_twelve_pairs_and_a_closing_section(staff):
    version = imported(staff, "paired_rows")
    assert version.layout == Version.Layout.ROWS
    council, community = version.parties.order_by("position")
    for row in range(1, 13):
        pair = version.commitments.filter(row=row)
        assert sorted(c.party_id for c in pair) == [council.pk, community.pk]
    assert version.commitments.get(row=3, party=council).text == (
        "Fund the partnership’s core team for three years [2026–2029]."
    )
    assert version.sections.get().placement == "after"
    assert services.readiness_problems(version=version) == []


# --- verbatim on every page -----------------------------------------------------------------
@pytest.mark.parametrize("name", SHAPES)
def test_every_commitment_reads_verbatim_and_escaped_once_on_the_public_page(client, staff, name):
    version = published(staff, name)
    html = client.get(reverse("compact:detail", kwargs={"slug": version.compact.slug})).content.decode()
    assert "&amp;amp;" not in html and "&amp;#" not in html
    for commitment in version.commitments.all():
        assert escaped(commitment.text) in html
    # No empty column: every column heading shown has a commitment under it.
    assert "No commitments yet." not in html
    assert 'class="app-empty"' not in html


@pytest.mark.parametrize("name", SHAPES)
def test_commitments_appear_in_their_column_theme_and_order_on_the_public_page(client, staff, name):
    version = published(staff, name)
    html = client.get(reverse("compact:detail", kwargs={"slug": version.compact.slug})).content.decode()
    last = -1
    for theme in [*version.themes.order_by("position"), None]:
        commitments = version.commitments.filter(theme=theme)
        if version.layout == Version.Layout.ROWS:
            commitments = commitments.order_by("row", "party__position")
        else:
            commitments = commitments.order_by("party__position", "position")
        for commitment in commitments:
            where = html.index(f'/commitments/{commitment.key}/"')
            assert where > last, commitment.text
            last = where


@pytest.mark.parametrize(
    "name",
    [
        "themes_two_parties",
        "one_party_themes",
        "three_parties",
        "paired_rows",
        "facing_columns",
        "rows_with_notes_no_vision",
    ],
)
def test_every_commitment_reads_verbatim_on_the_round_page(client, staff, leader, name):
    version = imported(staff, name)
    now = timezone.now()
    round = consultation_services.schedule_round(
        actor=staff,
        version=version,
        title="Spring consultation",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=14),
    )
    client.force_login(leader)
    response = client.get(reverse("consultation:round", kwargs={"pk": round.pk}) + "?theme=all")
    assert response.status_code == 200
    html = response.content.decode()
    assert "&amp;amp;" not in html
    for commitment in version.commitments.all():
        assert escaped(commitment.text) in html, commitment.text


@pytest.mark.parametrize("name", SHAPES)
def test_every_commitment_reads_verbatim_in_the_pdf(staff, name):
    version = published(staff, name)
    reader = PdfReader(io.BytesIO(pdf.render(version)))
    text = squash(" ".join(page.extract_text() for page in reader.pages))
    for commitment in version.commitments.all():
        assert squash(commitment.text) in text, commitment.text


# --- round trip -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", SHAPES)
def test_an_export_imports_again_as_the_next_draft_with_the_same_content_hash(staff, name):
    version = published(staff, name)
    exported = interchange.serialise(version)
    again = interchange.import_compact(actor=staff, text=exported, compact=version.compact)
    assert again.compute_content_hash() == version.content_hash
    assert interchange.serialise(again) == exported


@pytest.mark.parametrize("name", SHAPES)
def test_an_export_moved_to_a_site_without_it_keeps_its_keys_and_its_fingerprint(staff, name):
    draft = imported(staff, name)
    exported, fingerprint = interchange.serialise(draft), draft.compute_content_hash()
    # Another installation: nothing of the compact is there (a draft can be deleted; a frozen
    # version cannot, so the move is played with one).
    draft.compact.delete()
    moved = interchange.import_compact(actor=staff, text=exported)
    assert moved.compute_content_hash() == fingerprint
    assert interchange.serialise(moved) == exported


@pytest.mark.parametrize("name", SHAPES)
def test_an_export_imported_as_a_new_compact_on_the_same_site_has_a_fingerprint_of_its_own(
    client, staff, name
):
    version = published(staff, name)
    exported = interchange.serialise(version)
    copy = interchange.import_compact(actor=staff, text=exported.replace(version.compact.title, "Copy", 1))
    services.ratify(actor=staff, version=copy)
    copy = services.publish(actor=staff, version=copy)
    # Retitled alike, the copy's text still differs: its keys are its own.
    copy.compact.title = version.compact.title
    assert copy.compute_content_hash() != version.content_hash
    assert not {c.key for c in copy.commitments.all()} & {c.key for c in version.commitments.all()}
    # Each fingerprint names one version of one compact.
    for fingerprint, shown, other in (
        (version.content_hash, version.compact, copy.compact),
        (copy.content_hash, copy.compact, version.compact),
    ):
        html = client.get(reverse("compact:verify") + f"?fingerprint={fingerprint}").content.decode()
        assert shown.get_absolute_url() in html and other.get_absolute_url() not in html


def test_an_export_imported_as_the_next_draft_of_its_compact_hashes_the_same(staff):
    version = published(staff, "paired_rows")
    draft = interchange.import_compact(
        actor=staff, text=interchange.serialise(version), compact=version.compact
    )
    assert draft.number == 2 and draft.status == Version.Status.DRAFT
    assert draft.based_on == version
    assert draft.compute_content_hash() == version.content_hash


def test_an_order_across_columns_that_is_not_the_default_survives_the_round_trip(staff):
    version = imported(staff, "themes_two_parties")
    theme = version.themes.get(title="Creating the right environment")
    leaders = version.parties.get(name="Senior leaders")
    # Added on the drafting page after the others: it sorts after the board's third.
    services.add_part(
        actor=staff, version=version, model=Commitment, theme=theme, party=leaders, text="We’ll turn up."
    )
    services.move_part(actor=staff, part=version.commitments.get(text="We’ll turn up."), direction="up")
    version = services.ratify(actor=staff, version=version)
    exported = interchange.serialise(version)
    assert " @" in exported
    draft = interchange.import_compact(actor=staff, text=exported, compact=version.compact)
    assert draft.compute_content_hash() == version.content_hash


def test_a_commitment_with_a_line_break_and_prose_that_looks_like_a_heading_round_trip(staff):
    version = imported(staff, "three_parties")
    services.update_vision(actor=staff, version=version, vision="First line\n## not a heading\n\\# nor this")
    council = version.commitments.filter(party__name="Eastmoor Council").first()
    services.change_part(actor=staff, part=council, text="Line one\nline two")
    version = services.ratify(actor=staff, version=version)
    draft = interchange.import_compact(
        actor=staff, text=interchange.serialise(version), compact=version.compact
    )
    assert draft.vision == version.vision
    assert draft.compute_content_hash() == version.content_hash


def test_the_demo_style_compact_made_on_the_drafting_page_round_trips(staff):
    from tests.factories import published_version

    version = published_version(staff=staff)
    draft = interchange.import_compact(
        actor=staff, text=interchange.serialise(version), compact=version.compact
    )
    assert draft.compute_content_hash() == version.content_hash


@pytest.mark.parametrize(
    "name", ["moorland_and_coast", "estuary_partnership", "themes_two_parties", "rows_with_notes_no_vision"]
)
def test_closing_sections_are_exported_after_the_commitments_with_their_kind(staff, name):
    version = published(staff, name)
    exported = interchange.serialise(version)
    lines = exported.split("\n")
    parties = lines.index("## Parties")
    last_block = max(i for i, line in enumerate(lines) if line.startswith(("## Theme:", "## Commitments")))
    sections = list(version.sections.order_by("position"))
    assert any(s.placement == "after" for s in sections) and any(s.kind != "other" for s in sections)
    for section in sections:
        at = lines.index(f"## Section: {section.heading}".rstrip())
        if section.placement == "after":
            assert at > last_block, section.heading  # where it reads: after the commitments
        else:
            assert at < parties, section.heading
        assert lines[at + 1] == f"Placement: {section.placement}"
        assert (lines[at + 2] == f"Kind: {section.kind}") == (section.kind != "other"), section.heading
    # Import → export → import: the same fingerprint, the same text, the same sections.
    again = interchange.import_compact(actor=staff, text=exported, compact=version.compact)
    assert again.compute_content_hash() == version.content_hash
    assert interchange.serialise(again) == exported
    assert [(s.heading, s.placement, s.kind, s.body) for s in again.sections.order_by("position")] == [
        (s.heading, s.placement, s.kind, s.body) for s in sections
    ]


def test_a_closing_section_that_stands_before_an_opening_one_keeps_its_place(staff):
    """Sections made on the drafting page in any order: only the closing run that ends the list
    moves after the commitments, so the order (part of the fingerprint) survives."""
    text = fixture("moorland_and_coast").replace(
        "## Section: Why we wrote it together",
        "## Section: Who signs – and when\nPlacement: after\nKind: other\n\n"
        "The chair & the chief executive sign for the Board.\n\n"
        "## Section: Why we wrote it together",
    )
    version = interchange.import_compact(actor=staff, text=text)
    assert [s.placement for s in version.sections.order_by("position")] == ["after", "before", "after"]
    version = services.ratify(actor=staff, version=version)
    exported = interchange.serialise(version)
    lines = exported.split("\n")
    assert lines.index("## Section: Who signs – and when") < lines.index("## Parties")
    assert lines.index("## Section: How we will keep it alive") > lines.index("## Parties")
    again = interchange.import_compact(actor=staff, text=exported, compact=version.compact)
    assert again.compute_content_hash() == version.content_hash
    assert interchange.serialise(again) == exported


# --- the outline's rules ----------------------------------------------------------------------
def test_keys_are_carried_over_by_wording_when_a_file_has_none(staff):
    version = published(staff, "three_parties")
    draft = interchange.import_compact(actor=staff, text=fixture("three_parties"), compact=version.compact)
    assert {c.key for c in draft.commitments.all()} == {c.key for c in version.commitments.all()}
    assert draft.compute_content_hash() == version.content_hash


def test_a_draft_with_text_is_never_overwritten(staff):
    version = published(staff, "three_parties")
    services.start_new_draft(actor=staff, compact=version.compact)
    with pytest.raises(ImportRefused) as refused:
        interchange.import_compact(actor=staff, text=fixture("three_parties"), compact=version.compact)
    assert "already being drafted" in str(refused.value.problems[0])
    assert version.compact.versions.count() == 2


def test_a_file_whose_title_differs_from_the_compacts_is_refused(staff):
    version = published(staff, "three_parties")
    with pytest.raises(ImportRefused) as refused:
        interchange.import_compact(actor=staff, text=fixture("paired_rows"), compact=version.compact)
    assert refused.value.problems[0].line == 1


def test_a_leader_cannot_import(leader):
    with pytest.raises(services.NotAllowed):
        interchange.import_compact(actor=leader, text=fixture("three_parties"))
    assert not Compact.objects.exists()


GOOD = """# A compact
Layout: themes

## Vision

We work together.

## Parties

- The Trust
- Our staff

## Theme: Listening

### The Trust

- We will listen.

### Our staff

- We will speak up.
"""


def problems_of(text):
    return [(p.line, p.message) for p in parse(text).problems]


def test_the_good_outline_has_no_problems():
    assert problems_of(GOOD) == []


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("### Our staff", "### Our volunteers"), 19, "“Our volunteers” is not one of the parties"),
        (("- We will speak up.", "- "), 21, "This commitment is empty"),
        (("- Our staff", "- The Trust"), 11, "is listed twice"),
        (("- Our staff", "- Our staff\n- " + "x" * 151), 12, "the most is 150"),
        (("- We will listen.", "- " + "y" * 2001), 17, "2,001 characters; the most is 2,000"),
        (("# A compact", "#"), 1, "title"),
        # A vision is optional (some compacts have none): only its heading's length is checked.
        (("## Vision", "## Vision: " + "v" * 201), 4, "The vision’s heading is 201 characters"),
        (("- Our staff\n", ""), 8, "at least 2 parties"),
        (
            ("## Theme: Listening", "## Theme: Listening\nParties: Our volunteers"),
            14,
            "not one of the parties",
        ),
        (("## Theme: Listening", "## Theme: Listening {#11111111-1111-4111-8111-111111111111}"), 14, None),
        (("## Vision", "## Visions"), 4, "is not a part of a compact"),
        (("- We will listen.", "We will listen."), 17, "Start each commitment with “- ”"),
        (("Layout: themes", "Layout: grid"), 2, "“grid” is not a layout"),
    ],
)
def test_each_kind_of_bad_outline_is_refused_with_its_line(change, line, words):
    problems = problems_of(GOOD.replace(*change))
    if words is None:
        assert problems == []
        return
    assert any(at == line and words in message for at, message in problems), problems


def test_a_duplicate_key_and_a_duplicate_theme_are_refused_with_their_lines():
    key = "{#11111111-1111-4111-8111-111111111111}"
    text = GOOD.replace("- We will listen.", f"- We will listen. {key}").replace(
        "- We will speak up.",
        f"- We will speak up. {key}\n\n## Theme: listening\n\n### The Trust\n\n- Again.",
    )
    problems = problems_of(text)
    assert (
        21,
        "The key 11111111-1111-4111-8111-111111111111 of this commitment is already used on line 17.",
    ) in problems
    assert any(at == 23 and "given twice" in message for at, message in problems)


def test_a_pair_with_two_commitments_of_one_party_is_refused():
    text = fixture("paired_rows").replace(
        "- Community partners: Tell us what matters most",
        "- Harbourside Council & NHS: Tell us what matters most",
    )
    problems = parse(text).problems
    assert (
        len(problems) == 1
        and "Row 1 already has a commitment of “Harbourside Council & NHS”" in problems[0].message
    )
    assert text.split("\n")[problems[0].line - 1].startswith("- Harbourside Council & NHS: Tell us")


def test_a_bad_file_saves_nothing(staff):
    with pytest.raises(ImportRefused):
        interchange.import_compact(actor=staff, text=GOOD.replace("### Our staff", "### Nobody"))
    assert not Compact.objects.exists() and not Version.objects.exists()


def test_windows_line_endings_and_a_byte_order_mark_import_the_same(staff):
    version = interchange.import_compact(actor=staff, text="\ufeff" + GOOD.replace("\n", "\r\n"))
    assert version.vision == "We work together."
    assert version.commitments.count() == 2


# --- the commands -------------------------------------------------------------------------------
def test_import_and_export_commands_round_trip(tmp_path, staff):
    source = FIXTURES / "one_party_themes.md"
    out = io.StringIO()
    call_command("import_compact", str(source), stdout=out)
    compact = Compact.objects.get()
    assert compact.slug in out.getvalue()
    target = tmp_path / "out.md"
    call_command("export_compact", compact.slug, "--version", "1", "-o", str(target))
    text = target.read_text(encoding="utf-8")
    assert parse(text).problems == []
    stdout = io.StringIO()
    call_command("export_compact", compact.slug, stdout=stdout)
    assert stdout.getvalue() == text


def test_import_command_reports_each_problem_and_saves_nothing(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.md"
    bad.write_text(GOOD.replace("### Our staff", "### Nobody"), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_compact", str(bad))
    assert "Line 19" in str(error.value)
    assert not Compact.objects.exists()


def test_the_documented_example_imports_as_it_is_described(staff):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "compact-format.md").read_text(encoding="utf-8")
    example = re.search(r"```markdown\n(.*?)```", docs, re.S).group(1)
    version = interchange.import_compact(actor=staff, text=example)
    assert version.themes.count() == 2 and version.sections.filter(placement="after").count() == 1
    flexible = version.commitments.get(text__startswith="Offer flexible working")
    assert flexible.text.endswith("explain why in writing and look again every six months.")
    assert services.readiness_problems(version=version) == []


def test_a_themes_parties_may_be_separated_by_commas_or_semicolons():
    text = GOOD.replace("## Theme: Listening", "## Theme: Listening\nParties: The Trust, Our staff")
    assert problems_of(text) == []
    assert parse(text).themes[0].parties == ["The Trust", "Our staff"]
    one = parse(
        GOOD.replace("- The Trust", "- The Trust, Leeds")
        .replace("### The Trust", "### The Trust, Leeds")
        .replace("## Theme: Listening", "## Theme: Listening\nParties: The Trust, Leeds; Our staff")
    )
    assert one.problems == [] and one.themes[0].parties == ["The Trust, Leeds", "Our staff"]


def test_the_pdf_shows_no_empty_column_for_themes_of_one_party(staff):
    version = published(staff, "one_party_themes")
    reader = PdfReader(io.BytesIO(pdf.render(version)))
    text = squash(" ".join(page.extract_text() for page in reader.pages))
    # Each theme holds one party: its column, and only its column, is printed.
    assert text.count("As your employer, we will…") == 3
    assert text.count("As members of staff, we will…") == 3


def test_a_layout_line_copied_with_its_choices_still_reads():
    text = fixture("paired_rows").replace("Layout: rows", "Layout: rows            (themes | parties | rows)")
    parsed = parse(text)
    assert parsed.problems == [] and parsed.layout == "rows"


def test_commitments_typed_without_a_party_heading_are_pointed_to_it():
    problems = problems_of(
        GOOD.replace("### The Trust\n\n", "").replace("### Our staff\n\n- We will speak up.\n", "")
    )
    assert any(
        at == 13 and "has no commitments: list them under “### ” and a party’s name" in message
        for at, message in problems
    ), problems
