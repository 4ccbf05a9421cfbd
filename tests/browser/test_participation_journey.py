"""Staff during a national round: from the round's staff page to participation by region, role and
day on one page, then the reminder to those who have not answered every question, on a desktop,
without JavaScript and on a phone; every page passes axe."""

import pytest

from tests.browser.conftest import shot
from tests.browser.test_journeys import DEMO_PASSWORD, sign_in
from tests.charts import bar_figures, column_figures
from tests.consultation.participation_data import TRUTH, national_round

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(visitor, name):
    shot(visitor.page, f"participation-{name}", javascript=visitor.javascript)


def test_staff_see_participation_by_region_and_remind_those_who_have_not_answered(visitor):
    from notifications.models import Outgoing
    from tests.factories import StaffFactory

    staff = StaffFactory(email="staff@example.org", password=DEMO_PASSWORD, full_name="Sam Okafor")
    national = national_round(staff=staff)
    page = visitor.page
    sign_in(visitor, "staff@example.org")
    visitor.go(f"/staff/rounds/{national.round.pk}/")
    visitor.click(page.get_by_role("link", name="Participation by region, role and day"))

    content = page.content()
    region = [(label, part) for label, _, part, _ in TRUTH["region"]]
    assert bar_figures(content, "taken-part-region") == region
    assert [value for _, value in column_figures(content, "votes-per-day")] == TRUTH["votes_per_day"]
    assert page.get_by_role("heading", name="By region").is_visible()
    for hidden in TRUTH["hidden"]:
        assert hidden not in content
    _shot(visitor, "participation")

    visitor.click(page.get_by_role("link", name="Remind those who have not answered every question"))
    assert "This reminder will go to 10 leaders who have not answered every question." in page.content()
    _shot(visitor, "remind")
    visitor.click(page.get_by_role("button", name="Send the reminder to 10 leaders"))
    assert "Queued the reminder for 10 leaders who have not answered every question." in page.content()
    assert Outgoing.objects.filter(kind="not-yet-voted").count() == 10
    assert "Nobody to remind today" in page.content()
    _shot(visitor, "participation-after-reminder")
