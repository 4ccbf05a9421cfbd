"""`make bench`: generate national-scale data (and ten times that) on PostgreSQL, measure, print a table.

Refuses to run without a PostgreSQL DATABASE_URL: the figures only mean something there. Each
scale gets a database of its own (`<name>_bench_<scale>`), created fresh and dropped afterwards,
so the database in DATABASE_URL is never touched.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"

TARGETS = {
    "public compact page": 0.50,
    "round page": 0.30,
    "cast a vote": 0.30,
}


def admin_connection(url):
    import psycopg

    parsed = urlparse(url)
    return psycopg.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    )


def run_scale(url, scale, seconds, skip_load=False):
    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_bench_{scale}"
    with admin_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": parsed._replace(path=f"/{name}").geturl()}
        command = [sys.executable, "-m", "benchmarks.scale_run", "--scale", scale, "--seconds", str(seconds)]
        if skip_load:
            command.append("--skip-load")
        output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if output.returncode:
            sys.stderr.write(output.stderr[-5000:])
            raise SystemExit(f"The {scale} benchmark failed.")
        return json.loads(output.stdout.strip().splitlines()[-1])
    finally:
        with admin_connection(url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine():
    cores = os.cpu_count()
    with open("/proc/meminfo") as handle:
        kb = int(handle.readline().split()[1])
    return f"{cores} cores, {kb / 1024 / 1024:.0f} GiB, {platform.python_implementation()} {platform.python_version()}"


def verdict(ok):
    return "met" if ok else "**missed**"


def pdf_figure(pdf):
    if "unfinished_after" in pdf:
        return f"not finished after {pdf['unfinished_after']} s (stopped)"
    return f"{pdf['seconds']} s, {pdf['peak_mb']} MB"


def table(runs):
    base, *others = runs
    lines = [
        f"Measured {date.today():%-d %B %Y} on {machine()}; PostgreSQL, gunicorn with 2 workers, "
        f"wrk with 16 connections on loopback.",
        "",
        f"| figure | {' | '.join(run['scale'] + ' scale' for run in runs)} | target |",
        "| --- | " + " | ".join("---" for _ in runs) + " | --- |",
        "| votes / confirmed signatures | "
        + " | ".join(f"{r['votes']:,} / {r['signatures']:,}" for r in runs)
        + " | |",
        f"| data generated in (s) | {' | '.join(str(r['generate_seconds']) for r in runs)} | under 60 s at national scale |",
    ]
    for page in base["queries"]:
        counts = [r["queries"][page] for r in runs]
        same = len(set(counts)) == 1
        lines.append(f"| queries: {page} | {' | '.join(map(str, counts))} | constant: {verdict(same)} |")
    if "load" in base:
        minimal = base["load"]["minimal view"]
        lines.append(
            f"| minimal view: requests/s (p50 / p95 ms) | {minimal['rps']:.0f} ({minimal['p50_ms']:.1f} / {minimal['p95_ms']:.1f}) | {'| ' * (len(runs) - 1)}yardstick |"
        )
        for name, share in TARGETS.items():
            figure = base["load"][name]
            ratio = figure["rps"] / minimal["rps"] if minimal["rps"] else 0
            ok = (
                ratio >= share
                and figure["p95_ms"] < 100
                and figure["failed"] == 0
                and figure["non2xx3xx"] == 0
            )
            lines.append(
                f"| {name}: requests/s (p50 / p95 ms), share of minimal | {figure['rps']:.0f} ({figure['p50_ms']:.1f} / "
                f"{figure['p95_ms']:.1f}), {ratio:.0%} | {'| ' * (len(runs) - 1)}≥ {share:.0%} and p95 < 100 ms: {verdict(ok)} |"
            )
        confirm = base["load"]["confirm a signature"]
        lines.append(
            f"| signatures confirmed per second (through the view) | {confirm['confirmed_per_second']} | {'| ' * (len(runs) - 1)}|"
        )
    closes = [r["close_seconds"] for r in runs]
    linear = len(runs) < 2 or closes[1] <= closes[0] * 10 * 1.5
    lines.append(
        f"| close a round and tally (s) | {' | '.join(map(str, closes))} | < 1 s national, no worse than linear: {verdict(closes[0] < 1 and linear)} |"
    )
    lines.append(f"| apply results (s) | {' | '.join(str(r['apply_seconds']) for r in runs)} | |")
    # Targets: at national scale within 1.3 times WeasyPrint's floor for the same lines (time and
    # peak memory); at ten times, finished and under 1 GB.
    pdf_ok = (
        "seconds" in base["pdf"]
        and base["pdf"].get("time_ratio", 99) <= 1.3
        and base["pdf"].get("memory_ratio", 99) <= 1.3
    )
    pdfs = " | ".join(pdf_figure(r["pdf"]) for r in runs)
    lines.append(
        f"| PDF with every signatory: seconds, peak MB | {pdfs} | ≤ 1.3× the floor (national), under 1 GB (ten times): {verdict(pdf_ok)} |"
    )
    floors = " | ".join(pdf_figure(r["pdf"]["floor"]) if "floor" in r["pdf"] else "–" for r in runs)
    lines.append(f"| WeasyPrint floor, same lines as bare paragraphs: seconds, peak MB | {floors} | yardstick |")
    ratios = " | ".join(
        f"{r['pdf']['time_ratio']}× time, {r['pdf']['memory_ratio']}× memory" if "time_ratio" in r["pdf"] else "–"
        for r in runs
    )
    lines.append(f"| PDF as a ratio to the floor | {ratios} | ≤ 1.3× both at national scale |")
    if len(runs) > 1:
        big = runs[1]["pdf"]
        big_ok = "seconds" in big and big["peak_mb"] < 1024
        cells = ["–"] * len(runs)
        cells[1] = pdf_figure(big)
        lines.append(f"| PDF at ten times: finished, peak under 1 GB | {' | '.join(cells)} | {verdict(big_ok)} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="national,x10")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "make bench measures PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name "
            "(a database the benchmark may create siblings of)."
        )
    runs = []
    for index, scale in enumerate(args.scales.split(",")):
        # Throughput is measured at the first scale; the larger one adds the growth figures.
        runs.append(run_scale(url, scale, args.seconds, skip_load=index > 0))
    text = table(runs)
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    return runs


if __name__ == "__main__":
    main()
