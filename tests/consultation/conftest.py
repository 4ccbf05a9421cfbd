"""Fixtures most consultation tests start from: an open round, its first commitment, and a
leader's proposal to reword it."""

import pytest

from consultation import services
from consultation.models import Proposal
from tests.factories import LeaderFactory

from .factories import open_round


@pytest.fixture
def round(staff):
    return open_round(staff=staff)


@pytest.fixture
def commitment(round):
    return round.version.commitments.order_by("pk").first()


@pytest.fixture
def proposal(round, commitment):
    return services.propose(
        actor=LeaderFactory(full_name="Priya Author"),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen, then act together.",
        rationale="Plainer.",
    )
