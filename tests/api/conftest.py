"""Data and helpers for the open data tests: every JSON answer is checked against the schema."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from consultation import services as consultation
from consultation.models import Proposal, Round, Vote
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory


@pytest.fixture(scope="session")
def openapi(django_db_blocker):
    """The schema the API publishes, as openapi-core reads it."""
    from django.test import Client
    from openapi_core import OpenAPI

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema.json")
    assert response.status_code == 200
    return OpenAPI.from_dict(json.loads(response.content))


@pytest.fixture
def api_get(client, openapi):
    """GET an API address and, for a 200, validate the answer against the published schema."""
    from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

    def get(url, **headers):
        response = client.get(url, **headers)
        if response.status_code == 200:
            openapi.validate_response(
                DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
            )
        return response

    return get


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def sign(version, **kwargs):
    return SignatureFactory(version=version, **kwargs)


@pytest.fixture
def closed_round(staff):
    """A round with a rewording, a removal and a new commitment proposal, voted on and closed."""
    round = open_round(staff=staff)
    commitment = round.version.commitments.order_by("pk").first()
    other = round.version.commitments.order_by("pk").last()
    author, *voters = LeaderFactory.create_batch(5)
    rewording = consultation.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="We will listen, then act.",
        rationale="Clearer.",
    )
    removal = consultation.propose(
        actor=author, round=round, kind=Proposal.Kind.REMOVAL, commitment=other, rationale="Repeats another."
    )
    for voter in voters[:3]:
        consultation.cast_vote(actor=voter, round=round, commitment=commitment, choice=rewording)
        consultation.cast_vote(actor=voter, round=round, proposal=removal, choice=Vote.Choice.SUPPORT)
    consultation.cast_vote(actor=voters[3], round=round, commitment=commitment, choice=Vote.Choice.CURRENT)
    round.voters = voters
    round.rewording = rewording
    return round


def close(round, staff):
    consultation.close_round(round=round, actor=staff, reason="Enough heard.")
    closed = Round.objects.get(pk=round.pk)
    closed.voters, closed.rewording = getattr(round, "voters", []), getattr(round, "rewording", None)
    return closed


def organisation(**kwargs):
    return OrganisationFactory(**kwargs)


def days_ago(n):
    return timezone.now() - timedelta(days=n)
