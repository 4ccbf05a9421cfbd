"""Every API list costs the same number of queries whatever the amount of data behind it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultation import services as consultation
from consultation.models import Proposal, Vote
from signatories.models import Organisation
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version

from .conftest import close, organisation, sign

pytestmark = pytest.mark.django_db

REGIONS = [code for code, _ in Organisation.Region.choices]


def queries(client, url):
    cache.clear()  # the cost of answering, not of reading a cached count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def grow_signatories(version, count):
    # Each with its own organisation, kind and region, so a lookup per row would show.
    for n in range(count):
        sign(version, organisation=organisation(region=REGIONS[n % len(REGIONS)]) if n % 3 else None)


def test_signatory_lists_and_counts_cost_the_same_at_three_and_forty_signatures(client, staff):
    version = published_version(staff=staff)
    args = {"slug": version.compact.slug, "number": version.number}
    urls = [
        reverse("api:signatories", kwargs=args),
        reverse("api:signatories", kwargs=args) + "?page_size=10&page=2",
        reverse("api:counts", kwargs=args),
        reverse("api:version", kwargs=args),
    ]
    grow_signatories(version, 13)
    small = [queries(client, url) for url in urls]
    grow_signatories(version, 40)
    assert [queries(client, url) for url in urls] == small


def test_compact_and_version_lists_cost_the_same_at_one_and_six_compacts(client, staff):
    first = published_version(staff=staff)
    urls = [
        reverse("api:compacts"),
        reverse("api:compact", kwargs={"slug": first.compact.slug}),
        reverse("api:versions", kwargs={"slug": first.compact.slug}),
        reverse("api:rounds", kwargs={"slug": first.compact.slug}),
    ]
    small = [queries(client, url) for url in urls]
    for _ in range(5):
        published_version(staff=staff)
    from compact import services as compact_services

    for _ in range(2):
        draft = compact_services.start_new_draft(actor=staff, compact=first.compact)
        compact_services.ratify(actor=staff, version=draft)
        compact_services.publish(actor=staff, version=draft, note="Again.")
    assert [queries(client, url) for url in urls] == small


def grow_round(round, proposals):
    author, *voters = LeaderFactory.create_batch(4)
    commitments = list(round.version.commitments.order_by("pk"))
    for n in range(proposals):
        commitment = commitments[n % len(commitments)]
        proposal = consultation.propose(
            actor=author,
            round=round,
            kind=Proposal.Kind.REWORDING,
            commitment=commitment,
            text=f"Reworded {n} {round.pk}.",
            rationale="Clearer.",
        )
        for voter in voters:
            consultation.cast_vote(actor=voter, round=round, commitment=commitment, choice=proposal)
    removal = consultation.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REMOVAL,
        commitment=commitments[-1 - proposals % 3],
        rationale="Repeats another.",
    )
    consultation.cast_vote(actor=voters[0], round=round, proposal=removal, choice=Vote.Choice.OPPOSE)


@pytest.mark.parametrize("running_totals", [False, True])
def test_questions_cost_the_same_at_two_and_twelve_proposals(client, staff, running_totals):
    small_round = open_round(staff=staff, show_running_totals=running_totals)
    large_round = open_round(staff=staff, show_running_totals=running_totals)
    grow_round(small_round, 1)
    grow_round(large_round, 12)
    url = lambda round: reverse("api:questions", kwargs={"round_id": round.pk})  # noqa: E731
    assert queries(client, url(small_round)) == queries(client, url(large_round))


def test_results_cost_the_same_at_two_and_twelve_questions(client, staff):
    small_round = open_round(staff=staff)
    large_round = open_round(staff=staff)
    grow_round(small_round, 1)
    grow_round(large_round, 12)
    small_round, large_round = close(small_round, staff), close(large_round, staff)
    url = lambda round: reverse("api:results", kwargs={"round_id": round.pk})  # noqa: E731
    assert queries(client, url(small_round)) == queries(client, url(large_round))
