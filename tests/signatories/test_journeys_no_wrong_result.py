"""What the first-time walk found filed wrongly or lost: re-signing fills in exactly what was given
before, "what changed" compares public versions, sign-in links keep where the person was going,
and the thank-you page always links the receipt."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from compact import services as compact_services
from consultation import services as consultation_services
from consultation.models import Round
from signatories import services
from signatories.models import Signature
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version

from .factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def refresh(staff, version, capture):
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    compact_services.ratify(actor=staff, version=draft)
    with capture(execute=True):
        compact_services.publish(actor=staff, version=draft, note="Refreshed")
    return draft


def sign_url(version):
    return reverse("signatories:sign", kwargs={"slug": version.compact.slug})


def checked(page, value):
    return re.search(rf'<input[^>]*value="{value}"[^>]*checked', page) is not None


def test_someone_who_signed_personally_re_signs_personally_whatever_their_profile_says(
    client, staff, version, django_capture_on_commit_callbacks
):
    signer = LeaderFactory(organisation_name="Riverside ICB")
    SignatureFactory(version=version, signer=signer, organisation=None, full_name="Priya Shah", role="Chair")
    refresh(staff, version, django_capture_on_commit_callbacks)
    client.force_login(signer)
    page = client.get(sign_url(version)).content.decode()
    assert "We have filled in what you gave then" in page
    assert checked(page, "personal") and not checked(page, "organisation")
    assert "Riverside ICB" not in page
    assert 'value="Priya Shah"' in page and 'value="Chair"' in page


def test_a_first_signer_chooses_how_they_sign_rather_than_having_their_profiles_organisation_chosen(
    client, version
):
    client.force_login(LeaderFactory(organisation_name="Riverside ICB"))
    page = client.get(sign_url(version)).content.decode()
    assert not checked(page, "organisation") and not checked(page, "personal")
    assert 'value="Riverside ICB"' not in page


def test_what_changed_compares_a_refresh_with_the_previous_published_version_not_a_consulted_one(
    client, staff, version, django_capture_on_commit_callbacks
):
    # A results-only round on a draft makes a consulted version and a new draft in between.
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    round = open_round(version=draft, staff=staff)
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now())
    consultation_services.close_round(round=round)
    refreshed = consultation_services.apply_results(actor=staff, round=round)
    compact_services.ratify(actor=staff, version=refreshed)
    with django_capture_on_commit_callbacks(execute=True):
        compact_services.publish(actor=staff, version=refreshed, note="Refreshed")
    assert refreshed.number == version.number + 2
    page = client.get(reverse("compact:detail", kwargs={"slug": version.compact.slug})).content.decode()
    assert f"See what changed from version {version.number}<" in page
    assert f"?from={version.number}&amp;to={refreshed.number}" in page


@pytest.mark.parametrize("page", ["account_login", "account_signup"])
def test_the_headers_sign_in_and_create_account_links_keep_where_the_person_was_going(client, page):
    body = client.get(reverse(page) + "?next=/rounds/7/%3Ftheme%3D2").content.decode()
    assert 'href="/accounts/login/?next=/rounds/7/%3Ftheme%3D2"' in body
    assert 'href="/accounts/signup/?next=/rounds/7/%3Ftheme%3D2"' in body


def test_the_header_links_keep_the_page_the_person_is_on(client, version):
    body = client.get(reverse("compact:detail", kwargs={"slug": version.compact.slug})).content.decode()
    assert f'href="/accounts/login/?next=/compacts/{version.compact.slug}/"' in body


def test_an_address_off_the_site_is_never_kept_as_next(client):
    body = client.get(reverse("account_login") + "?next=//evil.example/").content.decode()
    assert "evil.example" not in body.split("</header>")[0]


def _confirm(signature_pk, mailoutbox, client):
    token = re.search(r"/signatures/confirm/([^/\s]+)/", mailoutbox[-1].body).group(1)
    return client.post(reverse("signatories:confirm", kwargs={"token": token}))


def test_a_fully_confirmed_signature_thanks_with_a_link_to_its_receipt(
    client, leader, version, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    client.force_login(leader)
    page = _confirm(signature.pk, mailoutbox, client).content.decode()
    assert f'href="/signatures/{signature.pk}/"' in page
    assert "sign in to see it" not in page


def test_a_signed_out_signer_is_told_the_receipt_needs_signing_in(
    client, leader, version, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    page = _confirm(signature.pk, mailoutbox, client).content.decode()
    assert "Your receipt</a> (sign in to see it)" in page
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.CONFIRMED


def test_a_signed_in_signer_awaiting_their_organisation_gets_the_receipt_link_without_being_told_to_sign_in(
    client, leader, version, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = services.sign(
            actor=leader,
            version=version,
            full_name="Ada",
            role="Chair",
            consent=True,
            new_organisation={"name": "Unheard-of Trust", "kind": "trust", "ods_code": "", "region": ""},
        )
    client.force_login(leader)
    page = _confirm(signature.pk, mailoutbox, client).content.decode()
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.AWAITING_ORGANISATION
    assert f'href="/signatures/{signature.pk}/"' in page
    assert "sign in to see it" not in page
