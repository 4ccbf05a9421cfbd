"""The round page and its discussion page (consultation/views/rounds.py), for each role, without
JavaScript: what each reader sees, the filters, the cached copy, and what it costs. The other
pages of a round have a file each: test_question_page.py, test_proposal_pages.py,
test_comment_pages.py, test_results_page.py and test_staff_pages.py."""

import pytest
from django.test import Client
from django.urls import reverse

from consultation import round_page, services
from consultation.models import Proposal, Round
from tests.factories import LeaderFactory, draft_version

from .factories import open_round, reword, scheduled_round

pytestmark = pytest.mark.django_db


def test_visitor_can_read_an_open_round_but_is_asked_to_sign_in(client, round, proposal):
    response = client.get(round.get_absolute_url())
    assert response.status_code == 200
    assert "Sign in to take part" in response.content.decode()
    assert round.title in response.content.decode()


def test_a_scheduled_round_is_hidden_from_leaders(leader_client, staff):
    round = scheduled_round(staff=staff)
    assert leader_client.get(round.get_absolute_url()).status_code == 404


def test_round_page_shows_progress_and_the_proposed_wording_as_a_diff(
    leader_client, leader, round, commitment, proposal
):
    page = leader_client.get(round.get_absolute_url()).content.decode()
    assert "You have voted on 0 of 1." in page
    assert '<ins class="app-diff__added">' in page
    services.cast_vote(actor=leader, round=round, commitment=commitment, choice=proposal)
    assert "You have voted on 1 of 1." in leader_client.get(round.get_absolute_url()).content.decode()


def test_a_commitment_with_many_wordings_sends_readers_to_its_page_rather_than_listing_some(
    client, round, commitment, django_capture_on_commit_callbacks
):
    def propose(number):
        return reword(round, LeaderFactory(), commitment, text=f"We will listen in way number {number}.")

    for number in range(round_page.WORDINGS_LISTED):
        propose(number)
    page = client.get(round.get_absolute_url()).content.decode()
    assert page.count('class="app-proposal-summary"') == round_page.WORDINGS_LISTED
    with django_capture_on_commit_callbacks(execute=True):  # the kept page is rebuilt after the commit
        propose(99)
    page = client.get(round.get_absolute_url()).content.decode()
    many = round_page.WORDINGS_LISTED + 1
    # None listed rather than the first few: the page favours no wording over another.
    assert 'class="nhsuk-body-s app-diff"' not in page
    assert f"{many} other wordings proposed." in page
    assert "They are too many to list here" in page
    assert reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk}) in page


def test_filters_narrow_to_commitments_with_proposals_and_not_yet_voted(
    leader_client, leader, round, commitment, proposal
):
    page = leader_client.get(round.get_absolute_url() + "?has_proposals=1").content.decode()
    other = round.version.commitments.exclude(pk=commitment.pk).first()
    assert commitment.text in page and other.text not in page
    services.cast_vote(actor=leader, round=round, commitment=commitment, choice=proposal)
    page = leader_client.get(round.get_absolute_url() + "?has_proposals=1&not_voted=1").content.decode()
    assert f'id="commitment-{commitment.pk}"' not in page


def test_running_totals_are_hidden_by_default_and_shown_when_the_round_allows(leader_client, staff, leader):
    hidden = open_round(staff=staff)
    shown = open_round(staff=staff, show_running_totals=True)
    for round in (hidden, shown):
        c = round.version.commitments.first()
        p = services.propose(
            actor=leader,
            round=round,
            kind=Proposal.Kind.REWORDING,
            commitment=c,
            text="Fresh words.",
            rationale="x",
        )
        services.cast_vote(actor=LeaderFactory(), round=round, commitment=c, choice=p)
    assert "Votes so far" not in leader_client.get(hidden.get_absolute_url()).content.decode()
    assert (
        "Votes so far: current wording 0, proposal"
        in leader_client.get(shown.get_absolute_url()).content.decode()
    )


def test_no_page_or_export_names_who_voted_how(client, staff, round, commitment, proposal):
    voter = LeaderFactory(full_name="Zebedee Secretvoter", email="zebedee@example.org")
    services.cast_vote(actor=voter, round=round, commitment=commitment, choice=proposal)
    services.close_round(round=round, actor=staff, reason="Done")
    client.force_login(staff)
    pages = [
        round.get_absolute_url(),
        reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk}),
        proposal.get_absolute_url(),
        reverse("consultation:results", kwargs={"round_pk": round.pk}),
        reverse("consultation:results_csv", kwargs={"round_pk": round.pk}),
        reverse("consultation:staff_round", kwargs={"pk": round.pk}),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "Secretvoter" not in body and "zebedee" not in body, url


def test_hidden_comment_shows_the_moderators_reason_in_its_place(client, staff, leader, round):
    comment = services.post_comment(actor=leader, round=round, body="Something unkind")
    services.hide_comment(actor=staff, comment=comment, reason="Not respectful")
    page = client.get(reverse("consultation:discussion", kwargs={"round_pk": round.pk})).content.decode()
    assert "Hidden by moderators: Not respectful" in page and "Something unkind" not in page


def test_round_page_queries_do_not_grow_with_the_round(
    leader_client, leader, staff, django_assert_max_num_queries
):
    small = open_round(staff=staff, version=draft_version(themes=1, commitments_per_cell=1))
    big = open_round(staff=staff, version=draft_version(themes=4, commitments_per_cell=4))
    for round in (small, big):
        for commitment in round.version.commitments.all()[:4]:
            p = services.propose(
                actor=LeaderFactory(),
                round=round,
                kind=Proposal.Kind.REWORDING,
                commitment=commitment,
                text=f"New {commitment.pk}",
                rationale="x",
            )
            services.cast_vote(actor=leader, round=round, commitment=commitment, choice=p)
            services.post_comment(
                actor=leader, round=round, body="Hi", target="commitment", commitment=commitment
            )

    def cost(round):
        """Queries for the page built afresh (just after a change), then as served after it."""
        Round.objects.bump_generation(round_id=round.pk)
        with django_assert_max_num_queries(30) as cold:
            leader_client.get(round.get_absolute_url())
        with django_assert_max_num_queries(30) as warm:
            leader_client.get(round.get_absolute_url())
        return len(cold.captured_queries), len(warm.captured_queries)

    assert cost(small) == cost(big)
    assert cost(big)[1] <= 12  # the shared part is cached: the reader's own part costs the rest


def test_the_cached_round_page_shows_a_new_comment_proposal_and_vote_at_once(leader_client, leader, staff):
    """No commit hook runs here: each change raises the round's generation in its own transaction."""
    round = open_round(staff=staff, version=draft_version(themes=1, commitments_per_cell=1))
    commitment = round.version.commitments.first()
    assert "0 comments." in leader_client.get(round.get_absolute_url()).content.decode()  # now cached
    services.post_comment(actor=leader, round=round, body="Hi", target="commitment", commitment=commitment)
    assert "1 comment." in leader_client.get(round.get_absolute_url()).content.decode()
    proposal = services.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Listen first, every time",
        rationale="Clearer",
    )
    page = leader_client.get(round.get_absolute_url()).content.decode()
    assert "1 other wording proposed." in page and "You have not voted on its wording." in page
    services.cast_vote(actor=leader, round=round, commitment=commitment, choice=proposal)  # no bump
    page = leader_client.get(round.get_absolute_url()).content.decode()
    assert "You have voted on its wording." in page and "Change your vote on its wording" in page


def test_one_readers_votes_never_show_on_anothers_page(leader_client, leader, staff):
    round = open_round(staff=staff, version=draft_version(themes=1, commitments_per_cell=1))
    commitment = round.version.commitments.first()
    proposal = services.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Listen first",
        rationale="x",
    )
    services.cast_vote(actor=leader, round=round, commitment=commitment, choice=proposal)
    assert "You have voted on its wording." in leader_client.get(round.get_absolute_url()).content.decode()
    other = Client()
    other.force_login(LeaderFactory())
    page = other.get(round.get_absolute_url()).content.decode()
    assert "You have not voted on its wording." in page and "You have voted on its wording" not in page
    visitor = Client().get(round.get_absolute_url()).content.decode()
    assert "voted on its wording" not in visitor and "Change your vote" not in visitor
