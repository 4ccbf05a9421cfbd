"""`make bench`: generate national-scale data (and ten times that) on PostgreSQL, measure, print a table.

Refuses to run without a PostgreSQL DATABASE_URL: the figures only mean something there. Each
scale gets a database of its own (`<name>_bench_<scale>`), created fresh and dropped afterwards,
so the database in DATABASE_URL is never touched.

`--profile PAGE` measures nothing else: it generates the data (national scale unless `--scales`
says otherwise), requests that page in-process a couple of hundred times under pyinstrument and
prints where the time goes.
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

from benchmarks.scale_run import PAGES, TURNS, YARDSTICKS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"

# Requests per second as a share of the yardstick's in the same run, at every scale, each with p95
# under 100 ms at 16 connections and no failed or refused request: a read's yardstick is the
# minimal view, a write's the minimal write (scale_run.YARDSTICKS).
TARGETS = {
    "public-compact": 0.70,
    "signatories-list": 0.50,
    "round-page": 0.20,
    "round-page-all": 0.10,
    "cast-vote": 0.60,
    "confirm-signature": 0.80,
}
P95_MS = 100


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


def run_scale(url, scale, seconds, profile=None, profile_requests=200, profile_lines=120):
    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_bench_{scale}"
    with admin_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": parsed._replace(path=f"/{name}").geturl()}
        command = [sys.executable, "-m", "benchmarks.scale_run", "--scale", scale, "--seconds", str(seconds)]
        if profile:
            # The profile is the output: printed as it comes, not parsed.
            command += ["--profile", profile, "--profile-requests", str(profile_requests)]
            command += ["--profile-lines", str(profile_lines)]
            if subprocess.run(command, cwd=ROOT, env=env).returncode:
                raise SystemExit(f"Profiling {profile} at {scale} scale failed.")
            return None
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
    figure = f"{pdf['seconds']} s, {pdf['peak_mb']} MB"
    if "worker_mb" in pdf:
        # In parts: the upper bound is this process's peak plus each worker's at the largest one's.
        workers = round((pdf["peak_mb"] - pdf["own_mb"]) / max(pdf["worker_mb"], 1))
        figure += f" ({pdf['own_mb']} MB + {workers} workers × {pdf['worker_mb']} MB)"
    return figure


def share(run, page):
    """The median of the page's turns, each against its yardstick measured just before it; for a
    run made before turns, its one share against the minimal view before it (or the first)."""
    figure = run["load"][page]
    if "share" in figure:
        return figure["share"]
    minimal = figure.get("minimal_rps") or run["load"]["minimal"]["rps"]
    return figure["rps"] / minimal if minimal else 0


def yardsticks(run, name="minimal"):
    """Every measurement of a yardstick in the run: the minimal view's first run, then one before
    each turn of every page measured against it."""
    runs = [run["load"]["minimal"]["rps"]] if name == "minimal" else []
    for figure in run["load"].values():
        if figure.get("yardstick", "minimal") != name:
            continue
        runs += figure.get("minimal_runs") or ([figure["minimal_rps"]] if "minimal_rps" in figure else [])
    return runs


def yardstick_of(page):
    return YARDSTICKS.get(page, "minimal")


def problems(figure):
    """What went wrong with a row's requests, as the table says it; empty when nothing did."""
    found = []
    if figure["failed"]:
        timeouts = figure.get("timeouts", 0)
        found.append(f"{figure['failed']:,} failed" + (f" ({timeouts:,} timed out)" if timeouts else ""))
    if figure["non2xx3xx"]:
        found.append(f"{figure['non2xx3xx']:,} not 2xx/3xx")
    wrong = figure.get("unexpected", 0) - figure["non2xx3xx"]
    if wrong > 0:
        found.append(f"{wrong:,} with another status or sent to sign in")
    if figure.get("repeated"):
        found.append(f"{figure['repeated']:,} sent twice")
    return found


def load_cell(run, page):
    figure = run["load"][page]
    text = f"{figure['rps']:.0f} ({figure['p50_ms']:.1f} / {figure['p95_ms']:.1f})"
    rates = yardsticks(run, page)
    if len(rates) > 1:
        text += f"; before each turn {min(rates):.0f}–{max(rates):.0f}"
    if page != "minimal":
        text += f", {share(run, page):.0%}"
        turns = figure.get("shares") or []
        if len(turns) > 1:
            text += f" (turns {min(turns):.0%}–{max(turns):.0%})"
    return ", ".join([text, *problems(figure)])


def load_verdict(runs, page, target):
    """Met only if every scale meets the share, the p95 and has no failed or refused request;
    otherwise which scale missed, and on what."""
    missed = []
    for run in runs:
        figure = run["load"][page]
        why = [
            reason
            for reason, bad in (
                ("share", share(run, page) < target),
                ("p95", figure["p95_ms"] >= P95_MS),
                ("errors", bool(problems(figure))),
            )
            if bad
        ]
        if why:
            missed.append(f"{run['scale']} ({', '.join(why)})")
    return "met" if not missed else "**missed** at " + "; ".join(missed)


def table(runs):
    base = runs[0]
    scales = " and ".join(run["scale"] for run in runs)
    lines = [
        f"Measured {date.today():%-d %B %Y} on {machine()}; PostgreSQL, gunicorn with 2 workers, "
        f"wrk with 16 connections on loopback. Each page is loaded in {TURNS} turns, each just after "
        f"a turn of its yardstick (a read's the minimal view, a write's the minimal write); its share "
        f"is the median of the turns' shares (their range in brackets), its requests/s and p50 the "
        f"medians, its p95 the worst turn's.",
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
    cells = " | ".join(load_cell(run, "minimal") for run in runs)
    lines.append(f"| {PAGES['minimal']}: requests/s (p50 / p95 ms) | {cells} | yardstick of reads |")
    cells = " | ".join(load_cell(run, "minimal-write") for run in runs)
    lines.append(
        f"| {PAGES['minimal-write']}: requests/s (p50 / p95 ms), share of minimal view | {cells} "
        "| yardstick of writes |"
    )
    for page, target in TARGETS.items():
        cells = " | ".join(load_cell(run, page) for run in runs)
        lines.append(
            f"| {PAGES[page]}: requests/s (p50 / p95 ms), share of {PAGES[yardstick_of(page)].split(' (')[0]} "
            f"| {cells} | ≥ {target:.0%} and p95 < {P95_MS} ms at {scales}: {load_verdict(runs, page, target)} |"
        )
    cells = " | ".join(
        f"{r['load']['cast-vote']['inserted']:,} / {r['load']['cast-vote']['changed']:,}" for r in runs
    )
    lines.append(f"| votes saved under load: new / changed | {cells} | about half each |")
    cells = " | ".join(str(r["load"]["confirm-signature"]["confirmed_per_second"]) for r in runs)
    lines.append(f"| signatures confirmed per second (through the view) | {cells} | |")
    closes = [r["close_seconds"] for r in runs]
    linear = len(runs) < 2 or closes[1] <= closes[0] * 10 * 1.5
    lines.append(
        f"| close a round and tally (s) | {' | '.join(map(str, closes))} | < 1 s national, no worse than linear: {verdict(closes[0] < 1 and linear)} |"
    )
    lines.append(f"| apply results (s) | {' | '.join(str(r['apply_seconds']) for r in runs)} | |")
    # Targets: at national scale within 1.3 times WeasyPrint's floor for the same lines (time and
    # peak memory); at ten times, finished and under 1 GB. Each figure is printed once, in its
    # scale's column; the verdict covers both.
    pdf_ok = (
        "seconds" in base["pdf"]
        and base["pdf"].get("time_ratio", 99) <= 1.3
        and base["pdf"].get("memory_ratio", 99) <= 1.3
    )
    if len(runs) > 1:
        big = runs[1]["pdf"]
        pdf_ok = pdf_ok and "seconds" in big and big["peak_mb"] < 1024
    pdfs = " | ".join(pdf_figure(r["pdf"]) for r in runs)
    lines.append(
        f"| PDF with every signatory: seconds, peak MB | {pdfs} | ≤ 1.3× the floor (national), finished and under 1 GB (ten times): {verdict(pdf_ok)} |"
    )
    floors = " | ".join(pdf_figure(r["pdf"]["floor"]) if "floor" in r["pdf"] else "–" for r in runs)
    lines.append(
        f"| WeasyPrint floor, same lines as bare paragraphs: seconds, peak MB | {floors} | yardstick |"
    )
    ratios = " | ".join(
        f"{r['pdf']['time_ratio']}× time, {r['pdf']['memory_ratio']}× memory"
        if "time_ratio" in r["pdf"]
        else "–"
        for r in runs
    )
    lines.append(f"| PDF as a ratio to the floor | {ratios} | ≤ 1.3× both at national scale |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scales",
        help="comma-separated, from national, x10 and tiny (default: national,x10; national with --profile)",
    )
    parser.add_argument("--seconds", type=int, default=10, help="of load per page (default 10)")
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--profile", choices=PAGES, metavar="PAGE", help=f"one of {', '.join(PAGES)}")
    parser.add_argument("--profile-requests", type=int, default=200, help="requests profiled (default 200)")
    parser.add_argument(
        "--profile-lines", type=int, default=120, help="of the call tree printed (default 120)"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "make bench measures PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name "
            "(a database the benchmark may create siblings of)."
        )
    scales = (args.scales or ("national" if args.profile else "national,x10")).split(",")
    if args.profile:
        for scale in scales:
            run_scale(
                url,
                scale,
                args.seconds,
                profile=args.profile,
                profile_requests=args.profile_requests,
                profile_lines=args.profile_lines,
            )
        return []
    # Every scale is loaded, each against the minimal view measured in its own run.
    runs = [run_scale(url, scale, args.seconds) for scale in scales]
    text = table(runs)
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    return runs


if __name__ == "__main__":
    main()
