"""A badge is earned, and its address is not guessable (issue 34 item 10, issue 30 item 8).

Before: a self-declared organisation's signature still awaiting its organisation served a public
badge with that organisation's name, badge pages sat at /badge/1/, /badge/2/…, and the snippet's
alt text said "has signed" whatever the image said.
"""

import html

import pytest
from django.utils import timezone

from signatories import services as signing
from signatories.models import Signature
from signatories.selectors import badge_path

from .conftest import organisation, sign

pytestmark = pytest.mark.django_db


def addresses(version, org):
    slug = version.compact.slug
    return badge_path(compact_slug=slug, organisation_id=org.pk), badge_path(
        compact_slug=slug, organisation_id=org.pk, svg=True
    )


def test_no_badge_while_the_signature_awaits_its_organisation_and_one_once_approved(client, version, staff):
    org = organisation(name="Self-declared Trust")
    signature = sign(
        version,
        organisation=org,
        status=Signature.Status.AWAITING_ORGANISATION,
        organisation_verified_at=None,
    )
    page, image = addresses(version, org)
    assert client.get(page).status_code == 404
    assert client.get(image).status_code == 404
    signing.approve_organisation_signature(actor=staff, signature=signature)
    assert client.get(page).status_code == 200
    assert client.get(image).status_code == 200


def test_a_badge_is_not_found_by_its_organisations_number_alone(client, version):
    org = organisation()
    sign(version, organisation=org)
    slug = version.compact.slug
    assert client.get(f"/compacts/{slug}/badge/{org.pk}/").status_code == 404
    assert client.get(f"/compacts/{slug}/badge/{org.pk}.svg").status_code == 404
    page, _ = addresses(version, org)
    forged = page.replace(f"/{org.pk}-", f"/{org.pk + 1}-")
    assert client.get(forged).status_code == 404
    other = organisation()
    sign(version, organisation=other)
    assert client.get(page.replace(f"/{org.pk}-", f"/{other.pk}-")).status_code == 404


def test_the_snippet_says_has_signed_only_while_the_badge_does(client, version):
    org = organisation(name="Scutari NHS Trust")
    signature = sign(version, organisation=org)
    page, _ = addresses(version, org)
    snippet = html.unescape(client.get(page).content.decode())
    assert 'alt="Scutari NHS Trust has signed' in snippet
    signing.withdraw(actor=signature.signer, signature=signature, reason="Left")
    snippet = html.unescape(client.get(page).content.decode())
    assert "has signed" not in snippet.split('id="badge-snippet"')[1].split("</textarea>")[0]
    assert 'alt="Scutari NHS Trust has not signed' in snippet


def test_the_confirmation_page_links_each_organisations_own_badge(client, version):
    first, second = organisation(name="First Trust"), organisation(name="Second Trust")
    for org in (first, second):
        signature = sign(version, organisation=org, confirmed_at=timezone.now())
        client.force_login(signature.signer)
        body = client.get(f"/signatures/{signature.pk}/").content.decode()
        assert addresses(version, org)[0] in body
