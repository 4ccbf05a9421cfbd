"""Confirming a signature from the e-mailed link (signatories/services/confirmation.py): the link
works once, from any browser, only its hash is stored, it expires, resending is rate-limited, and
a link whose signature changes in between confirms nothing."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from compact.errors import DomainError
from signatories import services
from signatories.models import Signature
from signatories.services import confirmation
from tests.factories import published_version

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


def test_resending_is_rate_limited(leader, version, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signature = services.sign(actor=leader, version=version, full_name="A", role="B", consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_confirmation(actor=leader, signature=signature)
    with pytest.raises(DomainError, match="Wait five minutes"):
        services.resend_confirmation(actor=leader, signature=signature)
    assert len(mailoutbox) == 2


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
