"""Domain events other apps react to (notifications), so consultation does not depend on them.

Each is sent once the writing transaction commits, so a rolled-back change tells nobody.
"""

from django.dispatch import Signal

# Sent with proposal=<Proposal> when a leader submits a proposal.
proposal_submitted = Signal()

# Sent with comment=<Comment> when a comment or reply is posted.
comment_posted = Signal()

# Sent with report=<Report> when someone reports a comment to the moderators.
comment_reported = Signal()


def announce(signal, **kwargs):
    """Send `signal` once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))
