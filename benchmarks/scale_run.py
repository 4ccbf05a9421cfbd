"""One scale's measurements, in a process whose DATABASE_URL is that scale's own database.

Prints one JSON line: the figures `benchmarks.run` puts in the table. With `--profile PAGE` it
measures nothing else: it profiles that page in this process and prints the profile as text.
"""

import argparse
import http.client
import itertools
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 16
THREADS = 2
TIMEOUT = 10  # seconds wrk waits for a response before counting it failed
# Leaders who cast the benchmark's votes (leader 0, whose round page is measured, is not one).
VOTERS = 1000
PROFILE_WARM_UP = 20
# Each page is measured in this many turns, each right after a turn of the minimal view, and its
# share is the median of the turns' shares: this shared machine's speed moves within seconds (the
# minimal view's rate by a sixth between two of its runs), and one pair of runs could land on
# either side of such a move.
TURNS = 3

# The pages measured, by the names `--profile` takes, in the order they are loaded: confirming
# signatures comes last because it adds to the public signatory list.
PAGES = {
    "minimal": "minimal view",
    "minimal-write": "minimal write (signed-in POST, one row, redirect)",
    "public-compact": "public compact page",
    "signatories-list": "signatories list (a page of 50)",
    "round-page": "round page, signed in (first theme, own votes shown)",
    "round-page-all": "round page, signed in, all themes (?theme=all)",
    "cast-vote": "cast a vote (half new, half changing one)",
    "confirm-signature": "confirm a signature (the e-mail page's POST)",
}

# Each page's share is of the yardstick measured just before each of its turns: a write's of the
# minimal write (the least any signed-in POST that commits a row costs here), a read's of the
# minimal view.
YARDSTICKS = {"cast-vote": "minimal-write", "confirm-signature": "minimal-write"}

# How the measured server runs; a profile runs the same settings in-process.
SERVER_ENV = {"BENCHMARK_VIEWS": "1", "DJANGO_DEBUG": "0", "LOG_LEVEL": "ERROR"}


@dataclass(frozen=True)
class Request:
    path: str
    cookie: str = ""
    body: str | None = None  # a POST when set


@dataclass
class Page:
    """What one row sends: a GET page repeats its one request; POSTs are each sent once."""

    requests: list[Request]
    expect: int = 200
    user: object = None  # the person the requests are signed in as


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8911)
    parser.add_argument("--profile", choices=PAGES)
    parser.add_argument("--profile-requests", type=int, default=200)
    parser.add_argument("--profile-lines", type=int, default=120)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # WhiteNoise looks for the collected files only a production build has; its warning is noise here.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    if args.profile:
        os.environ.update(SERVER_ENV)
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
    if args.profile:
        profile(data, args.profile, scale.name, args.profile_requests, args.profile_lines)
        return
    figures = {"scale": scale.name, "generate_seconds": round(time.perf_counter() - started, 1)}
    figures.update(count_rows())
    figures["queries"] = page_queries(data)
    figures["load"] = load_figures(data, args)
    figures.update(close_and_apply(data))
    figures["queries"]["results page"] = count_queries(
        Request(f"/rounds/{data['round'].pk}/results/", session_cookie(data["leaders"][0])[0])
    )
    figures["pdf"] = pdf_figures(data["published"].pk)
    print(json.dumps(figures))


def count_rows():
    from consultation.models import Vote
    from signatories.models import Signature

    return {"votes": Vote.objects.count(), "signatures": Signature.objects.public().count()}


# --- What each row sends ---------------------------------------------------------------------------
def session_cookie(user=None):
    """A Cookie header signing `user` in (without one, only carrying a CSRF secret) and the CSRF
    token a form posts with it.

    Built as Django's test client logs in, through whichever SESSION_ENGINE settings choose: for
    every engine, signed cookies included, the session's key once saved is the cookie's value.
    A cache-only engine needs the shared cache (CACHE_URL), so the server sees what this process
    saved."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import CSRF_SESSION_KEY

    csrf = secrets.token_hex(16)  # a 32-character secret is a valid CSRF token as it is
    cookies = {}
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    if user is not None:
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if settings.CSRF_USE_SESSIONS:
        session[CSRF_SESSION_KEY] = csrf
    else:
        cookies[settings.CSRF_COOKIE_NAME] = csrf
    if user is not None or settings.CSRF_USE_SESSIONS:
        session.save()
        cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return "; ".join(f"{name}={value}" for name, value in cookies.items()), csrf


def build_page(name, data, count=1):
    """The requests for one named page; `count` of them for the POSTs, each a real, different one."""
    from django.urls import reverse

    round, version, leader = data["round"], data["published"], data["leaders"][0]
    compact = data["compact"].slug
    if name == "minimal":
        return Page([Request("/bench/minimal")])
    if name == "minimal-write":
        return minimal_write_page(data, count)
    if name == "public-compact":
        return Page([Request(reverse("compact:detail", kwargs={"slug": compact}))])
    if name == "signatories-list":
        path = reverse("signatories:list", kwargs={"slug": compact, "number": version.number})
        return Page([Request(path)])
    if name in ("round-page", "round-page-all"):
        path = reverse("consultation:round", kwargs={"pk": round.pk})
        if name == "round-page-all":
            path += "?theme=all"
        return Page([Request(path, session_cookie(leader)[0])], user=leader)
    if name == "cast-vote":
        return vote_page(data, count)
    if name == "confirm-signature":
        return confirm_page(data, count)
    raise ValueError(name)


def minimal_write_page(data, count):
    """`count` POSTs to the minimal write, signed in as the leaders who vote (a few of them in turn)."""
    signed_in = [session_cookie(user) for user in data["leaders"][1:51]]
    requests = []
    for n in range(count):
        cookie, csrf = signed_in[n % len(signed_in)]
        requests.append(Request("/bench/minimal-write", cookie, urlencode({"csrfmiddlewaretoken": csrf})))
    return Page(requests, expect=302)


def ballot(data, voters):
    """What `voters` may answer in the round and have answered: the choices each question offers
    ("current" and `proposal:<id>` for each standing rewording of its commitment), the questions
    with a choice to make, and the voters' answers as (voter id, question, choice)."""
    from consultation.models import Proposal, Vote

    round = data["round"]
    options = {}
    for proposal_id, commitment_id in (
        round.proposals.standing()
        .filter(kind=Proposal.Kind.REWORDING)
        .order_by("pk")
        .values_list("pk", "commitment_id")
    ):
        options.setdefault(commitment_id, ["current"]).append(f"proposal:{proposal_id}")
    questions = [pk for pk in (q.pk for q in data["questions"]) if len(options.get(pk, ())) > 1]
    answers = [
        (voter, commitment, "current" if choice == Vote.Choice.CURRENT else f"proposal:{proposal}")
        for voter, commitment, choice, proposal in Vote.objects.filter(
            round=round, voter_id__in=[voter.pk for voter in voters], commitment_id__in=questions
        )
        .order_by("pk")
        .values_list("voter_id", "commitment_id", "choice", "chosen_proposal_id")
    ]
    if not answers or not questions:
        raise SystemExit("The generated round has no votes for the benchmark's leaders to change.")
    return options, questions, answers


def vote_request(data, signed_in, question, choice):
    from django.urls import reverse

    cookie, csrf = signed_in
    body = urlencode({"commitment": question, "choice": choice, "csrfmiddlewaretoken": csrf})
    return Request(reverse("consultation:vote", kwargs={"round_pk": data["round"].pk}), cookie, body)


def vote_page(data, count):
    """`count` valid votes by up to VOTERS leaders, alternating the two paths a vote takes: the
    insert (a question its leader has not answered) and the update (changing an answer the
    generator gave them, back and forth between its first choice and another, so every one of
    them really changes the vote)."""
    voters = {user.pk: user for user in data["leaders"][1 : VOTERS + 1]}
    options, questions, answers = ballot(data, voters.values())
    # Each leader's first answer, then each one's second, ...: consecutive changes by different people.
    by_voter = {}
    for answer in answers:
        by_voter.setdefault(answer[0], []).append(answer)
    answers = [answer for turn in itertools.zip_longest(*by_voter.values()) for answer in turn if answer]
    answered = {(voter, question) for voter, question, _ in answers}

    def new_votes():
        # Turn by turn, each leader answers one more question, so consecutive votes are by
        # different people; across the turns each leader meets every question once.
        for turn in range(len(questions)):
            for index, voter in enumerate(voters):
                question = questions[(turn + index) % len(questions)]
                if (voter, question) not in answered:
                    choices = options[question]
                    yield voter, question, choices[(turn + index) % len(choices)]

    def changed_votes():
        for turn in itertools.count():
            for voter, question, first in answers:
                other = next(choice for choice in options[question] if choice != first)
                yield voter, question, other if turn % 2 == 0 else first

    inserts, changes = new_votes(), changed_votes()
    cookies = {}
    # wrk's threads each send their own consecutive share of the requests: each share alternates
    # new and changed votes, and should the new ones run out (only at tiny scale, every question
    # answered) they run out in every share at once.
    shares = [[] for _ in range(THREADS)]
    for n in range(-(-count // THREADS) * THREADS):
        turn, share = divmod(n, THREADS)
        voter, question, choice = (next(inserts, None) if turn % 2 == 0 else None) or next(changes)
        if voter not in cookies:
            cookies[voter] = session_cookie(voters[voter])
        shares[share].append(vote_request(data, cookies[voter], question, choice))
    return Page([request for share in shares for request in share], expect=302)


def vote_queries(data):
    """Leader 0 answers a question for the first time and changes an earlier answer, each time
    choosing a proposed wording (a choice's kind changes the queries), so both counts compare
    from scale to scale."""
    leader = data["leaders"][0]
    options, questions, answers = ballot(data, [leader])
    signed_in = session_cookie(leader)
    answered = {question for _, question, _ in answers}
    new = next(question for question in questions if question not in answered)
    _, changed, first = next((answer for answer in answers if answer[2] == "current"), answers[0])
    return (
        vote_request(data, signed_in, new, options[new][1]),
        vote_request(
            data,
            signed_in,
            changed,
            next((c for c in options[changed] if c not in (first, "current")), "current"),
        ),
    )


def confirm_page(data, count):
    """`count` pending signatures, each confirmed by its own link's POST, as from the e-mail's page."""
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from benchmarks.generate import BATCH
    from signatories.models import Signature
    from signatories.services import hash_token

    version = data["published"]
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
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
                token_hash=hash_token(token=token),
                token_expires_at=expires,
            )
            for n, token in enumerate(tokens)
        ],
        batch_size=BATCH,  # a statement's parameters are limited (server-side binding)
    )
    cookie, csrf = session_cookie()
    body = urlencode({"csrfmiddlewaretoken": csrf})
    return Page(
        [Request(reverse("signatories:confirm", kwargs={"token": token}), cookie, body) for token in tokens]
    )


# --- Queries per page ------------------------------------------------------------------------------
def client():
    from django.test import Client

    # CSRF checked as in production; the host is the one gunicorn sees.
    return Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")


def send(client, request, expect=200):
    headers = {"referer": "http://127.0.0.1/"}
    if request.cookie:
        headers["cookie"] = request.cookie
    if request.body is None:
        response = client.get(request.path, headers=headers)
    else:
        response = client.post(
            request.path, request.body, content_type="application/x-www-form-urlencoded", headers=headers
        )
    if response.status_code != expect:
        raise SystemExit(f"{request.path} answered {response.status_code}, not {expect}.")
    return response


def count_queries(request, expect=200):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        send(client(), request, expect)
    return len(captured.captured_queries)


def page_queries(data):
    round, leader = data["round"], data["leaders"][0]
    theme = round.version.themes.order_by("position").first()
    cookie = session_cookie(leader)[0]
    new_vote, changed_vote = vote_queries(data)
    (confirmation,) = confirm_page(data, 1).requests
    return {
        "public compact page": count_queries(build_page("public-compact", data).requests[0]),
        "round page (signed in, first theme)": count_queries(build_page("round-page", data).requests[0]),
        "round page (signed in, all themes)": count_queries(build_page("round-page-all", data).requests[0]),
        "round page (signed in, filtered)": count_queries(
            Request(f"/rounds/{round.pk}/?theme={theme.pk}&has_proposals=1&not_voted=1", cookie)
        ),
        "signatories list": count_queries(build_page("signatories-list", data).requests[0]),
        "cast a vote (new)": count_queries(new_vote, expect=302),
        "cast a vote (changed)": count_queries(changed_vote, expect=302),
        "confirm a signature": count_queries(confirmation),
    }


# --- Load ------------------------------------------------------------------------------------------
def wrk(url, seconds, page, login_url=""):
    env = {
        "BENCH_EXPECT_STATUS": str(page.expect),
        "BENCH_LOGIN_URL": login_url,
        "BENCH_THREADS": str(THREADS),
    }
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        # Past wrk's default 2 s a response is dropped from the latencies; a slow page's p95
        # should show how slow it is.
        f"--timeout={TIMEOUT}s",
        "--latency",
        "-s",
        str(ROOT / "benchmarks" / "wrk" / "bench.lua"),
    ]
    posts = page.requests[0].body is not None
    if not posts and page.requests[0].cookie:
        command += ["-H", f"Cookie: {page.requests[0].cookie}"]
    handle = None
    if posts:
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
            handle.write("".join(f"{r.path}\t{r.cookie}\t{r.body}\n" for r in page.requests))
        env["BENCH_REQUESTS"] = handle.name
    try:
        output = subprocess.run(
            command + [url + page.requests[0].path],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **env},
        )
    finally:
        if handle is not None:
            os.unlink(handle.name)
    figure = json.loads(output.stdout.strip().splitlines()[-1])
    if posts:
        figure["prepared"] = len(page.requests)
    return figure


def status(port, request):
    """One request through the server, redirects not followed: its status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", request.path, headers={"Cookie": request.cookie})
        return connection.getresponse().status
    finally:
        connection.close()


def settle(port):
    """Wait until the server has finished the requests wrk left queued when it stopped: gunicorn
    still answers them, and the next page's seconds would be spent draining them. Idle, the
    minimal view answers at once, time after time."""
    deadline, quick = time.monotonic() + 120, 0
    while quick < 5 and time.monotonic() < deadline:
        started = time.monotonic()
        status(port, Request("/bench/minimal"))
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0


def in_turns(page, turns):
    """A page's requests for each turn. A GET page repeats its one request in every turn; POSTs
    are split so that each turn still gives each wrk thread a consecutive share of its own (as
    bench.lua reads them), and no request is sent in two turns."""
    if page.requests[0].body is None:
        return [page] * turns
    share = len(page.requests) // THREADS
    step = share // turns
    return [
        Page(
            [
                request
                for thread in range(THREADS)
                for request in page.requests[thread * share + turn * step :][:step]
            ],
            expect=page.expect,
            user=page.user,
        )
        for turn in range(turns)
    ]


def combined(pairs):
    """One figure for a page from its turns, each (its yardstick's run, the page's run just after
    it). The share is the median of the turns' shares; requests per second and p50 are the
    medians of the page's runs, p95 the worst of them; failures, requests and seconds add up."""
    shares = sorted(page["rps"] / minimal["rps"] for minimal, page in pairs)
    figure = {
        "rps": statistics.median(page["rps"] for _, page in pairs),
        "p50_ms": statistics.median(page["p50_ms"] for _, page in pairs),
        "p95_ms": max(page["p95_ms"] for _, page in pairs),
        "share": statistics.median(shares),
        "shares": shares,
        "minimal_rps": statistics.median(minimal["rps"] for minimal, _ in pairs),
        "minimal_runs": [minimal["rps"] for minimal, _ in pairs],
    }
    for key in ("requests", "failed", "timeouts", "non2xx3xx", "unexpected", "repeated", "seconds"):
        figure[key] = sum(page[key] for _, page in pairs)
    if "prepared" in pairs[0][1]:
        figure["prepared"] = sum(page["prepared"] for _, page in pairs)
    return figure


def load_figures(data, args):
    from django.conf import settings
    from django.shortcuts import resolve_url
    from django.urls import reverse
    from django.utils import timezone

    from consultation.models import Vote
    from signatories.models import Signature

    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, **SERVER_ENV, "CELERY_BROKER_URL": "memory://"}
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
        login_url = resolve_url(settings.LOGIN_URL)
        profile_page = Request(reverse("accounts:profile"), session_cookie(data["leaders"][0])[0])
        if status(args.port, profile_page) != 200:
            raise SystemExit(
                f"The server did not accept the benchmark's session cookie (SESSION_ENGINE "
                f"{settings.SESSION_ENGINE}): a cache-only engine needs a shared cache (CACHE_URL)."
            )
        settle(args.port)
        results = {"minimal": wrk(base, args.seconds, build_page("minimal", data))}
        turn_seconds = max(1, -(-args.seconds // TURNS))
        # POSTs are each sent once: prepare more than the minimal view's rate could send.
        count = (int(results["minimal"]["rps"] * turn_seconds * 1.25) + 200) * TURNS
        yardstick_pages = {
            name: in_turns(build_page(name, data, count), TURNS) for name in set(YARDSTICKS.values())
        }
        for name in PAGES:
            if name == "minimal":
                continue
            turns = in_turns(build_page(name, data, count), TURNS)
            yardstick_name = YARDSTICKS.get(name, "minimal")
            yardstick_turns = yardstick_pages.get(yardstick_name) or [build_page("minimal", data)] * TURNS
            settle(args.port)
            first = turns[0]
            if first.requests[0].body is None and status(args.port, first.requests[0]) != first.expect:
                raise SystemExit(f"{first.requests[0].path} did not answer {first.expect} before the load.")
            confirmed_before = Signature.objects.public().filter(full_name__startswith="Pending ").count()
            started = timezone.now()
            pairs = []
            for turn, yardstick_turn in zip(turns, yardstick_turns, strict=True):
                settle(args.port)
                yardstick = wrk(base, turn_seconds, yardstick_turn, login_url=login_url)
                settle(args.port)
                pairs.append((yardstick, wrk(base, turn_seconds, turn, login_url=login_url)))
            figure = combined(pairs)
            figure["yardstick"] = yardstick_name
            if name == "cast-vote":
                votes = Vote.objects.filter(round=data["round"], changed_at__gte=started)
                figure["inserted"] = votes.filter(cast_at__gte=started).count()
                figure["changed"] = votes.filter(cast_at__lt=started).count()
            if name == "confirm-signature":
                confirmed = (
                    Signature.objects.public().filter(full_name__startswith="Pending ").count()
                    - confirmed_before
                )
                figure["confirmed"] = confirmed
                figure["confirmed_per_second"] = round(confirmed / figure["seconds"], 1)
            results[name] = figure
        return results
    finally:
        server.terminate()
        server.wait(timeout=20)


# --- Profile ---------------------------------------------------------------------------------------
def profile(data, name, scale, repeat, lines):
    """`repeat` requests for one page after a warm-up, in this process, under pyinstrument."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    page = build_page(name, data, PROFILE_WARM_UP + repeat)
    requests = page.requests * (PROFILE_WARM_UP + repeat) if len(page.requests) == 1 else page.requests
    browser = client()
    for request in requests[: PROFILE_WARM_UP - 1]:
        send(browser, request, page.expect)
    with CaptureQueriesContext(connection) as captured:
        response = send(browser, requests[PROFILE_WARM_UP - 1], page.expect)
    queries = len(captured.captured_queries)  # read now: the next request clears the log
    if page.user is not None and response.wsgi_request.user.pk != page.user.pk:
        raise SystemExit(f"{name} was not signed in as {page.user}.")
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for request in requests[PROFILE_WARM_UP:]:
        send(browser, request, page.expect)
    profiler.stop()
    each = (time.perf_counter() - started) / repeat * 1000
    print(
        f"{PAGES[name]} ({name}) at {scale} scale: {repeat} requests after {PROFILE_WARM_UP} "
        f"to warm up, {each:.1f} ms each under the profiler, {queries} queries each."
    )
    tree = profiler.output_text(unicode=False, color=False, show_all=False).splitlines()
    print("\n".join(tree[:lines]))
    if len(tree) > lines:
        print(f"... {len(tree) - lines} more lines (--profile-lines)")
    flat = profiler.output_text(unicode=False, color=False, flat=True).splitlines()
    # The flat listing repeats the banner above; its figures start after the "Profile at" line.
    start = next((n + 1 for n, line in enumerate(flat) if line.startswith("Profile at")), 0)
    print("Where the time is spent, by function's own time:")
    print("\n".join(line for line in flat[start : start + 31] if line.strip()))


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
from django.conf import settings
from compact import pdf
version = Version.objects.get(pk={pk})
started = time.perf_counter()
content = pdf.render(version)
import resource
{peak}
# A long list is rendered by settings.PDF_PART_PROCESSES worker processes at once: count the
# parent's peak plus that many times the largest worker's, an upper bound on what it held at once.
# (A worker's figure starts from this process's size when it was started, so it errs high.)
own = own_peak()
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(time.perf_counter() - started, len(content), own + (settings.PDF_PART_PROCESSES * workers if workers else 0), own, workers)
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
{peak}
print(time.perf_counter() - started, len(content), own_peak())
"""

# A probe's own peak resident memory, in KiB. Not getrusage's ru_maxrss: Linux carries that over
# from the parent through fork and exec, so a probe started by this process (holding the x10 data
# it generated, 600 MB) would report at least that. VmHWM belongs to the probe's own address space.
PEAK = """
def own_peak():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
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
            [sys.executable, "-c", source.format(pk=version_id, peak=PEAK)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        return {"unfinished_after": limit}
    seconds, size, peak_kb, *parts = process.stdout.strip().splitlines()[-1].split()
    # The rendering process's peak resident memory (Linux: KiB), as the probe reports it, and for a
    # render in parts its own and its largest worker's.
    figures = {"seconds": round_to(float(seconds)), "peak_mb": round(int(peak_kb) / 1024), "bytes": int(size)}
    if parts:
        figures["own_mb"], figures["worker_mb"] = (round(int(kb) / 1024) for kb in parts)
    return figures


if __name__ == "__main__":
    main()
