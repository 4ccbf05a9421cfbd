"""Fixtures most consultation tests start from: an open round and its first commitment."""

import pytest

from .factories import open_round


@pytest.fixture
def round(staff):
    return open_round(staff=staff)


@pytest.fixture
def commitment(round):
    return round.version.commitments.order_by("pk").first()
