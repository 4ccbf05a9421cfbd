"""The compact page is shareable: Open Graph and card meta, share links, feed and data links."""

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def meta(html, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def test_the_compact_page_carries_open_graph_and_card_meta(client, version):
    compact = version.compact
    compact.summary = 'Leaders & bodies "promise" each other'
    compact.save()
    html = client.get(compact.get_absolute_url()).content.decode()
    assert meta(html, "property", "og:title") == compact.title
    assert meta(html, "property", "og:description") == compact.summary
    assert meta(html, "property", "og:url") == f"http://testserver{compact.get_absolute_url()}"
    assert meta(html, "name", "twitter:card") == "summary"
    assert meta(html, "name", "twitter:title") == compact.title


def test_the_compact_page_links_its_feed_and_open_data(client, version):
    html = client.get(version.compact.get_absolute_url()).content.decode()
    feed = reverse("api:feed", kwargs={"slug": version.compact.slug})
    assert '<link rel="alternate" type="application/atom+xml"' in html and f'href="{feed}"' in html
    assert reverse("api:version", kwargs={"slug": version.compact.slug, "number": 1}) in html


def test_share_links_are_plain_links_carrying_the_compact_address(client, version):
    html = client.get(version.compact.get_absolute_url()).content.decode()
    url = f"http://testserver{version.compact.get_absolute_url()}"
    links = {unescape(href) for href in re.findall(r'href="([^"]+)" rel="noopener noreferrer"', html)}
    by_host = {urlparse(link).netloc or urlparse(link).scheme: link for link in links}
    assert set(by_host) == {"mailto", "www.linkedin.com", "x.com", "bsky.app"}
    assert parse_qs(urlparse(by_host["www.linkedin.com"]).query)["url"] == [url]
    assert parse_qs(urlparse(by_host["x.com"]).query)["url"] == [url]
    assert url in parse_qs(urlparse(by_host["bsky.app"]).query)["text"][0]
    assert url in parse_qs(urlparse(by_host["mailto"]).query)["body"][0]
    # The copy button waits for script; without it the link sits in a field to copy by hand.
    assert re.search(r"<button[^>]*data-copy-target=\"share-link\"[^>]*hidden", html)
    assert f'value="{url}"' in html
    # No third-party script on the page.
    assert not re.search(r"<script[^>]+src=\"https?://", html)


def test_a_page_without_its_own_meta_carries_none(client):
    html = client.get(reverse("privacy")).content.decode()
    assert "og:title" not in html


def test_the_share_block_on_a_receipt_says_you_signed_and_offers_the_badge(rf, version):
    """The receipt page (the signing app's) includes the same block with a signature in context."""
    from django.template.loader import render_to_string

    from .conftest import organisation, sign

    signature = sign(version, organisation=organisation(name="Scutari NHS Trust"))
    html = render_to_string("includes/share.html", {"signature": signature}, request=rf.get("/signatures/1/"))
    mailto = unescape(re.search(r'href="(mailto:[^"]+)"', html).group(1))
    assert parse_qs(urlparse(mailto).query)["body"][0].startswith(f"I have signed {version.compact.title}.")
    assert f'value="http://testserver{version.compact.get_absolute_url()}"' in html
    badge = reverse(
        "api:badge", kwargs={"slug": version.compact.slug, "organisation_id": signature.organisation_id}
    )
    assert badge in html
