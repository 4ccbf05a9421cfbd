"""Notification tasks: thin; each calls one service. Mail goes out through the outbox
(`outbox.deliver`), which claims, sends and marks each row itself and retries a failed message
alone, so these tasks never raise for a relay's failure and are never retried as a batch."""

from celery import shared_task

from config.tasks import LateAckTask, RetryingTask

from . import outbox, services

# kombu's Redis transport serves lower numbers first (0 is the default): bulk mail waits behind
# everything else, so a password reset never queues behind a round's thousand notices.
BULK_PRIORITY = 6


@shared_task(base=LateAckTask, soft_time_limit=300, time_limit=330)
def send_mail(ids):
    """Transactional mail (someone is waiting for a link)."""
    return outbox.deliver(ids=ids)


@shared_task(base=LateAckTask, priority=BULK_PRIORITY, soft_time_limit=300, time_limit=330)
def send_bulk_mail(ids):
    return outbox.deliver(ids=ids)


@shared_task(base=LateAckTask)
def reconcile_outbox():
    """Beat, every minute: rows whose task the broker lost, or whose worker died mid-send."""
    return outbox.reconcile()


@shared_task(base=RetryingTask)
def send_immediate(ids):
    return services.send_immediate(ids=ids)


@shared_task(base=LateAckTask)
def reconcile_immediate():
    """Beat, every five minutes: immediate notices written before the outbox existed."""
    return services.send_immediate()


@shared_task(base=RetryingTask)
def send_digests():
    """Beat, hourly: at most one digest per person per day, whatever the schedule."""
    return services.send_digests()
