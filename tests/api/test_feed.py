"""The Atom feed: parses, and lists publications and rounds opening and closing."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.urls import reverse

from compact import services as compact_services
from tests.consultation.factories import open_round

from .conftest import close

SITE = settings.SITE_URL  # every absolute address is built from it, never from the request

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, compact):
    response = client.get(reverse("api:feed", kwargs={"slug": compact.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer, under test
    assert root.tag == f"{ATOM}feed"
    return [
        (entry.find(f"{ATOM}title").text, entry.find(f"{ATOM}id").text, entry.find(f"{ATOM}link").get("href"))
        for entry in root.iter(f"{ATOM}entry")
    ]


def test_the_feed_lists_a_published_version(client, version):
    (entry,) = entries(client, version.compact)
    assert entry[0] == "Version 1 published"
    assert entry[2] == f"{SITE}{version.get_absolute_url()}"


def test_the_feed_lists_rounds_opening_and_closing_with_distinct_ids(client, staff, version):
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    round = open_round(staff=staff, version=draft, title="Refresh round")
    close(round, staff)
    found = entries(client, version.compact)
    titles = [title for title, _, _ in found]
    assert "Consultation round opened: Refresh round" in titles
    assert "Consultation round closed: Refresh round" in titles
    ids = [entry_id for _, entry_id, _ in found]
    assert len(set(ids)) == len(ids) and all(i.startswith(SITE + "/") for i in ids)


def test_a_draft_never_appears_in_the_feed(client, staff, version):
    compact_services.start_new_draft(actor=staff, compact=version.compact)
    assert [title for title, _, _ in entries(client, version.compact)] == ["Version 1 published"]
