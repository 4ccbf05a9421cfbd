"""Organisation names that look alike in other scripts are one look: signing with one is asked
about, and staff are warned before approving one (issue 34, item 4)."""

import pytest
from django.urls import reverse

from signatories import selectors, services
from signatories.models import Organisation, Signature
from signatories.normalise import name_skeleton
from tests.factories import published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db

REAL = "City and Hills Integrated Care Board"
FAKE = "City and Hill\u0455 Integrated Care Board"  # a Cyrillic dze for the last "s" of Hills


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


@pytest.fixture
def city_icb(staff):
    icb = OrganisationFactory(name=REAL, ods_code="QC2", kind="icb")
    services.verify_organisation(actor=staff, organisation=icb)
    return icb


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.RATE_LIMITS = {"sign": [("user", 100, 3600), ("ip", 1000, 3600)]}


def sign_form(**overrides):
    data = {
        "full_name": "Ada Lovelace",
        "role": "Chief executive",
        "on_behalf": "organisation",
        "organisation_name": FAKE,
        "organisation_kind": "icb",
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        (FAKE, REAL),
        ("city and hill\u0455 integrated care board", REAL),
        ("CITY AND HILL\u0405 INTEGRATED CARE BOARD", REAL),
        ("\u0397arbour NHS Trust", "Harbour NHS Trust"),  # a Greek capital eta
        ("R0yal Free London", "Royal Free London"),
        ("St Mary\u2019s Hospital", "St Mary's Hospital"),
    ],
)
def test_names_that_look_alike_have_one_skeleton(typed, listed):
    assert name_skeleton(typed) == name_skeleton(listed)


@pytest.mark.parametrize(("one", "other"), [("Riverside", "Rivermead"), ("Caf\u00e9 Trust", "Cafe Trust")])
def test_names_that_look_different_do_not(one, other):
    assert name_skeleton(one) != name_skeleton(other)


def test_signing_for_a_look_alike_name_is_asked_about_and_nothing_is_saved(client, leader, version, city_icb):
    client.force_login(leader)
    asked = client.post(reverse("signatories:sign", kwargs={"slug": version.compact.slug}), sign_form())
    page = asked.content.decode()
    assert asked.status_code == 400
    assert f"Did you mean {REAL}?" in page
    assert f'value="{FAKE}"' in page and 'value="Ada Lovelace"' in page  # what they typed is kept
    assert not Signature.objects.exists() and Organisation.objects.count() == 1


def test_choosing_the_listed_organisation_signs_for_it(client, leader, version, city_icb):
    client.force_login(leader)
    url = reverse("signatories:sign", kwargs={"slug": version.compact.slug})
    response = client.post(url, sign_form(which_organisation="suggested", suggested=city_icb.pk))
    assert response.status_code == 302
    assert Signature.objects.get().organisation == city_icb and Organisation.objects.count() == 1


def test_saying_it_is_different_without_changing_the_look_is_refused(client, leader, version, city_icb):
    client.force_login(leader)
    url = reverse("signatories:sign", kwargs={"slug": version.compact.slug})
    response = client.post(url, sign_form(which_organisation="different", suggested=city_icb.pk))
    assert response.status_code == 400
    assert "still looks like" in response.content.decode()
    assert not Signature.objects.exists() and Organisation.objects.count() == 1


def test_the_signing_service_refuses_a_look_alike_however_it_is_called(leader, version, city_icb):
    with pytest.raises(services.OrganisationLookalike, match=f"Did you mean {REAL}"):
        services.sign(
            actor=leader,
            version=version,
            full_name="Ada",
            role="Chair",
            consent=True,
            new_organisation={"name": FAKE, "kind": "icb"},
        )
    assert Organisation.objects.count() == 1


def test_staff_are_warned_on_the_queue_and_approving_a_look_alike_is_refused(staff_client, version, city_icb):
    # A claim made before look-alikes were asked about, waiting for staff.
    fake = OrganisationFactory(name=FAKE, kind="icb", listed=False)
    waiting = SignatureFactory(
        version=version, organisation=fake, status=Signature.Status.AWAITING_ORGANISATION
    )
    queue = staff_client.get(reverse("signatories:staff_queue")).content.decode()
    assert "Looks like another organisation" in queue and f"“{REAL}” (QC2), which is listed" in queue
    assert "\u0455 (Cyrillic small letter dze)" in queue  # what the eye cannot see, said

    url = reverse("signatories:staff_moderate", kwargs={"pk": waiting.pk, "action": "approve"})
    followed = staff_client.post(url, {"back": "queue"}, follow=True).content.decode()
    assert "spelt with different characters" in followed
    waiting.refresh_from_db()
    fake.refresh_from_db()
    assert waiting.status == Signature.Status.AWAITING_ORGANISATION and not fake.listed


def test_the_organisations_page_warns_of_look_alikes(staff_client, city_icb):
    OrganisationFactory(name=FAKE, kind="icb", listed=False)
    page = staff_client.get(reverse("signatories:staff_organisations")).content.decode()
    assert page.count("Looks like another organisation") == 2  # beside each of the two


def test_the_look_up_finds_the_real_organisation_from_a_look_alike(city_icb, staff):
    # The look-up offers organisations with a public signature only.
    SignatureFactory(version=published_version(staff=staff), organisation=city_icb)
    assert [row["name"] for row in selectors.organisation_lookup("Hill\u0455 Integrated")] == [REAL]
