"""Domain events other apps react to, so `compact` does not depend on them.

Receivers run inside the publishing transaction; anything they enqueue must be enqueued
on commit (``config.dispatch.send_on_commit``), so a rolled-back publication sends nothing.
"""

from django.dispatch import Signal

# Sent with version=<Version> (just published) and previous=<Version or None> (now superseded).
version_published = Signal()

# Sent with version=<Version> whenever the set of its public (confirmed, standing) signatures
# changes: a confirmation, a withdrawal, a hide or restore, an erasure. The PDF listens. Pass
# removed=True when a name must stop being published (withdrawal, hiding, erasure): the current
# PDF is then deleted at once instead of when its replacement is ready.
signatures_changed = Signal()
