"""Keyboard only: a skip link first, visible focus, and a vote cast with Tab, Space and Enter."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_vote_can_be_cast_with_the_keyboard_alone(chromium, live_server, browser_settings, demo):
    from consultation.models import Round, Vote

    round = Round.objects.get(status=Round.Status.OPEN)
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "nhsuk-skip-link" in focused
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none' || s.backgroundColor !== 'rgba(0, 0, 0, 0)'; })()"
    )
    assert outline, "the focused skip link shows no focus indicator"

    page.get_by_label("Email").focus()
    page.keyboard.type("leader@example.org")
    page.get_by_label("Password").focus()
    page.keyboard.type("compact-demo-2026")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    commitment = round.proposals.filter(kind="rewording").first().commitment
    page.goto(f"{live_server.url}/rounds/{round.pk}/commitments/{commitment.pk}/")
    page.locator("#choice-current").focus()
    page.keyboard.press("Space")
    for _ in range(20):  # Tab past the "read and discuss" links to the button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Your vote is saved" in page.content()
    assert Vote.objects.filter(
        voter__email="leader@example.org", commitment=commitment, choice="current"
    ).exists()
    context.close()


def test_errors_are_announced_with_the_error_summary(chromium, live_server, browser_settings, demo):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("leader@example.org")
    page.get_by_label("Password").fill("compact-demo-2026")
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + "/compacts/leadership-compact/sign/")
    page.get_by_label("Your role").fill("")
    page.get_by_role("button", name="Sign the compact").click()
    summary = page.locator(".nhsuk-error-summary")
    # NHS.UK pattern: the alert role sits inside the summary, which takes focus on load.
    assert summary.locator("[role=alert]").count() == 1
    assert "nhsuk-error-summary" in page.evaluate("document.activeElement.className")
    assert summary.locator("a").count() >= 1, "each error links to its field"
    assert page.title().startswith("Error:")
    assert "Agree to your name" in summary.inner_text()
    context.close()
