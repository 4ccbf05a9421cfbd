"""Results of a round on a compact laid out without themes (parties in columns only)."""

from django.urls import reverse

from compact.models import Version
from consultation import services
from consultation.models import Proposal
from tests.factories import CommitmentFactory, LeaderFactory, PartyFactory, VersionFactory

from .factories import open_round


def test_results_of_a_compact_without_themes_say_which_party_commits(staff, staff_client):
    version = VersionFactory(layout=Version.Layout.PARTIES)
    academy = PartyFactory(version=version, name="The Academy")
    PartyFactory(version=version, name="Leaders")
    commitment = CommitmentFactory(version=version, theme=None, party=academy, text="We will listen.")
    round = open_round(version=version, staff=staff)
    author, voter = LeaderFactory.create_batch(2)
    proposal = services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen, then act.",
        rationale="Clearer.",
    )
    services.cast_vote(actor=voter, round=round, commitment=commitment, choice=proposal)
    services.close_round(round=round, actor=staff, reason="Test")

    response = staff_client.get(reverse("consultation:results", kwargs={"round_pk": round.pk}))

    assert response.status_code == 200
    page = response.content.decode()
    # The party's own heading (its name when it has none), never a sentence invented around it.
    assert "The Academy" in page and "What The Academy will do" not in page
