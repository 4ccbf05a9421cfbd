"""The checks every leader's action makes first, and what a round's change means for cached pages.

The clock matters here: a round takes proposals, comments and votes only while it is open by
status *and* by time, so a stale tab or a direct POST after closing time is refused even if the
scheduler has not yet marked the round closed.
"""

from django.db import connection

from accounts.models import User
from compact.models import Compact, Version
from core.errors import NotAllowed

from ..models import Round
from ..selectors import participation_problem


def current_round_state(*, round: Round) -> Round:
    """Re-read the round, holding a shared lock on PostgreSQL until the transaction ends.

    Closing takes an exclusive lock on the same row (FOR UPDATE), so a vote either lands before
    the tally (and is counted) or waits and then sees the round closed: none is stored uncounted.
    FOR KEY SHARE, the weakest lock that closing still waits for: a proposal or comment then
    raises the round's generation (an UPDATE of a non-key column) without waiting for, or
    deadlocking with, another one holding the same lock.
    """
    if connection.vendor == "postgresql":
        # Raw SQL because the ORM cannot say FOR SHARE (select_for_update takes only exclusive
        # locks, which would make every vote of a round wait for the one before it).
        return Round.objects.raw(
            "SELECT * FROM consultation_round WHERE id = %s FOR KEY SHARE",
            [round.pk],  # noqa: S611 - parameterised
        )[0]
    return Round.objects.get(pk=round.pk)


def require_participant(*, user: User, round: Round) -> Round:
    fresh = current_round_state(round=round)
    problem = participation_problem(user, fresh)
    if problem:
        raise NotAllowed(problem)
    return fresh


def public_pages_changed(*, round: Round) -> None:
    """A round opened, closed, was cancelled or applied: the compact page links open rounds, and
    the round page shows its state, so both their generations go up, in the caller's transaction."""
    Round.objects.bump_generation(round_id=round.pk)
    compact_id = Version.objects.filter(pk=round.version_id).values_list("compact_id", flat=True).first()
    if compact_id is not None:
        Compact.objects.bump_generation(compact_id=compact_id)
