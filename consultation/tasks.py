"""Round tasks: each takes ids and calls one service (`services.notices` builds and sends the
e-mails). The retry policy is the shared base task's (`config.tasks`)."""

from celery import shared_task

from config.tasks import LateAckTask, RetryingTask

from . import services
from .services import notices


@shared_task(base=RetryingTask)
def advance_rounds():
    """Run by Celery beat every minute (and by `manage.py advance_rounds` without a broker)."""
    return services.advance_rounds()


@shared_task(base=RetryingTask)
def send_opening_notices(round_id):
    return notices.send_opening_notices(round_id=round_id)


@shared_task(base=RetryingTask)
def send_closing_reminders(round_id):
    return notices.send_closing_reminders(round_id=round_id)


@shared_task(base=RetryingTask)
def tell_author_comment_hidden(comment_id):
    return notices.tell_author_comment_hidden(comment_id=comment_id)


@shared_task(base=RetryingTask)
def tell_authors_of_decisions(round_id):
    return notices.tell_authors_of_decisions(round_id=round_id)


@shared_task(base=LateAckTask)
def reconcile_notices():
    """Beat, every five minutes: send what the database says is owed but the broker lost."""
    return services.reconcile_notices()
