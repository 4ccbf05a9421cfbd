"""The files the open web asks for at fixed addresses: robots.txt, the sitemap, security.txt and
/favicon.ico."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import CompactFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_robots_txt_keeps_crawlers_out_of_private_pages_and_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /staff/" in lines and "Disallow: /accounts/" in lines
    assert "Disallow: /" not in lines  # the public pages stay open
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_sitemap_lists_each_public_version_and_its_signatories_but_no_draft(client, version):
    CompactFactory(slug="only-a-draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer, under test
    locations = [url.findtext(f"{SITEMAP}loc") for url in root.iter(f"{SITEMAP}url")]
    slug = version.compact.slug
    assert f"http://testserver/compacts/{slug}/versions/1/" in locations
    assert f"http://testserver/compacts/{slug}/versions/1/signatories/" in locations
    assert not [location for location in locations if "only-a-draft" in location]


def test_security_txt_names_a_contact_and_an_expiry_in_the_future(client, settings):
    settings.SECURITY_CONTACT = "mailto:security@example.nhs.uk"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:security@example.nhs.uk"
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timezone.now() < expires < timezone.now() + timedelta(days=365)
    assert fields["Canonical"] == "http://testserver/.well-known/security.txt"


def test_favicon_ico_at_the_root_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert re.fullmatch(r"/static/build/assets/images/favicon(\.\w+)?\.ico", response["Location"])


def test_every_public_page_kind_has_a_meta_description(client, version):
    for path in ("/", version.get_absolute_url(), f"{version.get_absolute_url()}signatories/", "/verify/"):
        html = client.get(path).content.decode()
        descriptions = re.findall(r'<meta name="description" content="([^"]+)">', html)
        assert len(descriptions) == 1 and len(descriptions[0]) > 40, path
