"""Taking part question by question: progress on every page, the next question after a vote,
removal proposals voted on like any other question, and a refused vote shown where it happened."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultation import services
from consultation.models import Proposal
from tests.factories import LeaderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(round):
    """Two reworded commitments and a removal proposal: three questions."""
    first, second, third = round.version.commitments.order_by(
        "theme__position", "party__position", "position"
    )[:3]
    author = LeaderFactory(full_name="Priya Author")
    reword = lambda commitment, text: services.propose(  # noqa: E731
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text=text,
        rationale="Plainer.",
    )
    return {
        "first": (first, reword(first, "We will listen, then act.")),
        "second": (second, reword(second, "We will act on what we hear.")),
        "removal": services.propose(
            actor=author, round=round, kind=Proposal.Kind.REMOVAL, commitment=third, rationale="Said twice."
        ),
    }


def vote_url(round):
    return reverse("consultation:vote", kwargs={"round_pk": round.pk})


def commitment_url(round, commitment):
    return reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk})


def test_every_page_of_the_round_shows_how_many_questions_the_leader_has_voted_on(
    leader_client, round, questions
):
    first, _ = questions["first"]
    pages = [
        round.get_absolute_url(),
        commitment_url(round, first),
        questions["removal"].get_absolute_url(),
        reverse("consultation:discussion", kwargs={"round_pk": round.pk}),
    ]
    for url in pages:
        page = leader_client.get(url).content.decode()
        assert "You have voted on 0 of 3." in page, url
        assert '<progress class="app-progress__bar" max="3" value="0"' in page, url


def test_after_saving_a_vote_the_next_commitment_to_vote_on_is_offered(leader_client, round, questions):
    (first, proposal), (second, _) = questions["first"], questions["second"]
    response = leader_client.post(
        vote_url(round), {"commitment": first.pk, "choice": f"proposal:{proposal.pk}"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == commitment_url(round, first)
    assert "Your vote is saved" in page
    assert f'href="{commitment_url(round, second)}">Next commitment to vote on</a>' in page
    assert "You have voted on 1 of 3." in page


def test_when_every_question_is_answered_the_leader_is_told_so(leader_client, leader, round, questions):
    (first, _), (second, _) = questions["first"], questions["second"]
    services.cast_vote(actor=leader, round=round, commitment=second, choice="current")
    services.cast_vote(actor=leader, round=round, proposal=questions["removal"], choice="oppose")
    page = leader_client.post(
        vote_url(round), {"commitment": first.pk, "choice": "current"}, follow=True
    ).content.decode()
    assert "You have voted on every question in this round." in page
    assert "Next commitment to vote on" not in page


def test_a_removal_proposal_gets_a_vote_link_and_shows_the_leaders_vote_on_the_round_page(
    leader_client, leader, round, questions
):
    removal = questions["removal"]
    page = leader_client.get(round.get_absolute_url()).content.decode()
    assert f'<a href="{removal.get_absolute_url()}">Vote on removing it' in page
    assert "You have not voted on removing it." in page

    services.cast_vote(actor=leader, round=round, proposal=removal, choice="support")
    page = leader_client.get(round.get_absolute_url()).content.decode()
    assert "You have voted on removing it." in page
    assert f'<a href="{removal.get_absolute_url()}">Change your vote on removing it' in page
    page = leader_client.get(commitment_url(round, removal.commitment)).content.decode()
    assert "you support removing it" in page


def test_a_vote_without_a_choice_is_shown_beside_the_options_and_linked_from_the_summary(
    leader_client, round, questions
):
    first, _ = questions["first"]
    response = leader_client.post(vote_url(round), {"commitment": first.pk})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-module="nhsuk-error-summary"' in page
    assert '<a href="#choice-current">Choose an option before saving your vote.</a>' in page
    assert 'aria-describedby="choice-error"' in page and 'id="choice-error"' in page
    assert "nhsuk-form-group--error" in page

    response = leader_client.post(vote_url(round), {"proposal": questions["removal"].pk})
    assert (
        '<a href="#choice-support">Choose an option before saving your vote.</a>' in response.content.decode()
    )


def test_no_reply_is_offered_under_a_hidden_comment(leader_client, staff, round):
    author = LeaderFactory()
    kept = services.post_comment(actor=author, round=round, body="A fair point.")
    hidden = services.post_comment(actor=author, round=round, body="Something unkind.")
    services.hide_comment(actor=staff, comment=hidden, reason="Not respectful")
    page = leader_client.get(
        reverse("consultation:discussion", kwargs={"round_pk": round.pk})
    ).content.decode()
    assert f'id="reply-{kept.pk}"' in page
    assert f'id="reply-{hidden.pk}"' not in page


def test_a_round_closed_early_says_when_it_closed_not_when_it_would_have(client, staff, round):
    services.close_round(round=round, actor=staff, reason="The board meets next week.")
    round.refresh_from_db()
    page = client.get(round.get_absolute_url()).content.decode()
    assert f"Closed early on {timezone.localtime(round.closed_at):%-d %B %Y, %H:%M}" in page
    assert "Open until" not in page
    assert round.closes_at - round.closed_at > timedelta(days=1)
