"""Reflections cannot be flooded: a signature that counts publicly, a daily limit per person, and
a commitment's history page that shows its reflections a page at a time."""

import pytest
from django.urls import reverse
from django.utils import timezone

from compact.errors import DomainError, NotAllowed
from reflections import services
from reflections.models import Reflection
from tests.factories import published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def post_reflection(client, version, text, commitment_key=""):
    return client.post(
        reverse("reflections:page", kwargs={"slug": version.compact.slug}),
        {
            "form": "reflection",
            "commitment_key": commitment_key,
            "kind": "concern",
            "text": text,
            "visibility": "named",
        },
    )


def test_a_signatorys_sixth_reflection_in_a_day_is_refused_and_keeps_what_they_typed(
    client, version, settings
):
    settings.REFLECTIONS_PER_DAY = 5
    signature = SignatureFactory(version=version, organisation=None)
    client.force_login(signature.signer)
    for n in range(5):
        assert post_reflection(client, version, f"Reflection number {n}").status_code == 302
    response = post_reflection(client, version, "One more thought I took care to write down.")
    assert response.status_code == 400
    page = response.content.decode()
    assert "5 reflections in the last 24 hours" in page
    assert "One more thought I took care to write down." in page  # kept in the form
    assert Reflection.objects.count() == 5


def test_the_daily_limit_is_a_setting_counted_over_the_last_24_hours(version, settings):
    settings.REFLECTIONS_PER_DAY = 2
    signer = SignatureFactory(version=version).signer
    compact = version.compact
    for _ in range(2):
        services.reflect(actor=signer, compact=compact, kind="celebrate", text="Going well")
    with pytest.raises(DomainError, match="2 reflections in the last 24 hours"):
        services.reflect(actor=signer, compact=compact, kind="celebrate", text="Going well")
    # A day later the earlier two no longer count.
    Reflection.objects.update(created_at=Reflection.objects.first().created_at - services.LIMIT_WINDOW)
    services.reflect(actor=signer, compact=compact, kind="celebrate", text="Still going well")


def test_a_personal_signature_that_is_held_does_not_let_its_signer_reflect(version):
    signature = SignatureFactory(version=version, organisation=None, held_at=timezone.now())
    assert not services.may_reflect(user=signature.signer, compact=version.compact)
    with pytest.raises(NotAllowed):
        services.reflect(actor=signature.signer, compact=version.compact, kind="concern", text="Flood")


def test_a_commitments_history_page_shows_its_reflections_a_page_at_a_time(client, version, settings):
    settings.REFLECTIONS_PER_DAY = 100
    commitment = version.commitments.first()
    signer = SignatureFactory(version=version).signer
    for n in range(45):
        services.reflect(
            actor=signer,
            compact=version.compact,
            kind="concern",
            text=f"Reflection {n:02d} " + "x" * 2900,
            commitment_key=commitment.key,
        )
    url = reverse("compact:commitment_history", kwargs={"slug": version.compact.slug, "key": commitment.key})
    first = client.get(url).content.decode()
    assert first.count("Reflection ") == 20 and "Reflection 44 " in first and "Reflection 24 " not in first
    assert "45 reflections, showing 1 to 20" in first
    assert "Page 1 of 3" in first and "?page=2" in first
    last = client.get(url + "?page=3").content.decode()
    assert "Reflection 00 " in last and last.count("Reflection ") == 5
    assert len(first.encode()) < 90_000  # 45 reflections on one page would be over 130 kB
