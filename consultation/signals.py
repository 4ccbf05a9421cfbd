"""Domain events other apps react to (notifications), so consultation does not depend on them.

Each is sent inside the transaction that makes the change: the receivers write their rows there
(an e-mail in the outbox, an item for the digest), so the notice exists exactly when the change
does. A rolled-back change takes its notices with it, and nothing is sent before the commit (the
outbox hands its rows to the sender once the transaction commits).
"""

from typing import Any

from django.dispatch import Signal

# Sent with proposal=<Proposal> when a leader submits a proposal.
proposal_submitted = Signal()

# Sent with comment=<Comment> when a comment or reply is posted.
comment_posted = Signal()

# Sent with report=<Report> when someone reports a comment to the moderators.
comment_reported = Signal()


def announce(signal: Signal, **kwargs: Any) -> None:
    """Send `signal` now, in the caller's transaction (see above)."""
    signal.send(sender=None, **kwargs)
