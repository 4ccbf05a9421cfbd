"""A compact's and a round's generation only ever go up, and only through `bump_generation`."""

import pytest

from compact.models import Compact
from consultation.models import Round
from tests.consultation.factories import open_round
from tests.factories import published_version

pytestmark = pytest.mark.django_db


def test_saving_a_compact_read_before_a_bump_does_not_take_its_generation_back(staff):
    compact = published_version(staff=staff).compact
    read_before = Compact.objects.get(pk=compact.pk)
    Compact.objects.bump_generation(compact_id=compact.pk)
    read_before.summary = "Saved by someone who read it earlier"
    read_before.save()
    compact.refresh_from_db()
    assert compact.summary == "Saved by someone who read it earlier"
    assert compact.generation == read_before.generation + 1


def test_saving_a_round_read_before_a_bump_does_not_take_its_generation_back(staff):
    round = open_round(staff=staff)
    read_before = Round.objects.get(pk=round.pk)
    Round.objects.bump_generation(round_id=round.pk)
    read_before.description = "Changed"
    read_before.save()
    round.refresh_from_db()
    assert round.description == "Changed" and round.generation == read_before.generation + 1
