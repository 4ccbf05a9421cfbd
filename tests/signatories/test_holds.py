"""Bursts are held: signatures from one e-mail domain or one address beyond the settings' rate do
not show or count anywhere until staff release them (issue 34, item 3)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from compact import pdf
from signatories import selectors, services
from signatories.models import Signature
from tests.factories import LeaderFactory, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    version = published_version(staff=staff)
    for _ in range(3):  # signatories already counted, as on the probed compact
        SignatureFactory(version=version, organisation=None)
    return version


@pytest.fixture(autouse=True)
def _holds(settings):
    settings.SIGNATURE_HOLD_PER_DOMAIN = "3/hour"
    settings.SIGNATURE_HOLD_PER_ADDRESS = "3/hour"


def sign_and_confirm(version, email, capture, mailoutbox, address="203.0.113.9", name=None):
    signer = LeaderFactory(email=email)
    with capture(execute=True):
        signature = services.sign(
            actor=signer,
            version=version,
            full_name=name or signer.full_name,
            role="Director",
            consent=True,
            client_address=address,
        )
    token = re.search(r"/signatures/confirm/([^/\s]+)/", mailoutbox[-1].body).group(1)
    services.confirm(token=token)
    signature.refresh_from_db()
    return signature


def total(version):
    return selectors.public_counts(version)["total"]


def test_four_bots_at_one_catch_all_domain_are_held_and_never_counted(
    version, django_capture_on_commit_callbacks, mailoutbox
):
    assert total(version) == 3
    bots = [
        sign_and_confirm(version, f"bot{n}@catchall.example", django_capture_on_commit_callbacks, mailoutbox)
        for n in range(4)
    ]
    for bot in bots:
        bot.refresh_from_db()
    assert all(bot.status == Signature.Status.CONFIRMED and bot.held_at is not None for bot in bots)
    assert total(version) == 3
    listed = Client().get(
        reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})
    )
    assert not any(bot.full_name in listed.content.decode() for bot in bots)
    printed = {row.pk for row in pdf.public_signatures(version)}
    assert printed and not printed & {bot.pk for bot in bots}
    assert not version.signatures.public().filter(pk__in=[b.pk for b in bots]).exists()
    assert bots[0].hold_reasons == [  # one address, one domain: both said
        "More than 3 signatures from one address within an hour",
        "More than 3 signatures from one e-mail domain within an hour",
    ]


def test_the_open_data_api_does_not_list_held_signatures(
    client, version, django_capture_on_commit_callbacks, mailoutbox
):
    bots = [
        sign_and_confirm(version, f"bot{n}@catchall.example", django_capture_on_commit_callbacks, mailoutbox)
        for n in range(4)
    ]
    kwargs = {"slug": version.compact.slug, "number": version.number}
    listed = client.get(reverse("api:signatories", kwargs=kwargs))
    assert listed.status_code == 200 and listed.json()
    assert not any(bot.full_name in listed.content.decode() for bot in bots)
    counts = client.get(reverse("api:counts", kwargs=kwargs)).content.decode()
    assert '"total":3' in counts.replace(" ", "")


def test_a_burst_from_one_address_is_held_whatever_the_domains(
    version, django_capture_on_commit_callbacks, mailoutbox
):
    signed = [
        sign_and_confirm(version, f"p{n}@gmail.com", django_capture_on_commit_callbacks, mailoutbox)
        for n in range(4)
    ]
    assert Signature.objects.held().count() == 4
    assert all("from one address" in s.hold_reasons[0] for s in Signature.objects.held())
    assert total(version) == 3
    assert len(signed) == 4


def test_a_public_mail_service_counts_by_address_only(
    version, django_capture_on_commit_callbacks, mailoutbox
):
    for n in range(5):
        sign_and_confirm(
            version,
            f"clinician{n}@nhs.net",
            django_capture_on_commit_callbacks,
            mailoutbox,
            address=f"198.51.100.{n}",
        )
    assert not Signature.objects.held().exists()
    assert total(version) == 8


def test_a_domain_staff_recorded_for_an_organisation_is_not_held(
    staff, version, django_capture_on_commit_callbacks, mailoutbox
):
    trust = OrganisationFactory(name="Riverside NHS Trust")
    services.set_organisation_email_domains(actor=staff, organisation=trust, domains="riverside.nhs.uk")
    for n in range(5):
        sign_and_confirm(
            version, f"colleague{n}@riverside.nhs.uk", django_capture_on_commit_callbacks, mailoutbox
        )
    assert not Signature.objects.held().exists()


def test_the_thresholds_are_settings(settings, version, django_capture_on_commit_callbacks, mailoutbox):
    settings.SIGNATURE_HOLD_PER_DOMAIN = "10/hour"
    settings.SIGNATURE_HOLD_PER_ADDRESS = "10/minute"
    for n in range(4):
        sign_and_confirm(version, f"bot{n}@catchall.example", django_capture_on_commit_callbacks, mailoutbox)
    assert not Signature.objects.held().exists()
    settings.SIGNATURE_HOLD_PER_DOMAIN = "3 an hour"
    with pytest.raises(ValueError, match="SIGNATURE_HOLD_PER_DOMAIN"):
        services.hold_threshold(setting="SIGNATURE_HOLD_PER_DOMAIN")


def test_staff_release_a_held_signature_from_the_queue_and_it_counts(
    staff, staff_client, version, django_capture_on_commit_callbacks, mailoutbox
):
    bots = [
        sign_and_confirm(version, f"bot{n}@catchall.example", django_capture_on_commit_callbacks, mailoutbox)
        for n in range(4)
    ]
    queue = staff_client.get(reverse("signatories:staff_queue")).content.decode()
    assert "Held: not counted until you release them (4)" in queue
    assert "More than 3 signatures from one e-mail domain within an hour" in queue
    response = staff_client.post(
        reverse("signatories:staff_moderate", kwargs={"pk": bots[0].pk, "action": "release"}),
        {"back": "queue"},
    )
    assert response.status_code == 302
    bots[0].refresh_from_db()
    assert bots[0].held_at is None and bots[0].released_by == staff
    assert total(version) == 4
    event = AuditEvent.objects.get(action="release held signature")
    assert event.object_id == str(bots[0].pk) and event.actor == staff
    # Released stays released: another signature from the same domain does not hold it again.
    sign_and_confirm(version, "bot9@catchall.example", django_capture_on_commit_callbacks, mailoutbox)
    bots[0].refresh_from_db()
    assert bots[0].held_at is None and total(version) == 4


def test_staff_reject_a_held_signature_and_it_is_hidden(
    staff, staff_client, version, django_capture_on_commit_callbacks, mailoutbox
):
    bots = [
        sign_and_confirm(version, f"bot{n}@catchall.example", django_capture_on_commit_callbacks, mailoutbox)
        for n in range(4)
    ]
    staff_client.post(
        reverse("signatories:staff_moderate", kwargs={"pk": bots[1].pk, "action": "reject"}),
        {"back": "queue", "reason": ""},
    )
    bots[1].refresh_from_db()
    assert bots[1].status == Signature.Status.HIDDEN
    assert bots[1].hidden_reason == services.REJECTED_WITHOUT_REASON
    assert AuditEvent.objects.filter(action="reject held signature", actor=staff).count() == 1
    assert total(version) == 3
    assert selectors.signatures_to_check()["held"] == 3


def test_leaders_cannot_release_a_held_signature(leader_client, version):
    held = SignatureFactory(version=version, organisation=None, held_at=timezone.now(), hold_reasons=["x"])
    url = reverse("signatories:staff_moderate", kwargs={"pk": held.pk, "action": "release"})
    assert leader_client.post(url).status_code == 403
    held.refresh_from_db()
    assert held.held_at is not None


def test_a_held_signer_is_told_their_signature_shows_once_checked(
    client, version, django_capture_on_commit_callbacks, mailoutbox
):
    signers = []
    for n in range(4):
        signer = LeaderFactory(email=f"bot{n}@catchall.example")
        with django_capture_on_commit_callbacks(execute=True):
            signers.append(
                services.sign(actor=signer, version=version, full_name=f"Bot {n}", role="R", consent=True)
            )
    token = re.search(r"/signatures/confirm/([^/\s]+)/", mailoutbox[-1].body).group(1)
    confirmed = client.post(reverse("signatories:confirm", kwargs={"token": token})).content.decode()
    assert "yours will show on the public list once academy staff have checked it" in confirmed
    assert "now shows on the public list" not in confirmed
    client.force_login(signers[-1].signer)
    receipt = client.get(reverse("signatories:signature", kwargs={"pk": signers[-1].pk})).content.decode()
    assert "Your signature is being checked" in receipt
