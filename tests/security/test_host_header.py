"""Absolute addresses come from settings.SITE_URL, never from the Host header (issue 34, item 6).

127.0.0.1 is an allowed host, with any port: before, a visitor sending "Host: 127.0.0.1:6666" had
the compact page kept for everyone with share links and og:url pointing at that port, and the
same went for the API's links, the feed, the badge snippet and the confirmation page.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from signatories.selectors import badge_path
from tests.factories import published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db

POISON = "127.0.0.1:6666"


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def pages(version):
    compact = version.compact
    signature = SignatureFactory(version=version)
    return {
        "compact page": compact.get_absolute_url(),
        "version page": version.get_absolute_url(),
        "api compact": reverse("api:compact", kwargs={"slug": compact.slug}),
        "api compacts": reverse("api:compacts"),
        "api docs": reverse("api:docs"),
        "feed": reverse("api:feed", kwargs={"slug": compact.slug}),
        "badge page": badge_path(compact_slug=compact.slug, organisation_id=signature.organisation_id),
    }


def test_no_page_carries_a_host_the_request_chose(client, version):
    for name, path in pages(version).items():
        poisoned = client.get(path, HTTP_HOST=POISON)
        assert poisoned.status_code == 200, name
        assert "6666" not in poisoned.content.decode(), name
        # And the copy kept for the next visitor, asked with the ordinary address, is clean too.
        assert "6666" not in client.get(path).content.decode(), name
    assert (
        settings.SITE_URL in client.get(version.compact.get_absolute_url(), HTTP_HOST=POISON).content.decode()
    )
