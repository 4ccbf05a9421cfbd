"""On paper, a rule across the columns says "these go together": paired rows are ruled row by
row, and a themes compact's columns are lists, read down, never ruled across as if each party's
n-th commitment answered the other's (issue 28, item 9a). The rules are read from what the PDF
draws: WeasyPrint strokes each cell's border as a line."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from compact import interchange, pdf, services

pytestmark = pytest.mark.django_db

COMPACTS = Path(__file__).parent / "compacts"


def published(staff, name):
    version = interchange.import_compact(actor=staff, text=(COMPACTS / f"{name}.md").read_text("utf-8"))
    services.ratify(actor=staff, version=version)
    return services.publish(actor=staff, version=version)


def drawn_lines(page):
    """The straight lines stroked on a page (in its content's own units): (x1, y1, x2, y2)."""
    lines, at = [], None
    for operands, operator in page.get_contents().operations:
        if operator == b"m":
            at = [float(value) for value in operands]
        elif operator == b"l" and at is not None:
            x, y = (float(value) for value in operands)
            lines.append((at[0], at[1], x, y))
            at = [x, y]
    return lines


def rules_across(page, columns):
    """The heights at which a horizontal rule runs under every one of the table's columns."""
    horizontal = [(round(y1), min(x1, x2), max(x1, x2)) for x1, y1, x2, y2 in drawn_lines(page) if y1 == y2]
    across = set()
    for y in {y for y, _, _ in horizontal}:
        spans = [(left, right) for at, left, right in horizontal if at == y]
        if all(any(left <= middle <= right for left, right in spans) for middle in columns):
            across.add(y)
    return across


def column_middles(page, *starts):
    """A point inside each column: a little right of where the line starting with each of
    `starts` (one a column) is drawn."""
    found = {}

    def visit(text, cm, tm, font, size):
        for start in starts:
            if text.startswith(start) and start not in found:
                found[start] = tm[4] + 50  # the content's own units, as the lines are drawn in

    page.extract_text(visitor_text=visit)
    assert set(found) == set(starts), found
    return [found[start] for start in starts]


def dividers(page):
    return {round(x1) for x1, y1, x2, y2 in drawn_lines(page) if x1 == x2}


def page_with(content, text):
    reader = PdfReader(io.BytesIO(content))
    return next(page for page in reader.pages if text in " ".join(page.extract_text().split()))


def test_a_themes_compact_is_printed_as_columns_with_no_rule_across_them(staff):
    version = published(staff, "moorland_and_coast")
    page = page_with(pdf.render(version), "Swap shifts through the rota system")
    columns = column_middles(page, "We will not change", "Swap shifts")
    assert rules_across(page, columns) == set()
    # A rule between the columns instead.
    assert len(dividers(page)) == 1
    # Each commitment is a list item: a bullet each, as on the web page.
    text = page.extract_text()
    assert text.count("•") == version.commitments.count()


def test_paired_rows_are_still_ruled_pair_by_pair(staff):
    version = published(staff, "estuary_partnership")
    page = page_with(pdf.render(version), "A three-year financial plan")
    # A rule under each pair (and over the first), all the way across.
    columns = column_middles(page, "A three-year financial plan", "Honest forecasts")
    assert len(rules_across(page, columns)) >= version.commitments.values("row").distinct().count()
    assert "•" not in page.extract_text()
