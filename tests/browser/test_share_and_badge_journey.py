"""After signing for an organisation, a leader shares the compact and puts the "We have signed"
badge on their own site: the snippet from the badge page, pasted into a plain HTML page served
from another origin, shows the badge and links to the signatory list. With and without
JavaScript and at 375 px (the `visitor` fixture's variants); every page of ours is checked by axe
where script runs. Full-page screenshots of each step go to test-artifacts/browser/."""

import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from signatories.models import Organisation, Signature
from tests.browser.conftest import shot
from tests.browser.test_journeys import link_from_mail, path_of, sign_in  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORGANISATION = "Riverside Hospitals NHS Foundation Trust"


def screenshot(visitor, request, step):
    shot(visitor.page, f"badge-{step}", javascript=visitor.javascript)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def other_site(tmp_path):
    """Somebody else's website: a plain static server on another origin than the app's."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def assert_no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_a_leader_signs_shares_and_shows_the_badge_on_their_own_site(
    visitor,
    demo,  # noqa: F811
    request,
    other_site,
):
    # Staff recorded the trust's e-mail domain, so a signer at it is verified for it at once.
    Organisation.objects.filter(name=ORGANISATION).update(email_domains=["example.org"])
    page = visitor.page
    if visitor.javascript:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=visitor.base_url)

    sign_in(visitor, "leader3@example.org")
    visitor.go("/compacts/leadership-compact/")
    visitor.click(page.get_by_role("link", name="Sign the compact").first)
    page.get_by_label("Your full name").fill("Rowan Riverside")
    page.get_by_label("Your role").fill("Chief executive")
    page.get_by_label("On behalf of an organisation").check()
    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.get_by_label("Kind of organisation").select_option("trust")
    page.get_by_label("ODS code (optional)").fill("RV1")
    page.get_by_label("Region").select_option("east")
    page.get_by_label(re.compile("I agree to my name")).check()
    visitor.click(page.get_by_role("button", name="Sign the compact"))
    assert "Check your e-mail" in page.content()
    visitor.go(path_of(link_from_mail(r"https?://\S+/signatures/confirm/\S+/")))
    visitor.click(page.get_by_role("button", name="Confirm my signature"))
    assert "is confirmed and now shows on the public list" in page.content()
    signature = Signature.objects.get(full_name="Rowan Riverside")
    assert signature.status == Signature.Status.CONFIRMED and signature.organisation.name == ORGANISATION

    # Straight after signing: share the compact.
    compact_url = visitor.base_url + "/compacts/leadership-compact/"
    share = page.locator("section.app-share")
    field = share.get_by_label("Link to share")
    assert field.input_value() == compact_url
    hrefs = [a.get_attribute("href") for a in share.locator("ul.app-share__links a").all()]
    hosts = {urlparse(href).netloc or urlparse(href).scheme for href in hrefs}
    assert hosts == {"mailto", "www.linkedin.com", "x.com", "bsky.app"}
    mailto = next(href for href in hrefs if href.startswith("mailto:"))
    assert parse_qs(urlparse(mailto).query)["body"][0].startswith("I have signed The Leadership Compact.")
    copy = share.get_by_role("button", name="Copy link")
    if visitor.javascript:
        copy.click()
        expect(share.get_by_role("status")).to_have_text("Link copied.")
        assert page.evaluate("navigator.clipboard.readText()") == compact_url
    else:
        # Without script there is no button that would do nothing: the link sits in a field.
        assert not copy.is_visible()
        assert field.get_attribute("readonly") is not None
    assert_no_sideways_scroll(page)
    screenshot(visitor, request, "1-signed-and-share")

    # The badge page for the organisation, and the HTML it offers to paste.
    visitor.click(share.get_by_role("link", name=re.compile('^Get a "We have signed" badge')))
    assert page.get_by_role("heading", level=1, name=f"Badge for {ORGANISATION}").count() == 1
    own_badge = page.locator("main img")
    assert own_badge.evaluate("img => img.complete && img.naturalWidth") > 0
    snippet = page.get_by_label("HTML for the badge").input_value()
    copy_html = page.get_by_role("button", name="Copy the HTML")
    if visitor.javascript:
        copy_html.click()
        expect(page.locator("#embed-heading ~ p [role=status]")).to_have_text(
            "HTML copied. Paste it into your page."
        )
        # What gets pasted is what the clipboard holds.
        assert page.evaluate("navigator.clipboard.readText()") == snippet
    else:
        assert not copy_html.is_visible()
    list_url = visitor.base_url + "/compacts/leadership-compact/versions/2/signatories/"
    assert snippet.startswith(f'<a href="{list_url}">') and "<img " in snippet
    assert_no_sideways_scroll(page)
    screenshot(visitor, request, "2-badge-page")

    # Pasted, exactly as copied, into a plain page on someone else's site.
    folder, site = other_site
    (folder / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Riverside news</title></head>\n<body><h1>Riverside news</h1>\n"
        "<p>We have signed up to the Leadership Compact.</p>\n"
        f"{snippet}\n</body></html>\n",
        encoding="utf-8",
    )
    page.goto(site + "/index.html")
    page.wait_for_load_state("load")
    badge = page.locator("img")
    assert badge.evaluate("img => img.complete && img.naturalWidth") > 0, "the badge did not load"
    assert badge.evaluate("img => img.naturalHeight") > 0
    assert badge.get_attribute("alt").startswith(f"{ORGANISATION} has signed The Leadership Compact")
    assert badge.locator("xpath=..").get_attribute("href") == list_url
    screenshot(visitor, request, "3-pasted-on-another-site")

    # The SVG itself says what it claims: signed, by whom.
    svg = page.request.get(badge.get_attribute("src"))
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    assert "We have signed" in svg.text() and "Riverside Hospitals NHS Foundation Trust" in svg.text()

    # Following the badge leads to the list, where the organisation and its signatory are.
    visitor.click(page.locator("a", has=badge))
    assert page.url == list_url
    page.get_by_label("Search by name or organisation").fill("Rowan Riverside")
    visitor.click(page.get_by_role("button", name="Search"))
    assert "Rowan Riverside" in page.content() and ORGANISATION in page.content()
