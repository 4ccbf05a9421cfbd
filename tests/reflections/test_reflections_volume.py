"""Many reflections: each person may post only so many an hour, and the page shows 20 at a time
(560 posts in eight seconds once made the public page 1.7 MB)."""

import pytest
from django.test import Client
from django.urls import reverse

from reflections.models import Reflection
from tests.factories import published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def _url(version):
    return reverse("reflections:page", kwargs={"slug": version.compact.slug})


def _post(client, version, text):
    data = {
        "form": "reflection",
        "commitment_key": "",
        "kind": "celebrate",
        "text": text,
        "visibility": "named",
    }
    return client.post(_url(version), data)


def test_a_signatory_posting_an_eleventh_reflection_within_the_hour_is_refused_with_a_429(version, settings):
    settings.REFLECTIONS_PER_DAY = 100  # the daily limit is tested in test_reflection_limits.py
    signer = SignatureFactory(version=version).signer
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(signer)
    statuses = [_post(client, version, f"Reflection {n}").status_code for n in range(11)]
    assert statuses == [302] * 10 + [429]
    refused = _post(client, version, "One more")
    assert (
        "Too many attempts" in refused.content.decode() and "record reflections" in refused.content.decode()
    )
    assert Reflection.objects.count() == 10
    assert client.get(_url(version)).status_code == 200  # reading is never limited


def test_the_reflections_page_shows_twenty_at_a_time_with_a_link_to_the_next(client, version):
    signer = SignatureFactory(version=version).signer
    Reflection.objects.bulk_create(
        Reflection(
            compact=version.compact, version=version, author=signer, kind="celebrate", text=f"Note {n:02}"
        )
        for n in range(45)
    )
    first = client.get(_url(version)).content.decode()
    assert first.count("Note ") == 20 and "Page 1 of 3" in first and "page=2" in first
    last = client.get(_url(version) + "?page=3").content.decode()
    assert last.count("Note ") == 5
    # A page past the end, or not a number, shows a page rather than failing.
    assert client.get(_url(version) + "?page=99").status_code == 200
    assert client.get(_url(version) + "?page=abc").status_code == 200


def test_a_visitor_posting_a_reflection_is_sent_to_sign_in_and_nothing_is_saved(client, version):
    response = _post(client, version, "Anonymous words")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not Reflection.objects.exists()
