"""Notification tasks: thin; each calls one service, which stamps what it sent under a row lock."""

from celery import shared_task

from config.tasks import LateAckTask, RetryingTask

from . import services


@shared_task(base=RetryingTask)
def send_immediate(ids):
    return services.send_immediate(ids=ids)


@shared_task(base=LateAckTask)
def reconcile_immediate():
    """Beat, every five minutes: immediate e-mails the broker lost or never took."""
    return services.send_immediate()


@shared_task(base=RetryingTask)
def send_digests():
    """Beat, hourly: at most one digest per person per day, whatever the schedule."""
    return services.send_digests()
