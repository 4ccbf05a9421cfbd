"""A closed round's results (consultation/views/results.py): who may read them, and the CSV."""

import pytest
from django.urls import reverse

from consultation import services
from consultation.models import Proposal, Round
from tests.factories import LeaderFactory

from .factories import open_round

pytestmark = pytest.mark.django_db


def test_results_of_an_open_round_are_public_and_of_an_invited_round_for_those_invited_and_staff(
    client, staff, round
):
    services.close_round(round=round, actor=staff, reason="Done")
    url = reverse("consultation:results", kwargs={"round_pk": round.pk})
    # A round open to every leader: its results are open data (the API serves them too).
    assert client.get(url).status_code == 200
    client.force_login(LeaderFactory())
    assert client.get(url).status_code == 200
    invited_round = open_round(
        staff=staff, participation=Round.Participation.INVITED, invited=[LeaderFactory()]
    )
    services.close_round(round=invited_round, actor=staff, reason="Done")
    assert (
        client.get(reverse("consultation:results", kwargs={"round_pk": invited_round.pk})).status_code == 403
    )
    assert "See the results" in client.get(round.get_absolute_url()).content.decode()


def test_results_csv_is_for_staff_only_and_neutralises_formulas(client, staff, round, commitment):
    author = LeaderFactory()
    services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text='=HYPERLINK("x")',
        rationale="x",
    )
    services.close_round(round=round, actor=staff, reason="Done")
    url = reverse("consultation:results_csv", kwargs={"round_pk": round.pk})
    client.force_login(author)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    body = client.get(url).content.decode()
    assert "'=HYPERLINK" in body
