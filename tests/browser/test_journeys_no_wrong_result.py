"""Journeys II: no wrong result, no lost place. Walked as first-time people would: re-signing a
refreshed compact, seeing what changed, finding the way from the sign-in page, reading a closed
round, and finding the receipt after confirming. Each in the variants its finding concerns (see
SERVER, SCRIPT and WIDTH below), every page checked by axe where script runs.

With BROWSER_SHOTS set to a folder, each page the journeys look at is saved there as a full-page
screenshot, named by variant, so a person can look at what the assertions check."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from compact import services as compact_services
from consultation import services as consultation_services
from consultation.models import Round
from signatories.models import Signature
from tests.browser.conftest import shot as save_shot
from tests.browser.test_journeys import link_from_mail, path_of, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


# Each test guards one finding, and runs in the variants where that finding could show: a page the
# server decides alone, once (with script, 1280 px wide); one that script changes, with and without
# it; one whose layout is the point, at 1280 and 375 px. The journeys themselves
# (test_journeys.py and each *_journey.py) run in all three.
SERVER = pytest.mark.parametrize("visitor", ["desktop"], indirect=True)
SCRIPT = pytest.mark.parametrize("visitor", ["desktop", "no-javascript"], indirect=True)
WIDTH = pytest.mark.parametrize("visitor", ["desktop", "phone"], indirect=True)
PHONE = pytest.mark.parametrize("visitor", ["phone"], indirect=True)


def shot(visitor, name):
    save_shot(visitor.page, name, javascript=visitor.javascript)


def close(round):
    """The round's closing time passes and the scheduler closes it."""
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    round.refresh_from_db()
    consultation_services.close_round(round=round)
    round.refresh_from_db()
    return round


@pytest.fixture
def closed(demo):  # noqa: F811
    return close(demo)


@pytest.fixture
def refreshed(closed):
    """The spring round's results applied to a new draft, ratified and published: version 3 was
    consulted on, version 4 is the refresh, version 2 the one people signed."""
    staff = get_user_model().objects.get(email="staff@example.org")
    draft = consultation_services.apply_results(actor=staff, round=closed)
    compact_services.ratify(actor=staff, version=draft)
    compact_services.publish(actor=staff, version=draft, note="Refreshed with leaders.")
    closed.refresh_from_db()
    return draft


@SCRIPT
def test_a_personal_signatory_re_signs_personally_and_the_receipt_is_one_click_away(visitor, refreshed):
    page = visitor.page
    # 2: the refresh is compared with the version people signed, not the draft consulted on.
    visitor.go("/compacts/leadership-compact/")
    assert refreshed.number == 4
    shot(visitor, "compact-refreshed")
    visitor.click(page.get_by_role("link", name="See what changed from version 2"))
    assert "from=2" in page.url and "to=4" in page.url

    # 1: Tom signed version 2 personally; his profile names an ICB, which is not chosen for him.
    sign_in(visitor, "leader2@example.org")
    visitor.go("/compacts/leadership-compact/")
    visitor.click(page.get_by_role("link", name="Sign the compact").first)
    assert "We have filled in what you gave then" in page.content()
    assert page.get_by_label("Personally").is_checked()
    assert not page.get_by_label("On behalf of an organisation").is_checked()
    assert page.get_by_label("Organisation name").input_value() == ""
    shot(visitor, "sign-again")
    page.get_by_label(re.compile("I agree to my name")).check()
    visitor.click(page.get_by_role("button", name="Sign the compact"))
    signature = Signature.objects.get(signer__email="leader2@example.org", version=refreshed)
    assert signature.organisation_id is None

    # 5: confirmed, the thank-you page links the receipt, and the receipt offers withdrawing.
    visitor.go(path_of(link_from_mail(r"https?://\S+/signatures/confirm/\S+")))
    visitor.click(page.get_by_role("button", name=re.compile("Confirm")))
    assert "sign in to see it" not in page.content()
    shot(visitor, "signature-confirmed")
    visitor.click(page.get_by_role("link", name="Your receipt"))
    assert page.get_by_role("link", name="Withdraw my signature").count() == 1
    visitor.assert_unique_titles()


@WIDTH
def test_the_sign_in_and_create_account_links_keep_where_the_person_was_going(visitor, demo):  # noqa: F811
    page = visitor.page
    round_path = demo.get_absolute_url()
    visitor.go(round_path)
    header = page.get_by_role("navigation", name="Account")
    visitor.click(header.get_by_role("link", name="Sign in"))
    assert "next=" + round_path in page.url.replace("%2F", "/")
    # 3: from the sign-in page to creating an account and back, the place is kept.
    visitor.click(header.get_by_role("link", name="Create an account"))
    assert "/accounts/signup/" in page.url and "next=" + round_path in page.url.replace("%2F", "/")
    visitor.click(header.get_by_role("link", name="Sign in"))
    assert "/accounts/login/" in page.url and "next=" + round_path in page.url.replace("%2F", "/")
    page.get_by_label("Email").fill("leader2@example.org")
    page.get_by_label("Password").fill("compact-demo-2026")
    visitor.click(page.get_by_role("button", name="Sign in"))
    assert page.url.split("?")[0].endswith(round_path), page.url


@SERVER
def test_a_closed_round_shows_its_outcome_and_the_persons_vote_and_no_form(visitor, closed):
    page = visitor.page
    sign_in(visitor, "leader2@example.org")  # voted on the first commitment's wording
    visitor.go(closed.get_absolute_url())
    content = page.content()
    assert "Votes so far" not in content and "Votes at close" in content
    shot(visitor, "round-closed")
    visitor.click(page.get_by_role("link", name=re.compile("^Discuss or propose a change")).first)
    content = page.content()
    assert "Which wording should stand?" not in content
    assert "until the round closes" not in content
    assert page.locator("input[name=choice]").count() == 0
    assert "Votes at close" in content and "Your vote: " in content
    assert "have not applied the results yet" in content
    shot(visitor, "commitment-closed")


@SERVER
def test_an_applied_round_says_which_wording_was_adopted_and_why(visitor, refreshed):
    page = visitor.page
    round = Round.objects.get(draft_created=refreshed)
    visitor.go(round.get_absolute_url())
    visitor.click(page.get_by_role("link", name=re.compile("^Discuss or propose a change")).first)
    content = page.content()
    assert "Wording adopted:" in content
    assert "accepted the option most leaders voted for" in content
    assert page.locator("input[name=choice]").count() == 0
    shot(visitor, "commitment-applied")


def fits(page):
    """Nothing wider than the window: no sideways scrolling on a phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@WIDTH
def test_the_round_page_reads_in_order_with_commitments_apart(visitor, demo):  # noqa: F811
    page = visitor.page
    sign_in(visitor, "leader2@example.org")
    visitor.go(demo.get_absolute_url())
    heading = page.get_by_role("heading", level=1).bounding_box()
    status = page.locator(".app-round-status .nhsuk-tag").bounding_box()
    progress = page.locator("#progress").bounding_box()
    assert status["y"] + status["height"] + 8 <= heading["y"], "the status tag stands clear of the heading"
    assert progress["y"] > heading["y"], "progress comes after the heading"
    first, second = page.locator(".app-round-commitment").nth(0), page.locator(".app-round-commitment").nth(1)
    gap = second.bounding_box()["y"] - (first.bounding_box()["y"] + first.bounding_box()["height"])
    assert gap >= 16, f"commitments run together ({gap}px)"
    assert fits(page)
    shot(visitor, "round-open")


@WIDTH
def test_a_wholesale_rewrite_is_shown_whole_with_the_word_diff_a_click_away(visitor, demo):  # noqa: F811
    page = visitor.page
    leader = get_user_model().objects.get(email="leader3@example.org")
    commitment = demo.version.commitments.order_by("theme__position", "party__position", "position")[2]
    proposal = consultation_services.propose(
        actor=leader,
        round=demo,
        kind="rewording",
        commitment=commitment,
        text="Every leader gets two funded development days each year, written into their job plan.",
        rationale="Specific beats general.",
    )
    sign_in(visitor, "leader2@example.org")
    visitor.go(f"/rounds/{demo.pk}/commitments/{commitment.pk}/")
    summary = page.get_by_text(f"Show proposal #{proposal.pk}’s changes word by word")
    assert summary.count() == 1
    diff = page.locator("details.app-rewrite__details .app-diff")
    assert not diff.is_visible()
    summary.click()
    assert diff.is_visible()
    visitor.check()
    assert fits(page)
    shot(visitor, "commitment-rewrite")


@SERVER
def test_after_withdrawing_the_person_can_sign_again(visitor, demo):  # noqa: F811
    page = visitor.page
    sign_in(visitor, "leader2@example.org")  # signed version 2 in the demo
    signature = Signature.objects.get(signer__email="leader2@example.org", version__number=2)
    visitor.go(f"/signatures/{signature.pk}/")
    visitor.click(page.get_by_role("link", name="Withdraw my signature"))
    visitor.click(page.get_by_role("button", name="Yes, withdraw my signature"))
    shot(visitor, "signature-withdrawn")
    visitor.click(page.get_by_role("link", name=re.compile("^Sign The Leadership Compact again")))
    assert page.get_by_label("Your full name").count() == 1


@SERVER
def test_reporting_a_comment_has_a_way_back_and_the_feed_link_explains_itself(visitor, demo):  # noqa: F811
    page = visitor.page
    sign_in(visitor, "leader3@example.org")
    visitor.go(f"/rounds/{demo.pk}/discussion/")
    visitor.click(page.get_by_role("link", name=re.compile("^Report")).first)
    visitor.click(page.get_by_role("link", name="Back to the comment"))
    assert "#comment-" in page.url

    visitor.go("/compacts/leadership-compact/")
    visitor.click(page.get_by_role("link", name=re.compile("with a feed reader")))
    assert page.get_by_role("heading", name="Follow with a feed reader").count() == 1
    assert page.get_by_label("Feed address").input_value().endswith("/compacts/leadership-compact/feed/")
    shot(visitor, "feed-about")


@PHONE
def test_staff_read_the_audit_trail_and_the_signatures_on_a_phone(visitor, refreshed):
    page = visitor.page
    sign_in(visitor, "staff@example.org")
    visitor.go("/staff/compacts/leadership-compact/audit/")
    content = page.content()
    assert "ratified version 4 of" in content and "published version 4 of" in content
    assert "awaiting_organisation" not in content and "(staff, user" not in content
    assert fits(page)
    shot(visitor, "audit-trail")
    visitor.go("/staff/compacts/leadership-compact/versions/2/signatures/")
    # Hiding is one signature at a time, behind its own "Hide this signature".
    assert page.get_by_role("button", name=re.compile("^Hide")).filter(visible=True).count() == 0
    page.get_by_text("Hide this signature").first.click()
    assert page.get_by_role("button", name=re.compile("^Hide")).filter(visible=True).count() == 1
    assert fits(page)
    shot(visitor, "staff-signatures")


@SCRIPT
def test_the_look_up_keeps_the_name_typed_and_the_mismatch_question_follows_the_code_box(visitor, demo):  # noqa: F811
    page = visitor.page
    sign_in(visitor, "leader3@example.org")
    visitor.go("/compacts/leadership-compact/sign/")
    page.get_by_label("On behalf of an organisation").check()
    if visitor.javascript:
        # (Riverside Hospitals is listed in the demo but has no public signature: not offered.)
        page.get_by_label("Organisation name").fill("North Coast")
        choice = page.get_by_role("button", name=re.compile("^North Coast Integrated Care Board"))
        choice.click()
        # Chosen from the list: the name stays in the box the person typed in.
        assert page.get_by_label("Organisation name").input_value().startswith("North Coast")
        assert page.get_by_label("Organisation that has already signed").input_value() != ""
        page.get_by_label("Organisation that has already signed").select_option("")
    page.get_by_label("Your full name").fill("Sam Southshire")
    page.get_by_label("Your role").fill("Chief executive")
    page.get_by_label("Organisation name").fill("Southshire Care Trust")
    page.get_by_label("Kind of organisation").select_option("trust")
    page.get_by_label("ODS code (optional)").fill("RV1")
    page.get_by_label(re.compile("I agree to my name")).check()
    visitor.click(page.get_by_role("button", name="Sign the compact"))
    code = page.get_by_label("ODS code (optional)").bounding_box()
    corrected = page.get_by_label(re.compile("I have corrected the name or ODS code")).bounding_box()
    assert corrected["y"] > code["y"], "the answer about the code comes after the code box"
    shot(visitor, "sign-mismatch")


@SCRIPT
def test_staff_see_invited_leaders_only_for_an_invited_round(visitor, refreshed):
    page = visitor.page
    sign_in(visitor, "staff@example.org")
    draft = compact_services.start_new_draft(
        actor=get_user_model().objects.get(email="staff@example.org"), compact=refreshed.compact
    )
    visitor.go(f"/staff/compacts/leadership-compact/versions/{draft.number}/rounds/new/")
    invited = page.get_by_label("Invited leaders")
    assert page.get_by_text("for example 09:00").count() == 0
    if visitor.javascript:
        assert not invited.is_visible()
        page.get_by_label("Only the leaders invited").check()
        assert invited.is_visible()
    else:
        assert invited.is_visible()  # without JavaScript every part of the form shows
    assert page.get_by_role("link", name="Cancel").count() == 1
    shot(visitor, "round-form")
