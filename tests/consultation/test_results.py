"""Closing freezes a tally; applying makes the next draft with a change log, once."""

import pytest

from compact.errors import DomainError
from compact.models import Version
from consultation import services
from consultation.models import ChangeLogEntry, Proposal, Result, Round, Vote
from tests.factories import LeaderFactory

pytestmark = pytest.mark.django_db


def leaders(n):
    return LeaderFactory.create_batch(n)


def test_closing_tallies_each_question_with_counts_shares_and_turnout(round, staff):
    commitment = round.version.commitments.order_by("pk").first()
    author, *voters = leaders(5)
    proposal = services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen, then act.",
        rationale="Clearer.",
    )
    for voter in voters[:3]:
        services.cast_vote(actor=voter, round=round, commitment=commitment, choice=proposal)
    services.cast_vote(actor=voters[3], round=round, commitment=commitment, choice=Vote.Choice.CURRENT)

    services.close_round(round=round, actor=staff, reason="Test")
    result = Result.objects.get(round=round, commitment=commitment)
    assert result.option(f"proposal:{proposal.pk}")["count"] == 3
    assert result.option("current")["count"] == 1
    assert result.total_votes == 4
    assert result.leading_option == f"proposal:{proposal.pk}"
    assert result.option("current")["share"] == 0.25
    # 5 leaders + the staff member could take part.
    assert Round.objects.get(pk=round.pk).eligible_count == 6
    assert result.turnout == round_to(4 / 6)
    assert not result.is_tie


def round_to(x):
    import builtins

    return builtins.round(x, 4)


def test_a_tie_is_flagged_and_must_be_decided_by_staff(round, staff):
    commitment = round.version.commitments.first()
    a, b = leaders(2)
    proposal = services.propose(
        actor=a,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="New words.",
        rationale="x",
    )
    services.cast_vote(actor=a, round=round, commitment=commitment, choice=proposal)
    services.cast_vote(actor=b, round=round, commitment=commitment, choice=Vote.Choice.CURRENT)
    services.close_round(round=round, actor=staff, reason="Test")
    result = round.results.get()
    assert result.is_tie and result.leading_option == ""
    with pytest.raises(DomainError, match="tie"):
        services.apply_results(actor=staff, round=round)
    draft = services.apply_results(
        actor=staff,
        round=round,
        decisions={result.pk: ("override", "current", "The board prefers the original.")},
    )
    assert draft.commitments.get(key=commitment.key).text == commitment.text
    assert (
        "staff override, reason: The board prefers the original."
        in ChangeLogEntry.objects.get(round=round).summary
    )


def test_applying_results_creates_the_next_draft_with_the_winning_wording_and_change_log(round, staff):
    version = round.version
    first, second = version.commitments.order_by("pk")[:2]
    author, *voters = leaders(4)
    winner = services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=first,
        text="We will listen, then act.",
        rationale="x",
    )
    loser = services.propose(
        actor=voters[0],
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=first,
        text="We might listen.",
        rationale="y",
    )
    new = services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.NEW_COMMITMENT,
        theme=first.theme,
        party=first.party,
        text="We will protect time to reflect.",
        rationale="z",
    )
    removal = services.propose(
        actor=author, round=round, kind=Proposal.Kind.REMOVAL, commitment=second, rationale="Vague."
    )
    for voter in voters:
        services.cast_vote(actor=voter, round=round, commitment=first, choice=winner)
        services.cast_vote(actor=voter, round=round, proposal=new, choice="support")
        services.cast_vote(actor=voter, round=round, proposal=removal, choice="oppose")
    services.close_round(round=round, actor=staff, reason="Test")

    draft = services.apply_results(actor=staff, round=round)

    version.refresh_from_db()
    assert version.status == Version.Status.CONSULTED and version.content_hash
    assert draft.status == Version.Status.DRAFT and draft.number == version.number + 1
    assert draft.commitments.get(key=first.key).text == "We will listen, then act."
    assert draft.commitments.filter(key=second.key).exists()
    assert draft.commitments.filter(
        text="We will protect time to reflect.", theme__key=first.theme.key
    ).exists()
    log = [entry.summary for entry in draft.change_log.all()]
    assert any(f"wording from proposal #{winner.pk}, 3 of 3 votes" in line for line in log)
    assert any("removal" in line and "not taken" in line for line in log)
    statuses = dict(Proposal.objects.filter(round=round).values_list("pk", "status"))
    assert statuses == {
        winner.pk: "accepted",
        loser.pk: "not_taken",
        new.pk: "accepted",
        removal.pk: "not_taken",
    }
    assert "more support" in Proposal.objects.get(pk=loser.pk).decision_reason


def test_results_cannot_be_applied_twice(round, staff):
    services.close_round(round=round, actor=staff, reason="Test")
    services.apply_results(actor=staff, round=round)
    with pytest.raises(DomainError, match="already been applied"):
        services.apply_results(actor=staff, round=round)


def test_results_cannot_be_applied_before_close(round, staff):
    with pytest.raises(DomainError, match="Close the round"):
        services.apply_results(actor=staff, round=round)


def test_an_override_needs_a_reason(round, staff):
    commitment = round.version.commitments.first()
    author = LeaderFactory()
    proposal = services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Other.",
        rationale="x",
    )
    services.cast_vote(actor=author, round=round, commitment=commitment, choice=proposal)
    services.close_round(round=round, actor=staff, reason="Test")
    result = round.results.get()
    with pytest.raises(DomainError, match="reason for overriding"):
        services.apply_results(actor=staff, round=round, decisions={result.pk: ("override", "current", "")})


def test_proposal_authors_are_told_the_outcome(round, staff, django_capture_on_commit_callbacks, mailoutbox):
    commitment = round.version.commitments.first()
    author = LeaderFactory()
    services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Other.",
        rationale="x",
    )
    services.close_round(round=round, actor=staff, reason="Test")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_results(actor=staff, round=round)
    assert [m.to for m in mailoutbox] == [[author.email]]
    assert "Not taken forward" in mailoutbox[0].body


def test_tallying_counts_in_the_database_not_in_python(round, staff, django_assert_max_num_queries):
    commitment = round.version.commitments.first()
    voters = leaders(30)
    proposal = services.propose(
        actor=voters[0],
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Other.",
        rationale="x",
    )
    for voter in voters:
        services.cast_vote(actor=voter, round=round, commitment=commitment, choice=proposal)
    round = Round.objects.get(pk=round.pk)
    with django_assert_max_num_queries(4):
        services.tally(round=round)
    assert round.results.get().total_votes == 30


def test_a_rewording_of_a_commitment_removed_in_the_same_results_is_not_taken(round, staff, client):
    commitment = round.version.commitments.order_by("pk").first()
    author, *voters = leaders(4)
    rewording = services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen, then act.",
        rationale="Clearer.",
    )
    removal = services.propose(
        actor=voters[0], round=round, kind=Proposal.Kind.REMOVAL, commitment=commitment, rationale="Vague."
    )
    for voter in voters:
        services.cast_vote(actor=voter, round=round, commitment=commitment, choice=rewording)
        services.cast_vote(actor=voter, round=round, proposal=removal, choice="support")
    services.close_round(round=round, actor=staff, reason="Test")

    draft = services.apply_results(actor=staff, round=round)

    assert not draft.commitments.filter(key=commitment.key).exists()
    rewording.refresh_from_db()
    assert rewording.status == Proposal.Status.NOT_TAKEN
    client.force_login(author)
    page = client.get(rewording.get_absolute_url()).content.decode()
    assert "Taken into the next draft" not in page
    assert f"the commitment was removed (proposal #{removal.pk})" in page
