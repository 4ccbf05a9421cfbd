"""The README and the pages under docs/ are how a newcomer finds their way: every link between
them must lead somewhere, and the README stays short enough to read in five minutes."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
# [text](target) with a relative target: web addresses and in-page anchors are not files.
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _relative_links(page):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        yield target.split("#", 1)[0]


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(ROOT)) for page in PAGES])
def test_every_relative_link_in_the_docs_leads_to_a_file(page):
    broken = [target for target in _relative_links(page) if not (page.parent / target).exists()]
    assert broken == [], f"{page.relative_to(ROOT)} links to missing files: {broken}"


def test_the_readme_is_short_enough_to_read_in_five_minutes():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines < 250, f"README.md has {lines} lines; move detail into a page under docs/"


def test_the_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


def test_every_adr_states_its_date_and_status():
    for adr in sorted((ROOT / "docs" / "adr").glob("[0-9]*.md")):
        text = adr.read_text(encoding="utf-8")
        assert re.search(r"(?m)^- \*\*Date:\*\* \d{4}-\d{2}-\d{2}", text), f"{adr.name} has no date"
        assert re.search(
            r"(?m)^- \*\*Status:\*\* (Proposed|Accepted|Superseded by \[?ADR \d+|Deprecated)", text
        ), f"{adr.name} has no status"
