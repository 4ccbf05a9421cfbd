"""Proposing through the form (consultation/views/proposals.py)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_duplicate_proposal_through_the_form_points_to_the_first(leader_client, round, commitment, proposal):
    url = reverse("consultation:propose", kwargs={"round_pk": round.pk})
    response = leader_client.post(
        url,
        {
            "kind": "rewording",
            "commitment": commitment.pk,
            "text": proposal.text.upper(),
            "rationale": "Mine too",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert proposal.get_absolute_url() in page and "Mine too" in page
