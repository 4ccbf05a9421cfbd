"""Staff see, during a round, how many eligible leaders have taken part and voted, by region, kind
of role and organisation and per day, read back from the page's charts and tables as a person
reads them; no group of fewer than five is ever shown; only staff see it."""

import re

import pytest
from django.urls import reverse
from lxml import html

from consultation.models import Round
from consultation.participation import SMALLEST_GROUP, Group, combine_small_groups
from tests.charts import bar_figures, chart_text, column_figures
from tests.consultation.participation_data import COMBINED, TRUTH, national_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(staff):
    return national_round(staff=staff)


@pytest.fixture
def page(national, staff_client):
    response = staff_client.get(reverse("consultation:staff_participation", kwargs={"pk": national.round.pk}))
    assert response.status_code == 200
    return response.content.decode()


def _table(page, grouping):
    """(group, eligible, taken part, voted) from a breakdown's table, as its cells read."""
    rows = []
    for row in html.fromstring(page).xpath(f'//table[@id="table-{grouping}"]/tbody/tr'):
        cells = [" ".join(cell.text_content().split()) for cell in row.xpath("./td")]
        label = cells[0].removeprefix("Group ")
        eligible = int(cells[1].removeprefix("Eligible "))
        taken_part = int(re.match(r"Taken part (\d+)", cells[2]).group(1))
        voted = int(re.match(r"Voted (\d+)", cells[3]).group(1))
        rows.append((label, eligible, taken_part, voted))
    return rows


@pytest.mark.parametrize("grouping", ["region", "role", "organisation"])
def test_each_breakdown_draws_the_true_counts_and_tables_them(page, grouping):
    truth = TRUTH[grouping]
    assert bar_figures(page, f"taken-part-{grouping}") == [(label, part) for label, _, part, _ in truth]
    assert bar_figures(page, f"voted-{grouping}") == [(label, voted) for label, _, _, voted in truth]
    assert _table(page, grouping) == truth


def test_each_bar_is_its_groups_share_of_its_own_eligible_leaders(page):
    text = chart_text(page, "taken-part-region")
    # East of England: 5 of its 7 eligible leaders have taken part; London 3 of 6.
    assert "5 of 7, 71%" in text and "3 of 6, 50%" in text
    assert "(71%)" in page  # the table says the same


def test_the_headline_counts_every_eligible_leader(page):
    assert f"{TRUTH['eligible']} (every leader" in page
    assert f"{TRUTH['taken_part']} (54%)" in page
    assert f"{TRUTH['voted']} (46%)" in page


def test_people_and_votes_per_day_are_the_true_figures(page, national):
    people = column_figures(page, "people-per-day")
    votes = column_figures(page, "votes-per-day")
    assert [value for _, value in people] == TRUTH["people_per_day"]
    assert [value for _, value in votes] == TRUTH["votes_per_day"]
    first = national.days[0]
    assert people[0][0] == f"{first:%-d %b}: 4 people"
    assert votes[-1][0] == f"{national.days[-1]:%-d %b}: 5 votes"


def test_no_group_under_five_is_shown_anywhere_on_the_page(page):
    for grouping in ("region", "role", "organisation"):
        for chart in (f"taken-part-{grouping}", f"voted-{grouping}"):
            drawn = chart_text(page, chart)
            assert COMBINED in drawn
            for hidden in TRUTH["hidden"]:
                assert hidden not in drawn
        assert all(eligible >= SMALLEST_GROUP for _, eligible, _, _ in _table(page, grouping))
    for hidden in TRUTH["hidden"]:
        assert hidden not in page


def test_the_questions_drawing_fewest_votes_are_listed_fewest_first_with_links(page, national):
    rows = html.fromstring(page).xpath('//h2[@id="fewest-votes"]/following-sibling::table[1]/tbody/tr')
    found = [(row.xpath(".//a")[0].get("href"), int(row.xpath("./td")[1].text_content())) for row in rows]
    removal, new = national.questions["R"], national.questions["N"]
    assert found[:2] == [(removal.get_absolute_url(), 4), (new.get_absolute_url(), 7)]
    assert found[2][1] == 8 and f"/commitments/{national.questions['X'].pk}/" in found[2][0]
    # Counts per question only: the page never says how a question's votes split.
    main = html.fromstring(page).xpath("//main")[0].text_content()
    assert "Support" not in main and "Oppose" not in main and "current wording" not in main


def test_the_round_page_for_staff_links_to_it(national, staff_client):
    manage = staff_client.get(reverse("consultation:staff_round", kwargs={"pk": national.round.pk}))
    assert (
        reverse("consultation:staff_participation", kwargs={"pk": national.round.pk})
        in manage.content.decode()
    )


def test_only_staff_see_it(national, client, leader):
    url = reverse("consultation:staff_participation", kwargs={"pk": national.round.pk})
    visitor = client.get(url)
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    client.force_login(leader)
    assert client.get(url).status_code == 403


def test_a_leader_counts_under_the_kind_of_role_they_choose_in_their_details(client, leader):
    client.force_login(leader)
    details = {
        "full_name": leader.full_name,
        "job_title": "Deputy chief nurse – surgery",
        "organisation_name": leader.organisation_name,
    }
    assert (
        client.post(reverse("accounts:profile"), {**details, "leadership_role": "clinical"}).status_code
        == 302
    )
    leader.refresh_from_db()
    assert leader.leadership_role == "clinical"
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Clinical leader (clinical director, lead nurse" in page and "I would rather not say" in page
    # Saying nothing is an answer too; a made-up kind is refused and nothing typed is lost.
    client.post(reverse("accounts:profile"), {**details, "leadership_role": ""})
    leader.refresh_from_db()
    assert leader.leadership_role == ""
    refused = client.post(reverse("accounts:profile"), {**details, "leadership_role": "emperor"})
    assert refused.status_code == 400 and "Deputy chief nurse – surgery" in refused.content.decode()


def test_a_round_too_small_to_count_in_groups_shows_no_breakdown(staff_client, staff):
    from tests.consultation.factories import open_round
    from tests.factories import LeaderFactory

    invited = LeaderFactory.create_batch(3)
    round = open_round(staff=staff, participation=Round.Participation.INVITED, invited=invited)
    page = staff_client.get(reverse("consultation:staff_participation", kwargs={"pk": round.pk}))
    text = page.content.decode()
    assert "too few to count in groups" in text
    assert 'id="taken-part-region-title"' not in text


def _group(label, eligible):
    return Group(label=label, eligible=eligible, taken_part=eligible // 2, voted=eligible // 3)


def test_small_groups_that_add_up_to_under_five_take_the_next_smallest_with_them():
    # 2 + 1 small: shown alone, the total less the rows shown would give them away.
    shown = combine_small_groups(
        [_group("Large", 9), _group("Middle", 6), _group("Tiny", 2), _group("Tinier", 1)]
    )
    assert [(group.label, group.eligible) for group in shown] == [("Large", 9), (COMBINED, 9)]
    assert all(group.eligible >= SMALLEST_GROUP for group in shown)


def test_fewer_than_five_in_all_shows_nothing():
    assert combine_small_groups([_group("Only", 3), _group("Other", 1)]) == []
