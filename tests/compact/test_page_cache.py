"""Visitors get a cached compact page; every change a visitor could see invalidates it."""

import pytest
from django.core import mail  # noqa: F401 - e-mails are sent by some of the changes below

from compact import services as compact_services
from signatories import services as signing
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def visit(client, version):
    return client.get(version.compact.get_absolute_url()).content.decode()


def test_a_visitor_is_served_from_the_cache(client, version, django_assert_num_queries):
    visit(client, version)
    with django_assert_num_queries(0):  # the worker knows the slug; the copy and generation come at once
        visit(client, version)


def test_a_confirmed_signature_shows_at_once(client, version, django_capture_on_commit_callbacks):
    visit(client, version)
    leader = LeaderFactory(full_name="Newly Confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        signature = signing.sign(
            actor=leader, version=version, full_name="Newly Confirmed", role="Chair", consent=True
        )
    token = "known-token"
    signature.token_hash = signing.hash_token(token=token)
    from django.utils import timezone

    signature.token_expires_at = timezone.now() + timezone.timedelta(hours=1)
    signature.save()
    with django_capture_on_commit_callbacks(execute=True):
        signing.confirm(token=token)
    assert "Newly Confirmed" in visit(client, version)


def test_a_withdrawal_disappears_at_once(client, version, django_capture_on_commit_callbacks):
    signature = SignatureFactory(version=version, full_name="Soon Withdrawn")
    assert "Soon Withdrawn" in visit(client, version)
    with django_capture_on_commit_callbacks(execute=True):
        signing.withdraw(actor=signature.signer, signature=signature)
    assert "Soon Withdrawn" not in visit(client, version)


def test_a_new_publication_and_a_title_change_show_at_once(
    client, staff, version, django_capture_on_commit_callbacks
):
    visit(client, version)
    with django_capture_on_commit_callbacks(execute=True):
        compact_services.update_compact(
            actor=staff, compact=version.compact, title=version.compact.title, summary="New"
        )
        draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
        compact_services.ratify(actor=staff, version=draft)
        compact_services.publish(actor=staff, version=draft, note="The refreshed compact")
    assert "The refreshed compact" in visit(client, version)


def test_an_opening_round_shows_at_once(client, staff, version, django_capture_on_commit_callbacks):
    visit(client, version)
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    with django_capture_on_commit_callbacks(execute=True):
        open_round(staff=staff, version=draft, title="A round everyone should see")
    assert "A round everyone should see" in visit(client, version)


def test_signed_in_people_always_get_a_page_of_their_own(client, leader, version):
    """Never the visitors' copy: it has no sign-out form, and a signed-in page's CSRF token must
    never be handed to anyone else."""
    visit(client, version)  # the visitors' copy is cached
    client.force_login(leader)
    page = visit(client, version)
    assert "Sign out" in page and "csrfmiddlewaretoken" in page
    client.logout()
    assert "Sign out" not in visit(client, version)


def test_after_the_cache_is_flushed_no_worker_serves_a_copy_it_kept(
    client, version, django_capture_on_commit_callbacks
):
    """Workers keep recent copies in memory, checked against the shared generation. A flush
    (Redis restarted, FLUSHDB) must not bring back a generation number a kept copy carries."""
    signature = SignatureFactory(version=version, full_name="Withdrawn Before The Flush")
    assert "Withdrawn Before The Flush" in visit(client, version)  # kept by this worker
    from django.core.cache import cache

    with django_capture_on_commit_callbacks(execute=True):
        signing.withdraw(actor=signature.signer, signature=signature)
    cache.clear()
    # Another page of the compact, rendered first, starts the lost generation again.
    client.get(f"{version.compact.get_absolute_url()}versions/{version.number}/signatories/")
    assert "Withdrawn Before The Flush" not in visit(client, version)
