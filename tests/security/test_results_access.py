"""Who may read how a round's votes stand: one rule for the pages and the open data API (issue 34, item 8).

A round for invited leaders only: its results and totals are for those invited and staff. Before,
the web results page refused visitors while the anonymous API served the results and the round
page's "Votes so far" showed the running totals to anyone. The API reads as a visitor.
"""

import pytest
from django.urls import reverse

from consultation import services
from consultation.models import Round
from tests.consultation.factories import open_round, reword
from tests.factories import LeaderFactory, StaffFactory

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "leader not invited", "invited leader", "staff"]


def round_with_votes(*, invited_only, running_totals, close):
    staff, invited = StaffFactory(), LeaderFactory.create_batch(2)
    options = {"participation": Round.Participation.INVITED, "invited": invited} if invited_only else {}
    round = open_round(staff=staff, show_running_totals=running_totals, **options)
    commitment = round.version.commitments.order_by("pk").first()
    proposal = reword(round, invited[0], commitment)
    services.cast_vote(actor=invited[1], round=round, commitment=commitment, choice=proposal)
    if close:
        services.close_round(round=round, actor=staff, reason="Done")
        round = Round.objects.get(pk=round.pk)
    people = {
        "visitor": None,
        "leader not invited": LeaderFactory(),
        "invited leader": invited[1],
        "staff": staff,
    }
    return round, commitment, people


def as_role(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


def readable(invited_only, role):
    return not invited_only or role in ("invited leader", "staff")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("invited_only", [True, False], ids=["invited only", "open to all leaders"])
def test_a_closed_rounds_results_page_and_api_follow_one_rule(client, role, invited_only):
    round, _, people = round_with_votes(invited_only=invited_only, running_totals=False, close=True)
    client = as_role(client, people, role)
    page = client.get(reverse("consultation:results", kwargs={"round_pk": round.pk}))
    api = client.get(reverse("api:results", kwargs={"round_id": round.pk}))
    questions = client.get(reverse("api:questions", kwargs={"round_id": round.pk})).json()
    about = client.get(reverse("api:round", kwargs={"round_id": round.pk})).json()
    if readable(invited_only, role):
        assert page.status_code == 200
    else:
        assert page.status_code in (302, 403)  # a visitor is asked to sign in
    # The API reads as a visitor, whoever's session comes with the request.
    visitor_reads = readable(invited_only, "visitor")
    assert api.status_code == (200 if visitor_reads else 404)
    counts = [option["count"] for question in questions for option in question["options"]]
    assert all(count is not None for count in counts) if visitor_reads else all(c is None for c in counts)
    assert about["totals_visible"] is visitor_reads
    assert (about["results_url"] is not None) is visitor_reads


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("invited_only", [True, False], ids=["invited only", "open to all leaders"])
def test_running_totals_show_on_the_round_pages_only_to_those_who_may_read_results(
    client, role, invited_only
):
    round, commitment, people = round_with_votes(invited_only=invited_only, running_totals=True, close=False)
    client = as_role(client, people, role)
    round_page = client.get(round.get_absolute_url()).content.decode()
    commitment_page = client.get(
        reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk})
    ).content.decode()
    shown = readable(invited_only, role)
    assert ("Votes so far" in round_page) is shown
    assert ("1 vote" in commitment_page) is shown
    questions = client.get(reverse("api:questions", kwargs={"round_id": round.pk})).json()
    counts = [option["count"] for question in questions for option in question["options"]]
    assert (
        all(c is not None for c in counts)
        if readable(invited_only, "visitor")
        else all(c is None for c in counts)
    )
