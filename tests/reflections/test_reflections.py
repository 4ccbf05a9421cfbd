"""Reflections: who may write them, who may read them, and how a refresh round marks concerns."""

import pytest
from django.test import Client
from django.urls import reverse

from compact import services as compact_services
from compact.errors import NotAllowed
from reflections import services
from reflections.models import Reflection
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def page(client, version):
    return client.get(reverse("reflections:page", kwargs={"slug": version.compact.slug})).content.decode()


def test_a_signatory_records_a_concern_on_a_commitment(client, version):
    signature = SignatureFactory(version=version)
    commitment = version.commitments.first()
    client.force_login(signature.signer)
    client.post(
        reverse("reflections:page", kwargs={"slug": version.compact.slug}),
        {
            "form": "reflection",
            "commitment_key": str(commitment.key),
            "kind": "concern",
            "text": "Protected time is being eroded by winter pressures.",
            "visibility": "named",
        },
    )
    reflection = Reflection.objects.get()
    assert reflection.commitment_key == commitment.key and reflection.kind == "concern"
    assert "Protected time is being eroded" in page(client, version)


def test_naming_a_signing_organisation_on_a_profile_does_not_make_someone_a_member(version):
    organisation = OrganisationFactory(name="Harbour NHS Trust")
    SignatureFactory(version=version, organisation=organisation)
    stranger = LeaderFactory(organisation_name="harbour nhs trust")
    assert not services.may_reflect(user=stranger, compact=version.compact)
    with pytest.raises(NotAllowed):
        services.reflect(actor=stranger, compact=version.compact, kind="concern", text="Not my trust")


def test_someone_who_confirmed_a_signature_for_a_signing_organisation_may_reflect(staff, version):
    organisation = OrganisationFactory(name="Harbour NHS Trust")
    SignatureFactory(version=version, organisation=organisation)
    colleague = LeaderFactory(organisation_name="Somewhere else entirely")
    # The colleague signed another compact for the same trust and confirmed it from their e-mail.
    SignatureFactory(version=published_version(staff=staff), organisation=organisation, signer=colleague)
    assert services.may_reflect(user=colleague, compact=version.compact)


def test_an_unconfirmed_signature_for_a_signing_organisation_proves_nothing(staff, version):
    organisation = OrganisationFactory(name="Harbour NHS Trust")
    SignatureFactory(version=version, organisation=organisation)
    claimant = LeaderFactory()
    SignatureFactory(
        version=published_version(staff=staff),
        organisation=organisation,
        signer=claimant,
        status="pending",
        confirmed_at=None,
    )
    assert not services.may_reflect(user=claimant, compact=version.compact)


def test_a_leader_who_has_not_signed_may_not_reflect(leader, version):
    with pytest.raises(NotAllowed):
        services.reflect(actor=leader, compact=version.compact, kind="celebrate", text="Hello")


def test_staff_only_reflections_are_read_by_staff_and_their_author_only(client, staff, version):
    signature = SignatureFactory(version=version)
    services.reflect(
        actor=signature.signer,
        compact=version.compact,
        kind="concern",
        text="A quiet worry",
        visibility="staff",
    )
    assert "A quiet worry" not in page(client, version)
    client.force_login(LeaderFactory())
    assert "A quiet worry" not in page(client, version)
    client.force_login(signature.signer)
    assert "A quiet worry" in page(client, version)
    client.force_login(staff)
    assert "A quiet worry" in page(client, version)


def test_staff_record_a_reflection_session_and_others_cannot(client, staff, leader, version):
    url = reverse("reflections:page", kwargs={"slug": version.compact.slug})
    client.force_login(leader)
    client.post(url, {"form": "session", "held_on": "2026-11-20", "title": "Autumn session", "outcomes": "x"})
    assert not version.compact.reflection_sessions.exists()
    client.force_login(staff)
    client.post(
        url,
        {
            "form": "session",
            "held_on": "2026-11-20",
            "title": "Autumn session",
            "outcomes": "We agreed to protect time.",
        },
    )
    assert "We agreed to protect time." in page(client, version)


def test_a_refresh_round_marks_commitments_that_drew_concerns(client, staff, version):
    signature = SignatureFactory(version=version)
    worried = version.commitments.first()
    services.reflect(
        actor=signature.signer,
        compact=version.compact,
        kind="concern",
        text="Not kept",
        commitment_key=worried.key,
    )
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    round = open_round(staff=staff, version=draft)
    body = client.get(round.get_absolute_url()).content.decode()
    assert body.count("Concerns raised in reflections") == 1


def test_the_demo_has_a_signatory_with_a_concern_marked_in_the_open_round(client, demo):
    from consultation.models import Round

    assert Reflection.objects.filter(author__email="leader2@example.org", kind="concern").exists()
    body = client.get(Round.objects.get(status=Round.Status.OPEN).get_absolute_url()).content.decode()
    assert "Concerns raised in reflections" in body


def test_a_concern_written_while_the_round_page_is_kept_shows_at_once(
    client, staff, version, django_capture_on_commit_callbacks
):
    """The round page keeps its shared part and each reader's own concerns; a reflection's commit
    drops both, so neither the author's private concern nor a public one waits for a timeout."""
    signature = SignatureFactory(version=version)
    first, second = version.commitments.order_by("position")[:2]
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    round = open_round(staff=staff, version=draft)
    client.force_login(signature.signer)
    assert "Concerns raised in reflections" not in client.get(round.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.reflect(
            actor=signature.signer,
            compact=version.compact,
            kind="concern",
            text="Only staff should read this",
            commitment_key=first.key,
            visibility=Reflection.Visibility.STAFF_ONLY,
        )
    body = client.get(round.get_absolute_url()).content.decode()
    assert body.count("Concerns raised in reflections") == 1  # the author reads their own
    other = Client()
    assert "Concerns raised in reflections" not in other.get(round.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.reflect(
            actor=signature.signer,
            compact=version.compact,
            kind="concern",
            text="Everyone may read this",
            commitment_key=second.key,
        )
    assert other.get(round.get_absolute_url()).content.decode().count("Concerns raised in reflections") == 1
