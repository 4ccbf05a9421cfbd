"""The e-mails a round sends. None of these sends anything or holds a lock on the round: each
writes one outbox row per person (notifications/outbox.py), keyed by the person and the event, in
batches, and the outbox's tasks send them. So a vote never waits behind a round's e-mails, a task
run twice writes nothing twice, and a relay that fails part-way retries only what it did not take.
The round's stamp (`opening_notice_sent_at`…) now means "every row is written"; the tasks in
`consultation.tasks` only call these."""

from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from compact.services import require_academy_staff
from core.errors import DomainError
from notifications import outbox
from notifications.kinds import Kind
from notifications.services import route

from ..models import Comment, Proposal, Round
from ..participation import REMINDER_EVENT, not_yet_voted, reminder_key
from ..selectors import eligible_leaders, timing_problem

# People per transaction when a round tells everyone: each batch is short and locks nothing but
# the outbox rows it inserts.
FAN_OUT_BATCH = 500


def _tell_everyone(
    round_id: int, stamp_field: str, event: str, template: str, subject_for: Callable[[Round], str]
) -> int:
    # A plain read: nothing here locks the round, its version or its compact.
    round = Round.objects.select_related("version__compact").get(pk=round_id)
    if getattr(round, stamp_field) is not None or round.status != Round.Status.OPEN:
        return 0
    subject = subject_for(round)
    url = settings.SITE_URL + round.get_absolute_url()
    people = eligible_leaders(round).only("email", "full_name").order_by("pk")
    written, after = 0, 0
    while True:
        batch = list(people.filter(pk__gt=after)[:FAN_OUT_BATCH])
        if not batch:
            break
        after = batch[-1].pk
        letters = [
            outbox.Letter(
                key=f"{event}:{round.pk}:user:{person.pk}",
                kind=event,
                about=f"round:{round.pk}",
                to=person.email,
                user_id=person.pk,
                rendered=outbox.render(
                    template=template, subject=subject, context={"round": round, "person": person, "url": url}
                ),
            )
            for person in batch
        ]
        with transaction.atomic():
            written += outbox.put(letters=route(kind=Kind.ROUND, letters=letters))
    _stamp(Round, round.pk, stamp_field)
    return written


def _stamp(model: type[Round] | type[Comment], pk: int, field: str, now: datetime | None = None) -> None:
    """Record that the rows are written: one short UPDATE (which fires no save signal, so the
    round's kept page is not thrown away), giving up rather than queueing behind a request."""
    with transaction.atomic():
        outbox.lock_timeout()
        model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now or timezone.now()})


def send_opening_notices(*, round_id: int) -> int:
    """Tell every leader who may take part that the round is open."""
    return _tell_everyone(
        round_id,
        "opening_notice_sent_at",
        "round-opened",
        "consultation/email/round_opened",
        lambda r: f"Have your say: {r.title} is open until {timezone.localtime(r.closes_at):%-d %B}",
    )


def send_closing_reminders(*, round_id: int) -> int:
    """Remind every leader who may take part, once, two days before the round closes."""
    return _tell_everyone(
        round_id,
        "reminder_sent_at",
        "round-closing",
        "consultation/email/round_closing",
        lambda r: f"Two days left: {r.title} closes on {timezone.localtime(r.closes_at):%-d %B at %H:%M}",
    )


def tell_author_comment_hidden(*, comment_id: int) -> int:
    """Tell the author why the moderators hid their comment (once per hiding).

    Service mail, deliberately not routed through notifications' preferences: it is a decision
    about the person's own words, with its reason and the way to contest it (reply), so no
    setting can turn it off or send it in a digest, and it carries no unsubscribe link.
    Someone who switched every kind off would otherwise find their comment hidden with no word
    why.
    """
    comment = Comment.objects.select_related("author", "round").filter(pk=comment_id).first()
    if comment is None or not comment.is_hidden or comment.author is None:
        return 0
    if comment.hidden_notice_sent_at is not None or comment.hidden_at is None:
        return 0
    url = settings.SITE_URL + comment.get_absolute_url()
    letter = outbox.Letter(
        # Once per hiding: hidden, restored and hidden again is a second notice.
        key=f"comment-hidden:{comment.pk}:{comment.hidden_at.timestamp():.0f}",
        kind="comment-hidden",
        about=f"comment:{comment.pk}",
        to=comment.author.email,
        user_id=comment.author.pk,
        rendered=outbox.render(
            template="consultation/email/comment_hidden",
            subject="Your comment has been hidden by the moderators",
            context={"comment": comment, "url": url},
        ),
    )
    with transaction.atomic():
        written = outbox.put(letters=[letter])
        _stamp(Comment, comment.pk, "hidden_notice_sent_at")
    return written


def tell_authors_of_decisions(*, round_id: int) -> int:
    """Tell each proposal's author whether it was taken into the next draft, and why."""
    round = Round.objects.get(pk=round_id)
    if round.decision_notices_sent_at is not None or round.status != Round.Status.APPLIED:
        return 0
    decided = (
        round.proposals.filter(status__in=[Proposal.Status.ACCEPTED, Proposal.Status.NOT_TAKEN])
        .select_related("author")
        .exclude(author__isnull=True)
    )
    letters = []
    for proposal in decided:
        author: User | None = proposal.author
        if author is None:  # excluded above; this tells the type checker
            continue
        letters.append(
            outbox.Letter(
                key=f"proposal-decided:{proposal.pk}",
                kind="proposal-decided",
                about=f"proposal:{proposal.pk}",
                to=author.email,
                user_id=author.pk,
                rendered=outbox.render(
                    template="consultation/email/proposal_decided",
                    subject=f"Your proposal #{proposal.pk}: {proposal.get_status_display().lower()}",
                    context={
                        "proposal": proposal,
                        "round": round,
                        "url": settings.SITE_URL + proposal.get_absolute_url(),
                    },
                ),
            )
        )
    with transaction.atomic():
        written = outbox.put(letters=route(kind=Kind.DECISION, letters=letters))
        _stamp(Round, round.pk, "decision_notices_sent_at")
    return written


def remind_not_yet_voted(*, actor: User, round: Round, today: date | None = None) -> int:
    """Staff remind the leaders taking part in an open round who have not answered every
    question yet ("You have answered 3 of 12 questions"): one e-mail each, at most one a day per
    round (the outbox row's key holds the day), none to those who switched these reminders off.
    Returns how many were written; `participation.not_yet_voted` says beforehand who they are.

    Written here rather than by a task: the people are read in one query and the rows written in
    batches of `FAN_OUT_BATCH`, each its own short transaction that locks nothing but the outbox
    rows it inserts, so staff see at once how many were queued. Pressed again the same day, it
    writes nothing new."""
    require_academy_staff(actor=actor)
    round = Round.objects.select_related("version__compact").get(pk=round.pk)
    problem = timing_problem(round)
    if problem is not None:
        raise DomainError(f"Reminders go only while a round is open. {problem}")
    day = today or timezone.localdate()
    url = settings.SITE_URL + round.get_absolute_url()
    reminders = not_yet_voted(round=round, day=day)
    written = 0
    for start in range(0, len(reminders), FAN_OUT_BATCH):
        letters = [
            outbox.Letter(
                key=reminder_key(round_id=round.pk, user_id=reminder.user_id, day=day),
                kind=REMINDER_EVENT,
                about=f"round:{round.pk}",
                to=reminder.email,
                user_id=reminder.user_id,
                rendered=outbox.render(
                    template="consultation/email/not_yet_voted",
                    subject=(
                        f"{round.title}: you have answered {reminder.answered} of {reminder.questions} "
                        f"question{'s' if reminder.questions != 1 else ''}"
                    ),
                    context={"round": round, "reminder": reminder, "url": url},
                ),
            )
            for reminder in reminders[start : start + FAN_OUT_BATCH]
        ]
        with transaction.atomic():
            written += outbox.put(letters=route(kind=Kind.NOT_YET_VOTED, letters=letters))
    with transaction.atomic():
        audit.record(
            action="remind leaders who have not voted",
            actor=actor,
            target=round,
            after={"day": day.isoformat(), "reminders": written},
        )
    return written
