"""Leaders answer a round's questions; one vote per person per question, which they may change.

On PostgreSQL a vote that is in order is one statement (`save_vote_at_once`): an upsert whose row
is selected from the round only while the round is open and the voter may take part, holding the
round's row `FOR SHARE` as the longer way does. Whatever it does not save goes the longer way
(`cast_vote`), which finds and says exactly what is wrong.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from compact.models import Commitment
from core.errors import DomainError
from core.rows import prepared

from ..models import Proposal, Round, Vote
from .access import require_participant


def cast_vote(
    *,
    actor: User,
    round: Round,
    choice: str | Proposal,
    commitment: Commitment | None = None,
    proposal: Proposal | None = None,
) -> Vote:
    """Record (or change) a leader's answer to one question.

    `commitment` + `choice` ("current" or a Proposal) answers a wording question;
    `proposal` + `choice` ("support" / "oppose") answers a new-commitment or removal proposal.
    Two submits at once from one person leave exactly one vote: on PostgreSQL the upsert waits
    for the other and updates it; elsewhere the database refuses the second insert and the second
    request then updates the first.
    """
    chosen = choice if isinstance(choice, Proposal) else None
    saved = save_vote_at_once(
        actor=actor,
        round_id=round.pk,
        commitment_id=commitment.pk if commitment is not None else None,
        proposal_id=proposal.pk if proposal is not None else None,
        choice=Vote.Choice.PROPOSAL if chosen is not None else str(choice),
        chosen_proposal_id=chosen.pk if chosen is not None else None,
    )
    if saved is not None:
        return saved
    with transaction.atomic():
        round = require_participant(user=actor, round=round)
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


def _vote_question(
    round: Round, choice: str | Proposal, commitment: Commitment | None, proposal: Proposal | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Which question a vote answers, and the fields that record the answer, as filters for `Vote`."""
    if commitment is not None:
        if commitment.version_id != round.version_id:
            raise DomainError("That commitment is not part of this round.")
        # One query for both checks (is there other wording, and is the chosen one of it?),
        # locking those proposals as withdrawing or editing one does: a vote for wording being
        # withdrawn either is deleted with it or waits and finds it gone.
        standing = set(
            round.proposals.standing()
            .filter(kind=Proposal.Kind.REWORDING, commitment=commitment)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        if not standing:
            raise DomainError("There is no other wording to choose between for this commitment yet.")
        if choice == Vote.Choice.CURRENT:
            return {"commitment": commitment}, {"choice": Vote.Choice.CURRENT, "chosen_proposal": None}
        if isinstance(choice, Proposal) and choice.pk in standing:
            return {"commitment": commitment}, {"choice": Vote.Choice.PROPOSAL, "chosen_proposal": choice}
        raise DomainError("Choose one of the wordings shown.")
    if proposal is not None:
        # Read afresh and locked, for the same reason: the caller's copy may predate a withdrawal.
        proposal = Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
        if (
            proposal is None
            or proposal.round_id != round.pk
            or not proposal.is_support_question
            or proposal.status != Proposal.Status.OPEN
        ):
            raise DomainError("That proposal is not open for votes.")
        if choice not in (Vote.Choice.SUPPORT, Vote.Choice.OPPOSE):
            raise DomainError("Choose support or oppose.")
        return {"question_proposal": proposal}, {"choice": choice, "chosen_proposal": None}
    raise DomainError("Choose what you are voting on.")


# --- The vote in one statement ---------------------------------------------------------------------
# Every rule `require_participant` and `_vote_question` check, in SQL: the round open by status and
# by the clock, a verified e-mail address, an invitation when the round asks for one, and the
# question and answer standing in this round. Closing takes the round's row FOR UPDATE, so this
# statement either goes first (closing waits for it, and the tally counts the vote) or waits for
# closing and then, re-reading the round's row, finds it closed and saves nothing. A vote naming a
# proposal holds that proposal's row too, so withdrawing or editing it (which lock it for update and
# then delete its votes) either deletes this vote or makes it wait and find the proposal gone.
_ROUND_OPEN_AND_VOTER_MAY_TAKE_PART = """
    r.id = %(round)s AND r.status = %(open)s AND r.opens_at <= %(now)s AND r.closes_at > %(now)s
    AND EXISTS (SELECT 1 FROM account_emailaddress e WHERE e.user_id = %(voter)s AND e.verified)
    AND (r.participation <> %(invited_only)s OR EXISTS (
        SELECT 1 FROM consultation_round_invited i WHERE i.round_id = r.id AND i.user_id = %(voter)s))
"""
_INSERT = """
    INSERT INTO consultation_vote
        (round_id, voter_id, commitment_id, question_proposal_id, choice, chosen_proposal_id, cast_at, changed_at)
"""
_ON_WORDING_CONFLICT = """
    ON CONFLICT (round_id, voter_id, commitment_id) WHERE commitment_id IS NOT NULL
    DO UPDATE SET choice = EXCLUDED.choice, chosen_proposal_id = EXCLUDED.chosen_proposal_id,
        changed_at = EXCLUDED.changed_at
    RETURNING id, cast_at
"""
_STANDING_REWORDING = (
    "p.round_id = r.id AND p.commitment_id = c.id AND p.kind = %(rewording)s AND p.status <> %(withdrawn)s"
)

# The fragments are constants; every value is a parameter.
_KEEP_CURRENT_WORDING = f"""{_INSERT}
    SELECT r.id, %(voter)s, c.id, NULL, %(choice)s, NULL, %(now)s, %(now)s
    FROM consultation_round r
    JOIN compact_commitment c ON c.id = %(commitment)s AND c.version_id = r.version_id
    WHERE {_ROUND_OPEN_AND_VOTER_MAY_TAKE_PART}
        AND EXISTS (SELECT 1 FROM consultation_proposal p WHERE {_STANDING_REWORDING})
    FOR SHARE OF r
    {_ON_WORDING_CONFLICT}
"""  # noqa: S608
_CHOOSE_PROPOSED_WORDING = f"""{_INSERT}
    SELECT r.id, %(voter)s, c.id, NULL, %(choice)s, p.id, %(now)s, %(now)s
    FROM consultation_round r
    JOIN compact_commitment c ON c.id = %(commitment)s AND c.version_id = r.version_id
    JOIN consultation_proposal p ON p.id = %(chosen)s AND {_STANDING_REWORDING}
    WHERE {_ROUND_OPEN_AND_VOTER_MAY_TAKE_PART}
    FOR SHARE OF r, p
    {_ON_WORDING_CONFLICT}
"""  # noqa: S608
_ANSWER_PROPOSAL = f"""{_INSERT}
    SELECT r.id, %(voter)s, NULL, p.id, %(choice)s, NULL, %(now)s, %(now)s
    FROM consultation_round r
    JOIN consultation_proposal p ON p.id = %(proposal)s AND p.round_id = r.id
        AND p.kind IN (%(new)s, %(removal)s) AND p.status = %(proposal_open)s
    WHERE {_ROUND_OPEN_AND_VOTER_MAY_TAKE_PART}
    FOR SHARE OF r, p
    ON CONFLICT (round_id, voter_id, question_proposal_id) WHERE question_proposal_id IS NOT NULL
    DO UPDATE SET choice = EXCLUDED.choice, changed_at = EXCLUDED.changed_at
    RETURNING id, cast_at
"""  # noqa: S608


# One line each in logs and in captured queries.
_KEEP_CURRENT_WORDING, _CHOOSE_PROPOSED_WORDING, _ANSWER_PROPOSAL = (
    " ".join(sql.split()) for sql in (_KEEP_CURRENT_WORDING, _CHOOSE_PROPOSED_WORDING, _ANSWER_PROPOSAL)
)


def save_vote_at_once(
    *,
    actor: User,
    round_id: int,
    choice: str,
    commitment_id: int | None = None,
    proposal_id: int | None = None,
    chosen_proposal_id: int | None = None,
) -> Vote | None:
    """Save a vote that is in order in one statement; None when it saved nothing.

    None says only "not this way": the round may be closed, the person may not take part, the
    answer may not fit the question, or the database is not PostgreSQL. `cast_vote` then finds and
    says which. `choice` is a Vote.Choice; "proposal" needs `chosen_proposal_id`.
    """
    if connection.vendor != "postgresql" or not _fits_a_column(
        round_id, commitment_id, proposal_id, chosen_proposal_id
    ):
        return None
    now = timezone.now()
    params: dict[str, Any] = {
        "round": round_id,
        "voter": actor.pk,
        "choice": choice,
        "now": now,
        "open": Round.Status.OPEN,
        "invited_only": Round.Participation.INVITED,
        "rewording": Proposal.Kind.REWORDING,
        "withdrawn": Proposal.Status.WITHDRAWN,
    }
    if commitment_id is not None and proposal_id is None:
        params["commitment"] = commitment_id
        if choice == Vote.Choice.CURRENT and chosen_proposal_id is None:
            sql = _KEEP_CURRENT_WORDING
        elif choice == Vote.Choice.PROPOSAL and chosen_proposal_id is not None:
            sql, params["chosen"] = _CHOOSE_PROPOSED_WORDING, chosen_proposal_id
        else:
            return None
    elif proposal_id is not None and commitment_id is None and chosen_proposal_id is None:
        if choice not in (Vote.Choice.SUPPORT, Vote.Choice.OPPOSE):
            return None
        sql = _ANSWER_PROPOSAL
        params |= {
            "proposal": proposal_id,
            "new": Proposal.Kind.NEW_COMMITMENT,
            "removal": Proposal.Kind.REMOVAL,
            "proposal_open": Proposal.Status.OPEN,
        }
    else:
        return None
    with prepared() as cursor:  # planned once per connection, not per vote
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return _saved_vote(
        row, actor, round_id, choice, commitment_id, proposal_id, chosen_proposal_id, changed_at=now
    )


def _saved_vote(
    row: tuple[int, datetime],
    actor: User,
    round_id: int,
    choice: str,
    commitment_id: int | None,
    proposal_id: int | None,
    chosen_proposal_id: int | None,
    *,
    changed_at: datetime,
) -> Vote:
    """The vote as stored, built from what the statement returned rather than read back."""
    values = {
        "id": row[0],
        "round_id": round_id,
        "voter_id": actor.pk,
        "commitment_id": commitment_id,
        "question_proposal_id": proposal_id,
        "choice": choice,
        "chosen_proposal_id": chosen_proposal_id,
        "cast_at": row[1],
        "changed_at": changed_at,
    }
    # As the ORM builds a model read from a row (every column, in order): cheaper than keyword
    # arguments, and the voter is the one given, not read again.
    vote = Vote.from_db(connection.alias, _VOTE_COLUMNS, [values[name] for name in _VOTE_COLUMNS])
    vote._state.fields_cache["voter"] = actor
    return vote


_VOTE_COLUMNS = [field.attname for field in Vote._meta.concrete_fields]


def _fits_a_column(*ids: int | None) -> bool:
    """A number no id column can hold matches no row: say so rather than let the database fail."""
    return all(value is None or -(2**63) <= value < 2**63 for value in ids)
