"""The benchmark suite at tiny scale, so it cannot rot: every figure is produced and sane."""

import shutil

import pytest
from django.conf import settings

from tests.conftest import IN_CI


@pytest.mark.postgres
def test_every_benchmark_runs_at_tiny_scale(tmp_path, monkeypatch):
    if not shutil.which("wrk"):
        if IN_CI:
            pytest.fail("CI must run the benchmark smoke test but wrk is missing (apt-get install wrk)")
        pytest.skip("needs wrk (apt-get install wrk)")
    from benchmarks import run

    database = settings.DATABASES["default"]
    monkeypatch.setenv(
        "DATABASE_URL",
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}_smoke",
    )
    output = tmp_path / "results.md"
    (result,) = run.main(["--scales", "tiny", "--seconds", "1", "--output", str(output)])
    for page, count in result["queries"].items():
        assert 0 < count < 40, page
    for name in ("minimal view", "public compact page", "round page", "cast a vote", "confirm a signature"):
        assert result["load"][name]["requests"] > 0, name
        assert result["load"][name]["failed"] == 0, name
    assert result["load"]["confirm a signature"]["confirmed_per_second"] > 0
    assert result["votes"] > 0 and result["close_seconds"] > 0 and result["pdf"]["peak_mb"] > 0
    table = output.read_text()
    assert "| queries: public compact page |" in table and "PDF with every signatory" in table
    assert result["pdf"]["floor"]["peak_mb"] > 0 and result["pdf"]["time_ratio"] > 0
    assert "| PDF as a ratio to the floor |" in table
