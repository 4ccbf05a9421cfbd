"""The open data API keeps the contract its schema states, checked by schemathesis against a live
server: every status it answers with is declared, every body matches, every bad parameter is a
400 that says what is wrong, and nothing is a 500."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.throttling import ClientAddressThrottle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.slow
def test_schemathesis_finds_no_failure_in_the_open_data_api(live_server, demo, monkeypatch, tmp_path):
    # The limit is the one thing schemathesis would otherwise mostly meet; 429 is declared too.
    monkeypatch.setattr(ClientAddressThrottle, "THROTTLE_RATES", {"api": "100000/minute"})
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st, "schemathesis is a test dependency (pyproject: test)"
    run = subprocess.run(
        [
            st,
            "run",
            f"{live_server.url}/api/v1/schema.json",
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--max-examples",
            "10",
            "--workers",
            "1",
            "--no-color",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
