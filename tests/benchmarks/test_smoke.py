"""The benchmark suite at tiny scale, so it cannot rot: every figure is produced and sane."""

import shutil
import statistics

import pytest
from django.conf import settings

from tests.conftest import IN_CI

pytestmark = pytest.mark.postgres


@pytest.fixture
def bench_database(monkeypatch):
    if not shutil.which("wrk"):
        if IN_CI:
            pytest.fail("CI must run the benchmark smoke test but wrk is missing (apt-get install wrk)")
        pytest.skip("needs wrk (apt-get install wrk)")
    database = settings.DATABASES["default"]
    monkeypatch.setenv(
        "DATABASE_URL",
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}_smoke",
    )


def test_every_benchmark_runs_at_tiny_scale(bench_database, tmp_path):
    from benchmarks import run
    from benchmarks.scale_run import TURNS

    output = tmp_path / "results.md"
    (result,) = run.main(["--scales", "tiny", "--seconds", "1", "--output", str(output)])
    for page, count in result["queries"].items():
        assert 0 < count < 40, page
    assert {"round page (signed in, all themes)", "cast a vote (changed)", "confirm a signature"} <= set(
        result["queries"]
    )
    for name in run.PAGES:
        figure = result["load"][name]
        assert figure["requests"] > 0, name
        assert figure["failed"] == figure["non2xx3xx"] == figure["unexpected"] == 0, (name, figure)
        if name != "minimal":
            # Each page is loaded in turns, each against its yardstick measured just before it;
            # its share is the median turn's.
            assert len(figure["shares"]) == len(figure["minimal_runs"]) == TURNS, name
            assert all(rate > 0 for rate in figure["minimal_runs"]), name
            assert run.share(result, name) == statistics.median(figure["shares"]) > 0, name
    votes, confirm = result["load"]["cast-vote"], result["load"]["confirm-signature"]
    # Both paths of a vote were taken, and every POST was a different, valid request.
    assert votes["inserted"] > 0 and votes["changed"] > 0
    assert confirm["repeated"] == 0 and confirm["confirmed"] >= confirm["requests"]
    assert confirm["confirmed_per_second"] > 0
    assert result["votes"] > 0 and result["close_seconds"] > 0 and result["pdf"]["peak_mb"] > 0
    table = output.read_text()
    assert "| queries: public compact page |" in table and "PDF with every signatory" in table
    assert "| signatories list (a page of 50): requests/s" in table
    # Writes are measured against the minimal write, reads against the minimal view.
    assert "| minimal write (signed-in POST, one row, redirect): requests/s" in table
    assert (
        "| cast a vote (half new, half changing one): requests/s (p50 / p95 ms), share of minimal write |"
        in table
    )
    assert "| public compact page: requests/s (p50 / p95 ms), share of minimal view |" in table
    assert table.count("PDF with every signatory") == 1
    assert "| round page, signed in, all themes (?theme=all): requests/s" in table
    assert "| confirm a signature (the e-mail page's POST): requests/s" in table
    assert "| votes saved under load: new / changed |" in table
    assert "; before each turn " in table and "the median of the turns' shares" in table
    assert " (turns " in table
    assert result["pdf"]["floor"]["peak_mb"] > 0 and result["pdf"]["time_ratio"] > 0
    assert "| PDF as a ratio to the floor |" in table


@pytest.mark.parametrize("page", ["round-page", "cast-vote"])
def test_a_page_is_profiled_without_the_load_suite(bench_database, page, capfd):
    from benchmarks import run

    assert run.main(["--profile", page, "--scales", "tiny", "--profile-requests", "20"]) == []
    printed = capfd.readouterr().out
    assert f"({page}) at tiny scale: 20 requests" in printed
    # pyinstrument's tree reaches into the view that answered.
    assert "consultation/views/" in printed
