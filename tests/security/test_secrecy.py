"""What a page or a refusal must not give away: votes while totals are hidden, staff-only concerns."""

import re
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


def test_readers_of_the_round_page_never_see_each_others_page_however_it_is_cached(client, staff, settings):
    """Readers in different states read the round page in turn, each twice (the second time from
    the cached shared part and fragments); every page equals that reader's page rendered with
    nothing cached, apart from the CSRF token, which is each response's own."""
    version = published_version(staff=staff)
    worrier = SignatureFactory(version=version, full_name="Wendy Worrier").signer
    first, second = version.commitments.order_by("pk")[:2]
    reflecting.reflect(
        actor=worrier,
        compact=version.compact,
        kind=Reflection.Kind.CONCERN,
        text="Staff only, please.",
        commitment_key=first.key,
        visibility=Reflection.Visibility.STAFF_ONLY,
    )
    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    round = open_round(staff=staff, version=draft)
    in_draft = {c.key: c for c in draft.commitments.all()}
    rewording = services.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=in_draft[first.key],
        text="Other words.",
        rationale="Clearer.",
    )
    removal = services.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REMOVAL,
        commitment=in_draft[second.key],
        rationale="Not needed.",
    )
    voter, abstainer = LeaderFactory(full_name="Vera Voter"), LeaderFactory(full_name="Abe Abstainer")
    services.cast_vote(actor=voter, round=round, commitment=in_draft[first.key], choice=rewording)
    services.cast_vote(actor=voter, round=round, proposal=removal, choice=Vote.Choice.SUPPORT)
    readers = [None, voter, abstainer, worrier, staff]
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')

    def page(reader):
        client.logout()
        if reader is not None:
            client.force_login(reader)
        response = client.get(round.get_absolute_url())
        assert response.status_code == 200
        return token.sub("", response.content.decode())

    served = {n: [page(reader) for reader in readers] for n in range(2)}  # in turn, twice
    settings.CACHES = {**settings.CACHES, "local": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for n, reader in enumerate(readers):
        fresh = page(reader)
        assert served[0][n] == fresh and served[1][n] == fresh, reader
    pages = dict(zip(["visitor", "voter", "abstainer", "worrier", "staff"], served[1], strict=True))
    assert "Vera Voter" in pages["voter"] and "Vera Voter" not in pages["abstainer"]
    assert "You have voted on its wording." in pages["voter"]
    assert "You have voted on its wording." not in pages["abstainer"] + pages["staff"]
    concern = "Concerns raised in reflections"
    assert concern in pages["worrier"] and concern in pages["staff"]
    assert concern not in pages["voter"] + pages["abstainer"] + pages["visitor"]
