"""The e-mails a round sends. Each records that it went (a timestamp set under a row lock), so a
retried or duplicated task does not send a second copy. The tasks in `consultation.tasks` only
call these."""

from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.kinds import Kind
from notifications.services import route_messages

from ..models import Comment, Proposal, Round
from ..selectors import eligible_leaders


def _messages(round: Round, template: str, subject: str) -> Iterator[EmailMessage]:
    url = settings.SITE_URL + round.get_absolute_url()
    for person in eligible_leaders(round).only("email", "full_name").iterator(chunk_size=500):
        body = render_to_string(template, {"round": round, "person": person, "url": url})
        yield EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])


def _send_once(round_id: int, stamp_field: str, template: str, subject_for: Callable[[Round], str]) -> int:
    with transaction.atomic():
        round = Round.objects.select_for_update().select_related("version__compact").get(pk=round_id)
        if getattr(round, stamp_field) is not None or round.status != Round.Status.OPEN:
            return 0
        connection = get_connection()
        messages = route_messages(kind=Kind.ROUND, messages=_messages(round, template, subject_for(round)))
        sent = connection.send_messages(messages) or 0
        setattr(round, stamp_field, timezone.now())
        round.save(update_fields=[stamp_field])
        return sent


def send_opening_notices(*, round_id: int) -> int:
    """Tell every leader who may take part that the round is open."""
    return _send_once(
        round_id,
        "opening_notice_sent_at",
        "consultation/email/round_opened.txt",
        lambda r: f"Have your say: {r.title} is open until {timezone.localtime(r.closes_at):%-d %B}",
    )


def send_closing_reminders(*, round_id: int) -> int:
    """Remind every leader who may take part, once, two days before the round closes."""
    return _send_once(
        round_id,
        "reminder_sent_at",
        "consultation/email/round_closing.txt",
        lambda r: f"Two days left: {r.title} closes on {timezone.localtime(r.closes_at):%-d %B at %H:%M}",
    )


def tell_author_comment_hidden(*, comment_id: int) -> int:
    """Tell the author why the moderators hid their comment (once per hiding).

    Service mail, deliberately not passed through notifications' `route_messages`: it is a
    decision about the person's own words, with its reason and the way to contest it (reply),
    so no setting can turn it off or send it in a digest, and it carries no unsubscribe link.
    Someone who switched every kind off would otherwise find their comment hidden with no word
    why. README's notifications section lists it with the other transactional mail.
    """
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("author", "round")
            .filter(pk=comment_id)
            .first()
        )
        if comment is None or not comment.is_hidden or comment.author is None:
            return 0
        if comment.hidden_notice_sent_at is not None:
            return 0
        body = render_to_string(
            "consultation/email/comment_hidden.txt",
            {"comment": comment, "url": settings.SITE_URL + comment.round.get_absolute_url()},
        )
        # Sent as it is, never routed (see the docstring): a moderation decision is not optional.
        sent = EmailMessage(
            "Your comment has been hidden by the moderators",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [comment.author.email],
        ).send()
        comment.hidden_notice_sent_at = timezone.now()
        comment.save(update_fields=["hidden_notice_sent_at"])
        return sent


def tell_authors_of_decisions(*, round_id: int) -> int:
    """Tell each proposal's author whether it was taken into the next draft, and why."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round_id)
        if round.decision_notices_sent_at is not None or round.status != Round.Status.APPLIED:
            return 0
        decided = (
            round.proposals.filter(status__in=[Proposal.Status.ACCEPTED, Proposal.Status.NOT_TAKEN])
            .select_related("author")
            .exclude(author__isnull=True)
        )
        messages = [
            EmailMessage(
                f"Your proposal #{proposal.pk}: {proposal.get_status_display().lower()}",
                render_to_string(
                    "consultation/email/proposal_decided.txt",
                    {
                        "proposal": proposal,
                        "round": round,
                        "url": settings.SITE_URL + proposal.get_absolute_url(),
                    },
                ),
                settings.DEFAULT_FROM_EMAIL,
                [proposal.author.email],
            )
            for proposal in decided
            if proposal.author is not None  # excluded above; this tells the type checker
        ]
        messages = route_messages(kind=Kind.DECISION, messages=messages)
        sent = get_connection().send_messages(messages) or 0
        round.decision_notices_sent_at = timezone.now()
        round.save(update_fields=["decision_notices_sent_at"])
        return sent
