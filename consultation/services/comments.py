"""Leaders discuss the draft; anyone signed in may report a comment; staff moderate."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from compact.models import Commitment, Theme
from compact.services import require_academy_staff
from config import dispatch
from core.errors import DomainError, NotAllowed
from core.text import render_comment

from .. import signals
from ..models import COMMENT_EDIT_WINDOW, Comment, Proposal, Report, Round
from .access import require_participant

MAX_COMMENT_LENGTH = 5000


def _clean_comment(body: str) -> str:
    body = body.strip()
    if not body:
        raise DomainError("Write your comment.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise DomainError(f"Keep your comment to {MAX_COMMENT_LENGTH} characters or fewer.")
    return body


@transaction.atomic
def post_comment(
    *,
    actor: User,
    round: Round,
    body: str,
    target: str = Comment.Target.WHOLE_COMPACT,
    theme: Theme | None = None,
    commitment: Commitment | None = None,
    proposal: Proposal | None = None,
    parent: Comment | None = None,
) -> Comment:
    round = require_participant(user=actor, round=round)
    body = _clean_comment(body)
    if parent is not None:
        if parent.round_id != round.pk:
            raise DomainError("You can only reply to a comment in this round.")
        # Threads are one level deep: a reply to a reply joins its thread.
        parent = parent.parent or parent
        target, theme, commitment, proposal = parent.target, parent.theme, parent.commitment, parent.proposal
    subject: dict[str, Theme | Commitment | Proposal | None] = {
        Comment.Target.THEME: theme,
        Comment.Target.COMMITMENT: commitment,
        Comment.Target.PROPOSAL: proposal,
    }
    if target != Comment.Target.WHOLE_COMPACT:
        item = subject.get(target)
        if item is None:
            raise DomainError("Choose what you are commenting on.")
        belongs = (
            item.round_id == round.pk if isinstance(item, Proposal) else item.version_id == round.version_id
        )
        if not belongs:
            raise DomainError("You can only comment on this round's draft.")
    comment = Comment.objects.create(
        round=round,
        author=actor,
        target=target,
        parent=parent,
        body=body,
        body_html=render_comment(body),
        theme=theme if target == Comment.Target.THEME else None,
        commitment=commitment if target == Comment.Target.COMMITMENT else None,
        proposal=proposal if target == Comment.Target.PROPOSAL else None,
    )
    Round.objects.bump_generation(round_id=round.pk)  # the round page counts comments
    signals.announce(signals.comment_posted, comment=comment)  # notifications hook
    return comment


@transaction.atomic
def edit_comment(*, actor: User, comment: Comment, body: str) -> Comment:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != actor.pk:
        raise NotAllowed("You can only change your own comments.")
    require_participant(user=actor, round=comment.round)
    if not comment.is_visible:
        raise DomainError("This comment can no longer be changed.")
    if timezone.now() - comment.created_at > COMMENT_EDIT_WINDOW:
        raise DomainError("Comments can be changed for 15 minutes after posting. You can reply to add to it.")
    comment.body = _clean_comment(body)
    comment.body_html = render_comment(comment.body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    Round.objects.bump_generation(round_id=comment.round_id)
    return comment


@transaction.atomic
def delete_comment(*, actor: User, comment: Comment) -> Comment:
    """The author removes their words; a placeholder keeps the thread readable."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != actor.pk:
        raise NotAllowed("You can only delete your own comments.")
    if comment.is_deleted:
        return comment
    comment.deleted_at = timezone.now()
    comment.body = ""
    comment.body_html = ""
    comment.save(update_fields=["deleted_at", "body", "body_html"])
    Round.objects.bump_generation(round_id=comment.round_id)
    return comment


@transaction.atomic
def report_comment(*, actor: User, comment: Comment, reason: str) -> Report:
    if not (actor and actor.is_authenticated):
        raise NotAllowed("Sign in to report a comment.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Tell the moderators what is wrong with this comment.")
    if len(reason) > 1000:
        raise DomainError("Keep the reason to 1000 characters or fewer.")
    report, created = Report.objects.get_or_create(
        comment=comment, reporter=actor, defaults={"reason": reason}
    )
    if not created and report.resolved_at is None:
        raise DomainError("You have already reported this comment. The moderators will look at it.")
    if not created:
        report.reason, report.resolved_at, report.resolved_by = reason, None, None
        report.save(update_fields=["reason", "resolved_at", "resolved_by"])
    signals.announce(signals.comment_reported, report=report)  # notifications hook
    return report


@transaction.atomic
def hide_comment(*, actor: User, comment: Comment, reason: str) -> Comment:
    require_academy_staff(actor=actor)
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason for hiding the comment; it is shown in its place.")
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    now = timezone.now()
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = now, actor, reason
    comment.hidden_notice_sent_at = None  # hidden again after a restore: tell the author again
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_notice_sent_at"])
    audit.record(
        action="hide comment",
        actor=actor,
        target=comment,
        before={"hidden": False},
        after={"hidden": True, "reason": reason},
    )
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=actor)
    Round.objects.bump_generation(round_id=comment.round_id)
    dispatch.send_on_commit("consultation.tasks.tell_author_comment_hidden", comment.pk)
    return comment


@transaction.atomic
def restore_comment(*, actor: User, comment: Comment) -> Comment:
    require_academy_staff(actor=actor)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    before = {"hidden": comment.hidden_at is not None, "reason": comment.hidden_reason}
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    audit.record(
        action="restore comment", actor=actor, target=comment, before=before, after={"hidden": False}
    )
    Round.objects.bump_generation(round_id=comment.round_id)
    return comment


@transaction.atomic
def dismiss_reports(*, actor: User, comment: Comment) -> None:
    """Staff looked and the comment stays: the reports leave the queue."""
    require_academy_staff(actor=actor)
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=actor)
