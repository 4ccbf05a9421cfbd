"""How consultation answers the compact app's domain signals."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from compact.signals import version_ratifying
from core.errors import DomainError

from . import round_page
from .models import Comment, Proposal, Round


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


def round_page_changed(sender, instance, **kwargs):
    """A proposal, comment or the round itself was saved or deleted: what every reader of the
    round page sees may have changed, so the shared part is rebuilt after the commit."""
    round_id = instance.pk if isinstance(instance, Round) else instance.round_id
    transaction.on_commit(lambda: round_page.bump(round_id=round_id))


def connect():
    for model in (Round, Proposal, Comment):
        for signal in (post_save, post_delete):
            signal.connect(
                round_page_changed,
                sender=model,
                dispatch_uid=f"consultation.round_page_changed.{model.__name__}",
            )
    version_ratifying.connect(
        refuse_ratifying_a_scheduled_draft, dispatch_uid="consultation.refuse_ratifying_a_scheduled_draft"
    )
