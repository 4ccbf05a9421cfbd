"""gunicorn as production runs it, started by the integration tests that need a real web server.

One start-up for them all (the Redis outage, two hosts, uploads under load, the proxy): a free
port, the environment the test gives, and no answer until the server says it is ready.
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager

from django.db import connection

from .worker import ROOT, wait_for

GUNICORN_CONF = ROOT / "config" / "gunicorn_conf.py"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url():
    """The test database, for a process started from here."""
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def _status(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        return conn.getresponse().status
    finally:
        conn.close()


@contextmanager
def gunicorn(
    *,
    env=None,
    unset=(),
    cwd=ROOT,
    workers=1,
    ready="/healthz",
    with_conf=False,
    args=(),
):
    """Serve `config.wsgi` on a free port; yield the port once `ready` answers 200.

    `env` is added to this process's environment and `unset` taken out of it
    (DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set, always is: production never has it).
    `with_conf` adds `-c config/gunicorn_conf.py`, as the compose file does. What the server
    writes goes to a file, never a pipe nobody reads while the test runs, and its last lines are
    printed at the end (pytest shows them if the test fails)."""
    port = free_port()
    environment = {**os.environ, **(env or {})}
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", *unset):
        environment.pop(name, None)
    command = [sys.executable, "-m", "gunicorn", "config.wsgi"]
    if with_conf:
        command += ["-c", str(GUNICORN_CONF)]
    command += ["-w", str(workers), "-b", f"127.0.0.1:{port}", *args]
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=log, stderr=subprocess.STDOUT)

        def up():
            try:
                return _status(port, ready) == 200
            except OSError:
                return process.poll() is not None

        try:
            wait_for(up, timeout=60)
            assert process.poll() is None, "gunicorn exited at start"
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.seek(0)
            print(log.read()[-6000:])
