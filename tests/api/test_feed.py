"""The Atom feed: parses, and lists publications and rounds opening and closing."""

import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.conf import settings
from django.urls import reverse

from compact import services as compact_services
from tests.consultation.factories import open_round
from tests.factories import draft_version

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
    assert len(set(ids)) == len(ids) and all(i.startswith(settings.SITE_URL + "/") for i in ids)


def test_a_draft_never_appears_in_the_feed(client, staff, version):
    compact_services.start_new_draft(actor=staff, compact=version.compact)
    assert [title for title, _, _ in entries(client, version.compact)] == ["Version 1 published"]


def test_a_summary_with_angle_brackets_and_ampersands_reaches_readers_as_written(client, staff):
    note = "Is A<B? Use <angles> & tell us."
    version = draft_version()
    compact_services.ratify(actor=staff, version=version)
    compact_services.publish(actor=staff, version=version, note=note)
    response = client.get(reverse("api:feed", kwargs={"slug": version.compact.slug}))
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    (entry,) = parsed.entries
    assert entry.summary == note
    assert entry.summary_detail.type == "text/plain"


def test_entry_ids_are_the_same_whichever_address_the_feed_is_fetched_at(client, version, settings):
    settings.ALLOWED_HOSTS = ["testserver", "compact.example.nhs.uk"]
    url = reverse("api:feed", kwargs={"slug": version.compact.slug})
    one = feedparser.parse(client.get(url).content)
    other = feedparser.parse(client.get(url, HTTP_HOST="compact.example.nhs.uk").content)
    assert [e.id for e in one.entries] == [e.id for e in other.entries]
    assert one.feed.id == other.feed.id


def test_a_reader_polling_with_the_etag_or_the_date_is_told_nothing_changed(client, version):
    url = reverse("api:feed", kwargs={"slug": version.compact.slug})
    first = client.get(url)
    assert first.status_code == 200 and first.has_header("ETag") and first.has_header("Last-Modified")
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    # Something new is news again.
    version.publication_note = "Corrected."
    version.save(update_fields=["publication_note"])
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
