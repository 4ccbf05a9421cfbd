"""The trust pages in Chromium (issue 34): the staff queue with held signatures and a look-alike
organisation, the sign form asking about a look-alike name, and a commitment's history page with
its reflections a page at a time. Each is checked with axe (with JavaScript) at 1280 and 375 px.

Set BROWSER_SHOTS to a folder to keep full-page screenshots of each page."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reflections import services as reflection_services
from signatories import services
from signatories.models import Signature
from tests.browser.conftest import shot
from tests.factories import LeaderFactory, StaffFactory, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

# What these pages show is decided by the server; their layout is checked at both widths.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("visitor", ["desktop", "phone"], indirect=True),
]

REAL = "City and Hills Integrated Care Board"
FAKE = "City and Hill\u0455 Integrated Care Board"


def signed_in(visitor, user):
    """The visitor's browser carries a session of `user` (sign-in itself is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    host = visitor.base_url.split("://", 1)[1].split(":")[0]
    visitor.page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "domain": host, "path": "/"}]
    )


def shoot(visitor, name):
    shot(visitor.page, name, javascript=visitor.javascript)


@pytest.fixture
def scene(browser_settings):
    browser_settings.RATE_LIMITS = {"sign": [("user", 100, 3600), ("ip", 1000, 3600)]}
    browser_settings.REFLECTIONS_PER_DAY = 100
    staff = StaffFactory(full_name="Sam Staff")
    version = published_version(staff=staff)
    icb = OrganisationFactory(name=REAL, ods_code="QC2", kind="icb")
    services.verify_organisation(actor=staff, organisation=icb)
    fake = OrganisationFactory(name=FAKE, kind="icb", listed=False)
    SignatureFactory(
        version=version,
        organisation=fake,
        status=Signature.Status.AWAITING_ORGANISATION,
        full_name="Kim Claim",
    )
    for n in range(4):
        services.sign(
            actor=LeaderFactory(email=f"bot{n}@catchall.example", full_name=f"Bot Number {n}"),
            version=version,
            full_name=f"Bot Number {n}",
            role="Director",
            consent=True,
            client_address="203.0.113.9",
        )
    signer = SignatureFactory(version=version, organisation=None).signer
    commitment = version.commitments.order_by("pk").first()
    for n in range(25):
        reflection_services.reflect(
            actor=signer,
            compact=version.compact,
            kind="concern" if n % 3 else "celebrate",
            text=f"Reflection {n + 1}: protected time for learning slipped again this month on ward {n}.",
            commitment_key=commitment.key,
        )
    return {"staff": staff, "version": version, "commitment": commitment, "icb": icb, "at": timezone.now()}


def test_staff_see_held_signatures_with_their_reasons_and_a_look_alike_warning(visitor, scene):
    signed_in(visitor, scene["staff"])
    visitor.go(reverse("signatories:staff_queue"))
    page = visitor.page
    assert page.get_by_role("heading", name="Held: not counted until you release them (4)").is_visible()
    assert page.get_by_text("More than 3 signatures from one address within an hour").first.is_visible()
    assert page.get_by_text("Looks like another organisation").is_visible()
    shoot(visitor, "staff-queue")
    visitor.click(page.get_by_role("button", name="Release Bot Number 0"))
    assert page.get_by_text("Released the signature of Bot Number 0").is_visible()
    assert page.get_by_role("heading", name="Held: not counted until you release them (3)").is_visible()


def test_the_sign_form_asks_about_a_look_alike_name_and_keeps_what_was_typed(visitor, scene):
    signed_in(visitor, LeaderFactory(full_name="Ada Lovelace"))
    version = scene["version"]
    visitor.go(reverse("signatories:sign", kwargs={"slug": version.compact.slug}))
    page = visitor.page
    page.get_by_label("Your role").fill("Chief executive")
    page.locator("input[name=on_behalf][value=organisation]").check()
    page.get_by_label("Organisation name", exact=True).fill(FAKE)
    page.get_by_label("Kind of organisation").select_option("icb")
    page.get_by_label("I agree").check()
    visitor.click(page.get_by_role("button", name="Sign the compact"))
    assert page.get_by_text(f"Did you mean {REAL}?").first.is_visible()
    assert page.locator("input[name=organisation_name]").input_value() == FAKE
    shoot(visitor, "sign-form-lookalike")
    assert not Signature.objects.filter(signer__full_name="Ada Lovelace").exists()


def test_a_commitments_history_shows_its_reflections_a_page_at_a_time(visitor, scene):
    version, commitment = scene["version"], scene["commitment"]
    url = reverse("compact:commitment_history", kwargs={"slug": version.compact.slug, "key": commitment.key})
    visitor.go(url)
    page = visitor.page
    assert page.get_by_text("25 reflections, showing 1 to 20").is_visible()
    assert page.get_by_text("Reflection 25:").is_visible() and page.get_by_text("Reflection 5:").count() == 0
    shoot(visitor, "commitment-history")
    visitor.click(page.get_by_role("link", name="Next"))
    assert page.get_by_text("Reflection 5:").is_visible()
