"""One scale's measurements, in a process whose DATABASE_URL is that scale's own database.

Prints one JSON line: the figures `benchmarks.run` puts in the table.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 16


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8911)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.generate import SCALES, generate
    from config.celery import app

    # In this process tasks are queued and dropped, as a web process hands them to a worker.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"

    call_command("migrate", verbosity=0)
    scale = SCALES[args.scale]
    started = time.perf_counter()
    data = generate(scale)
    figures = {"scale": scale.name, "generate_seconds": round(time.perf_counter() - started, 1)}
    figures.update(count_rows())
    figures["queries"] = page_queries(data)
    if not args.skip_load:
        figures["load"] = load_figures(data, args)
    figures.update(close_and_apply(data))
    figures["queries"]["results page"] = count_queries(
        lambda client: client.get(f"/rounds/{data['round'].pk}/results/"), user=data["leaders"][0]
    )
    figures["pdf"] = pdf_figures(data["published"].pk)
    print(json.dumps(figures))


def count_rows():
    from consultation.models import Vote
    from signatories.models import Signature

    return {"votes": Vote.objects.count(), "signatures": Signature.objects.public().count()}


def count_queries(request, user=None):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if user is not None:
        client.force_login(user)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = request(client)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def page_queries(data):
    from signatories.models import Signature  # noqa: F401 - the list page reads it

    round, version = data["round"], data["published"]
    theme = round.version.themes.order_by("position").first()
    return {
        "public compact page": count_queries(lambda c: c.get("/compacts/national/")),
        "round page (signed in, filtered)": count_queries(
            lambda c: c.get(f"/rounds/{round.pk}/?theme={theme.pk}&has_proposals=1&not_voted=1"),
            user=data["leaders"][0],
        ),
        "signatories list": count_queries(
            lambda c: c.get(f"/compacts/national/versions/{version.number}/signatories/")
        ),
    }


def session_cookie(user):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    csrf = secrets.token_hex(16)  # a 32-character secret is a valid CSRF token as it is
    return f"sessionid={session.session_key}; csrftoken={csrf}", csrf


def wrk(url, seconds, connections=CONNECTIONS, script="report.lua", headers=(), env=None):
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(ROOT / "benchmarks" / "wrk" / script),
    ]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        command + [url], capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def load_figures(data, args):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from signatories.models import Signature
    from signatories.services import hash_token

    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "BENCHMARK_VIEWS": "1",
        "CELERY_BROKER_URL": "memory://",
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "ERROR",
    }
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        env["CACHE_URL"] = settings.CACHES["default"]["LOCATION"]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        leader = data["leaders"][0]
        cookie, _csrf = session_cookie(leader)
        consultation_round = data["round"]
        results = {
            "minimal view": wrk(base + "/bench/minimal", args.seconds),
            "public compact page": wrk(base + "/compacts/national/", args.seconds),
            "round page": wrk(
                base + f"/rounds/{consultation_round.pk}/", args.seconds, headers=[f"Cookie: {cookie}"]
            ),
        }
        # Votes: each request a different signed-in leader choosing the current wording of a question.
        lines = []
        for index, voter in enumerate(data["leaders"][:400]):
            cookie, csrf = session_cookie(voter)
            commitment = data["questions"][index % len(data["questions"])]
            lines.append(
                f"/rounds/{consultation_round.pk}/votes/\t{cookie}\t{csrf}\tcommitment={commitment.pk}&choice=current"
            )
        results["cast a vote"] = wrk_with_requests(base + "/", lines, args.seconds)

        # Confirmations through the view: each request a different pending signature's token.
        version = data["published"]
        tokens = [secrets.token_urlsafe(24) for _ in range(1500 * args.seconds)]
        expires = timezone.now() + timedelta(hours=1)
        Signature.objects.bulk_create(
            [
                Signature(
                    version=version,
                    content_hash=version.content_hash,
                    signer=None,
                    full_name=f"Pending {n}",
                    role="Chair",
                    consent_to_publish=True,
                    token_hash=hash_token(token),
                    token_expires_at=expires,
                )
                for n, token in enumerate(tokens)
            ],
            batch_size=5000,
        )
        _cookie, csrf = session_cookie(leader)
        lines = [f"/signatures/confirm/{token}/\tcsrftoken={csrf}\t{csrf}\t" for token in tokens]
        before = Signature.objects.public().filter(full_name__startswith="Pending ").count()
        confirm = wrk_with_requests(base + "/", lines, args.seconds, connections=8)
        confirmed = Signature.objects.public().filter(full_name__startswith="Pending ").count() - before
        confirm["confirmed_per_second"] = round(confirmed / confirm["seconds"], 1)
        results["confirm a signature"] = confirm
        return results
    finally:
        server.terminate()
        server.wait(timeout=20)


def wrk_with_requests(url, lines, seconds, connections=CONNECTIONS):
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
    try:
        return wrk(
            url, seconds, connections=connections, script="rotate.lua", env={"BENCH_REQUESTS": handle.name}
        )
    finally:
        os.unlink(handle.name)


def close_and_apply(data):
    from consultation import services
    from consultation.models import Result

    round, staff = data["round"], data["staff"]
    started = time.perf_counter()
    services.close_round(round=round, actor=staff, reason="Benchmark")
    close_seconds = time.perf_counter() - started
    ties = {
        r.pk: ("override", "current", "Benchmark tie")
        for r in Result.objects.filter(round=round, is_tie=True)
    }
    started = time.perf_counter()
    services.apply_results(actor=staff, round=round, decisions=ties)
    apply_seconds = time.perf_counter() - started
    return {"close_seconds": round_to(close_seconds), "apply_seconds": round_to(apply_seconds)}


def round_to(value):
    return float(f"{value:.3f}")


PDF_PROBE = """
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from compact.models import Version
from compact import pdf
version = Version.objects.get(pk={pk})
started = time.perf_counter()
content = pdf.render(version)
import resource
# A long list is rendered by pdf.PART_PROCESSES worker processes at once: count the parent's peak
# plus that many times the largest worker's, an upper bound on what the render held at once.
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(time.perf_counter() - started, len(content), own + (pdf.PART_PROCESSES * workers if workers else 0))
"""

# WeasyPrint's own floor for the same list: the signatory lines as bare paragraphs under the
# same @page, font and "Page N of M" footer, nothing else. The signatures are read before the
# clock starts; the compact's time above includes its query, so the ratio errs against us.
FLOOR_PROBE = """
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.utils.html import escape
from weasyprint import HTML
from compact.models import Version
from compact import pdf
version = Version.objects.get(pk={pk})
lines = [f"{{s.full_name}}, {{s.role}} – signed {{s.confirmed_at:%d %B %Y}}" for s in pdf.public_signatures(version)]
started = time.perf_counter()
page = (
    "@page {{ size: A4; margin: 20mm 16mm 22mm; @bottom-right {{ content: 'Page ' counter(page) ' of ' counter(pages); font-size: 8pt }} }}"
    " html {{ font-family: 'DejaVu Sans', sans-serif; font-size: 8.5pt; line-height: 1.4 }} p {{ margin: 0 }}"
)
body = "".join(f"<p>{{escape(line)}}</p>" for line in lines)
content = HTML(string=f"<!DOCTYPE html><html><head><style>{{page}}</style></head><body>{{body}}</body></html>").write_pdf()
import resource
print(time.perf_counter() - started, len(content), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def pdf_figures(version_id):
    """The compact's PDF with every signatory, then WeasyPrint's floor for the same lines."""
    compact = _probe(PDF_PROBE, version_id)
    floor = _probe(FLOOR_PROBE, version_id)
    if "seconds" in compact and "seconds" in floor:
        compact["floor"] = floor
        compact["time_ratio"] = round(compact["seconds"] / max(floor["seconds"], 0.001), 2)
        compact["memory_ratio"] = round(compact["peak_mb"] / max(floor["peak_mb"], 1), 2)
    return compact


def _probe(source, version_id):
    # The ten-times PDF (100,000 signatories) can take longer than a benchmark run should: past
    # BENCH_PDF_TIME_LIMIT seconds it is stopped and reported as not finished, not waited for.
    limit = int(os.environ.get("BENCH_PDF_TIME_LIMIT", "1800"))
    try:
        process = subprocess.run(
            [sys.executable, "-c", source.format(pk=version_id)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        return {"unfinished_after": limit}
    seconds, size, peak_kb = process.stdout.strip().splitlines()[-1].split()
    # The rendering process's peak resident memory (Linux: KiB), as the probe reports it.
    peak_kb = int(peak_kb)
    return {"seconds": round_to(float(seconds)), "peak_mb": round(peak_kb / 1024), "bytes": int(size)}


if __name__ == "__main__":
    main()
