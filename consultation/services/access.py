"""Who may take part in a round, and the checks every leader's action makes first.

The clock matters here: a round takes proposals, comments and votes only while it is open by
status *and* by time, so a stale tab or a direct POST after closing time is refused even if the
scheduler has not yet marked the round closed.
"""

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from accounts.roles import has_verified_email
from compact.caching import bump
from compact.errors import NotAllowed
from compact.models import Version

from ..models import Round


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


def current_round_state(round):
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


def require_participant(user, round):
    fresh = current_round_state(round)
    problem = participation_problem(user, fresh)
    if problem:
        raise NotAllowed(problem)
    return fresh


def public_pages_changed(round):
    """The compact page links open rounds: its cached copy must go when a round opens or closes."""
    compact_id = Version.objects.filter(pk=round.version_id).values_list("compact_id", flat=True).first()
    transaction.on_commit(lambda: bump(compact_id))
