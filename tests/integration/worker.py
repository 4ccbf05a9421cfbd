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
def celery_worker(media_root, broker_url=None, **extra_env):
    """Start a worker on an emptied default queue; yield the process; stop it at the end.

    `broker_url` points the worker (and the ping and purge here) at another Redis than the
    test run's own, e.g. one a test stops and restarts."""
    from config.celery import app

    if broker_url:
        app = app_on(broker_url)
    app.control.purge()  # nothing left over from an earlier run is delivered to this worker
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": broker_url or settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(media_root),
        "PDF_COALESCE_SECONDS": "0",
        **{key: str(value) for key, value in extra_env.items()},
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.worker",
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            # No --queues: a worker consumes every queue in CELERY_TASK_QUEUES (pdf, mail, celery).
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
        process.output = output  # for tests that read what the worker logged
        # Shown by pytest only when the test fails: what the worker said.
        print(output[-6000:])


def _slow_renders(seconds):
    """Make every PDF render take `seconds` first, so a test can kill the worker mid-render."""
    from compact import pdf

    render = pdf.render

    def slow_render(*args, **kwargs):
        time.sleep(seconds)
        return render(*args, **kwargs)

    pdf.render = slow_render


def app_on(broker_url):
    """A bare Celery client on `broker_url`.

    Not `Celery(broker=...)`: Celery prefers the CELERY_BROKER_URL environment variable (the test
    run's own Redis) to that argument, while the read and write URLs set here win over it."""
    from celery import Celery

    return Celery(set_as_current=False, broker_read_url=broker_url, broker_write_url=broker_url)


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


if __name__ == "__main__":
    # The worker's bootstrap: `python -m tests.integration.worker <celery worker arguments>`.
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if os.environ.get("PDF_RENDER_DELAY_SECONDS"):
        _slow_renders(float(os.environ["PDF_RENDER_DELAY_SECONDS"]))
    from celery.__main__ import main

    sys.argv = ["celery", *sys.argv[1:]]
    main()
