"""What a page or a refusal must not give away: votes while totals are hidden, staff-only concerns."""

from datetime import timedelta

import pytest
from django.urls import reverse

from compact import services as compact_services
from compact.errors import DomainError
from consultation import services
from consultation.models import Proposal, Vote
from reflections import services as reflecting
from reflections.models import Reflection
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(staff):
    return open_round(staff=staff)  # running totals hidden, as by default


def reword(round, author):
    commitment = round.version.commitments.order_by("pk").first()
    proposal = services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen first, then act.",
        rationale="Clearer.",
    )
    return proposal, commitment


def age(proposal, minutes):
    Proposal.objects.filter(pk=proposal.pk).update(
        created_at=proposal.created_at - timedelta(minutes=minutes)
    )


def refusal(author, proposal):
    with pytest.raises(DomainError) as refused:
        services.edit_proposal(actor=author, proposal=proposal, text="Other words entirely.", rationale="x")
    return refused.value.message


def test_an_edit_refusal_is_the_same_whether_or_not_anyone_has_voted(round):
    author = LeaderFactory()
    voted_on, commitment = reword(round, author)
    services.cast_vote(actor=LeaderFactory(), round=round, commitment=commitment, choice=voted_on)
    other_author = LeaderFactory()
    untouched = services.propose(
        actor=other_author,
        round=round,
        kind=Proposal.Kind.REMOVAL,
        commitment=round.version.commitments.order_by("pk").last(),
        rationale="Vague.",
    )
    age(voted_on, 20)
    age(untouched, 20)

    with_votes = refusal(author, voted_on)
    without_votes = refusal(other_author, untouched)
    assert with_votes == without_votes
    assert "voted" not in with_votes


def test_while_totals_are_hidden_an_early_edit_is_not_refused_because_of_votes(round):
    author = LeaderFactory()
    proposal, commitment = reword(round, author)
    voter = LeaderFactory()
    services.cast_vote(actor=voter, round=round, commitment=commitment, choice=proposal)
    # Within minutes of proposing, the author may still change it, votes or not (so a refusal
    # cannot tell them someone has voted); nobody's vote then counts for words they did not see.
    services.edit_proposal(actor=author, proposal=proposal, text="We will listen, then act.", rationale="x")
    assert Proposal.objects.get(pk=proposal.pk).text == "We will listen, then act."
    assert not Vote.objects.filter(voter=voter, chosen_proposal=proposal).exists()


def test_the_proposal_page_offers_changes_only_while_they_are_possible(client, round):
    author = LeaderFactory()
    proposal, _ = reword(round, author)
    client.force_login(author)
    edit_url = reverse("consultation:proposal_edit", kwargs={"round_pk": round.pk, "pk": proposal.pk})
    assert edit_url in client.get(proposal.get_absolute_url()).content.decode()
    age(proposal, 20)
    assert edit_url not in client.get(proposal.get_absolute_url()).content.decode()


def test_a_staff_only_concern_does_not_mark_the_round_page_for_leaders(client, staff):
    version = published_version(staff=staff)
    signature = SignatureFactory(version=version)
    worried = version.commitments.first()
    reflecting.reflect(
        actor=signature.signer,
        compact=version.compact,
        kind=Reflection.Kind.CONCERN,
        text="Not kept, and I would rather staff only knew.",
        commitment_key=worried.key,
        visibility=Reflection.Visibility.STAFF_ONLY,
    )
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    round = open_round(staff=staff, version=draft)

    assert "Concerns raised in reflections" not in client.get(round.get_absolute_url()).content.decode()
    client.force_login(LeaderFactory())
    assert "Concerns raised in reflections" not in client.get(round.get_absolute_url()).content.decode()
    client.force_login(signature.signer)  # the author may read their own reflection
    assert "Concerns raised in reflections" in client.get(round.get_absolute_url()).content.decode()
    client.force_login(staff)
    assert "Concerns raised in reflections" in client.get(round.get_absolute_url()).content.decode()
