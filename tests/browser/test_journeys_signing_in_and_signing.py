"""The journeys the first browser walk found dead ends in: signing up from a round and landing back
on it, a mistyped ODS code, signing twice, and withdrawing. Each with and without JavaScript and at
375 px (the `visitor` fixture's variants), every page checked by axe where script runs."""

import re

import pytest

from signatories.models import Signature
from tests.browser.test_journeys import link_from_mail, path_of, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_a_leader_signs_up_from_the_round_page_and_lands_back_on_it_signed_in(visitor, demo):  # noqa: F811
    page = visitor.page
    round_path = demo.get_absolute_url()
    visitor.go(round_path)
    # Signed out, the round can be read; creating an account remembers where the person was.
    visitor.click(page.get_by_role("link", name="Create an account"))
    assert "next=" in page.url
    page.get_by_label("Email").fill("round.joiner@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-and-secret-phrase")
    page.get_by_label("Password (again)").fill("a-long-and-secret-phrase")
    page.get_by_label("Full name").fill("Rhiannon Joiner")
    page.get_by_label("Job title").fill("Director of operations")
    page.get_by_label("Organisation").fill("Hillside NHS Trust")
    visitor.click(page.get_by_role("button", name=re.compile("^sign up$", re.I)))

    visitor.go(path_of(link_from_mail(r"https?://\S+/accounts/confirm-email/\S+")))
    visitor.click(page.get_by_role("button", name="Confirm"))
    # Verifying signs the person in and takes them back to the round.
    assert page.url.split("?")[0].endswith(round_path), page.url
    assert "You have voted on 0 of" in page.content()
    assert page.get_by_role("button", name="Sign out").count() == 1


def test_a_mistyped_ods_code_is_asked_about_and_nothing_is_saved_until_the_person_chooses(visitor, demo):  # noqa: F811
    page = visitor.page
    sign_in(visitor, "leader3@example.org")
    before = Signature.objects.count()
    visitor.go("/compacts/leadership-compact/")
    visitor.click(page.get_by_role("link", name="Sign the compact").first)
    page.get_by_label("Your full name").fill("Sam Southshire")
    page.get_by_label("Your role").fill("Chief executive")
    page.get_by_label("On behalf of an organisation").check()
    page.get_by_label("Organisation name").fill("Southshire Care Trust")
    page.get_by_label("Kind of organisation").select_option("trust")
    page.get_by_label("ODS code (optional)").fill("RV1")
    page.get_by_label("Region").select_option("south-east")
    page.get_by_label(re.compile("I agree to my name")).check()
    visitor.click(page.get_by_role("button", name="Sign the compact"))

    content = page.content()
    assert "RV1 is Riverside Hospitals NHS Foundation Trust" in content
    assert "Did you mean" in content
    assert Signature.objects.count() == before
    # What was typed is still there.
    assert page.get_by_label("Your full name").input_value() == "Sam Southshire"


def test_someone_who_signed_is_shown_their_receipt_and_withdrawing_asks_first(visitor, demo):  # noqa: F811
    page = visitor.page
    sign_in(visitor, "leader2@example.org")  # signed version 2 in the demo
    visitor.go("/compacts/leadership-compact/")
    visitor.click(page.get_by_role("link", name="Sign the compact").first)
    assert "You signed on" in page.content()
    assert page.get_by_label("Your full name").count() == 0
    visitor.click(page.get_by_role("link", name=re.compile("view your receipt", re.I)))

    signature = Signature.objects.get(signer__email="leader2@example.org", version__number=2)
    visitor.click(page.get_by_role("link", name="Withdraw my signature"))
    assert "Withdraw your signature?" in page.content()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    page.get_by_label(re.compile("Why are you withdrawing")).fill("Moved to a new post")
    visitor.click(page.get_by_role("button", name="Yes, withdraw my signature"))
    signature.refresh_from_db()
    assert signature.status == Signature.Status.WITHDRAWN
    assert "Your signature is withdrawn" in page.content()
