"""A real Celery worker in a subprocess, on Redis, against the test database."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def celery_worker(media_root, **extra_env):
    """Start a worker on an emptied default queue; yield the process; stop it at the end."""
    from config.celery import app

    app.control.purge()  # nothing left over from an earlier run is delivered to this worker
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(media_root),
        "PDF_COALESCE_SECONDS": "0",
        **{key: str(value) for key, value in extra_env.items()},
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--pool=prefork",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Tasks sent before the worker has declared its queue could be dropped: wait for it.
        wait_for(lambda: process.poll() is not None or app.control.ping(timeout=0.5), timeout=60)
        assert process.poll() is None, "the worker exited at start"
        yield process
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        # Shown by pytest only when the test fails: what the worker said.
        print(output[-6000:])


def wait_for(predicate, timeout=90, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("Timed out waiting")


def children_of(pid):
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]
