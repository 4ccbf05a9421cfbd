"""Hand tasks to the broker after commit, without letting a broker outage fail the request.

Every task this project sends has a row in the database saying the work is owed (a pending
signature with no confirmation sent, an open round whose notices are unsent, a pending PDF). So
when Redis is down the request still succeeds: the work is logged as deferred and a periodic
reconciler (`reconcile_*` tasks in Celery beat) sends it once the broker is back. Nothing is lost,
and because every task re-checks the database, nothing is done twice.
"""

import logging
from importlib import import_module

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (BrokerUnavailable, RedisConnectionError, RedisTimeoutError)


def task_named(task):
    """A task, given itself or its dotted name ("consultation.tasks.send_opening_notices").

    Services name the task rather than import it: tasks import services, so a service that
    imported its tasks would make an import cycle.
    """
    if isinstance(task, str):
        module, _, name = task.rpartition(".")
        return getattr(import_module(module), name)
    return task


def send(task, *args, countdown=None):
    """Publish now; return False (and log) if the broker cannot take it."""
    task = task_named(task)
    try:
        # retry=False: a request must not hang on an unreachable broker; the reconciler retries.
        task.apply_async(args, countdown=countdown, retry=False)
    except UNAVAILABLE as error:
        logger.warning("Broker unavailable; %s%r deferred to its reconciler: %s", task.name, args, error)
        return False
    return True


def send_on_commit(task, *args, countdown=None):
    """Publish once the current transaction commits: a rolled-back change sends nothing."""
    transaction.on_commit(lambda: send(task, *args, countdown=countdown))
