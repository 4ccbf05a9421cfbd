"""Staff import a compact by pasting or uploading its outline: preview first, save on confirm."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compact import interchange, services
from compact.models import Compact, Version

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "compacts"
URL = reverse("compact:staff_import")


def fixture(name):
    return (FIXTURES / f"{name}.md").read_text(encoding="utf-8")


def hidden_text(html):
    """The outline as the preview page carries it to the confirm step (as a browser would send it)."""
    import html as html_module

    value = re.search(r'<input type="hidden" name="text" value="([^"]*)"', html).group(1)
    return html_module.unescape(value)


def test_staff_preview_a_pasted_compact_as_its_public_page_and_nothing_is_saved(staff_client):
    response = staff_client.post(URL, {"text": fixture("paired_rows"), "compact": "", "action": "preview"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Check the compact before you import it" in html
    assert "Nothing has been saved yet." in html
    assert "The Harbourside Partnership Agreement" in html
    # The public page's own layout: column headings and pairs, escaped once.
    assert "We give" in html and "We get" in html
    assert "Fund the partnership’s core team for three years [2026–2029]." in html
    assert "Harbourside Council &amp; NHS" in html and "&amp;amp;" not in html
    assert html.count('class="nhsuk-table__row app-pair"') == 12
    assert not Compact.objects.exists() and not Version.objects.exists()


def test_staff_confirm_the_preview_and_get_a_draft_with_the_same_text(staff_client):
    preview = staff_client.post(URL, {"text": fixture("themes_two_parties"), "action": "preview"})
    carried = hidden_text(preview.content.decode())
    assert carried == fixture("themes_two_parties")
    response = staff_client.post(URL, {"text": carried, "compact": "", "action": "confirm"})
    version = Version.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "compact:staff_version", kwargs={"slug": version.compact.slug, "number": 1}
    )
    assert version.status == Version.Status.DRAFT and version.commitments.count() == 9
    assert services.readiness_problems(version=version) == []


def test_staff_upload_a_markdown_file_and_preview_it(staff_client):
    upload = SimpleUploadedFile("compact.md", fixture("three_parties").encode("utf-8"), "text/markdown")
    response = staff_client.post(URL, {"file": upload, "action": "preview"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Say “no” early when we can&#x27;t deliver, and explain why¹." in html
    assert hidden_text(html) == fixture("three_parties")
    assert not Compact.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("compact.md", "# Café".encode("latin-1"), "not UTF-8 text"),
        ("compact.md", b"\x00\x01\x02binary", "not plain text"),
        ("compact.pdf", b"%PDF-1.7", "Choose a .md or .txt file"),
    ],
)
def test_a_file_that_is_not_utf8_text_is_refused_with_a_message(staff_client, name, content, message):
    response = staff_client.post(URL, {"file": SimpleUploadedFile(name, content), "action": "preview"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Compact.objects.exists()


BAD = {
    "an unknown party": (
        ("### Senior leaders", "### Junior leaders"),
        "“Junior leaders” is not one of the parties",
    ),
    "an empty commitment": (
        ("- We will share what we learn with other leaders across the system.", "-"),
        "This commitment is empty",
    ),
    "a duplicate party": (("- Senior leaders |", "- The Trust board |"), "is listed twice"),
    "a duplicate theme": (
        ("## Theme: Listening and communicating", "## Theme: Creating the right environment"),
        "is given twice",
    ),
    "text over the limit": (
        ("- We will listen before we decide", "- " + "x" * 2000 + " We will listen"),
        "the most is 2,000",
    ),
    "a missing title": (("# The Northfield Leadership Compact", "#"), "Give the compact a title"),
    "a vision heading over its limit": (("## Vision", "## Vision: " + "v" * 201), "the most is 200"),
    "fewer than two parties": (
        ("- Senior leaders | What senior leaders will do\n", ""),
        "at least 2 parties",
    ),
}


@pytest.mark.parametrize("kind", BAD)
def test_the_preview_refuses_each_kind_of_bad_input_with_its_line_and_keeps_the_text(staff_client, kind):
    (old, new), words = BAD[kind]
    text = fixture("themes_two_parties").replace(old, new, 1)
    expected = [p for p in interchange.parse(text).problems if words in p.message]
    assert expected, kind
    response = staff_client.post(URL, {"text": text, "action": "preview"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing has been saved." in html
    import html as html_module

    assert html_module.escape(f"Line {expected[0].line}: {expected[0].message}", quote=False) in html.replace(
        "&#x27;", "'"
    )
    # What the person typed is all still there to fix.
    assert html_module.escape(text[:200], quote=False) in html.replace("&#x27;", "'").replace("&quot;", '"')
    assert not Compact.objects.exists()


def test_a_pair_with_two_commitments_of_one_party_is_refused_with_its_line(staff_client):
    text = fixture("paired_rows").replace(
        "- Community partners: Provide a named lead", "- Harbourside Council & NHS: Provide a named lead"
    )
    line = (
        text.split("\n").index(
            "- Harbourside Council & NHS: Provide a named lead & cover for them when they're away."
        )
        + 1
    )
    response = staff_client.post(URL, {"text": text, "action": "preview"})
    assert response.status_code == 400
    assert (
        f"Line {line}: Row 3 already has a commitment of “Harbourside Council &amp; NHS”"
        in response.content.decode()
    )


def test_a_confirm_with_a_tampered_outline_saves_nothing(staff_client):
    text = fixture("three_parties").replace("### Provider collaborative", "### Nobody")
    response = staff_client.post(URL, {"text": text, "action": "confirm"})
    assert response.status_code == 400
    assert "“Nobody” is not one of the parties" in response.content.decode()
    assert not Compact.objects.exists() and not Version.objects.exists()


def test_staff_import_the_next_draft_of_an_existing_compact(staff_client, staff):
    version = interchange.import_compact(actor=staff, text=fixture("three_parties"))
    services.ratify(actor=staff, version=version)
    text = fixture("three_parties").replace("each month.", "each week.")
    preview = staff_client.post(URL, {"text": text, "compact": version.compact.slug, "action": "preview"})
    assert "The next draft of “The Eastmoor System Compact”" in preview.content.decode()
    staff_client.post(URL, {"text": text, "compact": version.compact.slug, "action": "confirm"})
    draft = version.compact.versions.get(number=2)
    assert draft.commitments.filter(text__endswith="each week.").exists()
    # Unchanged commitments keep their keys, so their history follows them.
    assert (
        draft.commitments.get(text__startswith="Treat each other").key
        == version.commitments.get(text__startswith="Treat each other").key
    )


def test_importing_over_a_draft_with_text_is_refused(staff_client, staff):
    version = interchange.import_compact(actor=staff, text=fixture("three_parties"))
    response = staff_client.post(
        URL, {"text": fixture("three_parties"), "compact": version.compact.slug, "action": "preview"}
    )
    assert response.status_code == 400
    assert "already being drafted" in response.content.decode()
    assert version.compact.versions.count() == 1


def test_change_the_outline_returns_to_the_form_with_the_text(staff_client):
    response = staff_client.post(URL, {"text": fixture("three_parties"), "action": "edit"})
    assert response.status_code == 200
    assert "Eastmoor ICB | The integrated care board will" in response.content.decode()


def test_leaders_and_visitors_cannot_import(client, leader_client):
    assert leader_client.get(URL).status_code == 403
    assert leader_client.post(URL, {"text": fixture("three_parties"), "action": "confirm"}).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302
    assert not Compact.objects.exists()


def test_staff_without_two_factor_are_sent_to_set_it_up(staff_client, settings):
    settings.STAFF_REQUIRE_MFA = True
    response = staff_client.post(URL, {"text": fixture("three_parties"), "action": "confirm"})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert not Compact.objects.exists()


# --- download as text ----------------------------------------------------------------------
def test_anyone_downloads_a_published_version_as_text_from_its_page(client, staff):
    version = interchange.import_compact(actor=staff, text=fixture("one_party_themes"))
    services.ratify(actor=staff, version=version)
    services.publish(actor=staff, version=version)
    page = client.get(reverse("compact:detail", kwargs={"slug": version.compact.slug})).content.decode()
    url = reverse("compact:text", kwargs={"slug": version.compact.slug, "number": 1})
    assert f'href="{url}"' in page and "Download as text" in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content.decode() == interchange.serialise(Version.objects.get(pk=version.pk))


def test_a_draft_as_text_is_for_staff_only(client, staff_client, staff, leader):
    version = interchange.import_compact(actor=staff, text=fixture("one_party_themes"))
    url = reverse("compact:text", kwargs={"slug": version.compact.slug, "number": 1})
    assert staff_client.get(url).status_code == 200
    client.force_login(leader)
    assert client.get(url).status_code == 404


def test_an_outline_pasted_without_any_text_asks_for_one(staff_client):
    response = staff_client.post(URL, {"text": "  \n", "action": "preview"})
    assert response.status_code == 400
    assert "Paste the outline of the compact, or choose a file to upload." in response.content.decode()


def test_import_the_next_draft_from_a_compacts_own_page(staff_client, staff):
    version = interchange.import_compact(actor=staff, text=fixture("three_parties"))
    services.ratify(actor=staff, version=version)
    manage = staff_client.get(reverse("compact:staff_compact", kwargs={"slug": version.compact.slug}))
    link = f"{URL}?compact={version.compact.slug}"
    assert f'href="{link}"' in manage.content.decode()
    form = staff_client.get(link).content.decode()
    assert f'<option value="{version.compact.slug}" selected>' in form
