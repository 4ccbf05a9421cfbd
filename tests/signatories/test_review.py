"""Staff review of signatures (signatories/services/review.py) from the staff pages: hide with a
reason and restore, who may, and the signal every change of the public set sends. Organisations
are in test_organisations.py, held signatures in test_holds.py."""

import pytest
from django.urls import reverse

from compact.errors import NotAllowed
from compact.signals import signatures_changed
from signatories import services
from signatories.models import Signature
from tests.factories import LeaderFactory, published_version

from .factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


@pytest.fixture
def changes():
    """The versions `signatures_changed` was sent for, in order."""
    sent = []

    def receiver(sender, version, **kwargs):
        sent.append((sender, version.pk))

    signatures_changed.connect(receiver, dispatch_uid="test-changes")
    yield sent
    signatures_changed.disconnect(dispatch_uid="test-changes")


def staff_url(version):
    return reverse(
        "signatories:staff_signatures", kwargs={"slug": version.compact.slug, "number": version.number}
    )


def moderate_url(signature, action):
    return reverse("signatories:staff_moderate", kwargs={"pk": signature.pk, "action": action})


def list_page(version):
    """As a visitor sees it (a fresh client, so no flash message repeats a name)."""
    from django.test import Client

    url = reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})
    return Client().get(url).content.decode()


def test_staff_hide_a_signature_with_a_reason_from_the_staff_page_and_restore_it(
    staff_client, staff, version, django_capture_on_commit_callbacks
):
    signature = SignatureFactory(version=version, full_name="Not A Real Person")
    assert "Not A Real Person" in staff_client.get(staff_url(version)).content.decode()
    assert "Not A Real Person" in list_page(version)  # and the visitors' copy is cached

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(moderate_url(signature, "hide"), {"reason": "Nobody of that name works there"})
    signature.refresh_from_db()
    assert signature.status == Signature.Status.HIDDEN
    assert (signature.hidden_by, signature.hidden_reason) == (staff, "Nobody of that name works there")
    assert signature.hidden_at is not None
    page = list_page(version)
    assert "Not A Real Person" not in page and "0 signatories" in page

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(moderate_url(signature, "restore"))
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED and signature.hidden_reason == ""
    assert "Not A Real Person" in list_page(version)


def test_hiding_needs_a_reason(staff_client, version):
    signature = SignatureFactory(version=version)
    page = staff_client.post(moderate_url(signature, "hide"), {"reason": "  "}, follow=True).content.decode()
    assert "Enter your reason for hiding it." in page
    assert Signature.objects.get().status == Signature.Status.CONFIRMED


def test_leaders_cannot_reach_staff_signature_pages(leader_client, version):
    signature = SignatureFactory(version=version)
    assert leader_client.get(staff_url(version)).status_code == 403
    assert leader_client.post(moderate_url(signature, "hide"), {"reason": "x"}).status_code == 403
    assert Signature.objects.get().status == Signature.Status.CONFIRMED


def test_visitors_are_sent_to_sign_in_from_staff_pages(client, version):
    for url in (staff_url(version), reverse("signatories:staff_organisations")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_see_every_signature_with_its_status_and_email(staff_client, version):
    SignatureFactory(version=version, full_name="Withdrawn Person", status="withdrawn")
    pending = SignatureFactory(version=version, status="pending", confirmed_at=None)
    page = staff_client.get(staff_url(version)).content.decode()
    assert "Withdrawn Person" in page and "Waiting for e-mail confirmation" in page
    assert pending.signer.email in page


def test_every_change_of_the_public_set_sends_signatures_changed(
    staff, leader, version, changes, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = services.sign(actor=leader, version=version, full_name="Ada", role="Chair", consent=True)
    assert changes == []  # pending signatures are not public
    token = mailoutbox[-1].body.split("/signatures/confirm/", 1)[1].split("/", 1)[0]
    services.confirm(token=token)
    services.hide_signature(actor=staff, signature=signature, reason="Checking")
    services.restore_signature(actor=staff, signature=signature)
    services.withdraw(actor=leader, signature=signature)
    assert changes == [(Signature, version.pk)] * 4


def test_withdrawing_a_pending_signature_sends_nothing(leader, version, changes):
    signature = SignatureFactory(version=version, signer=leader, status="pending", confirmed_at=None)
    services.withdraw(actor=leader, signature=signature)
    assert changes == []


def test_a_hidden_signature_is_not_restored_over_a_newer_one(staff, version):
    leader = LeaderFactory()
    hidden = SignatureFactory(version=version, signer=leader)
    services.hide_signature(actor=staff, signature=hidden, reason="Duplicate")
    SignatureFactory(version=version, signer=leader)
    with pytest.raises(services.DomainError, match="signed this version again"):
        services.restore_signature(actor=staff, signature=hidden)


def test_the_staff_area_links_to_organisations(staff_client):
    page = staff_client.get(reverse("compact:staff_dashboard")).content.decode()
    assert reverse("signatories:staff_organisations") in page


def test_staff_hide_a_fake_signature_with_a_reason_and_restore_it(staff, version):
    signature = SignatureFactory(version=version)
    with pytest.raises(NotAllowed):
        services.hide_signature(actor=LeaderFactory(), signature=signature, reason="Fake")
    services.hide_signature(actor=staff, signature=signature, reason="Not a real person")
    assert not Signature.objects.public().exists()
    services.restore_signature(actor=staff, signature=signature)
    assert Signature.objects.public().count() == 1
