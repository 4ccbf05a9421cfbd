"""Ratify and publish ask for confirmation, are recorded, and are refused to everyone but staff."""

import pytest
from django.urls import reverse

from compact.models import Version
from tests.factories import draft_version

pytestmark = pytest.mark.django_db


def url(name, version):
    return reverse(f"compact:staff_{name}", kwargs={"slug": version.compact.slug, "number": version.number})


def test_ratify_asks_first_and_records_who(staff_client, staff):
    version = draft_version()
    page = staff_client.get(url("ratify", version))
    assert "fixes the text" in page.content.decode()
    assert Version.objects.get(pk=version.pk).status == "draft"
    staff_client.post(url("ratify", version))
    version.refresh_from_db()
    assert version.status == "ratified" and version.ratified_by == staff and version.content_hash


def test_publish_needs_a_note_and_records_who(staff_client, staff):
    version = draft_version()
    staff_client.post(url("ratify", version))
    response = staff_client.post(url("publish", version), {"note": ""})
    assert response.status_code == 400
    staff_client.post(url("publish", version), {"note": "First publication"})
    version.refresh_from_db()
    assert (
        version.status == "published"
        and version.published_by == staff
        and version.publication_note == "First publication"
    )


@pytest.mark.parametrize("name", ["ratify", "publish"])
def test_leaders_are_refused_and_visitors_sent_to_sign_in(client, leader, name):
    version = draft_version()
    assert client.get(url(name, version)).status_code == 302
    client.force_login(leader)
    assert client.post(url(name, version)).status_code == 403
    assert Version.objects.get(pk=version.pk).status == "draft"


def test_a_version_in_an_open_round_cannot_be_ratified(staff_client, staff):
    from tests.consultation.factories import open_round

    round = open_round(staff=staff)
    response = staff_client.post(url("ratify", round.version))
    assert response.status_code == 400
    assert Version.objects.get(pk=round.version.pk).status == "consultation"


def test_visitors_are_sent_to_the_sign_in_page(client):
    version = draft_version()
    response = client.get(url("ratify", version))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_ratify_page_lists_what_stops_a_draft_and_offers_no_button(staff_client):
    version = draft_version(themes=0)
    page = staff_client.get(url("ratify", version)).content.decode()
    assert "Add at least one theme." in page and "not ready to ratify" in page
    assert 'type="submit">Ratify version' not in page


def test_an_unready_draft_posted_anyway_is_refused_with_the_reason(staff_client):
    version = draft_version(themes=0)
    response = staff_client.post(url("ratify", version))
    assert response.status_code == 400 and "Add at least one theme." in response.content.decode()
    assert Version.objects.get(pk=version.pk).status == "draft"


def test_a_draft_cannot_be_published_before_it_is_ratified(staff_client):
    version = draft_version()
    response = staff_client.post(url("publish", version), {"note": "Too soon"})
    assert response.status_code == 400
    assert Version.objects.get(pk=version.pk).status == "draft"


def test_a_ratified_version_cannot_be_ratified_again(staff_client):
    version = draft_version()
    staff_client.post(url("ratify", version))
    response = staff_client.post(url("ratify", version))
    assert response.status_code == 400 and "already ratified" in response.content.decode()


def test_the_staff_version_page_offers_ratify_then_publish(staff_client):
    version = draft_version()
    page = staff_client.get(url("version", version)).content.decode()
    assert url("ratify", version) in page and url("publish", version) not in page
    staff_client.post(url("ratify", version))
    page = staff_client.get(url("version", version)).content.decode()
    assert url("publish", version) in page


def test_publishing_a_refreshed_version_says_what_happens_then_supersedes_the_old_one(staff_client, staff):
    from compact import services
    from tests.factories import published_version
    from tests.signatories.factories import SignatureFactory

    first = published_version(staff=staff)
    SignatureFactory.create_batch(2, version=first)
    second = services.start_new_draft(actor=staff, compact=first.compact)
    staff_client.post(url("ratify", second))

    page = staff_client.get(url("publish", second)).content.decode()
    assert "Version 1 will be marked superseded" in page and "2 signatories" in page
    assert Version.objects.get(pk=second.pk).status == "ratified"  # asking changed nothing

    staff_client.post(url("publish", second), {"note": "Refreshed after the spring round"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "published")
    assert second.publication_note == "Refreshed after the spring round" and second.published_at
