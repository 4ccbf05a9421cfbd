"""Staff paste an outline with mistakes: the error summary takes focus, and each problem's link
puts them at its line (issue 28, item 8). Without JavaScript the link lands on the line in the
numbered copy under the summary; with it, the link also selects the line in the text box. With
and without JavaScript and at 375 px (the `visitor` fixture's variants), every page checked by axe
where script runs. With BROWSER_SHOTS set to a folder, a full-page screenshot of each step goes there."""

import pytest

from tests.browser.conftest import shot
from tests.browser.test_import_journey import staff_member  # noqa: F401 - fixture
from tests.browser.test_journeys import sign_in
from tests.compact.test_import_problems import with_three_mistakes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screenshot(visitor, request, step):
    shot(visitor.page, f"import-problems-{step}", javascript=visitor.javascript)


def test_each_problem_takes_staff_to_its_line(visitor, staff_member, request):  # noqa: F811
    from compact.models import Compact

    page = visitor.page
    sign_in(visitor, "staff@example.org")
    visitor.go("/staff/import/")
    text, wrong = with_three_mistakes()
    page.get_by_label("Or paste the outline").fill(text)
    visitor.click(page.get_by_role("button", name="Preview the compact"))
    assert not Compact.objects.exists()
    summary = page.locator(".nhsuk-error-summary")
    assert "There are problems in the outline" in summary.inner_text()
    if visitor.javascript:  # nhsuk-frontend's error summary module moves focus to it
        assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    screenshot(visitor, request, "1-problems")

    (number, reads), *_ = sorted(wrong.items())
    link = summary.get_by_role("link", name=f"Line {number}:", exact=False)
    link.click()
    if visitor.javascript:
        # The line is selected in the box, which holds everything typed, ready to be fixed.
        box = page.get_by_label("Or paste the outline")
        selected = page.evaluate(
            "() => { const b = document.getElementById('id_text');"
            " return [b === document.activeElement, b.value.slice(b.selectionStart, b.selectionEnd)]; }"
        )
        assert selected == [True, reads]
        assert box.input_value() == text
    else:
        # The browser went to the line: it is the page's target, and on the screen.
        assert page.url.endswith(f"#line-{number}")
        assert page.evaluate("document.querySelector(':target').id") == f"line-{number}"
        target = page.locator(f"#line-{number}")
        assert reads in target.inner_text()
        box, view = target.bounding_box(), page.viewport_size
        assert box["y"] >= 0 and box["y"] + box["height"] <= view["height"]
    screenshot(visitor, request, "2-at-the-line")

    # Fixed in the box, the outline previews.
    box = page.get_by_label("Or paste the outline")
    fixed = (
        text.replace("### Our colleages", "### Our colleagues")
        .replace("Kind: sustaining", "Kind: sustain")
        .replace("-\n- Never treat someone worse", "- Never treat someone worse")
    )
    box.fill(fixed)
    visitor.click(page.get_by_role("button", name="Preview the compact"))
    assert "Check the compact before you import it" in page.content()
    assert page.locator(".app-history-link").count() == 0
    screenshot(visitor, request, "3-preview")
