"""Visitors' compact pages are cached by the compact's generation, in the browser (ETag, 304) and on
the server (Django's cache); every change a visitor could see is shown at once."""

import gzip

import pytest
from django.core.cache import caches
from django.utils import timezone

from compact import services as compact_services
from compact.models import Compact
from signatories import services as signing
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def visit(client, version, **headers):
    return client.get(version.compact.get_absolute_url(), headers=headers)


def text(client, version):
    return visit(client, version).content.decode()


def test_a_visitor_is_served_from_the_cache_with_one_query_for_the_generation(
    client, version, django_assert_num_queries
):
    visit(client, version)
    with django_assert_num_queries(1):  # the compact's generation, by its slug
        response = visit(client, version)
    assert response.status_code == 200 and version.compact.title in response.content.decode()


def test_a_browser_that_has_the_page_is_answered_not_modified_until_something_changes(client, version):
    first = visit(client, version)
    etag = first["ETag"]
    assert "public" in first["Cache-Control"] and "max-age=0" in first["Cache-Control"]

    again = visit(client, version, if_none_match=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag

    signature = SignatureFactory(version=version, full_name="Soon Withdrawn")
    Compact.objects.bump_generation(compact_id=version.compact_id)  # as the services do
    changed = visit(client, version, if_none_match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert signature.full_name in changed.content.decode()


def test_the_signatory_list_answers_not_modified_per_page(client, version):
    url = f"{version.compact.get_absolute_url()}versions/{version.number}/signatories/"
    first = client.get(url)
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    # Another page of the list is another page: its own tag.
    assert client.get(f"{url}?page=2", headers={"if-none-match": first["ETag"]}).status_code != 304


def test_a_confirmed_signature_shows_at_once(client, version):
    text(client, version)
    leader = LeaderFactory(full_name="Newly Confirmed")
    signature = signing.sign(
        actor=leader, version=version, full_name="Newly Confirmed", role="Chair", consent=True
    )
    token = "known-token"
    signature.token_hash = signing.hash_token(token=token)
    signature.token_expires_at = timezone.now() + timezone.timedelta(hours=1)
    signature.save()
    signing.confirm(token=token)
    assert "Newly Confirmed" in text(client, version)


def test_a_withdrawal_disappears_at_once_with_no_commit_hook_run(client, version):
    """The generation is raised in the withdrawal's own transaction: nothing after the commit
    (which an outage could lose) is needed."""
    signature = SignatureFactory(version=version, full_name="Soon Withdrawn")
    assert "Soon Withdrawn" in text(client, version)
    signing.withdraw(actor=signature.signer, signature=signature)
    assert "Soon Withdrawn" not in text(client, version)


def test_a_new_publication_and_a_title_change_show_at_once(client, staff, version):
    text(client, version)
    compact_services.update_compact(
        actor=staff, compact=version.compact, title=version.compact.title, summary="New"
    )
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    compact_services.ratify(actor=staff, version=draft)
    compact_services.publish(actor=staff, version=draft, note="The refreshed compact")
    assert "The refreshed compact" in text(client, version)


def test_an_opening_round_shows_at_once(client, staff, version):
    text(client, version)
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    open_round(staff=staff, version=draft, title="A round everyone should see")
    assert "A round everyone should see" in text(client, version)


def test_signed_in_people_always_get_a_private_page_of_their_own(client, leader, version):
    """Never the visitors' copy: it has no sign-out form, and a signed-in page's CSRF token must
    never be handed to anyone else, nor kept by a shared cache."""
    visit(client, version)  # the visitors' copy is cached
    client.force_login(leader)
    response = visit(client, version)
    page = response.content.decode()
    assert "Sign out" in page and "csrfmiddlewaretoken" in page
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert not response.has_header("ETag")
    client.logout()
    assert "Sign out" not in text(client, version)


def test_a_copy_left_in_the_cache_from_before_a_change_is_never_served(client, version):
    """What a cache holds is picked by the generation read from the database: a copy the change
    could not drop (Redis away while it was made) is simply never asked for again."""
    signature = SignatureFactory(version=version, full_name="Withdrawn While Cached")
    assert "Withdrawn While Cached" in text(client, version)  # cached, in both caches
    generation = Compact.objects.get(pk=version.compact_id).generation
    signing.withdraw(actor=signature.signer, signature=signature)
    old_copy = f"compact:page:{version.compact_id}:{generation}:detail"
    for alias in ("pages", "default"):
        assert b"Withdrawn While Cached" in caches[alias].get(old_copy)  # still there, unused
    assert "Withdrawn While Cached" not in text(client, version)


def test_the_page_is_gzipped_for_a_browser_that_accepts_it(client, version):
    response = visit(client, version, accept_encoding="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert version.compact.title in gzip.decompress(response.content).decode()
    assert "Accept-Encoding" in response["Vary"]


def test_the_compressed_pages_weak_etag_is_answered_not_modified_too(client, version):
    """GZipMiddleware marks the tag weak (the bytes differ from the uncompressed page's); a
    browser sending it back still gets a 304."""
    first = visit(client, version, accept_encoding="gzip")
    assert first["ETag"].startswith('W/"')
    again = visit(client, version, accept_encoding="gzip", if_none_match=first["ETag"])
    assert again.status_code == 304
