"""Commenting through the forms (consultation/views/comments.py): replies, and a refusal that keeps
the words typed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultation.models import Comment, Round

pytestmark = pytest.mark.django_db


def test_comment_with_a_problem_comes_back_with_the_words_typed(leader_client, staff, round):
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    url = reverse("consultation:comment", kwargs={"round_pk": round.pk})
    response = leader_client.post(url, {"body": "My carefully typed thought", "target": "vision"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "My carefully typed thought" in page and "This round has closed" in page


def test_comment_and_reply_through_the_forms(leader_client, round, commitment):
    url = reverse("consultation:comment", kwargs={"round_pk": round.pk})
    response = leader_client.post(
        url, {"body": "On this commitment", "target": "commitment", "subject": commitment.pk}
    )
    top = Comment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{top.pk}")
    leader_client.post(url, {"body": "A reply", "target": "commitment", "parent": top.pk})
    page = leader_client.get(
        reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk})
    ).content.decode()
    assert "On this commitment" in page and "A reply" in page
