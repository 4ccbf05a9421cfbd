"""What every task in this project shares, so a policy lives in one place.

Use as `@shared_task(base=RetryingTask)`. Tasks acknowledge late (a worker killed mid-task leaves
the message for another worker) and must therefore be idempotent: each re-checks the database.
"""

from celery import Task


class LateAckTask(Task):
    """Acknowledged after it runs, not when it is received: a lost worker loses no work."""

    acks_late = True


class RetryingTask(LateAckTask):
    """Talks to something that can be briefly down (the mail server): retried with backoff, five
    times, on connection errors. What still fails is found later by the `reconcile_*` tasks."""

    autoretry_for = (ConnectionError, OSError)
    retry_backoff = True
    max_retries = 5
