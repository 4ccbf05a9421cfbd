import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compact import services
from tests.factories import CompactFactory, draft_version, published_version

pytestmark = pytest.mark.django_db


def test_home_lists_each_public_compact_with_its_published_version(client):
    version = published_version()
    CompactFactory(title="Still being written")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert version.compact.title in html
    assert f"Version {version.number}, published" in html
    # A compact with nothing public (no published version, no open round) is not listed.
    assert "Still being written" not in html


def test_public_compact_page_reads_as_on_paper(client):
    version = published_version(parties=("The Academy", "Leaders"))
    response = client.get(version.compact.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Our shared vision" in html and version.vision in html
    # A column without a heading of its own is headed with the party's name, never a sentence.
    assert ">The Academy</h3>" in html and ">Leaders</h3>" in html
    assert "will do" not in html
    for theme in version.themes.all():
        assert theme.title in html
    for commitment in version.commitments.all():
        assert commitment.text in html
    assert version.content_hash in html


def test_each_theme_shows_its_party_columns_in_party_order(client):
    version = published_version(themes=1, commitments_per_cell=1, parties=("First side", "Second side"))
    html = client.get(version.compact.get_absolute_url()).content.decode()
    assert html.index(">First side</h3>") < html.index(">Second side</h3>")
    assert html.index("First side promise 1.1.") < html.index(">Second side</h3>")


def test_compact_page_says_when_nothing_is_published_yet(client, staff):
    version = draft_version()
    # Visitors are not told it exists; staff are told it is not published.
    assert client.get(version.compact.get_absolute_url()).status_code == 404
    client.force_login(staff)
    response = client.get(version.compact.get_absolute_url())
    assert response.status_code == 200
    assert "has not been published yet" in response.content.decode()
    assert version.commitments.first().text not in response.content.decode()


def test_user_text_is_escaped_on_the_public_page(client, staff):
    version = draft_version()
    commitment = version.commitments.first()
    services.change_part(actor=staff, part=commitment, text="<script>alert('x')</script> We will listen.")
    services.ratify(actor=staff, version=version)
    services.publish(actor=staff, version=version)
    html = client.get(version.compact.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_visitor_cannot_read_a_draft_version_but_staff_can(client, staff):
    version = draft_version()
    url = reverse("compact:version", kwargs={"slug": version.compact.slug, "number": version.number})
    assert client.get(url).status_code == 404
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert "not public" in response.content.decode()


def test_superseded_version_stays_readable_with_a_banner_to_the_current_one(client, staff):
    first = published_version(staff=staff)
    draft = services.start_new_draft(actor=staff, compact=first.compact)
    services.ratify(actor=staff, version=draft)
    services.publish(actor=staff, version=draft)
    response = client.get(first.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "This version has been replaced" in html
    assert draft.get_absolute_url() in html


def test_public_page_needs_the_same_number_of_queries_whatever_the_size(client, django_assert_num_queries):
    small = published_version(themes=1, commitments_per_cell=1)
    large = published_version(themes=6, commitments_per_cell=8)
    with CaptureQueriesContext(connection) as small_queries:
        client.get(small.compact.get_absolute_url())
    with CaptureQueriesContext(connection) as large_queries:
        client.get(large.compact.get_absolute_url())
    assert len(small_queries) == len(large_queries)


def test_public_page_works_without_javascript_and_loads_scripts_only_as_modules(client):
    version = published_version()
    html = client.get(version.compact.get_absolute_url()).content.decode()
    assert 'type="module"' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
