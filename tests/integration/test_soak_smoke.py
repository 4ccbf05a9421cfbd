"""`make soak` for ten seconds at tiny scale, so the tool cannot rot: it runs end to end and passes."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from .worker import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_short_soak_passes(tmp_path):
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        # The soak makes (and drops) `<name>_soak` beside this one.
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}_smoke",
    }
    output = tmp_path / "soak.md"
    command = [sys.executable, "-m", "benchmarks.soak", "--seconds", "10", "--connections", "4"]
    # Redis databases 12 and 13: neither the test run's broker and cache nor a `make soak` running beside it.
    command += ["--scale", "tiny", "--redis-db", "12", "--drain", "60", "--output", str(output)]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stdout + run.stderr[-6000:]
    table = output.read_text()
    assert "**missed**" not in table
    assert "| 5xx answers | 0 | 0: met |" in table
    # Votes and signatures were really sent, not a pass for want of trying.
    assert int(re.search(r"of (\d+) questions answered", table)[1]) > 0
    assert int(re.search(r"of (\d+) signers", table)[1]) > 0
