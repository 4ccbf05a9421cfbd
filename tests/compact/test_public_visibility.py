"""Nothing of a compact with nothing public is public (issue 34, item 9; issue 29, item 6).

A compact is publicly visible once it has a published (or superseded) version or a consultation
round open now. Before, an imported draft's title and summary showed on the home page ("Not
published yet", leading nowhere), in the open data API and in its Atom feed's subtitle.
"""

import pytest
from django.urls import reverse

from compact.selectors import publicly_visible_compacts
from tests.consultation.factories import open_round
from tests.factories import draft_version, published_version

pytestmark = pytest.mark.django_db


def secret_draft():
    version = draft_version()
    compact = version.compact
    compact.title, compact.summary = "Unannounced compact", "A summary nobody outside may read yet."
    compact.save()
    return compact


def public_answers(client, compact):
    return {
        "home": client.get("/").content.decode(),
        "api list": client.get(reverse("api:compacts")).content.decode(),
        "api detail": client.get(reverse("api:compact", kwargs={"slug": compact.slug})),
        "feed": client.get(reverse("api:feed", kwargs={"slug": compact.slug})),
        "page": client.get(compact.get_absolute_url()),
    }


def test_a_draft_compact_shows_nothing_of_itself_anywhere_public(client):
    compact = secret_draft()
    answers = public_answers(client, compact)
    for name in ("home", "api list"):
        assert compact.title not in answers[name] and compact.summary not in answers[name], name
        assert compact.slug not in answers[name], name
    for name in ("api detail", "feed", "page"):
        assert answers[name].status_code == 404, name
        assert compact.summary not in answers[name].content.decode(), name


def test_staff_still_reach_a_draft_compact(staff_client):
    compact = secret_draft()
    assert staff_client.get(compact.get_absolute_url()).status_code == 200
    assert compact.title in staff_client.get(reverse("compact:staff_dashboard")).content.decode()


def test_a_compact_with_a_round_open_now_is_public_before_it_is_published(client, staff):
    round = open_round(staff=staff)
    compact = round.version.compact
    answers = public_answers(client, compact)
    assert compact.title in answers["home"] and compact.slug in answers["api list"]
    assert all(answers[name].status_code == 200 for name in ("api detail", "feed", "page"))


def test_a_published_compact_is_public_and_listed_once(client, staff):
    compact = published_version(staff=staff).compact
    assert list(publicly_visible_compacts()) == [compact]
    assert client.get(reverse("api:compacts")).json()["count"] == 1
