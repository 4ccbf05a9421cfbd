"""Leaders comment and report; staff moderate (services/comments.py)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from compact.errors import DomainError, NotAllowed
from consultation import services
from consultation.models import Comment
from tests.factories import LeaderFactory, UserFactory
from tests.mailbox import delivered

pytestmark = pytest.mark.django_db


def test_comment_markdown_is_rendered_and_script_does_not_survive(round, leader):
    comment = services.post_comment(
        actor=leader,
        round=round,
        body="**Good** point <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    html = comment.body_html
    assert "<strong>Good</strong>" in html
    assert set(re.findall(r"<(\w+)", html)) <= {"p", "strong"}
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as the text the person typed, never run


def test_replies_to_a_reply_join_the_thread(round, leader, commitment):
    top = services.post_comment(
        actor=leader, round=round, body="Top", target=Comment.Target.COMMITMENT, commitment=commitment
    )
    reply = services.post_comment(actor=LeaderFactory(), round=round, body="Reply", parent=top)
    deeper = services.post_comment(actor=leader, round=round, body="Reply to reply", parent=reply)
    assert reply.parent == top and deeper.parent == top
    assert deeper.commitment == commitment


def test_comments_can_be_edited_for_15_minutes_only(round, leader):
    comment = services.post_comment(actor=leader, round=round, body="First thought")
    services.edit_comment(actor=leader, comment=comment, body="Second thought")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    comment.refresh_from_db()
    with pytest.raises(DomainError, match="15 minutes"):
        services.edit_comment(actor=leader, comment=comment, body="Third thought")


def test_deleting_a_comment_leaves_a_placeholder(round, leader):
    comment = services.post_comment(actor=leader, round=round, body="Regrettable")
    services.delete_comment(actor=leader, comment=comment)
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == "" and Comment.objects.filter(pk=comment.pk).exists()


def test_others_cannot_delete_a_comment(round, leader):
    comment = services.post_comment(actor=leader, round=round, body="Mine")
    with pytest.raises(NotAllowed):
        services.delete_comment(actor=LeaderFactory(), comment=comment)


def test_hiding_a_comment_needs_staff_and_a_reason_and_tells_the_author(
    round, leader, staff, django_capture_on_commit_callbacks
):
    comment = services.post_comment(actor=leader, round=round, body="Rude words")
    services.report_comment(actor=UserFactory(verified=False), comment=comment, reason="Rude")
    with pytest.raises(NotAllowed):
        services.hide_comment(actor=LeaderFactory(), comment=comment, reason="Rude")
    with pytest.raises(DomainError, match="reason"):
        services.hide_comment(actor=staff, comment=comment, reason="")
    delivered().clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_comment(actor=staff, comment=comment, reason="Personal attack")
    assert delivered()[0].to == [leader.email]
    assert "Personal attack" in delivered()[0].body
    assert not comment.reports.filter(resolved_at__isnull=True).exists()
    services.restore_comment(actor=staff, comment=comment)
    comment.refresh_from_db()
    assert comment.is_visible


def test_reporting_twice_is_refused_politely(round, leader):
    comment = services.post_comment(actor=leader, round=round, body="Hmm")
    reporter = LeaderFactory()
    services.report_comment(actor=reporter, comment=comment, reason="Off topic")
    with pytest.raises(DomainError, match="already reported"):
        services.report_comment(actor=reporter, comment=comment, reason="Off topic")
