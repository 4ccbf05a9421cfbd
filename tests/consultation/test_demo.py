import pytest
from django.core.management import call_command

from consultation.models import Comment, Proposal, Round, Vote

pytestmark = pytest.mark.django_db


def test_demo_holds_an_open_round_with_proposals_comments_and_votes():
    call_command("load_demo")
    round = Round.objects.get(status=Round.Status.OPEN)
    assert round.is_open
    assert round.proposals.filter(kind=Proposal.Kind.REWORDING).count() >= 2
    assert round.proposals.filter(kind=Proposal.Kind.NEW_COMMITMENT).exists()
    assert round.proposals.filter(kind=Proposal.Kind.REMOVAL).exists()
    assert Comment.objects.filter(round=round, parent__isnull=False).exists()
    assert Vote.objects.filter(round=round).count() >= 20


def test_demo_round_does_not_email_anyone(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    assert mailoutbox == []
