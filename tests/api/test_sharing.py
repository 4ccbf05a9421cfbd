"""The compact page is shareable: Open Graph and card meta, share links, feed and data links."""

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.urls import reverse

from signatories.selectors import badge_path

SITE = settings.SITE_URL  # every absolute address is built from it, never from the request

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
    assert meta(html, "property", "og:url") == f"{SITE}{compact.get_absolute_url()}"
    assert meta(html, "name", "twitter:card") == "summary"
    assert meta(html, "name", "twitter:title") == compact.title


def test_the_compact_page_links_its_feed_and_open_data(client, version):
    html = client.get(version.compact.get_absolute_url()).content.decode()
    feed = reverse("api:feed", kwargs={"slug": version.compact.slug})
    assert '<link rel="alternate" type="application/atom+xml"' in html and f'href="{feed}"' in html
    assert reverse("api:version", kwargs={"slug": version.compact.slug, "number": 1}) in html


def test_share_links_are_plain_links_carrying_the_compact_address(client, version):
    html = client.get(version.compact.get_absolute_url()).content.decode()
    url = f"{SITE}{version.compact.get_absolute_url()}"
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
    assert f'value="{SITE}{version.compact.get_absolute_url()}"' in html
    badge = badge_path(compact_slug=version.compact.slug, organisation_id=signature.organisation_id)
    assert badge in html


def test_the_page_after_confirming_a_signature_offers_sharing_and_the_badge(
    client, leader, version, mailoutbox, django_capture_on_commit_callbacks
):
    from signatories.models import Signature

    from .conftest import organisation

    # The organisation's e-mail domain is on record, so the signature counts once confirmed.
    trust = organisation(name="Scutari NHS Trust", ods_code="RX9", email_domains=[leader.email.split("@")[1]])
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("signatories:sign", kwargs={"slug": version.compact.slug}),
            {
                "full_name": "Ada Lovelace",
                "role": "Chief executive",
                "on_behalf": "organisation",
                "organisation_name": trust.name,
                "organisation_kind": trust.kind,
                "ods_code": trust.ods_code,
                "region": "london",
                "consent": "on",
            },
        )
    link = re.search(r"https?://\S+/signatures/confirm/\S+/", mailoutbox[-1].body).group(0)
    html = client.post("/" + link.split("://", 1)[1].split("/", 1)[1]).content.decode()
    signature = Signature.objects.get(full_name="Ada Lovelace")
    assert signature.status == Signature.Status.CONFIRMED and signature.organisation == trust
    assert "Share the compact" in html
    mailto = unescape(re.search(r'href="(mailto:[^"]+)"', html).group(1))
    assert parse_qs(urlparse(mailto).query)["body"][0].startswith(f"I have signed {version.compact.title}.")
    badge = badge_path(compact_slug=version.compact.slug, organisation_id=trust.pk)
    assert f'href="{badge}"' in html


def test_the_page_after_confirming_offers_no_sharing_while_the_signature_waits(client, version):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from .conftest import organisation, sign

    waiting = sign(version, organisation=organisation(), status="awaiting_organisation")
    html = render_to_string(
        "signatories/confirmed.html", {"signature": waiting}, request=RequestFactory().get("/")
    )
    assert "awaits" in html and "Share the compact" not in html


def test_the_badge_page_offers_a_copy_button_only_where_script_can_work_it(client, version):
    from .conftest import organisation, sign

    org = organisation(name="Scutari NHS Trust")
    sign(version, organisation=org)
    html = client.get(badge_path(compact_slug=version.compact.slug, organisation_id=org.pk)).content.decode()
    # Hidden in the HTML; share.js shows it when the clipboard can be written. Without script the
    # snippet sits in a read-only field to select and copy.
    assert re.search(r'<button[^>]*data-copy-target="badge-snippet"[^>]*hidden', html)
    assert re.search(r'<textarea[^>]*id="badge-snippet"[^>]*readonly', html)
    assert "js/share.js" in html
