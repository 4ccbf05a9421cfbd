import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from compact.models import Commitment, Compact, Version

pytestmark = pytest.mark.django_db


def test_demo_loads_a_published_compact_with_a_draft_and_logins(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    compact = Compact.objects.get(slug="leadership-compact")
    published = compact.versions.get(status=Version.Status.PUBLISHED)
    assert published.parties.count() == 2
    assert published.themes.count() >= 4
    assert published.commitments.count() >= 20
    # The next version is being drafted, and is out for consultation in the demo round.
    assert compact.versions.filter(status__in=Version.IN_PROGRESS).exists()
    assert "staff@example.org" in out and "leader@example.org" in out and "password" in out


def test_loading_the_demo_twice_duplicates_nothing():
    call_command("load_demo")
    counts = (
        Compact.objects.count(),
        Version.objects.count(),
        Commitment.objects.count(),
        User.objects.count(),
    )
    call_command("load_demo")
    assert (
        Compact.objects.count(),
        Version.objects.count(),
        Commitment.objects.count(),
        User.objects.count(),
    ) == counts


def test_the_demo_history_shows_leaders_wording_replacing_staffs_between_version_1_and_2(client):
    """Issue 8's walk-through: compare v1 and v2, see the rewording and the round that made it."""
    call_command("load_demo", verbosity=0)
    compact = Compact.objects.get(slug="leadership-compact")
    statuses = dict(compact.versions.values_list("number", "status"))
    assert statuses == {1: "consulted", 2: "published", 3: "consultation"}
    client.force_login(User.objects.get(email="staff@example.org"))

    url = reverse("compact:compare", kwargs={"slug": compact.slug})
    body = client.get(url, {"from": 1, "to": 2}).content.decode()

    assert "within three months" in body  # the winning proposal's wording
    assert "Writing the compact: first round" in body  # linked as the reason for the change
    assert "share data and staff with partners" in body  # the new commitment leaders supported
    assert "raise concerns formally through our board" not in body  # the proposal that lost


def test_the_demo_has_a_published_partnership_compact_in_paired_rows(client):
    call_command("load_demo", verbosity=0)
    compact = Compact.objects.get(slug="local-partnership-compact")
    version = compact.versions.get()
    assert version.status == Version.Status.PUBLISHED and version.layout == Version.Layout.ROWS
    assert [p.heading for p in version.parties.order_by("position")] == [
        "What the statutory partners give",
        "What the sector gives",
    ]
    assert sorted(set(version.commitments.values_list("row", flat=True))) == list(range(1, 9))
    assert version.sections.filter(placement="after").exists()
    html = client.get(reverse("compact:detail", kwargs={"slug": compact.slug})).content.decode()
    assert "What the sector gives" in html and html.count("app-pair__cell") == 16
