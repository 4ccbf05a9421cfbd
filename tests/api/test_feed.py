"""The Atom feed: parses, lists publications and rounds opening and closing, and passes RFC 4287's
own schema."""

import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from django.conf import settings
from django.urls import reverse
from lxml import etree
from lxml import html as lxml_html

from compact import services as compact_services
from compact.selectors import publicly_visible_compacts
from tests.consultation.factories import open_round
from tests.factories import draft_version, published_version

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


# --- RFC 4287's schema ------------------------------------------------------------------------------
# RFC 4287 Appendix B's RELAX NG schema, vendored (tests/schemas/atom.rnc says where from and how
# atom.rng was converted from it).
ATOM_SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "atom.rng"
SCHEMATRON = "{http://www.ascc.net/xml/schematron}"
PREFIXES = {"atom": "http://www.w3.org/2005/Atom"}


def rfc4287_errors(document):
    """Every way an Atom document breaks RFC 4287's schema: its RELAX NG grammar, as libxml2 checks
    it, and its Schematron rules (an author for every entry; a link or content in every entry),
    which a RELAX NG validator skips as annotations, evaluated here as the schema writes them."""
    schema = etree.parse(ATOM_SCHEMA)
    grammar = etree.RelaxNG(schema)
    errors = [] if grammar.validate(document) else [str(error) for error in grammar.error_log]
    for rule in schema.iter(f"{SCHEMATRON}rule"):
        # The rules' contexts are element names ("atom:entry"): as a pattern, every such element.
        for node in document.xpath(f"//{rule.get('context')}", namespaces=PREFIXES):
            for check in rule.iter(f"{SCHEMATRON}assert"):
                if not node.xpath(f"boolean({check.get('test')})", namespaces=PREFIXES):
                    errors.append(f"{node.tag}: {check.text}")
    return errors


def feeds_announced(client):
    """The Atom feeds the site announces, found as a reader finds them: the
    <link rel="alternate" type="application/atom+xml"> on each public compact's page."""
    found = []
    for compact in publicly_visible_compacts():
        page = lxml_html.fromstring(client.get(compact.get_absolute_url()).content)
        links = page.xpath('//link[@rel="alternate"][@type="application/atom+xml"]/@href')
        assert links, f"{compact.get_absolute_url()} announces no feed"
        found.extend(links)
    return found


def test_every_feed_the_site_serves_passes_rfc_4287s_schema(client, staff):
    # One compact with its whole history, in words with quotes, dashes, ampersands and <angles>.
    first = published_version(staff=staff)
    compact = first.compact
    compact.title = "The “Lead & <Listen>” Compact — 2026–27"
    compact.summary = "Leaders & the bodies that ‘support’ them promise each other: no <small print>."
    compact.save()
    first.publication_note = "Is A<B? Use <angles> & tell us — “quoted” and ‘single’."
    first.save(update_fields=["publication_note"])
    draft = compact_services.start_new_draft(actor=staff, compact=compact)
    round = open_round(
        staff=staff,
        version=draft,
        title="Spring “listening” round – <north> & south",
        description="Tell us what “support” means & what it doesn’t — <honestly>.",
    )
    close(round, staff)
    # And one as bare as the site allows: no summary, so the feed's subtitle is a default.
    bare = published_version(staff=staff).compact
    bare.summary = ""
    bare.save()

    feeds = feeds_announced(client)
    assert len(feeds) == 2
    documents = {}
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200
        documents[url] = etree.fromstring(response.content)
        errors = rfc4287_errors(documents[url])
        assert not errors, f"{url} breaks RFC 4287's schema:\n" + "\n".join(errors)
    # What passed is the words as written (a feed of nothing would pass the schema too).
    rich = documents[reverse("api:feed", kwargs={"slug": compact.slug})]
    assert rich.findtext(f"{ATOM}title") == f"{compact.title}: versions and consultation rounds"
    assert rich.findtext(f"{ATOM}subtitle") == compact.summary
    summaries = [entry.findtext(f"{ATOM}summary") for entry in rich.iter(f"{ATOM}entry")]
    assert first.publication_note in summaries
    assert any(summary.startswith(round.description) for summary in summaries)
    titles = [entry.findtext(f"{ATOM}title") for entry in rich.iter(f"{ATOM}entry")]
    assert f"Consultation round closed: {round.title}" in titles


def test_the_schema_check_fails_a_feed_that_breaks_rfc_4287(client, version):
    """The check itself can fail: a feed without an author anywhere, or with a date that is not
    an RFC 3339 date-time, is reported."""
    url = reverse("api:feed", kwargs={"slug": version.compact.slug})
    document = etree.fromstring(client.get(url).content)
    assert rfc4287_errors(document) == []
    author = document.find(f"{ATOM}author")
    document.remove(author)
    document.find(f"{ATOM}entry/{ATOM}updated").text = "yesterday"
    errors = "\n".join(rfc4287_errors(document))
    assert "dateTime" in errors
    assert "An atom:entry must have an atom:author if its feed does not." in errors
