"""Health checks for load balancers, container orchestrators and the compose file.

`/healthz` says the process is up and answering: nothing else is asked, so a database outage
never makes a balancer kill every web process at once. `/readyz` says this process can serve
people now: the database answers and every migration is applied, Redis answers (when it is
configured), and the file storage answers. A balancer sends traffic only to a ready process.

Both are answered by a middleware placed first, before Django checks the Host header (a balancer
asks by the process's address, not the site's name), redirects to HTTPS, reads a session or counts
a rate limit; gunicorn's access log leaves them out (config/gunicorn.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

logger = logging.getLogger(__name__)

HEALTH_PATHS = ("/healthz", "/readyz")


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up. No database, cache or storage call."""
    return _plain("ok")


def _database() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    # Empty when every migration on disk is applied: a process running newer code than the
    # database (a deploy before its migration) is not ready.
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("migrations are not applied")


def _redis() -> None:
    # django-redis ignores Redis errors for the pages (IGNORE_EXCEPTIONS); here one must show.
    if not settings.CACHE_URL:
        return
    from django_redis import get_redis_connection

    get_redis_connection("default").ping()


def _storage() -> None:
    # A name that is never written: asking for it reaches the store (and checks the keys) either way.
    default_storage.exists("readyz-probe")


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "redis": _redis, "storage": _storage}


def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: 200 "ok", or 503 naming what failed (never why: the log says that)."""
    failed = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("Not ready: the %s check failed", name)
            failed.append(name)
    if failed:
        return _plain("not ready: " + ", ".join(failed), status=503)
    return _plain("ok")


def _plain(text: str, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(text + "\n", content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "no-store"
    return response


VIEWS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = VIEWS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request)
