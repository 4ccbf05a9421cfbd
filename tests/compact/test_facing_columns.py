"""Facing columns, each with its own themes: the organisation's column lists its headings, the
staff column lists others, and the two face each other on the page and on paper."""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from compact import interchange, pdf, services
from compact.errors import DomainError
from compact.interchange import parse
from compact.models import Commitment, Theme, Version
from compact.verification import missing_piece

pytestmark = pytest.mark.django_db

FIXTURE = (Path(__file__).parent / "compacts" / "facing_columns.md").read_text(encoding="utf-8")
TRUST = "Northfield Community Health NHS Trust"


def published(staff):
    version = interchange.import_compact(actor=staff, text=FIXTURE)
    services.ratify(actor=staff, version=version)
    return services.publish(actor=staff, version=version)


def facing_columns(html):
    """{column heading: the HTML of that party's column} on a public page."""
    found = re.findall(
        r'<section class="app-facing__column"[^>]*>\s*<h2[^>]*>(.*?)</h2>(.*?)</section>\s*(?=<section class="app-facing__column"|</div>)',
        html,
        flags=re.S,
    )
    return {heading.strip(): body for heading, body in found}


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


def test_each_theme_of_a_facing_columns_outline_belongs_to_the_party_it_stands_under(staff):
    version = interchange.import_compact(actor=staff, text=FIXTURE)
    assert version.layout == Version.Layout.COLUMNS
    trust, people = version.parties.order_by("position")
    # "Taking responsibility" has no "Parties:" line: its one party heading names it.
    owners = {theme.title: theme.party_keys for theme in version.themes.all()}
    assert owners["Communications"] == [str(trust.key)]
    assert owners["Taking responsibility"] == [str(people.key)]
    assert services.readiness_problems(version=version) == []
    assert version.compute_content_hash() and version.canonical_text()["layout"] == "columns"


def test_the_public_page_shows_each_partys_own_themes_in_its_own_column(client, staff):
    version = published(staff)
    html = client.get(version.compact.get_absolute_url()).content.decode()
    columns = facing_columns(html)
    assert list(columns) == ["As an organisation, we will…", "As members of staff, you will…"]
    for theme in version.themes.select_related().all():
        owner = version.parties.get(key=theme.party_keys[0])
        own, other = (
            columns[owner.column_heading],
            next(body for heading, body in columns.items() if heading != owner.column_heading),
        )
        assert f">{theme.title}</h3>" in own and f">{theme.title}</h3>" not in other
        for commitment in theme.commitments.all():
            text = commitment.text.replace("'", "&#x27;")
            assert text in own and text not in other
    # The party's heading stands once over its column, not again over each of its themes.
    assert html.count("As an organisation, we will…") == 1


def test_the_pdf_prints_the_columns_facing_and_the_verifier_reads_it_back(staff):
    version = published(staff)
    reader = PdfReader(io.BytesIO(pdf.render(version)))
    pages = [page.extract_text() for page in reader.pages]
    text = squash(" ".join(pages))
    for commitment in version.commitments.all():
        assert squash(commitment.text) in text
    # Facing: both column headings head the table, and the first themes of each party stand on
    # one line of it, before either party's second theme.
    assert text.index("As an organisation, we will…") < text.index("As members of staff, you will…")
    assert text.index("Communications") < text.index("Making a difference") < text.index("Development")
    assert missing_piece(version, pages) is None


def test_a_theme_holding_two_parties_is_refused_in_facing_columns(staff):
    outline = FIXTURE.replace(
        "## Theme: Taking responsibility\n",
        "## Theme: Taking responsibility\n\n### Northfield Community Health NHS Trust\n\n- Say thank you.\n",
    )
    problems = [str(p) for p in parse(outline).problems]
    assert any("each theme belongs to one party" in p and "Taking responsibility" in p for p in problems)
    named_two = FIXTURE.replace("Parties: Our people\n", f"Parties: Our people; {TRUST}\n", 1)
    assert any("names 2" in str(p) for p in parse(named_two).problems)


def test_staff_cannot_choose_facing_columns_while_a_theme_holds_every_party(staff):
    from tests.factories import draft_version

    version = draft_version(themes=1)
    with pytest.raises(DomainError, match="each theme belongs to one party"):
        services.change_layout(actor=staff, version=version, layout=Version.Layout.COLUMNS)
    theme = version.themes.get()
    party = version.parties.order_by("position").first()
    Commitment.objects.filter(theme=theme).exclude(party=party).delete()
    Theme.objects.filter(pk=theme.pk).update(party_keys=[str(party.key)])
    services.change_layout(actor=staff, version=version, layout=Version.Layout.COLUMNS)
    assert services.readiness_problems(version=version) == []


def test_the_drafting_page_and_the_round_page_read_a_facing_columns_draft(client, staff):
    version = interchange.import_compact(actor=staff, text=FIXTURE)
    client.force_login(staff)
    url = reverse("compact:staff_version", kwargs={"slug": version.compact.slug, "number": version.number})
    html = client.get(url).content.decode()
    assert "No themes yet" not in html
    for commitment in version.commitments.all():
        assert commitment.text.replace("'", "&#x27;") in html
