"""Workflows of a consultation round, one module per part of it. Each checks who is acting and
runs in one transaction, raising DomainError with words a person can act on.

    access      the check every leader's action makes first (who may take part is a selector)
    rounds      schedule, open, close, stop/allow proposals; the scheduler; owed e-mails
    proposals   propose, edit, withdraw
    votes       cast (or change) a vote; on PostgreSQL one statement when it is in order
    comments    post, edit, delete, report; staff hide, restore, dismiss reports
    results     tally a closed round; staff apply its results to make the next draft
    notices     a round's e-mails, written to the outbox in batches; staff remind those who have
                not answered every question

Callers use the verbs from here (`from consultation import services; services.cast_vote(...)`).
"""

from core.errors import DomainError, NotAllowed

from ..models import COMMENT_EDIT_WINDOW, PROPOSAL_EDIT_WINDOW
from .comments import (
    MAX_COMMENT_LENGTH,
    delete_comment,
    dismiss_reports,
    edit_comment,
    hide_comment,
    post_comment,
    report_comment,
    restore_comment,
)
from .notices import remind_not_yet_voted
from .proposals import (
    MAX_PROPOSAL_LENGTH,
    MAX_RATIONALE_LENGTH,
    DuplicateProposal,
    edit_proposal,
    propose,
    withdraw_proposal,
)
from .results import apply_results, override_phrase, round_share, tally
from .rounds import (
    REMINDER_BEFORE_CLOSE,
    advance_rounds,
    allow_proposals,
    close_round,
    open_round,
    reconcile_notices,
    schedule_round,
    stop_proposals,
)
from .votes import cast_vote

__all__ = [
    "COMMENT_EDIT_WINDOW",
    "MAX_COMMENT_LENGTH",
    "MAX_PROPOSAL_LENGTH",
    "MAX_RATIONALE_LENGTH",
    "PROPOSAL_EDIT_WINDOW",
    "REMINDER_BEFORE_CLOSE",
    "DomainError",
    "DuplicateProposal",
    "NotAllowed",
    "advance_rounds",
    "allow_proposals",
    "apply_results",
    "cast_vote",
    "close_round",
    "delete_comment",
    "dismiss_reports",
    "edit_comment",
    "edit_proposal",
    "hide_comment",
    "open_round",
    "override_phrase",
    "post_comment",
    "propose",
    "reconcile_notices",
    "remind_not_yet_voted",
    "report_comment",
    "restore_comment",
    "round_share",
    "schedule_round",
    "stop_proposals",
    "tally",
    "withdraw_proposal",
]
