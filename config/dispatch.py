"""Hand tasks to the broker after commit, without letting a broker outage fail the request.

Every task this project sends has a row in the database saying the work is owed (a pending
signature with no confirmation sent, an open round whose notices are unsent, a pending PDF). So
when Redis is down the request still succeeds: the work is logged as deferred and a periodic
reconciler (`reconcile_*` tasks in Celery beat) sends it once the broker is back. Nothing is lost,
and because every task re-checks the database, nothing is done twice.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (BrokerUnavailable, RedisConnectionError, RedisTimeoutError)


def send(task, *args, countdown=None):
    """Publish now; return False (and log) if the broker cannot take it."""
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
