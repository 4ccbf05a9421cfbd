"""The import page's problems each take the person to their line, the page explains `Kind:` and
the default column heading, and nothing on the preview links to a page that does not exist
(issue 28, item 8)."""

import html as html_module
import re
from pathlib import Path

import pytest
from django.urls import reverse

from compact.models import Compact

pytestmark = pytest.mark.django_db

URL = reverse("compact:staff_import")
FIXTURES = Path(__file__).parent / "compacts"


def fixture(name):
    return (FIXTURES / f"{name}.md").read_text(encoding="utf-8")


def with_three_mistakes():
    """The Moorland & Coast outline with a party misnamed, a kind mistyped and a commitment left
    empty, as a person might send it: (text, {line number: what the line reads})."""
    text = (
        fixture("moorland_and_coast")
        .replace("### Our colleagues\n\n- Swap shifts", "### Our colleages\n\n- Swap shifts")
        .replace("Kind: sustain", "Kind: sustaining")
        .replace("- Never treat someone worse", "-\n- Never treat someone worse")
    )
    lines = text.split("\n")
    wrong = {
        lines.index("### Our colleages") + 1: "### Our colleages",
        lines.index("Kind: sustaining") + 1: "Kind: sustaining",
        lines.index("-") + 1: "-",
    }
    return text, wrong


def test_each_problem_links_to_its_line_and_the_box_keeps_everything_typed(staff_client):
    text, wrong = with_three_mistakes()
    response = staff_client.post(URL, {"text": text, "compact": "", "action": "preview"})
    assert response.status_code == 400
    page = response.content.decode()
    assert not Compact.objects.exists()

    summary = page[page.index('class="nhsuk-error-summary"') : page.index('id="outline-lines-heading"')]
    links = re.findall(r'<a href="#(line-\d+)" data-outline-line="(\d+)">Line (\d+): ([^<]*)</a>', summary)
    assert {int(number) for _, number, _, _ in links} == set(wrong)
    for anchor, number, shown, _message in links:
        assert anchor == f"line-{number}" and shown == number
        # The anchor is on the page: the line, numbered, as typed (escaped once), marked.
        item = re.search(rf'<li id="{anchor}" class="([^"]*)">(.*?)</li>', page, flags=re.S)
        assert item is not None, anchor
        assert "app-outline-lines__line--problem" in item.group(1)
        assert f'<span class="app-outline-lines__number">{number}</span>' in item.group(2)
        assert f'<code class="app-outline-lines__text">{wrong[int(number)]}</code>' in item.group(2)
    # Every line is there, numbered in order, and the box still holds all of it.
    numbered = re.findall(r'<li id="line-(\d+)"', page)
    assert [int(n) for n in numbered] == list(range(1, len(text.split("\n")) + 1))
    box = re.search(r'<textarea[^>]*name="text"[^>]*>\n(.*?)</textarea>', page, flags=re.S).group(1)
    assert html_module.unescape(box) == text
    # Quotes, dashes and ampersands in the numbered copy are escaped once, never twice.
    assert "Moorland &amp; Coast" in page and "&amp;amp;" not in page
    assert "We want Moorland &amp; Coast to be a place where people say “I’d recommend" in page


def test_the_error_summary_is_the_one_nhsuk_frontend_focuses(staff_client):
    text, _wrong = with_three_mistakes()
    page = staff_client.post(URL, {"text": text, "action": "preview"}).content.decode()
    summaries = re.findall(r'<div class="nhsuk-error-summary"[^>]*>', page)
    assert summaries == ['<div class="nhsuk-error-summary" data-module="nhsuk-error-summary" tabindex="-1">']
    # The enhancement that selects a line in the box is a file of its own (the CSP allows no
    # inline script), loaded only when there are problems.
    assert re.search(r'<script type="module" src="/static/js/outline-lines[.\w]*\.js"></script>', page)
    assert "<script>" not in page
    clean = staff_client.get(URL).content.decode()
    assert "outline-lines" not in clean and "nhsuk-error-summary" not in clean


def test_a_problem_not_on_any_line_links_to_the_box(staff_client):
    # An empty outline: the one problem is about the box, not a line of it.
    response = staff_client.post(URL, {"text": "   ", "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 400 and 'href="#id_text"' in page and 'id="line-' not in page


def test_a_problem_on_a_title_in_use_links_to_line_one_and_to_the_compact(staff_client, staff):
    from compact import interchange

    existing = interchange.import_compact(actor=staff, text=fixture("moorland_and_coast"))
    page = staff_client.post(
        URL, {"text": fixture("moorland_and_coast"), "action": "preview"}
    ).content.decode()
    assert '<a href="#line-1" data-outline-line="1">Line 1: A compact called' in page
    assert f'href="{existing.compact.get_absolute_url()}"' in page and 'id="line-1"' in page


def test_the_page_says_what_kind_does_and_how_a_column_is_headed_without_a_heading(staff_client):
    page = html_module.unescape(staff_client.get(URL).content.decode())
    assert "Kind: why" in page.replace("<code>", "").replace("</code>", "")
    assert "it does not change how the section reads or where it stands" in page
    assert "without one, the column is headed with the party’s name" in page
    assert "will do" not in page


def test_a_column_without_a_heading_is_headed_with_the_partys_name_in_the_preview(staff_client):
    text = fixture("moorland_and_coast").replace(
        "- Our colleagues | What we ask of each other", "- Our colleagues"
    )
    page = staff_client.post(URL, {"text": text, "action": "preview"}).content.decode()
    assert "Check the compact before you import it" in page
    headings = re.findall(r'<h3 class="nhsuk-heading-s app-column__heading">(.*?)</h3>', page)
    assert headings and set(headings) == {"What the Trust promises you", "Our colleagues"}
    assert "will do" not in page


@pytest.mark.parametrize("as_next_draft", [False, True])
def test_every_link_in_the_preview_leads_somewhere(staff_client, staff, as_next_draft):
    from compact import interchange, services

    text, target = fixture("moorland_and_coast"), ""
    if as_next_draft:
        version = interchange.import_compact(actor=staff, text=text)
        services.ratify(actor=staff, version=version)
        services.publish(actor=staff, version=version)
        text, target = interchange.serialise(version), version.compact.slug
        text = text.replace("Pay you correctly and on time", "Pay you correctly, in full and on time")
    text = text.replace(
        "Anyone may propose a change at any time",
        "Anyone can [check a copy](/verify/). Anyone may propose a change at any time",
    )
    page = staff_client.post(URL, {"text": text, "compact": target, "action": "preview"}).content.decode()
    assert "Check the compact before you import it" in page
    preview = page[page.index('class="app-import-preview"') : page.index('action="' + URL + '"')]
    # A commitment's history belongs to a saved compact: the preview has none to link.
    assert "app-history-link" not in preview and "History" not in preview
    # Whatever else it links (a link typed in a section, a note) leads somewhere.
    internal = {href for href in re.findall(r'href="([^"#][^"]*)"', preview) if href.startswith("/")}
    assert "/verify/" in internal
    for href in internal:
        assert staff_client.get(html_module.unescape(href)).status_code == 200, href
