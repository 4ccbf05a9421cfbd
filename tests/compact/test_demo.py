import pytest
from django.core.management import call_command

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
