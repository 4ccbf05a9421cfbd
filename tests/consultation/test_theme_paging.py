"""A long draft is read a theme at a time: quicker to serve, and readable on a phone."""

import pytest

from consultation import services
from consultation.models import Proposal
from tests.factories import LeaderFactory

from .factories import open_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(staff):
    return open_round(staff=staff)  # 2 themes × 2 parties × 2 commitments


@pytest.fixture
def themes(round):
    return list(round.version.themes.order_by("position"))


def commitments_of(theme):
    return list(theme.commitments.order_by("party__position", "position"))


def test_a_short_draft_shows_every_theme_on_one_page(client, round, themes):
    body = client.get(round.get_absolute_url()).content.decode()
    assert all(theme.title in body for theme in themes)
    assert "Next theme" not in body and "shown a theme at a time" not in body


def test_a_long_draft_opens_on_its_first_theme_with_a_link_to_the_next(settings, client, round, themes):
    settings.ROUND_PAGE_ALL_THEMES_UP_TO = 4  # the draft has 8 commitments
    first, second = themes
    body = client.get(round.get_absolute_url()).content.decode()
    assert commitments_of(first)[0].text in body
    assert commitments_of(second)[0].text not in body
    assert "This draft is long, so it is shown a theme at a time." in body
    assert f'href="?theme={second.pk}"' in body and "Next theme" in body
    assert "hidden by the filters" not in body  # the other theme is a page away, not filtered out

    body = client.get(round.get_absolute_url(), {"theme": second.pk}).content.decode()
    assert commitments_of(second)[0].text in body and commitments_of(first)[0].text not in body
    assert f'href="?theme={first.pk}"' in body and "Previous theme" in body and "Next theme" not in body


def test_all_themes_can_still_be_asked_for(settings, client, round, themes):
    settings.ROUND_PAGE_ALL_THEMES_UP_TO = 4
    body = client.get(round.get_absolute_url(), {"theme": "all"}).content.decode()
    assert all(commitments_of(theme)[0].text in body for theme in themes)
    assert "Next theme" not in body


def test_progress_counts_every_theme_and_theme_links_keep_the_other_filters(settings, client, round, themes):
    settings.ROUND_PAGE_ALL_THEMES_UP_TO = 4
    leader = LeaderFactory()
    for theme in themes:
        services.propose(
            actor=LeaderFactory(),
            round=round,
            kind=Proposal.Kind.REWORDING,
            commitment=commitments_of(theme)[0],
            text=f"Other words for {theme.title}.",
            rationale="Clearer.",
        )
    client.force_login(leader)
    body = client.get(round.get_absolute_url(), {"has_proposals": "1"}).content.decode()
    assert "You have voted on 0 of 2." in body  # both themes' questions, though one is shown
    assert f'href="?theme={themes[1].pk}&amp;has_proposals=1"' in body
