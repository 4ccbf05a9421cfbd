"""No invented text: a compact without a vision shows none, a vision's heading is the compact's own
(or none), a section may have no heading, a column's heading is its own or the party's name, and a
column's note and closing line stand where the compact puts them — on the public page, the round
page and the PDF, and through export and import. Versions that use none of this keep their
fingerprints."""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from compact import interchange, pdf, services
from compact.models import Version
from tests.consultation.factories import open_round

pytestmark = pytest.mark.django_db

COMPACTS = Path(__file__).parent / "compacts"


def outline(name):
    return (COMPACTS / f"{name}.md").read_text("utf-8")


def published(staff, name):
    version = interchange.import_compact(actor=staff, text=outline(name))
    services.ratify(actor=staff, version=version)
    return services.publish(actor=staff, version=version)


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


def test_a_compact_without_a_vision_is_ready_and_no_page_invents_one(client, staff, leader):
    version = published(staff, "rows_with_notes_no_vision")
    assert version.vision == "" and "vision_heading" not in version.canonical_text()
    html = client.get(version.compact.get_absolute_url()).content.decode()
    assert "Our shared vision" not in html and "No shared vision" not in html
    assert "What Eastgate" not in html and "What Member practices" not in html
    draft = interchange.import_compact(
        actor=staff,
        text=outline("rows_with_notes_no_vision").replace(
            "# The Eastgate Primary Care Network Practice Agreement", "# Eastgate, the draft"
        ),
    )
    round = open_round(staff=staff, version=draft)
    client.force_login(leader)
    html = client.get(reverse("consultation:round", kwargs={"pk": round.pk})).content.decode()
    assert "Our shared vision" not in html


def test_a_section_without_a_heading_reads_without_one(client, staff):
    version = published(staff, "rows_with_notes_no_vision")
    untitled = version.sections.get(heading="")
    html = client.get(version.compact.get_absolute_url()).content.decode()
    section = re.search(r'<section class="app-section">(.*?)</section>', html, flags=re.S).group(1)
    assert "<h2" not in section and "1 April 2027 – and is reviewed every “spring”." in section
    assert untitled.placement == "before"


def test_a_columns_note_stands_under_its_heading_and_its_closing_line_at_its_foot(client, staff):
    version = published(staff, "rows_with_notes_no_vision")
    network, practices = version.parties.order_by("position")
    html = client.get(version.compact.get_absolute_url()).content.decode()
    first_pair = html.index("Employ the additional roles")
    last_pair = html.index("change their list size by more than 10%.")
    for party in (network, practices):
        assert html.index(party.note) < first_pair
        assert html.index(party.closing) > last_pair
    text = squash(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.render(version))).pages))
    assert text.index(squash(network.note)) < text.index("Employ the additional roles")
    assert text.index(squash(practices.closing)) > text.index("more than 10%.")


def test_a_vision_heading_the_compact_gives_is_shown_and_fingerprinted(client, staff):
    version = published(staff, "facing_columns")
    assert version.vision_heading == "Our ambition"
    assert version.canonical_text()["vision_heading"] == "Our ambition"
    html = client.get(version.compact.get_absolute_url()).content.decode()
    assert '<h2 class="nhsuk-heading-l" id="vision-heading">Our ambition</h2>' in html
    assert "Our shared vision" not in html
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.render(version))).pages)
    assert "Our ambition" in text and "Our shared vision" not in text
    exported = interchange.serialise(version)
    assert "## Vision: Our ambition\n" in exported


def test_notes_closings_and_headings_round_trip_through_export_and_a_new_draft(staff):
    version = published(staff, "rows_with_notes_no_vision")
    exported = interchange.serialise(version)
    assert "  Note: Through its clinical director and the network board." in exported
    assert "## Section:\n" in exported
    draft = interchange.import_compact(actor=staff, text=exported, compact=version.compact)
    assert draft.compute_content_hash() == version.content_hash
    copied = draft
    assert [p.closing for p in copied.parties.order_by("position")] == [
        p.closing for p in version.parties.order_by("position")
    ]


def test_a_vision_without_a_heading_is_written_as_an_empty_vision_heading(staff):
    text = outline("facing_columns").replace("## Vision: Our ambition", "## Vision:")
    version = interchange.import_compact(actor=staff, text=text)
    assert version.vision_heading == "" and version.canonical_text()["vision_heading"] == ""
    assert "\n## Vision:\n" in interchange.serialise(version)


def test_a_version_using_none_of_the_new_text_keeps_its_canonical_text(staff):
    version = published(staff, "themes_two_parties")
    canonical = version.canonical_text()
    assert "vision_heading" not in canonical
    assert all(set(p) <= {"key", "name", "heading"} for p in canonical["parties"])
    assert version.compute_content_hash() == version.content_hash
    assert version.vision_heading == Version.DEFAULT_VISION_HEADING


def test_a_new_draft_copies_the_vision_heading_and_each_columns_note_and_closing(staff):
    version = published(staff, "rows_with_notes_no_vision")
    draft = services.copy_version(source=version, created_by=staff)
    assert draft.vision_heading == version.vision_heading
    assert draft.compute_content_hash() == version.content_hash


def test_changing_a_column_heading_on_the_drafting_page_keeps_its_note_and_closing(staff, staff_client):
    from tests.compact.test_layouts import edit_url

    version = interchange.import_compact(actor=staff, text=outline("rows_with_notes_no_vision"))
    network = version.parties.get(name="Eastgate Primary Care Network")
    response = staff_client.post(
        edit_url(version, "parties", network), {"name": network.name, "heading": "We give"}
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.heading == "We give"
    assert network.note == "Through its clinical director and the network board."
    assert network.closing == "Signed for the network by the clinical director."
