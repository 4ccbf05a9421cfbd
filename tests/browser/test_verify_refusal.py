"""A PDF too costly to check gets a clear page, in the browser, with and without JavaScript and at
375 px: it says we could not check the file and what to do instead (issue 34, item 1)."""

import pytest

from tests.browser.conftest import shot
from tests.compact.pdf_bombs import bomb
from tests.factories import published_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_costly_pdf_gets_a_page_saying_it_could_not_be_checked_and_what_to_do(visitor, request):
    version = published_version()
    visitor.go("/verify/")
    page = visitor.page
    page.get_by_label("Upload a PDF of a compact").set_input_files(
        {
            "name": "compact.pdf",
            "mimeType": "application/pdf",
            "buffer": bomb(fingerprint=version.content_hash),
        }
    )
    page.get_by_role("button", name="Check PDF").click()
    page.wait_for_load_state("load")
    visitor.check()
    assert page.title().startswith("We could not check this file")
    assert page.get_by_role("heading", name="We could not check this file").count() == 1
    assert page.get_by_role("link", name=f"version {version.number} of {version.compact.title}").count() == 1
    shot(page, "verify-could-not-check", javascript=visitor.javascript)
