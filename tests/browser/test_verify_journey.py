"""A visitor checks a copy of the compact: downloads the PDF from the compact's page, uploads it
on /verify/ and is told it is genuine; the same file with a box painted over some words is told
its words match but that we did not issue it; a copy with one word changed is refused. With and
without JavaScript and at 375 px (the `visitor` fixture's variants), every page checked by axe
where script runs. With BROWSER_SHOTS set to a folder, a full-page screenshot of each step goes there for a person
to look at."""

import re

import pytest
from django.utils import dateformat, timezone

from compact import exports
from compact.models import Version
from tests.browser.conftest import shot
from tests.compact.test_verify import render_altered, with_metadata_of
from tests.compact.test_verify_issued import with_white_box_over

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screenshot(visitor, request, step):
    shot(visitor.page, f"verify-{step}", javascript=visitor.javascript)


def assert_no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def upload(visitor, path):
    page = visitor.page
    page.get_by_label("Upload a PDF of a compact").set_input_files(str(path))
    visitor.click(page.get_by_role("button", name="Check PDF"))


def one_word_changed(version):
    """The first commitment with its first long word swapped for another: (its text, the word)."""
    commitment = version.commitments.order_by("position").first()
    word = next(w for w in re.findall(r"[A-Za-z]{5,}", commitment.text))
    return commitment, word


def test_a_visitor_downloads_the_pdf_checks_it_and_an_edited_copy_is_refused(
    visitor,
    demo,  # noqa: F811
    request,
    tmp_path,
    monkeypatch,
):
    version = Version.objects.published().get(compact__slug="leadership-compact")
    if exports.current_pdf(version=version)[0] is None:  # the worker's render, done here before the visit
        exports.request_pdf(version=version)
        exports.render_owed(version_id=version.pk)
    page = visitor.page

    visitor.go("/compacts/leadership-compact/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download the compact as a PDF")).click()
    genuine = tmp_path / "compact.pdf"
    download.value.save_as(genuine)

    # The footer of every page links the check.
    visitor.click(page.get_by_role("contentinfo").get_by_role("link", name=re.compile("Check a copy")))
    assert page.get_by_role("heading", level=1, name="Check a copy of a compact").count() == 1
    screenshot(visitor, request, "1-empty")

    upload(visitor, genuine)
    published = dateformat.format(timezone.localtime(version.published_at), "j F Y")
    result = page.locator("#result")
    assert "This PDF is genuine" in result.inner_text()
    assert f"This is version {version.number} of {version.compact.title}, published {published}." in re.sub(
        r"\s+", " ", result.inner_text()
    )
    assert "This is the current version" in page.content()
    assert "This is a copy we issued on" in result.inner_text()
    assert_no_sideways_scroll(page)
    screenshot(visitor, request, "2-genuine")

    # The same file with a white box painted over the start of a commitment: its words are all
    # still in it, but it is not a file we issued, so its appearance is not vouched for.
    commitment = version.commitments.order_by("position").first()
    doctored = tmp_path / "compact-boxed.pdf"
    doctored.write_bytes(with_white_box_over(genuine.read_bytes(), " ".join(commitment.text.split()[:4]))[0])
    upload(visitor, doctored)
    text = re.sub(r"\s+", " ", page.locator("#result").inner_text())
    assert "This PDF is genuine" not in page.content()
    assert "The words match, but we did not issue this file" in text
    assert page.title().startswith("The words match, but we did not issue this file")
    assert_no_sideways_scroll(page)
    screenshot(visitor, request, "2b-words-only")

    # One word of one commitment changed, the metadata (fingerprint and seal) copied over whole.
    commitment, word = one_word_changed(version)

    def change(layout):
        for row in layout.rows:
            for line in row.lines:
                for printed in line:
                    if printed is not None and printed.pk == commitment.pk:
                        printed.text = printed.text.replace(word, "Whenever", 1)

    forged = tmp_path / "compact-edited.pdf"
    forged.write_bytes(with_metadata_of(genuine.read_bytes(), render_altered(version, monkeypatch, change)))
    upload(visitor, forged)
    result = page.locator("#result")
    text = re.sub(r"\s+", " ", result.inner_text())
    assert "This PDF is genuine" not in page.content()
    assert "This PDF does not match what we published" in text
    assert f"the commitment “{commitment.text}” is not as we published it" in text
    # It names the genuine version and links it, to read or download there.
    assert page.locator("#result").get_by_role("link", name=re.compile(f"version {version.number}")).count()
    assert_no_sideways_scroll(page)
    screenshot(visitor, request, "3-edited")

    # Something that is not a PDF at all: a clear message beside the field, the file not kept.
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_bytes(b"just some notes, not a PDF")
    upload(visitor, not_pdf)
    assert "The selected file must be a PDF" in page.locator(".nhsuk-error-summary").inner_text()
    assert page.locator("#document-error").count() == 1
    screenshot(visitor, request, "4-not-a-pdf")

    # The fingerprint on its own: the short form from the PDF's colophon.
    visitor.go("/verify/")
    page.get_by_label("Fingerprint").fill(version.short_hash.upper())
    visitor.click(page.get_by_role("button", name="Check fingerprint"))
    assert "This is the current version" in page.content()
    assert_no_sideways_scroll(page)
    screenshot(visitor, request, "5-fingerprint")
