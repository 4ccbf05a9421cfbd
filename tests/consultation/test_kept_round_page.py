"""The round page is kept whole per page state, with the CSRF token and the person's name filled
in per request (consultation/round_page.py, ADR 5). A kept page must be exactly the page a fresh
render gives that reader: never another reader's votes, name, token or rights."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultation import round_page, services
from consultation import views as consultation_views
from notifications import services as notification_services
from tests.factories import LeaderFactory, UserFactory, draft_version

from .factories import open_round, reword

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def without_tokens(html):
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def rendered_afresh(client, url, monkeypatch):
    """The page as the view renders it without any kept page (as when messages wait)."""
    with monkeypatch.context() as patch:
        patch.setattr(consultation_views, "messages_waiting", lambda request: True)
        return client.get(url).content.decode()


@pytest.fixture
def setting(staff, settings):
    settings.ROUND_PAGE_ALL_THEMES_UP_TO = 4  # the draft has 8 commitments: a theme at a time
    round = open_round(staff=staff, version=draft_version(themes=2, commitments_per_cell=2))
    commitments = list(round.version.commitments.order_by("pk"))
    # Questions in both themes: the first two commitments, and the first of the other theme.
    other_theme = next(c for c in commitments if c.theme_id != commitments[0].theme_id)
    commitments.remove(other_theme)
    commitments.insert(2, other_theme)
    proposals = [reword(round, LeaderFactory(), c, text=f"Reworded {c.pk}") for c in commitments[:3]]
    return round, commitments, proposals


def test_every_reader_gets_the_page_a_fresh_render_gives_them(setting, staff, monkeypatch):
    round, commitments, proposals = setting
    voter = LeaderFactory(full_name="Vera Voter")
    services.cast_vote(actor=voter, round=round, commitment=commitments[0], choice=proposals[0])
    notification_services.follow(user=voter, what="round", pk=round.pk)
    # Readers that differ from "leader" in one fact each, so a fact the page state left out
    # would serve one of them the other's page.
    follower = LeaderFactory()
    notification_services.follow(user=follower, what="round", pk=round.pk)
    elsewhere = LeaderFactory()  # voted only on a question the first theme's page does not show
    services.cast_vote(actor=elsewhere, round=round, commitment=commitments[2], choice=proposals[2])
    readers = {
        "visitor": Client(),
        "voter": signed_in(voter),
        "leader": signed_in(LeaderFactory(full_name="Lee Nobody")),
        "same state, other name": signed_in(LeaderFactory(full_name="Sam <b>Same</b>")),
        "follower": signed_in(follower),
        "voted in another theme": signed_in(elsewhere),
        "administration link": signed_in(LeaderFactory(is_staff=True)),
        "unverified": signed_in(UserFactory(verified=False, full_name="Una Verified")),
        "staff": signed_in(staff),
    }
    theme = commitments[0].theme_id
    urls = [
        round.get_absolute_url(),
        round.get_absolute_url() + "?theme=all",
        round.get_absolute_url() + f"?theme={theme}&not_voted=1",
        round.get_absolute_url() + "?has_proposals=1",
        round.get_absolute_url() + "?has_proposals=1&party=",  # the same filters; the forms return here
    ]
    for _ in range(2):  # the second pass is served from the kept pages the first one made
        for url in urls:
            for name, client in readers.items():
                served = client.get(url).content.decode()
                assert round_page.CSRF_MARK not in served and round_page.NAME_MARK not in served
                assert without_tokens(served) == without_tokens(rendered_afresh(client, url, monkeypatch)), (
                    name,
                    url,
                )
    page = readers["same state, other name"].get(round.get_absolute_url()).content.decode()
    assert "Sam &lt;b&gt;Same&lt;/b&gt;" in page and "Lee Nobody" not in page
    page = readers["leader"].get(round.get_absolute_url()).content.decode()
    assert "Lee Nobody" in page and "Sam &lt;b&gt;Same" not in page and "Vera Voter" not in page


def test_a_kept_page_carries_a_token_that_works_for_its_reader_only(setting):
    round, commitments, _ = setting
    first, second = LeaderFactory(), LeaderFactory()
    tokens = {}
    for user in (first, second, first):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        page = client.get(round.get_absolute_url()).content.decode()
        token = TOKEN.search(page).group(0).split('value="')[1].rstrip('"')
        assert token not in tokens.values()  # masked afresh for every request, as a render does
        tokens[user.pk] = token
        follow = reverse("notifications:follow", kwargs={"what": "round", "pk": round.pk})
        assert client.post(follow, {"csrfmiddlewaretoken": token, "next": "/"}).status_code == 302
        stranger = Client(enforce_csrf_checks=True)
        stranger.force_login(user)
        assert stranger.post(follow, {"csrfmiddlewaretoken": token, "next": "/"}).status_code == 403


def test_a_message_is_shown_once_and_never_kept(setting, leader):
    round, commitments, proposals = setting
    client = signed_in(leader)
    client.get(round.get_absolute_url())  # a page kept for this state
    response = client.post(
        reverse("consultation:vote", kwargs={"round_pk": round.pk}),
        {
            "commitment": commitments[0].pk,
            "choice": f"proposal:{proposals[0].pk}",
            "next": round.get_absolute_url(),
        },
        follow=True,
    )
    assert "Your vote is saved" in response.content.decode()
    again = client.get(round.get_absolute_url()).content.decode()
    assert "Your vote is saved" not in again
    assert "You have voted on 1 of" in again


def test_a_round_past_its_closing_time_is_not_served_open_from_a_kept_page(setting, leader, monkeypatch):
    round, _, _ = setting
    client = signed_in(leader)
    assert "Open until" in client.get(round.get_absolute_url()).content.decode()
    later = round.closes_at + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the scheduler has not closed it yet
    page = client.get(round.get_absolute_url()).content.decode()
    assert "Open until" not in page and "This round has closed" in page


def test_kept_pages_are_bounded_by_size(setting, leader, monkeypatch):
    round, _, _ = setting
    monkeypatch.setattr(round_page, "KEPT_PAGE_CHARACTERS", 200_000)
    client = signed_in(leader)
    for n in range(40):  # each address is a page state of its own
        client.get(round.get_absolute_url() + f"?x={n}")
    shared = round_page._kept[round.pk]
    assert shared.pages_size == sum(page.size for page in shared.pages.values()) <= 200_000
    assert len(shared.pages) < 40


def rendered_without_anything_kept(client, url, monkeypatch):
    """The page worked out and rendered from scratch: no kept page and no kept reader's view."""
    with monkeypatch.context() as patch:
        patch.setattr(consultation_views, "messages_waiting", lambda request: True)
        patch.setattr(round_page, "reader_view", lambda **options: round_page.round_page_view(**options))
        return client.get(url).content.decode()


def test_a_readers_view_is_kept_per_state_and_follows_their_votes(setting, monkeypatch):
    round, commitments, proposals = setting
    leader, other = LeaderFactory(), LeaderFactory()
    client = signed_in(leader)
    urls = [
        round.get_absolute_url(),
        round.get_absolute_url() + "?theme=all",
        round.get_absolute_url() + f"?theme={commitments[0].theme_id}&not_voted=1",
    ]
    votes = [
        (leader, commitments[0], proposals[0]),  # their own vote: their progress and filters change
        (other, commitments[1], proposals[1]),  # someone else's: nothing of theirs changes
        (leader, commitments[2], "current"),  # in the other theme
        (leader, commitments[0], "current"),  # changed back: the same questions answered
    ]
    for voter, commitment, choice in [(None, None, None), *votes]:
        if voter is not None:
            services.cast_vote(actor=voter, round=round, commitment=commitment, choice=choice)
        for url in urls:
            for _ in range(2):  # worked out, then served from the kept view (and page)
                served = client.get(url).content.decode()
                assert without_tokens(served) == without_tokens(
                    rendered_without_anything_kept(client, url, monkeypatch)
                ), (voter, url)
    assert "You have voted on 2 of 3" in client.get(round.get_absolute_url()).content.decode()
    assert round_page._kept[round.pk].views.pages  # they were kept


def test_running_totals_are_never_served_from_a_kept_view(setting, monkeypatch):
    round, commitments, proposals = setting
    round.show_running_totals = True
    round.save(update_fields=["show_running_totals"])
    client = signed_in(LeaderFactory())
    before = client.get(round.get_absolute_url()).content.decode()
    # Another leader's vote renews nothing the page is kept by, but changes the totals shown.
    services.cast_vote(actor=LeaderFactory(), round=round, commitment=commitments[0], choice=proposals[0])
    after = client.get(round.get_absolute_url()).content.decode()
    assert without_tokens(after) != without_tokens(before)
    assert without_tokens(after) == without_tokens(
        rendered_without_anything_kept(client, round.get_absolute_url(), monkeypatch)
    )
    assert not round_page._kept[round.pk].views.pages


def test_kept_views_are_bounded_by_the_commitments_in_them(setting, monkeypatch):
    round, commitments, proposals = setting
    monkeypatch.setattr(round_page, "KEPT_VIEW_ENTRIES", 40)
    for n in range(12):  # twelve readers in states of their own (each voted differently)
        reader = LeaderFactory()
        if n % 2:
            services.cast_vote(
                actor=reader, round=round, commitment=commitments[n % 3], choice=proposals[n % 3]
            )
        signed_in(reader).get(round.get_absolute_url() + "?theme=all" if n % 3 else round.get_absolute_url())
    shared = round_page._kept[round.pk]
    views = shared.views
    assert views.size == sum(round_page._entries(view) for view in views.pages.values()) <= 40
    assert len(views.pages) < 12
