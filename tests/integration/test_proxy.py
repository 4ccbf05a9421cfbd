"""The compose file's proxy (deploy/Caddyfile, in Debian's Caddy) in front of a real gunicorn:
it passes requests on and compresses what it passes back."""

import gzip
import http.client
import os
import shutil
import subprocess

import pytest

from tests.conftest import IN_CI

from .servers import free_port, gunicorn
from .worker import ROOT, wait_for


@pytest.fixture
def caddy():
    path = shutil.which("caddy")
    if path is None:
        message = "needs Caddy (apt-get install caddy)"
        if IN_CI:
            pytest.fail(f"CI must run this test but it {message}", pytrace=False)
        pytest.skip(message)
    return path


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


@pytest.fixture
def web():
    """gunicorn serving the static files (no database needed), as in the compose file."""
    # Debug on: WhiteNoise then serves the static files from where the build put them.
    with gunicorn(
        env={"DJANGO_DEBUG": "1"}, unset=("DATABASE_URL", "CELERY_BROKER_URL"), with_conf=True
    ) as port:
        yield port


def test_the_proxy_passes_requests_to_web_and_compresses_the_answer(caddy, web, tmp_path):
    port = free_port()
    # The committed site, with Caddy's admin endpoint off so it takes no shared port.
    config = tmp_path / "Caddyfile"
    config.write_text("{\n\tadmin off\n}\n" + (ROOT / "deploy" / "Caddyfile").read_text())
    env = {
        **os.environ,
        "SITE_ADDRESS": f"http://127.0.0.1:{port}",
        "WEB_UPSTREAM_NAME": "127.0.0.1",
        "WEB_UPSTREAM_PORT": str(web),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    process = subprocess.Popen(
        [caddy, "run", "--adapter", "caddyfile", "--config", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def up():
            try:
                return get(port, "/healthz")[0] == 200
            except OSError:
                return process.poll() is not None

        wait_for(up, timeout=30)
        assert process.poll() is None, "Caddy exited at start"

        direct = get(web, "/static/build/app.css")
        assert direct[0] == 200 and "Content-Encoding" not in direct[1]
        status, headers, body = get(port, "/static/build/app.css", {"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers.get("Content-Encoding") == "gzip"
        assert gzip.decompress(body) == direct[2]
        assert len(body) < len(direct[2]) / 3
    finally:
        process.terminate()
        process.wait(timeout=20)
