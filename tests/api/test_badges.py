"""The "We have signed" badge: well-formed SVG, escaped names, honest when a signature goes."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.urls import reverse

from signatories import services as signing
from signatories.selectors import badge_path

from .conftest import organisation, sign

SITE = settings.SITE_URL  # every absolute address is built from it, never from the request

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def badge(client, version, org):
    return client.get(badge_path(compact_slug=version.compact.slug, organisation_id=org.pk, svg=True))


def texts(response):
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer, under test
    assert root.tag == f"{SVG}svg"
    return [element.text for element in root.iter(f"{SVG}text")]


def test_a_badge_names_the_organisation_the_compact_and_the_version(client, version):
    org = organisation(name="Scutari NHS Trust")
    sign(version, organisation=org)
    response = badge(client, version, org)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age=300" in response["Cache-Control"]
    assert texts(response) == ["We have signed", "Scutari NHS Trust", f"{version.compact.title}, version 1"]


def test_names_are_escaped_so_the_svg_stays_well_formed(client, version):
    org = organisation(name='<script>alert("x")</script> & Sons\' Trust')
    sign(version, organisation=org)
    response = badge(client, version, org)
    assert b"<script>" not in response.content
    assert texts(response)[1] == org.name
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer, under test
    assert org.name in root.find(f"{SVG}title").text


def test_a_withdrawn_signature_turns_the_badge_to_not_signed(client, version):
    org = organisation()
    signature = sign(version, organisation=org)
    signed = badge(client, version, org)
    signing.withdraw(actor=signature.signer, signature=signature, reason="Left the trust.")
    after = badge(client, version, org)
    assert after.status_code == 200
    assert texts(after)[0] == "Not signed"
    assert after["ETag"] != signed["ETag"]


def test_a_hidden_signature_turns_the_badge_to_not_signed(client, version, staff):
    org = organisation()
    signature = sign(version, organisation=org)
    signing.hide_signature(actor=staff, signature=signature, reason="Not a real person.")
    assert texts(badge(client, version, org))[0] == "Not signed"


def test_the_badge_stays_signed_while_another_signature_for_the_organisation_stands(client, version):
    org = organisation()
    leaving, staying = sign(version, organisation=org), sign(version, organisation=org)
    signing.withdraw(actor=leaving.signer, signature=leaving, reason="")
    assert texts(badge(client, version, org))[0] == "We have signed"
    assert staying.status == "confirmed"


def test_no_badge_for_an_organisation_that_never_confirmed_a_signature(client, version):
    org = organisation()
    sign(version, organisation=org, status="pending", confirmed_at=None)
    assert badge(client, version, org).status_code == 404
    assert badge(client, version, organisation()).status_code == 404


def test_the_badge_page_gives_a_snippet_linking_to_the_signatories(client, version):
    org = organisation(name="Scutari NHS Trust")
    sign(version, organisation=org)
    page = client.get(badge_path(compact_slug=version.compact.slug, organisation_id=org.pk))
    html = page.content.decode()
    signatories = reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": 1})
    svg = badge_path(compact_slug=version.compact.slug, organisation_id=org.pk, svg=True)
    # The snippet shows as text to copy: escaped once in the page.
    assert f"&lt;a href=&quot;{SITE}{signatories}&quot;&gt;&lt;img src=&quot;{SITE}{svg}&quot;" in html
    index = client.get(reverse("api:badges", kwargs={"slug": version.compact.slug})).content.decode()
    assert "Scutari NHS Trust" in index
