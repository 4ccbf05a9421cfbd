"""The reminder to answer every question of a round is a kind of e-mail a person controls: straight
away (the default) or off, never in a digest, which would bring it a day late."""

import pytest
from django.urls import reverse

from core.errors import DomainError
from notifications import services
from notifications.kinds import Kind, Mode
from notifications.selectors import mode_for

pytestmark = pytest.mark.django_db


def test_the_settings_page_offers_straight_away_or_off_for_it(leader_client):
    page = leader_client.get(reverse("accounts:profile")).content.decode()
    assert "A reminder, from staff, that I have not answered every question in a round" in page
    assert 'id="notify-not_yet_voted-immediate"' in page and 'id="notify-not_yet_voted-off"' in page
    assert 'id="notify-not_yet_voted-digest"' not in page
    # Every other kind still offers the digest.
    assert 'id="notify-reply-digest"' in page


def test_it_is_on_until_switched_off_from_the_settings_page(leader_client, leader):
    assert mode_for(user=leader, kind=Kind.NOT_YET_VOTED) == Mode.IMMEDIATE
    data = {kind: Mode.IMMEDIATE for kind in Kind.values if kind not in (Kind.MODERATION, Kind.REVIEW)}
    data[Kind.NOT_YET_VOTED] = Mode.OFF
    assert leader_client.post(reverse("notifications:preferences"), data).status_code == 302
    assert mode_for(user=leader, kind=Kind.NOT_YET_VOTED) == Mode.OFF


def test_a_digest_for_it_is_refused_and_nothing_changes(leader_client, leader):
    data = {kind: Mode.IMMEDIATE for kind in Kind.values if kind not in (Kind.MODERATION, Kind.REVIEW)}
    data[Kind.NOT_YET_VOTED] = Mode.DIGEST
    data[Kind.ROUND] = Mode.OFF
    response = leader_client.post(reverse("notifications:preferences"), data, follow=True)
    assert (
        "Choose straight away, a daily digest, or off for each kind of e-mail." in response.content.decode()
    )
    assert mode_for(user=leader, kind=Kind.ROUND) == Mode.IMMEDIATE
    with pytest.raises(DomainError, match="choose straight away or off"):
        services.set_preference(user=leader, kind=Kind.NOT_YET_VOTED, mode=Mode.DIGEST)
    assert mode_for(user=leader, kind=Kind.NOT_YET_VOTED) == Mode.IMMEDIATE
