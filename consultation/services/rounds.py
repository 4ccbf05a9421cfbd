"""A round's lifecycle: scheduled, open, closed (or cancelled); the scheduler; owed e-mails.

Each workflow checks who is acting and runs in one transaction.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypedDict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from compact.models import Version
from compact.services import require_academy_staff
from config import dispatch
from core.errors import DomainError

from ..models import Comment, Round
from ..selectors import eligible_leaders
from .access import public_pages_changed
from .results import tally

REMINDER_BEFORE_CLOSE = timedelta(hours=48)

logger = logging.getLogger(__name__)


class SchedulerRun(TypedDict):
    """What one run of `advance_rounds` did: rounds opened, closed (or cancelled), reminded, failed."""

    opened: int
    closed: int
    reminded: int
    failed: int


@transaction.atomic
def schedule_round(
    *,
    actor: User,
    version: Version,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    participation: str = Round.Participation.EVERY_LEADER,
    invited: Iterable[User] = (),
    show_running_totals: bool = False,
) -> Round:
    """Staff set up a round on a draft. It opens by itself at `opens_at` (at once if that has passed)."""
    require_academy_staff(actor=actor)
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
    leaders = list(invited)
    if participation == Round.Participation.INVITED and not leaders:
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
        round.invited.set(leaders)
    if opens_at <= timezone.now():
        round = open_round(round=round)
    return round


@transaction.atomic
def open_round(*, round: Round, now: datetime | None = None) -> Round:
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
    audit.record(action="open round", target=round, before={"status": "scheduled"}, after={"status": "open"})
    public_pages_changed(round=round)
    dispatch.send_on_commit("consultation.tasks.send_opening_notices", round.pk)
    return round


@transaction.atomic
def close_round(
    *, round: Round, actor: User | None = None, reason: str = "", now: datetime | None = None
) -> Round:
    """Close a round and freeze its results. Staff closing early must say why."""
    early = actor is not None
    if early:
        require_academy_staff(actor=actor)
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
    tally(round=round)
    audit.record(
        action="close round",
        actor=actor,
        target=round,
        before={"status": before},
        after={"status": "closed", "early_reason": round.closed_early_reason},
    )
    public_pages_changed(round=round)
    return round


def _cancel_scheduled(round: Round, *, actor: User | None, reason: str, now: datetime) -> Round:
    """A round closed before it opened: nothing was said, so nothing is tallied, and the draft
    (never put in consultation) stays free for another round."""
    round.status = Round.Status.CANCELLED
    round.closed_at, round.closed_by, round.closed_early_reason = now, actor, reason
    round.save(update_fields=["status", "closed_at", "closed_by", "closed_early_reason"])
    audit.record(
        action="cancel round",
        actor=actor,
        target=round,
        before={"status": "scheduled"},
        after={"status": "cancelled", "reason": reason},
    )
    public_pages_changed(round=round)
    return round


def stop_proposals(*, actor: User, round: Round) -> Round:
    """Staff stop new proposals while votes and comments go on."""
    return _take_proposals(actor=actor, round=round, accepting=False)


def allow_proposals(*, actor: User, round: Round) -> Round:
    """Staff let leaders propose again after stopping proposals."""
    return _take_proposals(actor=actor, round=round, accepting=True)


@transaction.atomic
def _take_proposals(*, actor: User, round: Round, accepting: bool) -> Round:
    require_academy_staff(actor=actor)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.has_results or round.status == Round.Status.CANCELLED:
        raise DomainError("This round has closed.")
    round.accepting_proposals = accepting
    round.save(update_fields=["accepting_proposals"])
    Round.objects.bump_generation(round_id=round.pk)
    return round


def advance_rounds(*, now: datetime | None = None) -> SchedulerRun:
    """What the scheduler runs every minute: open what is due, close what is due, remind once.

    Each round is handled in its own transaction under its own row lock, so overlapping runs do
    no harm and one round that cannot move (its draft was ratified, say) never stops the others:
    its failure is logged and kept on the round for staff to see, and the run goes on. One clock
    per run: every step reads `now`, so a round is judged due and then closed by the same time.
    """
    now = now or timezone.now()
    done: SchedulerRun = {"opened": 0, "closed": 0, "reminded": 0, "failed": 0}
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
    for round in due:
        dispatch.send("consultation.tasks.send_closing_reminders", round.pk)
        done["reminded"] += 1
    return done


def _scheduler_step(round: Round, step: str, action: Callable[[Round], Round], now: datetime) -> Round | None:
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


def reconcile_notices(*, now: datetime | None = None, older_than: timedelta | None = None) -> int:
    """Re-send e-mails the database says are owed and that should have gone by now: the broker may
    have been down when they were enqueued, or lost them in a restart. Every task checks its own
    stamp under a lock, so one sent twice by a race still reaches people once."""
    if older_than is None:
        older_than = timedelta(seconds=settings.RECONCILE_AFTER_SECONDS)
    stale = (now or timezone.now()) - older_than
    owed = {
        "consultation.tasks.send_opening_notices": Round.objects.filter(
            status=Round.Status.OPEN, opening_notice_sent_at__isnull=True, opened_at__lt=stale
        ),
        "consultation.tasks.tell_authors_of_decisions": Round.objects.filter(
            status=Round.Status.APPLIED, decision_notices_sent_at__isnull=True, applied_at__lt=stale
        ),
        "consultation.tasks.tell_author_comment_hidden": Comment.objects.filter(
            hidden_at__lt=stale, hidden_notice_sent_at__isnull=True, author__isnull=False
        ),
    }
    sent = 0
    for task, queryset in owed.items():
        for pk in queryset.values_list("pk", flat=True):
            sent += dispatch.send(task, pk)
    return sent
