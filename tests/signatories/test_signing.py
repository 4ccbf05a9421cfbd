"""Signing a published compact: the e-mail confirmation flow, one signature each, withdrawal, refresh."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from compact import services as compact_services
from compact.errors import DomainError, NotAllowed
from signatories import services
from signatories.models import Organisation, RefreshInvitation, Signature
from signatories.services import confirmation
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


def confirmation_link(mail):
    return re.search(r"https?://\S+/signatures/confirm/\S+/", mail.body).group(0)


def test_a_new_organisation_signs_and_confirms_from_the_email(
    client, leader, staff, version, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signatories:sign", kwargs={"slug": version.compact.slug}),
            sign_form(
                on_behalf="organisation",
                organisation_name="Harbour NHS Trust",
                organisation_kind="trust",
                ods_code="rx1",
                region="london",
            ),
        )
    signature = Signature.objects.get()
    assert response.status_code == 302
    assert signature.status == Signature.Status.PENDING
    assert signature.full_name == "Ada Lovelace"
    assert signature.organisation.ods_code == "RX1"
    assert signature.content_hash == version.content_hash
    list_url = reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})
    assert "Ada Lovelace" not in client.get(list_url).content.decode()  # not until confirmed

    link = confirmation_link(mailoutbox[-1])
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()  # the link works from any browser, e.g. a phone
    page = client.get("/" + path)
    assert page.status_code == 200 and "Confirm my signature" in page.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING  # GET changed nothing
    client.post("/" + path)
    # Anyone can type an organisation's name: it waits until verified for this signer.
    assert Signature.objects.get().status == Signature.Status.AWAITING_ORGANISATION
    assert "Ada Lovelace" not in client.get(list_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # its commit refreshes the visitors' copy
        services.approve_organisation_signature(actor=staff, signature=Signature.objects.get())
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    listing = client.get(list_url).content.decode()
    assert "Ada Lovelace" in listing and version.content_hash in listing

    again = client.post("/" + path)
    assert again.status_code == 410 and "already been used" in again.content.decode()


def test_only_a_hash_of_the_token_is_stored(leader, version, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sign(actor=leader, version=version, full_name="A", role="B", consent=True)
    token = confirmation_link(mailoutbox[-1]).rstrip("/").rsplit("/", 1)[1]
    signature = Signature.objects.get()
    assert token not in signature.token_hash and signature.token_hash == services.hash_token(token=token)


def test_an_expired_link_is_refused(leader, version, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sign(actor=leader, version=version, full_name="A", role="B", consent=True)
    token = confirmation_link(mailoutbox[-1]).rstrip("/").rsplit("/", 1)[1]
    Signature.objects.update(token_expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError, match="expired"):
        services.confirm(token=token)


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


def test_an_existing_organisation_is_found_by_ods_code_or_name(version):
    existing = OrganisationFactory(name="Harbour NHS Trust", ods_code="RH1")
    assert services.find_organisation(ods_code="rh1") == existing
    assert services.find_or_create_organisation(name="harbour nhs trust", kind="trust") == existing
    # A name and a code that disagree are asked about, never silently filed under the code.
    with pytest.raises(services.OrganisationMismatch, match="RH1 is Harbour NHS Trust"):
        services.find_or_create_organisation(name="Something else", kind="trust", ods_code="rh1")
    assert Organisation.objects.count() == 1


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


def test_resending_is_rate_limited(leader, version, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signature = services.sign(actor=leader, version=version, full_name="A", role="B", consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_confirmation(actor=leader, signature=signature)
    with pytest.raises(DomainError, match="Wait five minutes"):
        services.resend_confirmation(actor=leader, signature=signature)
    assert len(mailoutbox) == 2


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


def test_staff_hide_a_fake_signature_with_a_reason_and_restore_it(staff, version):
    signature = SignatureFactory(version=version)
    with pytest.raises(NotAllowed):
        services.hide_signature(actor=LeaderFactory(), signature=signature, reason="Fake")
    services.hide_signature(actor=staff, signature=signature, reason="Not a real person")
    assert not Signature.objects.public().exists()
    services.restore_signature(actor=staff, signature=signature)
    assert Signature.objects.public().count() == 1


def test_staff_verify_an_organisation(staff_client, staff):
    organisation = OrganisationFactory()
    staff_client.post(
        reverse("signatories:staff_organisations"), {"organisation": organisation.pk, "verified": "1"}
    )
    organisation.refresh_from_db()
    assert organisation.verified_by == staff


@pytest.mark.parametrize("name", ["staff_organisations"])
def test_staff_pages_refuse_leaders(leader_client, name):
    assert leader_client.get(reverse(f"signatories:{name}")).status_code == 403


def test_publishing_a_refreshed_version_invites_earlier_signatories_once(
    staff, version, mailoutbox, django_capture_on_commit_callbacks
):
    kept = SignatureFactory(version=version)
    withdrawn = SignatureFactory(version=version, status=Signature.Status.WITHDRAWN)
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    compact_services.ratify(actor=staff, version=draft)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        compact_services.publish(actor=staff, version=draft, note="Refreshed")
    assert [m.to for m in mailoutbox] == [[kept.signer.email]]
    assert withdrawn.signer.email not in str([m.to for m in mailoutbox])
    from signatories.tasks import send_refresh_invitations

    assert send_refresh_invitations(draft.pk, version.pk) == 0
    assert RefreshInvitation.objects.count() == 1
    kept.refresh_from_db()
    assert kept.version == version and kept.status == Signature.Status.CONFIRMED


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


@pytest.mark.parametrize("meanwhile", ["withdrawn", "a new link sent"])
def test_a_link_used_while_its_signature_changes_confirms_nothing(
    leader, version, mailoutbox, monkeypatch, meanwhile, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    token = confirmation_link(mailoutbox[-1]).rstrip("/").rsplit("/", 1)[1]
    read = services.signature_for_token

    def read_then_changed(*, token):
        # The link's signature as the confirmation read it, then changed before it is written.
        found = read(token=token)
        if meanwhile == "withdrawn":
            services.withdraw(actor=leader, signature=found)
        else:
            Signature.objects.filter(pk=found.pk).update(token_hash="b" * 64)
        return found

    # confirm() looks the link up in its own module, so the stand-in goes there.
    monkeypatch.setattr(confirmation, "signature_for_token", read_then_changed)
    with pytest.raises(DomainError, match="already been used"):
        services.confirm(token=token)

    signature = Signature.objects.get()
    assert signature.status != Signature.Status.CONFIRMED and signature.confirmed_at is None
    assert not AuditEvent.objects.filter(action="confirm signature").exists()
