"""Hand tasks to the broker after commit, without letting a broker outage fail the request.

Every task this project sends has a row in the database saying the work is owed (a pending
signature with no confirmation sent, an open round whose notices are unsent, a pending PDF). So
when Redis is down the request still succeeds: the work is logged as deferred and a periodic
reconciler (`reconcile_*` tasks in Celery beat) sends it once the broker is back. Nothing is lost,
and because every task re-checks the database, nothing is done twice.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

if TYPE_CHECKING:
    from celery import Task

logger = logging.getLogger(__name__)

UNAVAILABLE = (BrokerUnavailable, RedisConnectionError, RedisTimeoutError)


def task_named(task: Task[Any, Any] | str) -> Task[Any, Any]:
    """A task, given itself or its dotted name ("consultation.tasks.send_opening_notices").

    Services name the task rather than import it: tasks import services, so a service that
    imported its tasks would make an import cycle.
    """
    if isinstance(task, str):
        module, _, name = task.rpartition(".")
        named: Task[Any, Any] = getattr(import_module(module), name)
        return named
    return task


def send(task: Task[Any, Any] | str, *args: object, countdown: int | None = None) -> bool:
    """Publish now; return False (and log) if the broker cannot take it."""
    task_object = task_named(task)
    try:
        # retry=False: a request must not hang on an unreachable broker; the reconciler retries.
        # countdown is passed only when set: Celery's annotations for it differ between releases
        # (float, or float | None), and leaving it out is exactly "send now" in all of them.
        options: dict[str, Any] = {"retry": False}
        if countdown is not None:
            options["countdown"] = countdown
        task_object.apply_async(args, **options)
    except UNAVAILABLE as error:
        logger.warning(
            "Broker unavailable; %s%r deferred to its reconciler: %s", task_object.name, args, error
        )
        return False
    return True


def send_on_commit(task: Task[Any, Any] | str, *args: object, countdown: int | None = None) -> None:
    """Publish once the current transaction commits: a rolled-back change sends nothing."""
    transaction.on_commit(lambda: send(task, *args, countdown=countdown))
