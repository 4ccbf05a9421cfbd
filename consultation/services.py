"""Workflows of a consultation round. Each checks who is acting and runs in one transaction.

The clock matters here: a round takes proposals, comments and votes only while it is open by
status *and* by time, so a stale tab or a direct POST after closing time is refused even if the
scheduler has not yet marked the round closed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

import audit
from accounts.roles import has_verified_email, is_academy_staff
from compact.caching import bump
from compact.errors import DomainError, NotAllowed
from compact.models import Commitment, Version
from compact.services import copy_version, require_academy_staff
from config import dispatch

from . import signals
from .models import ChangeLogEntry, Comment, Proposal, Report, Result, Round, Vote, fingerprint
from .text import render_comment

COMMENT_EDIT_WINDOW = timedelta(minutes=15)
PROPOSAL_EDIT_WINDOW = timedelta(minutes=15)
REMINDER_BEFORE_CLOSE = timedelta(hours=48)
MAX_PROPOSAL_LENGTH = 600
MAX_RATIONALE_LENGTH = 3000
MAX_COMMENT_LENGTH = 5000

logger = logging.getLogger(__name__)


# --- Who may take part ---------------------------------------------------------------------------
def eligible_leaders(round):
    """Everyone who may take part in the round: active people with a verified e-mail address."""
    people = get_user_model().objects.filter(is_active=True, emailaddress__verified=True)
    if round.participation == Round.Participation.INVITED:
        people = people.filter(invited_rounds=round)
    return people.distinct()


def participation_problem(user, round):
    """Why this person cannot take part now, in words they can act on; None when they can."""
    if not (user and user.is_authenticated):
        return "Sign in to take part in this round."
    if not has_verified_email(user):
        return "Confirm your e-mail address to take part in this round."
    if round.participation == Round.Participation.INVITED and not round.invited.filter(pk=user.pk).exists():
        return "This round is open to invited leaders only."
    return _timing_problem(round)


def _timing_problem(round):
    now = timezone.now()
    if round.status == Round.Status.SCHEDULED or now < round.opens_at:
        return f"This round has not opened yet. It opens on {timezone.localtime(round.opens_at):%-d %B %Y at %H:%M}."
    if round.status != Round.Status.OPEN or now >= round.closes_at:
        return "This round has closed: it takes no more votes, proposals or comments."
    return None


def _current_round_state(round):
    """Re-read the round, holding a shared lock on PostgreSQL until the transaction ends.

    Closing takes an exclusive lock on the same row, so a vote either lands before the tally
    (and is counted) or waits and then sees the round closed: none is stored uncounted.
    """
    if connection.vendor == "postgresql":
        return Round.objects.raw(
            "SELECT * FROM consultation_round WHERE id = %s FOR SHARE",
            [round.pk],  # noqa: S611 - parameterised
        )[0]
    return Round.objects.get(pk=round.pk)


def _require_participant(user, round):
    fresh = _current_round_state(round)
    problem = participation_problem(user, fresh)
    if problem:
        raise NotAllowed(problem)
    return fresh


def _public_pages_changed(round):
    """The compact page links open rounds: its cached copy must go when a round opens or closes."""
    compact_id = Version.objects.filter(pk=round.version_id).values_list("compact_id", flat=True).first()
    transaction.on_commit(lambda: bump(compact_id))


# --- Lifecycle -----------------------------------------------------------------------------------
@transaction.atomic
def schedule_round(
    *,
    actor,
    version,
    title,
    opens_at,
    closes_at,
    description="",
    participation=Round.Participation.EVERY_LEADER,
    invited=(),
    show_running_totals=False,
):
    """Staff set up a round on a draft. It opens by itself at `opens_at` (at once if that has passed)."""
    require_academy_staff(actor)
    version = Version.objects.select_for_update().get(pk=version.pk)
    if version.status != Version.Status.DRAFT:
        raise DomainError(
            f"Version {version.number} is {version.get_status_display().lower()}: only a draft can be consulted on."
        )
    if version.rounds.not_finished().exists() or version.rounds.filter(status=Round.Status.CLOSED).exists():
        raise DomainError("This draft already has a round that has not been applied.")
    if not title.strip():
        raise DomainError("Enter a title for the round.")
    if closes_at <= opens_at:
        raise DomainError("The round must close after it opens.")
    if closes_at <= timezone.now():
        raise DomainError("The closing time has already passed.")
    invited = list(invited)
    if participation == Round.Participation.INVITED and not invited:
        raise DomainError("Invite at least one leader, or open the round to every leader.")
    if not version.commitments.exists():
        raise DomainError("Add commitments to the draft before consulting on it.")
    round = Round.objects.create(
        version=version,
        title=title.strip(),
        description=description.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        participation=participation,
        show_running_totals=show_running_totals,
        created_by=actor,
    )
    if participation == Round.Participation.INVITED:
        round.invited.set(invited)
    if opens_at <= timezone.now():
        round = open_round(round=round)
    return round


@transaction.atomic
def open_round(*, round, now=None):
    """Open a scheduled round: its draft is then "in consultation" and staff cannot edit it."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status != Round.Status.SCHEDULED:
        return round  # Already opened (by the scheduler or a retry): nothing to do.
    version = Version.objects.select_for_update().get(pk=round.version_id)
    if version.status != Version.Status.DRAFT:
        raise DomainError(f"Version {version.number} is no longer a draft; the round cannot open.")
    version.status = Version.Status.CONSULTATION
    version.save(update_fields=["status"])
    round.status = Round.Status.OPEN
    round.opened_at = now or timezone.now()
    round.save(update_fields=["status", "opened_at"])
    audit.record("open round", target=round, before={"status": "scheduled"}, after={"status": "open"})
    _public_pages_changed(round)
    from .tasks import send_opening_notices

    dispatch.send_on_commit(send_opening_notices, round.pk)
    return round


@transaction.atomic
def close_round(*, round, actor=None, reason="", now=None):
    """Close a round and freeze its results. Staff closing early must say why."""
    early = actor is not None
    if early:
        require_academy_staff(actor)
        if not reason.strip():
            raise DomainError("Give a reason for closing the round early; leaders will see it.")
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status in (Round.Status.CLOSED, Round.Status.APPLIED, Round.Status.CANCELLED):
        if early:
            raise DomainError("This round is already closed.")
        return round
    before = round.status
    now = now or timezone.now()
    if not early and now < round.closes_at:
        return round  # The scheduler ran early or twice: the round is not due yet.
    if round.status == Round.Status.SCHEDULED:
        return _cancel_scheduled(round, actor=actor, reason=reason.strip() if early else "", now=now)
    round.status = Round.Status.CLOSED
    round.closed_at = now
    round.closed_by = actor
    round.closed_early_reason = reason.strip() if early else ""
    round.eligible_count = eligible_leaders(round).count()
    round.save()
    tally(round)
    audit.record(
        "close round",
        actor=actor,
        target=round,
        before={"status": before},
        after={"status": "closed", "early_reason": round.closed_early_reason},
    )
    _public_pages_changed(round)
    return round


def _cancel_scheduled(round, *, actor, reason, now):
    """A round closed before it opened: nothing was said, so nothing is tallied, and the draft
    (never put in consultation) stays free for another round."""
    round.status = Round.Status.CANCELLED
    round.closed_at, round.closed_by, round.closed_early_reason = now, actor, reason
    round.save(update_fields=["status", "closed_at", "closed_by", "closed_early_reason"])
    audit.record(
        "cancel round",
        actor=actor,
        target=round,
        before={"status": "scheduled"},
        after={"status": "cancelled", "reason": reason},
    )
    _public_pages_changed(round)
    return round


@transaction.atomic
def stop_proposals(*, actor, round, accepting):
    """Staff can stop (or restart) new proposals while votes and comments go on."""
    require_academy_staff(actor)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.has_results or round.status == Round.Status.CANCELLED:
        raise DomainError("This round has closed.")
    round.accepting_proposals = accepting
    round.save(update_fields=["accepting_proposals"])
    return round


def advance_rounds(now=None):
    """What the scheduler runs every minute: open what is due, close what is due, remind once.

    Each round is handled in its own transaction under its own row lock, so overlapping runs do
    no harm and one round that cannot move (its draft was ratified, say) never stops the others:
    its failure is logged and kept on the round for staff to see, and the run goes on. One clock
    per run: every step reads `now`, so a round is judged due and then closed by the same time.
    """
    now = now or timezone.now()
    done = {"opened": 0, "closed": 0, "reminded": 0, "failed": 0}
    due_to_open = Round.objects.filter(status=Round.Status.SCHEDULED, opens_at__lte=now, closes_at__gt=now)
    for round in due_to_open:
        outcome = _scheduler_step(round, "open", lambda r: open_round(round=r, now=now), now)
        if outcome is None:
            done["failed"] += 1
        elif outcome.status == Round.Status.OPEN:
            done["opened"] += 1
    due_to_close = Round.objects.filter(
        status__in=[Round.Status.SCHEDULED, Round.Status.OPEN], closes_at__lte=now
    )
    for round in due_to_close:
        outcome = _scheduler_step(round, "close", lambda r: close_round(round=r, now=now), now)
        if outcome is None:
            done["failed"] += 1
        elif outcome.status in (Round.Status.CLOSED, Round.Status.CANCELLED):
            done["closed"] += 1
    due = Round.objects.filter(
        status=Round.Status.OPEN,
        reminder_sent_at__isnull=True,
        closes_at__gt=now,
        closes_at__lte=now + REMINDER_BEFORE_CLOSE,
    )
    from .tasks import send_closing_reminders

    for round in due:
        dispatch.send(send_closing_reminders, round.pk)
        done["reminded"] += 1
    return done


def _scheduler_step(round, step, action, now):
    """Run one round's step in its own transaction; on failure log it, record it, return None."""
    try:
        with transaction.atomic():
            outcome = action(round)
    except Exception as error:  # noqa: BLE001 - any failure of one round must not stop the others
        reason = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        recorded = f"The scheduler could not {step} this round: {reason}"[:2000]
        if round.scheduler_error != recorded:
            logger.exception("The scheduler could not %s round %s: %s", step, round.pk, reason)
        else:  # the same failure every minute: once with its traceback is enough
            logger.warning("The scheduler still cannot %s round %s: %s", step, round.pk, reason)
        Round.objects.filter(pk=round.pk).update(scheduler_error=recorded, scheduler_failed_at=now)
        return None
    if round.scheduler_error:
        Round.objects.filter(pk=round.pk).update(scheduler_error="", scheduler_failed_at=None)
    return outcome


def reconcile_notices(now=None, older_than=None):
    """Re-send e-mails the database says are owed and that should have gone by now: the broker may
    have been down when they were enqueued, or lost them in a restart. Every task checks its own
    stamp under a lock, so one sent twice by a race still reaches people once."""
    from .tasks import send_opening_notices, tell_author_comment_hidden, tell_authors_of_decisions

    if older_than is None:
        older_than = timedelta(seconds=settings.RECONCILE_AFTER_SECONDS)
    stale = (now or timezone.now()) - older_than
    owed = {
        send_opening_notices: Round.objects.filter(
            status=Round.Status.OPEN, opening_notice_sent_at__isnull=True, opened_at__lt=stale
        ),
        tell_authors_of_decisions: Round.objects.filter(
            status=Round.Status.APPLIED, decision_notices_sent_at__isnull=True, applied_at__lt=stale
        ),
        tell_author_comment_hidden: Comment.objects.filter(
            hidden_at__lt=stale, hidden_notice_sent_at__isnull=True, author__isnull=False
        ),
    }
    sent = 0
    for task, queryset in owed.items():
        for pk in queryset.values_list("pk", flat=True):
            sent += dispatch.send(task, pk)
    return sent


# --- Proposals -----------------------------------------------------------------------------------
def _clean_proposal_text(text, rationale):
    text, rationale = text.strip(), rationale.strip()
    if len(text) > MAX_PROPOSAL_LENGTH:
        raise DomainError(f"Keep the wording to {MAX_PROPOSAL_LENGTH} characters or fewer.")
    if not rationale:
        raise DomainError("Explain why you propose this change.")
    if len(rationale) > MAX_RATIONALE_LENGTH:
        raise DomainError(f"Keep the reason to {MAX_RATIONALE_LENGTH} characters or fewer.")
    return text, rationale


def _duplicate_of(round, kind, *, commitment=None, theme=None, party=None, text="", exclude=None):
    proposals = round.proposals.standing().filter(kind=kind)
    if exclude is not None:
        proposals = proposals.exclude(pk=exclude.pk)
    if kind == Proposal.Kind.REMOVAL:
        return proposals.filter(commitment=commitment).first()
    if kind == Proposal.Kind.REWORDING:
        return proposals.filter(commitment=commitment, text_fingerprint=fingerprint(text)[:600]).first()
    return proposals.filter(theme=theme, party=party, text_fingerprint=fingerprint(text)[:600]).first()


class DuplicateProposal(DomainError):
    def __init__(self, existing):
        self.existing = existing
        super().__init__(
            f"Someone has already proposed this (proposal #{existing.pk}). You can vote for it or comment on it instead."
        )


@transaction.atomic
def propose(*, actor, round, kind, rationale, text="", commitment=None, theme=None, party=None):
    round = _require_participant(actor, round)
    if not round.accepting_proposals:
        raise NotAllowed("This round is no longer taking new proposals. You can still vote and comment.")
    text, rationale = _clean_proposal_text(text, rationale)
    if kind == Proposal.Kind.REWORDING:
        if commitment is None or commitment.version_id != round.version_id:
            raise DomainError("Choose a commitment from this draft.")
        if not text:
            raise DomainError("Enter the wording you propose.")
        if fingerprint(text) == fingerprint(commitment.text):
            raise DomainError("That is the current wording. Change it to propose something new.")
        theme = party = None
    elif kind == Proposal.Kind.NEW_COMMITMENT:
        if (
            theme is None
            or party is None
            or theme.version_id != round.version_id
            or party.version_id != round.version_id
        ):
            raise DomainError("Choose a theme and a party from this draft.")
        if not text:
            raise DomainError("Enter the wording of the new commitment.")
        commitment = None
    elif kind == Proposal.Kind.REMOVAL:
        if commitment is None or commitment.version_id != round.version_id:
            raise DomainError("Choose a commitment from this draft.")
        text, theme, party = "", None, None
    else:
        raise DomainError("Choose what kind of change you propose.")
    existing = _duplicate_of(round, kind, commitment=commitment, theme=theme, party=party, text=text)
    if existing:
        raise DuplicateProposal(existing)
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                round=round,
                kind=kind,
                author=actor,
                commitment=commitment,
                theme=theme,
                party=party,
                text=text,
                rationale=rationale,
            )
            signals.announce(signals.proposal_submitted, proposal=proposal)  # notifications hook
            return proposal
    except IntegrityError:
        # Someone else submitted the same wording at the same moment.
        existing = _duplicate_of(round, kind, commitment=commitment, theme=theme, party=party, text=text)
        raise DuplicateProposal(existing) from None


def _votes_on(proposal):
    return Vote.objects.filter(Q(chosen_proposal=proposal) | Q(question_proposal=proposal))


@transaction.atomic
def edit_proposal(*, actor, proposal, text, rationale):
    """The author may change a proposal for PROPOSAL_EDIT_WINDOW after making it, then never.

    The rule does not depend on votes: while totals are hidden, a refusal that said "people have
    voted" would tell the author what nobody else may know yet. A vote cast on the old words
    within the window no longer counts (as when a proposal is withdrawn): nobody's vote stands
    for words they did not see.
    """
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("round", "commitment")
        .get(pk=proposal.pk)
    )
    if proposal.author_id != actor.pk:
        raise NotAllowed("Only the author can change a proposal.")
    _require_participant(actor, proposal.round)
    if proposal.status != Proposal.Status.OPEN:
        raise DomainError("Only an open proposal can be changed.")
    if not proposal.is_editable_now:
        minutes = int(PROPOSAL_EDIT_WINDOW.total_seconds() // 60)
        raise DomainError(
            f"A proposal can be changed for {minutes} minutes after it is made; after that everyone "
            "votes on the same words. You can withdraw it and make a new one."
        )
    text, rationale = _clean_proposal_text(text, rationale)
    if proposal.kind != Proposal.Kind.REMOVAL:
        if not text:
            raise DomainError("Enter the wording you propose.")
        existing = _duplicate_of(
            proposal.round,
            proposal.kind,
            commitment=proposal.commitment,
            theme=proposal.theme,
            party=proposal.party,
            text=text,
            exclude=proposal,
        )
        if existing:
            raise DuplicateProposal(existing)
        if text != proposal.text:
            _votes_on(proposal).delete()
        proposal.text = text
    proposal.rationale = rationale
    proposal.save()
    return proposal


@transaction.atomic
def withdraw_proposal(*, actor, proposal):
    """The author takes a proposal back. Votes for it no longer count: those voters choose again."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.author_id != actor.pk:
        raise NotAllowed("Only the author can withdraw a proposal.")
    _require_participant(actor, proposal.round)
    if proposal.status != Proposal.Status.OPEN:
        raise DomainError("Only an open proposal can be withdrawn.")
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    _votes_on(proposal).delete()
    return proposal


# --- Votes ---------------------------------------------------------------------------------------
def cast_vote(*, actor, round, choice, commitment=None, proposal=None):
    """Record (or change) a leader's answer to one question.

    `commitment` + `choice` ("current" or a Proposal) answers a wording question;
    `proposal` + `choice` ("support" / "oppose") answers a new-commitment or removal proposal.
    Two submits at once from one person leave exactly one vote: the database refuses the second
    insert and the second request then updates the first.
    """
    with transaction.atomic():
        round = _require_participant(actor, round)
        question, fields = _vote_question(round, choice, commitment, proposal)
        vote = Vote.objects.select_for_update().filter(round=round, voter=actor, **question).first()
        if vote is None:
            try:
                with transaction.atomic():
                    return Vote.objects.create(round=round, voter=actor, **question, **fields)
            except IntegrityError:
                vote = Vote.objects.select_for_update().get(round=round, voter=actor, **question)
        for name, value in fields.items():
            setattr(vote, name, value)
        vote.save(update_fields=[*fields, "changed_at"])
        return vote


def _vote_question(round, choice, commitment, proposal):
    if commitment is not None:
        if commitment.version_id != round.version_id:
            raise DomainError("That commitment is not part of this round.")
        standing = round.proposals.standing().filter(kind=Proposal.Kind.REWORDING, commitment=commitment)
        if not standing.exists():
            raise DomainError("There is no other wording to choose between for this commitment yet.")
        if choice == Vote.Choice.CURRENT:
            return {"commitment": commitment}, {"choice": Vote.Choice.CURRENT, "chosen_proposal": None}
        if isinstance(choice, Proposal) and standing.filter(pk=choice.pk).exists():
            return {"commitment": commitment}, {"choice": Vote.Choice.PROPOSAL, "chosen_proposal": choice}
        raise DomainError("Choose one of the wordings shown.")
    if proposal is not None:
        if (
            proposal.round_id != round.pk
            or not proposal.is_support_question
            or proposal.status != Proposal.Status.OPEN
        ):
            raise DomainError("That proposal is not open for votes.")
        if choice not in (Vote.Choice.SUPPORT, Vote.Choice.OPPOSE):
            raise DomainError("Choose support or oppose.")
        return {"question_proposal": proposal}, {"choice": choice, "chosen_proposal": None}
    raise DomainError("Choose what you are voting on.")


# --- Comments ------------------------------------------------------------------------------------
def _clean_comment(body):
    body = body.strip()
    if not body:
        raise DomainError("Write your comment.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise DomainError(f"Keep your comment to {MAX_COMMENT_LENGTH} characters or fewer.")
    return body


@transaction.atomic
def post_comment(
    *,
    actor,
    round,
    body,
    target=Comment.Target.VISION,
    theme=None,
    commitment=None,
    proposal=None,
    parent=None,
):
    round = _require_participant(actor, round)
    body = _clean_comment(body)
    if parent is not None:
        if parent.round_id != round.pk:
            raise DomainError("You can only reply to a comment in this round.")
        # Threads are one level deep: a reply to a reply joins its thread.
        parent = parent.parent or parent
        target, theme, commitment, proposal = parent.target, parent.theme, parent.commitment, parent.proposal
    subject = {
        Comment.Target.THEME: theme,
        Comment.Target.COMMITMENT: commitment,
        Comment.Target.PROPOSAL: proposal,
    }
    if target != Comment.Target.VISION:
        item = subject.get(target)
        if item is None:
            raise DomainError("Choose what you are commenting on.")
        belongs = (
            item.round_id == round.pk
            if target == Comment.Target.PROPOSAL
            else item.version_id == round.version_id
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
    signals.announce(signals.comment_posted, comment=comment)  # notifications hook
    return comment


@transaction.atomic
def edit_comment(*, actor, comment, body):
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != actor.pk:
        raise NotAllowed("You can only change your own comments.")
    _require_participant(actor, comment.round)
    if not comment.is_visible:
        raise DomainError("This comment can no longer be changed.")
    if timezone.now() - comment.created_at > COMMENT_EDIT_WINDOW:
        raise DomainError("Comments can be changed for 15 minutes after posting. You can reply to add to it.")
    comment.body = _clean_comment(body)
    comment.body_html = render_comment(comment.body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


@transaction.atomic
def delete_comment(*, actor, comment):
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
    return comment


@transaction.atomic
def report_comment(*, actor, comment, reason):
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
def hide_comment(*, actor, comment, reason):
    require_academy_staff(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason for hiding the comment; it is shown in its place.")
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    now = timezone.now()
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = now, actor, reason
    comment.hidden_notice_sent_at = None  # hidden again after a restore: tell the author again
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_notice_sent_at"])
    audit.record(
        "hide comment",
        actor=actor,
        target=comment,
        before={"hidden": False},
        after={"hidden": True, "reason": reason},
    )
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=actor)
    from .tasks import tell_author_comment_hidden

    dispatch.send_on_commit(tell_author_comment_hidden, comment.pk)
    return comment


@transaction.atomic
def restore_comment(*, actor, comment):
    require_academy_staff(actor)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    before = {"hidden": comment.hidden_at is not None, "reason": comment.hidden_reason}
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    audit.record("restore comment", actor=actor, target=comment, before=before, after={"hidden": False})
    return comment


@transaction.atomic
def dismiss_reports(*, actor, comment):
    """Staff looked and the comment stays: the reports leave the queue."""
    require_academy_staff(actor)
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=actor)


# --- Tally, results and applying them ------------------------------------------------------------
def _leading(options):
    """The option with most votes, and whether it shares the top with another. No votes → none leads."""
    top = max((option["count"] for option in options), default=0)
    if top == 0:
        return "", False
    leaders = [option["option"] for option in options if option["count"] == top]
    return (leaders[0], False) if len(leaders) == 1 else ("", True)


def tally(round):
    """Freeze one Result per question, counting in the database (two grouped queries)."""
    eligible = round.eligible_count or 0
    proposals = list(round.proposals.standing().select_related("commitment"))
    wording_counts = {
        (row["commitment_id"], row["chosen_proposal_id"]): row["n"]
        for row in Vote.objects.filter(round=round, commitment__isnull=False)
        .values("commitment_id", "chosen_proposal_id")
        .annotate(n=Count("id"))
    }
    support_counts = {
        (row["question_proposal_id"], row["choice"]): row["n"]
        for row in Vote.objects.filter(round=round, question_proposal__isnull=False)
        .values("question_proposal_id", "choice")
        .annotate(n=Count("id"))
    }
    rewordings = {}
    for proposal in proposals:
        if proposal.kind == Proposal.Kind.REWORDING:
            rewordings.setdefault(proposal.commitment, []).append(proposal)
    results = []
    commitments = sorted(rewordings, key=lambda c: (c.theme_id, c.party_id, c.position, c.pk))
    for commitment in commitments:
        options = [
            {
                "option": "current",
                "label": commitment.text,
                "count": wording_counts.get((commitment.pk, None), 0),
            }
        ]
        options += [
            {
                "option": f"proposal:{p.pk}",
                "label": p.text,
                "count": wording_counts.get((commitment.pk, p.pk), 0),
            }
            for p in rewordings[commitment]
        ]
        results.append(_result(round, options, eligible, commitment=commitment))
    for proposal in proposals:
        if proposal.is_support_question:
            options = [
                {"option": choice, "label": label, "count": support_counts.get((proposal.pk, choice), 0)}
                for choice, label in ((Vote.Choice.SUPPORT, "Support"), (Vote.Choice.OPPOSE, "Oppose"))
            ]
            results.append(_result(round, options, eligible, proposal=proposal))
    for position, result in enumerate(results, start=1):
        result.position = position
    Result.objects.bulk_create(results)


def _result(round, options, eligible, **question):
    total = sum(option["count"] for option in options)
    for option in options:
        option["share"] = round_share(option["count"], total)
    leading, tie = _leading(options)
    return Result(
        round=round,
        options=options,
        total_votes=total,
        turnout=round_share(total, eligible),
        leading_option=leading,
        is_tie=tie,
        **question,
    )


def round_share(part, whole):
    return round(part / whole, 4) if whole else 0.0


def default_choice(result):
    """What applying does when staff accept: the leader, or the status quo when nobody voted."""
    if result.leading_option:
        return result.leading_option
    if result.is_tie:
        return ""
    return "current" if result.commitment_id else Vote.Choice.OPPOSE


@transaction.atomic
def apply_results(*, actor, round, decisions=None):
    """Make the next draft from a closed round's results, in one transaction, with its change log.

    `decisions` maps a result id to ("accept", None, "") or ("override", chosen_option, reason).
    A result without a decision is accepted; a tie must be decided by staff.
    """
    require_academy_staff(actor)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status == Round.Status.APPLIED:
        raise DomainError("These results have already been applied.")
    if round.status != Round.Status.CLOSED:
        raise DomainError("Close the round before applying its results.")
    decisions = decisions or {}
    results = list(
        round.results.select_related(
            "commitment__theme",
            "commitment__party",
            "proposal__theme",
            "proposal__party",
            "proposal__commitment",
        )
    )
    problems = []
    now = timezone.now()
    for result in results:
        decision, chosen, reason = decisions.get(result.pk, (Result.Decision.ACCEPT, None, ""))
        if decision == Result.Decision.OVERRIDE:
            if result.option(chosen or "") is None:
                problems.append(f"Question {result.position}: choose the option that should stand.")
                continue
            if not (reason or "").strip():
                problems.append(f"Question {result.position}: give the reason for overriding the vote.")
                continue
            result.chosen_option, result.override_reason = chosen, reason.strip()
        else:
            if result.is_tie:
                problems.append(
                    f"Question {result.position} is a tie: choose which option stands and say why."
                )
                continue
            result.chosen_option, result.override_reason = default_choice(result), ""
            decision = Result.Decision.ACCEPT
        result.decision, result.decided_at, result.decided_by = decision, now, actor
    if problems:
        raise DomainError(" ".join(problems))

    consulted = Version.objects.select_for_update().get(pk=round.version_id)
    consulted.content_hash = consulted.compute_content_hash()
    consulted.status = Version.Status.CONSULTED
    consulted.save()
    draft = copy_version(source=consulted, created_by=actor)
    _apply_to_draft(round, draft, results)
    Result.objects.bulk_update(
        results, ["decision", "chosen_option", "override_reason", "decided_at", "decided_by"]
    )
    round.status, round.applied_at, round.applied_by, round.draft_created = (
        Round.Status.APPLIED,
        now,
        actor,
        draft,
    )
    round.save(update_fields=["status", "applied_at", "applied_by", "draft_created"])
    audit.record(
        "apply results",
        actor=actor,
        target=round,
        before={"status": "closed", "version": consulted.number},
        after={
            "status": "applied",
            "draft": draft.number,
            "overridden": sum(r.decision == Result.Decision.OVERRIDE for r in results),
        },
    )
    _public_pages_changed(round)
    from .tasks import tell_authors_of_decisions

    dispatch.send_on_commit(tell_authors_of_decisions, round.pk)
    return draft


def _votes_phrase(result, option_key):
    option = result.option(option_key) or {"count": 0}
    return f"{option['count']} of {result.total_votes} votes"


def _quote(text, limit=60):
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def override(result):
    """The change log's words for a staff decision, or None when the vote was accepted."""
    if result.decision == Result.Decision.OVERRIDE:
        return f"staff override, reason: {result.override_reason}"
    return None


def _apply_to_draft(round, draft, results):
    by_key = {c.key: c for c in draft.commitments.all()}
    themes = {t.key: t for t in draft.themes.all()}
    parties = {p.key: p for p in draft.parties.all()}
    entries, accepted, not_taken = [], set(), {}
    # Commitment key -> the removal proposal that won: a rewording of it cannot be taken.
    removed_by = {
        r.proposal.commitment.key: r.proposal_id
        for r in results
        if r.proposal_id
        and r.proposal.kind == Proposal.Kind.REMOVAL
        and r.chosen_option == Vote.Choice.SUPPORT
    }

    for result in results:
        why = override(result)
        if result.commitment_id:
            commitment = result.commitment
            chosen = result.chosen_option
            standing = [o["option"] for o in result.options if o["option"].startswith("proposal:")]
            if chosen.startswith("proposal:"):
                proposal_id = int(chosen.split(":")[1])
                for other in standing:
                    if other != chosen:
                        not_taken[int(other.split(":")[1])] = (
                            why or f"Another wording had more support ({_votes_phrase(result, chosen)})."
                        )
                target = by_key.get(commitment.key)
                if commitment.key in removed_by or target is None:
                    summary = f"{_quote(commitment.text)}: wording from proposal #{proposal_id} chosen, but the commitment was removed."
                    changed = False
                    # The author must not be told their wording was taken: there is no commitment
                    # left to carry it.
                    removal = removed_by.get(commitment.key)
                    not_taken[proposal_id] = (
                        f"This wording had the most support, but the commitment was removed (proposal #{removal})."
                        if removal
                        else "This wording had the most support, but the commitment was removed."
                    )
                else:
                    accepted.add(proposal_id)
                    target.text = next(o["label"] for o in result.options if o["option"] == chosen)
                    target.save(update_fields=["text"])
                    summary = f"{_quote(commitment.text)}: wording from proposal #{proposal_id}, " + (
                        why or _votes_phrase(result, chosen)
                    )
                    changed = True
                entries.append(
                    ChangeLogEntry(
                        version=draft,
                        round=round,
                        result=result,
                        commitment_key=commitment.key,
                        proposal_id=proposal_id,
                        summary=summary,
                        changed_text=changed,
                    )
                )
            else:
                for other in standing:
                    not_taken[int(other.split(":")[1])] = (
                        why
                        or f"Most people preferred the current wording ({_votes_phrase(result, 'current')})."
                    )
                summary = f"{_quote(commitment.text)}: kept current wording, " + (
                    why or _votes_phrase(result, "current")
                )
                entries.append(
                    ChangeLogEntry(
                        version=draft,
                        round=round,
                        result=result,
                        commitment_key=commitment.key,
                        summary=summary,
                    )
                )
            continue

        proposal = result.proposal
        supported = result.chosen_option == Vote.Choice.SUPPORT
        tally_words = (
            f"support {result.option('support')['count']}, oppose {result.option('oppose')['count']}"
        )
        if proposal.kind == Proposal.Kind.NEW_COMMITMENT:
            theme, party = themes.get(proposal.theme.key), parties.get(proposal.party.key)
            if supported and theme and party:
                top = (
                    draft.commitments.filter(theme=theme, party=party).aggregate(top=Max("position"))["top"]
                    or 0
                )
                added = Commitment.objects.create(
                    version=draft, theme=theme, party=party, text=proposal.text, position=top + 1
                )
                accepted.add(proposal.pk)
                summary = (
                    f"New commitment under “{theme.title}” for {party.name}: {_quote(proposal.text)} from proposal #{proposal.pk}, "
                    + (why or tally_words)
                )
                entries.append(
                    ChangeLogEntry(
                        version=draft,
                        round=round,
                        result=result,
                        commitment_key=added.key,
                        proposal=proposal,
                        summary=summary,
                        changed_text=True,
                    )
                )
            else:
                not_taken[proposal.pk] = why or f"Not enough support ({tally_words})."
                summary = f"New commitment {_quote(proposal.text)} (proposal #{proposal.pk}) not added, " + (
                    why or tally_words
                )
                entries.append(
                    ChangeLogEntry(
                        version=draft, round=round, result=result, proposal=proposal, summary=summary
                    )
                )
        else:
            key = proposal.commitment.key
            if supported and key in by_key:
                by_key.pop(key).delete()
                accepted.add(proposal.pk)
                summary = f"{_quote(proposal.commitment.text)}: removed, from proposal #{proposal.pk}, " + (
                    why or tally_words
                )
                entries.append(
                    ChangeLogEntry(
                        version=draft,
                        round=round,
                        result=result,
                        commitment_key=key,
                        proposal=proposal,
                        summary=summary,
                        changed_text=True,
                    )
                )
            else:
                not_taken[proposal.pk] = why or f"Not enough support ({tally_words})."
                summary = (
                    f"{_quote(proposal.commitment.text)}: kept, removal (proposal #{proposal.pk}) not taken, "
                    + (why or tally_words)
                )
                entries.append(
                    ChangeLogEntry(
                        version=draft,
                        round=round,
                        result=result,
                        commitment_key=key,
                        proposal=proposal,
                        summary=summary,
                    )
                )

    ChangeLogEntry.objects.bulk_create(entries)
    round.proposals.filter(pk__in=accepted).update(
        status=Proposal.Status.ACCEPTED, decision_reason="Taken into the next draft."
    )
    for proposal_id, reason in not_taken.items():
        if proposal_id not in accepted:
            round.proposals.filter(pk=proposal_id, status=Proposal.Status.OPEN).update(
                status=Proposal.Status.NOT_TAKEN, decision_reason=reason
            )
    # Standing proposals that were never a question (none should remain) are not left "open".
    round.proposals.filter(status=Proposal.Status.OPEN).update(
        status=Proposal.Status.NOT_TAKEN, decision_reason="Not taken forward."
    )


def can_moderate(user):
    return is_academy_staff(user)
