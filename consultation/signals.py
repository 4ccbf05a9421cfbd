"""Domain events other apps react to (notifications), so consultation does not depend on them.

Each is sent once the writing transaction commits, so a rolled-back change tells nobody.
"""

import contextvars
from typing import Any

from django.db import transaction
from django.dispatch import Signal

# Sent with proposal=<Proposal> when a leader submits a proposal.
proposal_submitted = Signal()

# Sent with comment=<Comment> when a comment or reply is posted.
comment_posted = Signal()

# Sent with report=<Report> when someone reports a comment to the moderators.
comment_reported = Signal()


def announce(signal: Signal, **kwargs: Any) -> None:
    """Send `signal` once the current transaction commits (at once outside one). Receivers run in
    the context of the change (contextvars copied now), so a caller's context, such as the demo
    loader muting notifications, still holds when the commit hooks run later."""
    context = contextvars.copy_context()
    transaction.on_commit(lambda: context.run(signal.send, sender=None, **kwargs))
