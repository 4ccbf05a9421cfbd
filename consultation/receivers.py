"""How consultation answers the compact app's domain signals."""

from django.utils import timezone

from compact.signals import version_ratifying
from core.errors import DomainError

from .models import Round


def refuse_ratifying_a_scheduled_draft(sender, version, **kwargs):
    """A round scheduled on a draft could never open once the draft is ratified, and the scheduler
    would fail on it every minute: staff cancel the round first, knowingly."""
    scheduled = version.rounds.filter(status=Round.Status.SCHEDULED).order_by("opens_at").first()
    if scheduled is not None:
        opens = timezone.localtime(scheduled.opens_at)
        raise DomainError(
            f"“{scheduled.title}” is scheduled to open on this draft on {opens:%-d %B %Y at %H:%M}. "
            "Cancel the round (close it from its page) before ratifying."
        )


def connect():
    version_ratifying.connect(
        refuse_ratifying_a_scheduled_draft, dispatch_uid="consultation.refuse_ratifying_a_scheduled_draft"
    )
