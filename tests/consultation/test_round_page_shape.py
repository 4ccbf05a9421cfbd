"""The round page shows the draft in the same layout as the public page, with the consultation's
controls added: pairs row by row, facing columns side by side, sections where they stand, and a
one-party theme across the full width."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from compact import interchange
from tests.consultation.factories import open_round

pytestmark = pytest.mark.django_db

COMPACTS = Path(__file__).parent.parent / "compact" / "compacts"


def round_page(client, staff, leader, name):
    version = interchange.import_compact(actor=staff, text=(COMPACTS / f"{name}.md").read_text("utf-8"))
    round = open_round(staff=staff, version=version)
    client.force_login(leader)
    response = client.get(reverse("consultation:round", kwargs={"pk": round.pk}) + "?theme=all")
    assert response.status_code == 200
    return version, response.content.decode()


def escaped(text):
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("'", "&#x27;")


def test_each_pair_stands_on_one_row_of_the_round_page(client, staff, leader):
    version, html = round_page(client, staff, leader, "paired_rows")
    rows = re.findall(r'<tr class="nhsuk-table__row app-pair">(.*?)</tr>', html, flags=re.S)
    assert len(rows) == version.commitments.values("row").distinct().count()
    for commitment in version.commitments.all():
        (row,) = [r for r in rows if escaped(commitment.text) in r]
        partners = version.commitments.filter(theme=commitment.theme, row=commitment.row)
        assert all(escaped(partner.text) in row for partner in partners)


def test_sections_stand_before_and_after_the_commitments_on_the_round_page(client, staff, leader):
    version, html = round_page(client, staff, leader, "themes_two_parties")
    first = min(html.index(escaped(c.text)) for c in version.commitments.all())
    last = max(html.index(escaped(c.text)) for c in version.commitments.all())
    for section in version.sections.all():
        where = html.index(f">{escaped(section.heading)}</h2>")
        assert (where < first) if section.placement == "before" else (where > last), section.heading


def test_facing_columns_stand_side_by_side_on_the_round_page(client, staff, leader):
    version, html = round_page(client, staff, leader, "facing_columns")
    columns = re.split(r'<section class="app-facing__column"', html)[1:]
    assert len(columns) == 2
    trust, people = version.parties.order_by("position")
    for party, column in zip((trust, people), columns, strict=True):
        assert party.column_heading in column
        for commitment in version.commitments.filter(party=party):
            assert escaped(commitment.text) in column


def test_a_one_party_theme_fills_the_width_of_the_round_page(client, staff, leader):
    _, html = round_page(client, staff, leader, "one_party_themes")
    assert "nhsuk-grid-column-one-half" not in html
    assert html.count('class="nhsuk-grid-column-full app-column"') == 6
