"""Publishing a refreshed version invites the confirmed signatories of the one it replaces, once."""

import pytest
from django.urls import reverse

from compact import services as compact_services
from signatories import services
from signatories.models import RefreshInvitation, Signature
from signatories.tasks import send_refresh_invitations
from tests.factories import published_version
from tests.mailbox import delivered

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


def test_the_invitation_links_to_signing_the_new_version(
    staff, version, mailoutbox, django_capture_on_commit_callbacks
):
    signature = SignatureFactory(version=version, full_name="Mary Seacole")
    mailoutbox.clear()
    new = refresh(staff, version, django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    assert mail.to == [signature.signer.email]
    assert "Mary Seacole" in mail.body and f"version {new.number} is now published" in mail.body
    assert reverse("signatories:sign", kwargs={"slug": version.compact.slug}) in mail.body


def test_only_confirmed_signatories_are_invited(
    staff, version, mailoutbox, django_capture_on_commit_callbacks
):
    confirmed = SignatureFactory(version=version)
    for status in ("pending", "withdrawn", "hidden"):
        SignatureFactory(version=version, status=status, confirmed_at=None)
    mailoutbox.clear()
    refresh(staff, version, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[confirmed.signer.email]]


def test_a_retried_task_sends_nothing_twice(staff, version, mailoutbox, django_capture_on_commit_callbacks):
    SignatureFactory.create_batch(3, version=version)
    mailoutbox.clear()
    new = refresh(staff, version, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3
    assert send_refresh_invitations(new.pk, version.pk) == 0
    assert len(mailoutbox) == 3 and RefreshInvitation.objects.filter(version=new).count() == 3


def test_someone_who_already_signed_the_new_version_is_not_invited(
    staff, version, mailoutbox, django_capture_on_commit_callbacks
):
    early = SignatureFactory(version=version)
    other = SignatureFactory(version=version)
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    compact_services.ratify(actor=staff, version=draft)
    compact_services.publish(actor=staff, version=draft, note="Refreshed")  # task not run yet
    SignatureFactory(version=draft, signer=early.signer)
    mailoutbox.clear()
    send_refresh_invitations(draft.pk, version.pk)
    assert [m.to for m in delivered()] == [[other.signer.email]]


def test_old_signatures_stay_with_the_old_version(staff, version, django_capture_on_commit_callbacks):
    signature = SignatureFactory(version=version)
    new = refresh(staff, version, django_capture_on_commit_callbacks)
    signature.refresh_from_db()
    assert signature.version == version and signature.content_hash == version.content_hash
    assert signature.status == Signature.Status.CONFIRMED
    assert not Signature.objects.filter(version=new).exists()


def test_the_first_publication_invites_no_one(staff, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published_version(staff=staff)
    assert mailoutbox == [] and not RefreshInvitation.objects.exists()


def test_a_publication_rolled_back_sends_no_invitations(
    staff, version, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    SignatureFactory(version=version)
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    compact_services.ratify(actor=staff, version=draft)
    mailoutbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        compact_services.publish(actor=staff, version=draft, note="Refreshed")
        raise RuntimeError("something after publishing failed")
    assert callbacks == [] and mailoutbox == [] and not RefreshInvitation.objects.exists()


def test_an_earlier_signatory_re_signs_for_their_organisation_in_one_step(
    client, staff, version, mailoutbox, django_capture_on_commit_callbacks
):
    earlier = SignatureFactory(version=version, full_name="Mary Seacole")
    new = refresh(staff, version, django_capture_on_commit_callbacks)
    client.force_login(earlier.signer)
    url = reverse("signatories:sign", kwargs={"slug": version.compact.slug})
    page = client.get(url).content.decode()
    # Nobody has signed the new version yet, but their own organisation is offered and chosen.
    assert f'<option value="{earlier.organisation_id}" selected>' in page
    assert 'value="organisation" checked' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "full_name": "Mary Seacole",
                "role": "Chair",
                "on_behalf": "organisation",
                "organisation": earlier.organisation_id,
                "consent": "on",
            },
        )
    signed = Signature.objects.get(version=new)
    assert signed.organisation_id == earlier.organisation_id
    # Verified for this organisation on the earlier version: it counts once confirmed, no wait.
    token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]
    services.confirm(token=token)
    signed.refresh_from_db()
    assert (signed.status, signed.organisation_verified_how) == ("confirmed", "renewed")


def test_a_signature_confirmed_under_the_earlier_rules_does_not_vouch_for_a_re_signature(
    staff, version, mailoutbox, django_capture_on_commit_callbacks
):
    earlier = SignatureFactory(version=version, organisation_verified_how="earlier")
    new = refresh(staff, version, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.sign(
            actor=earlier.signer,
            version=new,
            full_name="X",
            role="Chair",
            consent=True,
            organisation=earlier.organisation,
        )
    token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]
    assert services.confirm(token=token).status == Signature.Status.AWAITING_ORGANISATION


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
