"""Signing a published compact (signatories/services/signing.py): who may sign, one signature each,
several named signatories for one organisation, and withdrawal. Confirming from the e-mail is in
test_confirmation.py."""

import pytest
from django.urls import reverse

from compact import services as compact_services
from compact.errors import DomainError, NotAllowed
from signatories import services
from signatories.models import Signature
from tests.factories import LeaderFactory, published_version

from .factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def sign_form(**overrides):
    data = {
        "full_name": "  Ada   Lovelace ",
        "role": "Chief executive",
        "on_behalf": "personal",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_signing_twice_says_when_you_signed(leader, version):
    SignatureFactory(version=version, signer=leader)
    with pytest.raises(services.AlreadySigned, match="You already signed on"):
        services.sign(actor=leader, version=version, full_name="A", role="B", consent=True)


def test_an_organisation_can_have_several_named_signatories(version):
    organisation = OrganisationFactory()
    for role in ("Chair", "Chief executive"):
        services.sign(
            actor=LeaderFactory(),
            version=version,
            full_name="X",
            role=role,
            consent=True,
            organisation=organisation,
        )
    assert organisation.signatures.count() == 2


def test_unverified_people_cannot_sign(unverified_user, version):
    with pytest.raises(NotAllowed, match="Confirm your e-mail"):
        services.sign(actor=unverified_user, version=version, full_name="A", role="B", consent=True)


def test_signing_needs_consent_to_be_shown(leader, version):
    with pytest.raises(DomainError, match="shown publicly"):
        services.sign(actor=leader, version=version, full_name="A", role="B", consent=False)


def test_a_superseded_version_cannot_be_signed(leader, staff, version):
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    compact_services.ratify(actor=staff, version=draft)
    compact_services.publish(actor=staff, version=draft, note="Refreshed")
    with pytest.raises(DomainError, match="current published version"):
        services.sign(actor=leader, version=version, full_name="A", role="B", consent=True)


def test_bad_input_keeps_what_was_typed_and_names_the_field(client, leader, version):
    client.force_login(leader)
    response = client.post(
        reverse("signatories:sign", kwargs={"slug": version.compact.slug}),
        sign_form(
            on_behalf="organisation", organisation_name="<b>Bold</b> Trust", ods_code="R!1", consent=""
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "An ODS code is 3 to 6 letters and numbers" in page
    assert "Agree to your name" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Trust" in page and "<b>Bold</b>" not in page
    assert "Lovelace" in page


def test_withdrawal_leaves_the_list_and_counts_but_stays_in_the_record(client, leader, version):
    signature = SignatureFactory(version=version, signer=leader, full_name="Grace Hopper")
    list_url = reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})
    assert "Grace Hopper" in client.get(list_url).content.decode()
    client.force_login(leader)
    client.post(
        reverse("signatories:withdraw", kwargs={"pk": signature.pk}),
        {"reason": "Left the trust", "confirmed": "yes"},
    )
    signature.refresh_from_db()
    assert signature.status == Signature.Status.WITHDRAWN and signature.withdrawal_reason == "Left the trust"
    assert "Grace Hopper" not in client.get(list_url).content.decode()
    # Having withdrawn, the person may sign again.
    services.sign(actor=leader, version=version, full_name="Grace Hopper", role="Chair", consent=True)


def test_others_cannot_withdraw_or_see_a_signature(client, leader, version):
    signature = SignatureFactory(version=version, signer=leader)
    client.force_login(LeaderFactory())
    assert client.get(reverse("signatories:signature", kwargs={"pk": signature.pk})).status_code == 404
    assert client.post(reverse("signatories:withdraw", kwargs={"pk": signature.pk})).status_code == 404


def test_withdrawing_asks_first_and_a_post_without_the_confirmation_changes_nothing(client, leader, version):
    signature = SignatureFactory(version=version, signer=leader)
    client.force_login(leader)
    url = reverse("signatories:withdraw", kwargs={"pk": signature.pk})
    receipt = client.get(reverse("signatories:signature", kwargs={"pk": signature.pk})).content.decode()
    assert f'href="{url}"' in receipt and f'action="{url}"' not in receipt
    question = client.get(url)
    assert question.status_code == 200 and "Withdraw your signature?" in question.content.decode()
    unconfirmed = client.post(url, {"reason": "Changed my mind"})
    assert unconfirmed.status_code == 200 and "Changed my mind" in unconfirmed.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    client.post(url, {"reason": "Changed my mind", "confirmed": "yes"})
    signature.refresh_from_db()
    assert signature.status == Signature.Status.WITHDRAWN
