"""Followers of a round or a commitment hear of new proposals and comments there; others do not."""

import pytest
from django.urls import reverse

from consultation import services as consultation
from consultation.models import Comment, Proposal
from notifications import services
from notifications.kinds import Kind, Mode
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory
from tests.mailbox import delivered

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(staff):
    return open_round(staff=staff)


def _to(person):
    return [m for m in delivered() if m.to == [person.email]]


def test_the_follow_button_on_the_round_page_follows_and_stops(
    leader_client, leader, round, django_capture_on_commit_callbacks
):
    page = leader_client.get(round.get_absolute_url())
    assert b"Follow this round" in page.content
    follow = reverse("notifications:follow", kwargs={"what": "round", "pk": round.pk})
    with django_capture_on_commit_callbacks(execute=True):  # the commit drops what was remembered
        response = leader_client.post(follow, {"next": round.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == round.get_absolute_url()
    page = leader_client.get(round.get_absolute_url())
    assert b"Following \xe2\x80\x94 stop" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        leader_client.post(reverse("notifications:unfollow", kwargs={"what": "round", "pk": round.pk}))
    assert b"Follow this round" in leader_client.get(round.get_absolute_url()).content


def test_the_follow_button_refuses_an_outside_next_address(leader_client, round):
    follow = reverse("notifications:follow", kwargs={"what": "round", "pk": round.pk})
    response = leader_client.post(follow, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_followers_of_a_round_hear_of_new_comments_and_proposals_others_do_not(
    round, django_capture_on_commit_callbacks
):
    follower, bystander, speaker = LeaderFactory(), LeaderFactory(), LeaderFactory()
    services.set_preference(user=follower, kind=Kind.FOLLOWING, mode=Mode.IMMEDIATE)
    services.set_preference(user=bystander, kind=Kind.FOLLOWING, mode=Mode.IMMEDIATE)
    services.follow(user=follower, what="round", pk=round.pk)
    services.follow(user=speaker, what="round", pk=round.pk)  # their own words are not news to them
    delivered().clear()
    commitment = round.version.commitments.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        consultation.post_comment(actor=speaker, round=round, body="Where is the budget?")
        consultation.propose(
            actor=speaker,
            round=round,
            kind=Proposal.Kind.REWORDING,
            commitment=commitment,
            text="We will publish the budget.",
            rationale="Openness.",
        )
    subjects = sorted(m.subject for m in _to(follower))
    assert len(subjects) == 2
    assert subjects[0].startswith("[Leadership Compact] New comment in")
    assert subjects[1].startswith("[Leadership Compact] New proposal in")
    assert _to(bystander) == [] and _to(speaker) == []


def test_a_commitment_follower_hears_of_comments_on_it_in_their_digest(
    round, django_capture_on_commit_callbacks
):
    follower, other_follower, speaker = LeaderFactory(), LeaderFactory(), LeaderFactory()
    first, second = round.version.commitments.order_by("pk")[:2]
    services.follow(user=follower, what="commitment", pk=first.pk)
    services.follow(user=other_follower, what="commitment", pk=second.pk)
    delivered().clear()
    with django_capture_on_commit_callbacks(execute=True):
        consultation.post_comment(
            actor=speaker, round=round, body="Too vague.", target=Comment.Target.COMMITMENT, commitment=first
        )
    assert _to(follower) == []  # "things I follow" defaults to the daily digest
    services.send_digests()
    assert "Too vague." in _to(follower)[0].body
    assert _to(other_follower) == []


def test_a_follower_who_switched_following_off_hears_nothing(round, django_capture_on_commit_callbacks):
    follower = LeaderFactory()
    services.follow(user=follower, what="round", pk=round.pk)
    services.set_preference(user=follower, kind=Kind.FOLLOWING, mode=Mode.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        consultation.post_comment(actor=LeaderFactory(), round=round, body="Hello.")
    services.send_digests()
    assert _to(follower) == []


def test_a_theme_follower_hears_of_comments_on_commitments_under_it_from_the_theme_page(
    client, round, django_capture_on_commit_callbacks
):
    follower, speaker = LeaderFactory(), LeaderFactory()
    commitment = round.version.commitments.order_by("pk").first()
    theme = commitment.theme
    client.force_login(follower)
    page = client.get(reverse("consultation:theme", kwargs={"round_pk": round.pk, "theme_pk": theme.pk}))
    assert b"Follow this theme" in page.content
    client.post(reverse("notifications:follow", kwargs={"what": "theme", "pk": theme.pk}))
    services.set_preference(user=follower, kind=Kind.FOLLOWING, mode=Mode.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        consultation.post_comment(
            actor=speaker,
            round=round,
            body="Staffing first.",
            target=Comment.Target.COMMITMENT,
            commitment=commitment,
        )
    [message] = _to(follower)
    assert "Staffing first." in message.body


def test_switching_a_kind_off_drops_what_was_waiting_for_the_digest(
    round, django_capture_on_commit_callbacks
):
    follower = LeaderFactory()
    services.follow(user=follower, what="round", pk=round.pk)
    with django_capture_on_commit_callbacks(execute=True):
        consultation.post_comment(actor=LeaderFactory(), round=round, body="Hello.")
    services.set_preference(user=follower, kind=Kind.FOLLOWING, mode=Mode.OFF)
    assert services.send_digests() == 0
    assert _to(follower) == []
