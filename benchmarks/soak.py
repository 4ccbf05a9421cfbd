"""`make soak`: a bounded load test on loopback, and the checks that nothing was lost on the way.

Mixed reads, votes and signatures at 16 connections for five minutes against gunicorn, PostgreSQL,
Redis and a real Celery worker. It passes when there were no 5xx answers, every vote and
signature the load sent is in the database exactly once (a vote with the last choice the server
accepted), every signer got one confirmation e-mail, and the web workers' memory stayed flat
within 10 %. Prints a table, writes it to benchmarks/soak.md and exits 1 if a check failed.

Like `make bench` it needs PostgreSQL and makes a database of its own (`<name>_soak`) beside the
one in DATABASE_URL, dropped afterwards. The broker and cache use a Redis database of their own
too (14 and 15 by default): what is in them is thrown away.

The load is a Python thread per connection, each sending one request at a time and writing down
what it sent and what came back. Each voter belongs to one connection, so a voter's votes are
sent one after another and "the last choice accepted" is well defined. Signing is limited per
client address; a deployment sits behind one proxy that names the client, so the soak runs
gunicorn with TRUSTED_PROXY_COUNT=1 and gives each person an address of their own, as they would
have, instead of raising the limits.
"""

import argparse
import http.client
import os
import queue
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes
from pathlib import Path
from statistics import mean
from urllib.parse import urlencode, urlparse

from benchmarks.run import admin_connection, machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "soak.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/leadership_compact"
READ_SHARE, VOTE_SHARE = 0.70, 0.20  # the rest, 10 %, are signatures
READS = ("public compact page", "round page", "signatories list")
MEMORY_TOLERANCE = 0.10
# Generous: a request waiting behind 15 others on two workers should still be answered.
REQUEST_TIMEOUT = 60
CONFIRM_LINK = re.compile(rb"/signatures/confirm/([A-Za-z0-9_\-]+)/")
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


# --- What the load sent and what came back ------------------------------------------------------------
@dataclass
class Person:
    pk: int
    email: str
    cookie: str
    csrf: str
    address: str


@dataclass
class Sent:
    """One request: what kind, when (seconds into the load), how long it took, the status (None:
    no answer) and whether the answer was the one a working site gives."""

    kind: str
    page: str
    at: float
    seconds: float
    status: int | None
    accepted: bool


@dataclass
class Connection:
    """What one of the load's connections sent. Its voters are its own, so their votes are in order."""

    voters: list
    requests: list = field(default_factory=list)
    # (voter, commitment): [(choice, accepted), ...] in the order sent
    votes: dict = field(default_factory=lambda: defaultdict(list))
    signed: dict = field(default_factory=dict)  # signer pk: accepted
    confirmed: dict = field(default_factory=dict)  # signer pk: accepted
    pool_ran_out: int = 0


def say(message):
    """Progress on stderr: the table alone goes to stdout."""
    print(f"soak: {message}", file=sys.stderr, flush=True)


def send(port, method, path, *, person=None, address="", form=None):
    """One request on a fresh connection (gunicorn's sync workers close each one anyway)."""
    headers = {"Host": "127.0.0.1", "X-Forwarded-For": person.address if person else address}
    body = None
    if person:
        headers["Cookie"] = person.cookie
    if form is not None:
        body = urlencode({**form, "csrfmiddlewaretoken": person.csrf})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    except (OSError, http.client.HTTPException):
        return None, ""
    finally:
        connection.close()


class Load:
    """The load's plan (who votes on what, who signs) and its connections."""

    def __init__(self, plan, port, seconds, connections, seed=2026):
        self.plan, self.port, self.seconds = plan, port, seconds
        self.signers = iter(plan["signers"])
        self.signers_lock = threading.Lock()
        self.by_email = {signer.email: signer for signer in plan["signers"]}
        self.links = queue.Queue()  # (signer, token) from the confirmation e-mails that arrived
        self.connections = [Connection(voters=plan["voters"][n::connections]) for n in range(connections)]
        self.seed = seed
        self.started = None

    def run(self):
        self.started = time.monotonic()
        threads = [
            threading.Thread(target=self.drive, args=(index, connection), daemon=True)
            for index, connection in enumerate(self.connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def drive(self, index, connection):
        rng = random.Random(self.seed + index)
        deadline = self.started + self.seconds
        while time.monotonic() < deadline:
            draw = rng.random()
            if draw < READ_SHARE:
                self.read(rng, connection)
            elif draw < READ_SHARE + VOTE_SHARE:
                self.vote(rng, connection)
            else:
                self.signature(rng, connection)

    def timed(self, connection, kind, request, accept, page=""):
        began = time.monotonic()
        status, location = request()
        accepted = status is not None and bool(accept(status, location))
        connection.requests.append(
            Sent(kind, page or kind, began - self.started, time.monotonic() - began, status, accepted)
        )
        return accepted

    def read(self, rng, connection):
        plan = self.plan
        page = rng.choice(READS)
        if page == "public compact page":
            path, person = plan["compact_url"], None
        elif page == "round page":
            # Signed in: the round page is drawn for its reader (their own votes, their filters).
            path, person = plan["round_url"], rng.choice(connection.voters)
        else:
            path, person = f"{plan['signatories_url']}?page={rng.randint(1, 5)}", None
        address = f"192.0.2.{rng.randint(1, 254)}"
        self.timed(
            connection,
            "read",
            lambda: send(self.port, "GET", path, person=person, address=address),
            lambda status, _: status == 200,
            page=page,
        )

    def vote(self, rng, connection):
        plan = self.plan
        voter = rng.choice(connection.voters)
        commitment = rng.choice(plan["questions"])
        choice = rng.choice(["current"] + [f"proposal:{pk}" for pk in plan["proposals"][commitment]])
        form = {"commitment": commitment, "choice": choice}
        # A saved vote goes on to its question's page; a refused one back to the round.
        saved = plan["question_urls"][commitment]
        accepted = self.timed(
            connection,
            "vote",
            lambda: send(self.port, "POST", plan["vote_url"], person=voter, form=form),
            lambda status, location: status == 302 and location == saved,
        )
        connection.votes[(voter.pk, commitment)].append((choice, accepted))

    def signature(self, rng, connection):
        """Confirm a signature whose e-mail has come, else sign as someone who has not yet."""
        try:
            signer, token = self.links.get_nowait()
        except queue.Empty:
            signer = token = None
        if token:
            accepted = self.timed(
                connection,
                "confirmation",
                lambda: send(self.port, "POST", f"/signatures/confirm/{token}/", person=signer, form={}),
                lambda status, _: status == 200,
            )
            connection.confirmed[signer.pk] = accepted
            return
        with self.signers_lock:
            signer = next(self.signers, None)
        if signer is None:
            connection.pool_ran_out += 1
            self.read(rng, connection)
            return
        form = {"full_name": f"Signer {signer.pk}", "role": "Chair", "on_behalf": "personal", "consent": "on"}
        connection.signed[signer.pk] = self.timed(
            connection,
            "signature",
            lambda: send(self.port, "POST", self.plan["sign_url"], person=signer, form=form),
            lambda status, location: status == 302 and re.fullmatch(r"/signatures/\d+/", location),
        )

    def merged(self, name):
        merged = {}
        for connection in self.connections:
            merged.update(getattr(connection, name))
        return merged

    @property
    def requests(self):
        return [sent for connection in self.connections for sent in connection.requests]


class Outbox:
    """Reads the confirmation e-mails the worker writes (Django's file backend, one file per
    e-mail) and hands each link to the load, as a signer clicking it would."""

    def __init__(self, folder, load):
        self.folder, self.load = folder, load
        self.read_up_to = {}  # file name: bytes read
        self.per_address = Counter()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self):
        while not self.stopping.wait(0.5):
            self.collect()

    def collect(self):
        for path in sorted(self.folder.glob("*.log")):
            # The backend names a file by the second and an object id, which can come round
            # again: a file can grow after it was read, so read on from where we stopped.
            start = self.read_up_to.get(path.name, 0)
            raw = path.read_bytes()[start:]
            end = raw.rfind(MAIL_SEPARATOR)
            if end < 0:
                continue  # nothing new, or an e-mail still being written
            self.read_up_to[path.name] = start + end + len(MAIL_SEPARATOR)
            for chunk in raw[:end].split(MAIL_SEPARATOR):
                if not chunk.strip():
                    continue
                self.take(message_from_bytes(chunk.strip()))

    def take(self, message):
        address = message.get("To", "")
        self.per_address[address] += 1
        # Each e-mail has a plain-text and an HTML part; the link is read from the plain text.
        text = next((p for p in message.walk() if p.get_content_type() == "text/plain"), message)
        found = CONFIRM_LINK.search(text.get_payload(decode=True) or b"")
        signer = self.load.by_email.get(address)
        if found and signer:
            self.load.links.put((signer, found.group(1).decode()))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()
        self.collect()


class RelayOutbox(Outbox):
    """The same, for e-mails the worker sends through the SMTP server of tests/mailserver.py
    (`--relay-delay`): a relay that takes that long over each message, as a busy one does."""

    def __init__(self, relay, load):
        super().__init__(None, load)
        self.relay, self.taken = relay, 0

    def collect(self):
        messages = list(self.relay.messages)
        for message in messages[self.taken :]:
            self.take(message)
        self.taken = len(messages)


class MemorySampler:
    """The resident memory of gunicorn's workers (the master's children), every `interval` s."""

    def __init__(self, master_pid, interval):
        self.master_pid, self.interval = master_pid, interval
        self.samples = []  # (seconds into the load, {pid: kB})
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.started = None

    def watch(self):
        while True:
            self.samples.append((time.monotonic() - self.started, worker_memory(self.master_pid)))
            if self.stopping.wait(self.interval):
                return

    def __enter__(self):
        self.started = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()


def children_of(pid):
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def resident_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass  # a worker that has just exited
    return None


def worker_memory(master_pid):
    found = {pid: resident_kb(pid) for pid in children_of(master_pid)}
    return {pid: kb for pid, kb in found.items() if kb is not None}


# --- Setting up: the database, the data, the server and the worker -------------------------------
def redis_urls(database):
    """The broker on a Redis database of the soak's own, the cache on the next one (as settings does),
    on the Redis host CELERY_BROKER_URL names, if it names one."""
    base = os.environ.get("CELERY_BROKER_URL", "")
    parsed = urlparse(base if base.startswith("redis") else "redis://127.0.0.1:6379/0")
    return (
        parsed._replace(path=f"/{database}").geturl(),
        parsed._replace(path=f"/{database + 1}").geturl(),
    )


def prepare(scale_name, signers):
    """Data at the given scale (benchmarks.generate), then what the load needs: fresh signers and a
    signed-in session for every voter and signer."""
    from django.core.management import call_command
    from django.urls import reverse

    from benchmarks.generate import SCALES, generate
    from consultation.models import Proposal, Vote
    from signatories.models import Signature

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    data = generate(SCALES[scale_name])
    consultation_round, version = data["round"], data["published"]
    proposals = defaultdict(list)
    questions = Proposal.objects.filter(round=consultation_round, kind=Proposal.Kind.REWORDING).standing()
    for proposal in questions:
        proposals[proposal.commitment_id].append(proposal.pk)
    voters = signed_in(data["leaders"], first_address=1)
    signer_accounts = make_signers(signers)
    plan = {
        "scale": scale_name,
        "leaders": len(data["leaders"]),
        "voters": voters,
        "signers": signed_in(signer_accounts, first_address=len(voters) + 1),
        "questions": sorted(proposals),
        "proposals": dict(proposals),
        "question_urls": {
            pk: reverse("consultation:commitment", kwargs={"round_pk": consultation_round.pk, "pk": pk})
            for pk in proposals
        },
        "compact_url": data["compact"].get_absolute_url(),
        "round_url": consultation_round.get_absolute_url(),
        "vote_url": reverse("consultation:vote", kwargs={"round_pk": consultation_round.pk}),
        "sign_url": reverse("signatories:sign", kwargs={"slug": data["compact"].slug}),
        "signatories_url": reverse(
            "signatories:list", kwargs={"slug": data["compact"].slug, "number": version.number}
        ),
        "round": consultation_round,
        "version": version,
        # What was there before the load, to tell apart what the load added.
        "votes_before": set(
            Vote.objects.filter(round=consultation_round).values_list("voter_id", "commitment_id")
        ),
        "signatures_before": Signature.objects.filter(version=version).count(),
    }
    plan["prepare_seconds"] = round_to(time.perf_counter() - started, 1)
    return plan


def make_signers(count):
    """Leaders with verified e-mail addresses who have not signed: one for each signature sent."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from benchmarks.generate import BATCH, PASSWORD

    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(email=f"signer{n}@soak.example.org", full_name=f"Signer {n}", password=password)
            for n in range(count)
        ],
        batch_size=BATCH,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], batch_size=BATCH
    )
    return users


def signed_in(users, first_address):
    """A session (in bulk: thousands are needed), CSRF secret and client address for each user."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from benchmarks.generate import BATCH

    store, expires = SessionStore(), timezone.now() + timedelta(days=1)
    people, sessions = [], []
    for offset, user in enumerate(users):
        key = get_random_string(32, VALID_KEY_CHARS)
        sessions.append(
            Session(
                session_key=key,
                session_data=store.encode(
                    {
                        SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                    }
                ),
                expire_date=expires,
            )
        )
        csrf = secrets.token_hex(16)  # a 32-character secret is a valid CSRF token as it is
        number = first_address + offset
        people.append(
            Person(
                pk=user.pk,
                email=user.email,
                cookie=f"sessionid={key}; csrftoken={csrf}",
                csrf=csrf,
                address=f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}",
            )
        )
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    return people


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command, env, log):
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process, timeout=60):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise SystemExit(f"Timed out waiting for {what}.")


def empty_broker(broker_url):
    """Queued or unacknowledged tasks left by an interrupted soak would name rows of a dropped
    database, and the same ids in the new one: the soak's own broker database starts empty."""
    import redis

    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"make soak needs Redis at {broker_url}: {error}") from None


def celery_client(broker_url):
    from celery import Celery

    # Read and write URLs, not broker=: Celery prefers CELERY_BROKER_URL from the environment.
    return Celery(set_as_current=False, broker_read_url=broker_url, broker_write_url=broker_url)


# --- The run -------------------------------------------------------------------------------------------
def soak(args, scratch):
    if args.relay_delay is None:
        return _soak(args, scratch, relay=None)
    from tests.mailserver import smtp_server

    with smtp_server(delay=args.relay_delay) as relay:
        say(f"e-mail goes through an SMTP server taking {args.relay_delay} s a message")
        return _soak(args, scratch, relay=relay)


def _soak(args, scratch, relay):
    from django.conf import settings

    from config.celery import app

    broker_url, cache_url = settings.CELERY_BROKER_URL, settings.CACHES["default"]["LOCATION"]
    # Whatever setting up would enqueue is dropped: the worker is there for the load's tasks.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"

    # Each signature is one sign and, once the e-mail has come, one confirmation: at most
    # ten signatures a second at two workers is a generous ceiling.
    say(f"making {args.scale}-scale data")
    plan = prepare(args.scale, signers=10 * args.seconds + 100)
    say(f"data made in {plan['prepare_seconds']} s; starting gunicorn and a Celery worker")
    outbox = scratch / "mail"
    outbox.mkdir()
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker_url,
        "CACHE_URL": cache_url,
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "MEDIA_ROOT": str(scratch / "media"),
        "EMAIL_FILE_PATH": str(outbox),
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "DJANGO_DEBUG": "0",
        "TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if relay is not None:
        env.pop("EMAIL_FILE_PATH")
        env.update(
            {
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(relay.port),
                "EMAIL_USE_TLS": "0",
                "EMAIL_TIMEOUT": "30",
            }
        )
    worker_log, web_log = open(scratch / "worker.log", "wb"), open(scratch / "web.log", "wb")  # noqa: SIM115
    worker = start(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        worker_log,
    )
    web = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        env,
        web_log,
    )
    passed = False
    try:
        client = celery_client(broker_url)
        wait_for(
            lambda: worker.poll() is not None or client.control.ping(timeout=0.5), 60, "the Celery worker"
        )
        wait_for(
            lambda: (
                web.poll() is not None
                or (
                    send(args.port, "GET", "/healthz")[0] == 200 and len(children_of(web.pid)) == args.workers
                )
            ),
            60,
            "gunicorn",
        )
        if worker.poll() is not None or web.poll() is not None:
            raise SystemExit("The Celery worker or gunicorn exited at start.")
        load = Load(plan, args.port, args.seconds, args.connections)
        say(f"{plural(args.connections, 'connection')} for {args.seconds} s on port {args.port}")
        interval = min(2.0, max(0.25, args.seconds / 150))
        with Outbox(outbox, load) if relay is None else RelayOutbox(relay, load) as mail:
            with MemorySampler(web.pid, interval) as memory:
                load.run()
            # The confirmation e-mails of the last signatures are still on their way.
            say("waiting for the last confirmation e-mails")
            signed = [pk for pk, accepted in load.merged("signed").items() if accepted]
            emails = {signer.pk: signer.email for signer in plan["signers"]}
            wait_for_quietly(lambda: all(mail.per_address[emails[pk]] for pk in signed), args.drain)
        result = {
            "plan": plan,
            "load": load,
            "mail": mail.per_address,
            "memory": memory.samples,
            "workers": args.workers,
            "seconds": args.seconds,
            "connections": args.connections,
        }
        say("counting votes and signatures")
        result["checks"] = check(result)
        passed = all_met(result)
        return result
    finally:
        stop(web)
        stop(worker)
        worker_log.close()
        web_log.close()
        if not passed:
            for name in ("web.log", "worker.log"):
                sys.stderr.write(f"--- {name} (last lines) ---\n")
                sys.stderr.write((scratch / name).read_text(errors="replace")[-4000:] + "\n")


def wait_for_quietly(predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.5)


# --- The checks ------------------------------------------------------------------------------------
def check(result):
    from django.db.models import Count

    from consultation.models import Vote
    from signatories.models import Signature

    plan, load = result["plan"], result["load"]
    requests = load.requests
    figures = {}
    figures["server errors"] = sum(1 for sent in requests if sent.status and sent.status >= 500)
    figures["unanswered"] = sum(1 for sent in requests if sent.status is None)
    figures["refused"] = Counter(
        f"{sent.kind} {sent.status}"
        for sent in requests
        if sent.status and sent.status < 500 and not sent.accepted
    )

    # Votes: for each question a voter was sent, one row with the last choice the server accepted.
    # A request that got no answer may or may not have landed: its choice is allowed too.
    sent_votes = load.merged("votes")
    rows = defaultdict(list)
    for voter, commitment, choice, proposal in Vote.objects.filter(round=plan["round"]).values_list(
        "voter_id", "commitment_id", "choice", "chosen_proposal_id"
    ):
        rows[(voter, commitment)].append("current" if choice == "current" else f"proposal:{proposal}")
    lost = duplicated = wrong = 0
    for pair, attempts in sent_votes.items():
        accepted = [index for index, (_, ok) in enumerate(attempts) if ok]
        found = rows.get(pair, [])
        if len(found) > 1:
            duplicated += 1
        if not accepted:
            continue  # refused or unanswered every time: counted above, not here
        if not found:
            lost += 1
            continue
        allowed = {attempts[accepted[-1]][0]}
        allowed |= {choice for choice, ok in attempts[accepted[-1] + 1 :] if not ok}
        if found[-1] not in allowed:
            wrong += 1
    figures["votes"] = {
        "requests": sum(len(a) for a in sent_votes.values()),
        "questions": len(sent_votes),
        "lost": lost,
        "duplicated": duplicated,
        "wrong choice": wrong,
        # Rows for questions the load never sent would be as wrong as a lost one.
        "stray": sum(1 for pair in rows if pair not in plan["votes_before"] and pair not in sent_votes),
    }

    # Signatures: exactly one row for each person the load signed for; confirmed if confirmed.
    signed, confirmed = load.merged("signed"), load.merged("confirmed")
    per_signer = dict(
        Signature.objects.filter(version=plan["version"], signer__in=list(signed))
        .values("signer")
        .annotate(n=Count("id"))
        .values_list("signer", "n")
    )
    status = dict(
        Signature.objects.filter(version=plan["version"], signer__in=list(confirmed)).values_list(
            "signer", "status"
        )
    )
    accepted_signers = [pk for pk, ok in signed.items() if ok]
    figures["signatures"] = {
        "requests": len(signed),
        "lost": sum(1 for pk in accepted_signers if per_signer.get(pk, 0) == 0),
        "duplicated": sum(1 for n in per_signer.values() if n > 1),
        "confirmations": len(confirmed),
        "confirmed": sum(1 for pk, ok in confirmed.items() if ok and status.get(pk) == "confirmed"),
        "confirmed accepted": sum(1 for ok in confirmed.values() if ok),
        "stray": Signature.objects.filter(version=plan["version"]).count()
        - plan["signatures_before"]
        - sum(per_signer.values()),
    }
    emails = {signer.pk: signer.email for signer in plan["signers"]}
    mail = result["mail"]
    figures["e-mails"] = {
        "signers": len(accepted_signers),
        "missing": sum(1 for pk in accepted_signers if not mail[emails[pk]]),
        "twice": sum(1 for pk in accepted_signers if mail[emails[pk]] > 1),
    }
    figures["memory"] = memory_figures(result["memory"], result["seconds"])
    figures["pool ran out"] = sum(c.pool_ran_out for c in load.connections)
    return figures


def memory_figures(samples, seconds):
    """Mean of the workers' summed memory in the first window after warm-up against the last one.

    Warm-up is the first 10 % of the run (30 s of 300): workers load templates and fill caches then.
    The windows are a minute long, or a fifth of a shorter run."""
    warm_up, window = seconds * 0.10, min(60.0, seconds * 0.20)
    totals = [(at, sum(per_worker.values())) for at, per_worker in samples if per_worker]
    first = [kb for at, kb in totals if warm_up <= at < warm_up + window]
    last = [kb for at, kb in totals if seconds - window <= at <= seconds]
    pids = set().union(*(per_worker for _, per_worker in samples))
    initial = next((set(per_worker) for _, per_worker in samples if per_worker), set())
    figures = {"restarts": len(pids - initial), "samples": len(totals)}
    figures["windows"] = (
        "first minute after warm-up → last minute"
        if window == 60
        else f"first {window:.0f} s after {warm_up:.0f} s of warm-up → last {window:.0f} s"
    )
    if first and last:
        figures["first_mb"], figures["last_mb"] = mean(first) / 1024, mean(last) / 1024
        figures["change"] = figures["last_mb"] / figures["first_mb"] - 1
        figures["peak_mb"] = max(kb for _, kb in totals) / 1024
    return figures


def verdicts(figures):
    """Each check: (what, figure, target, met)."""
    votes, signatures, mail, memory = (
        figures["votes"],
        figures["signatures"],
        figures["e-mails"],
        figures["memory"],
    )
    refused = sum(figures["refused"].values())
    change = memory.get("change")
    return [
        ("5xx answers", f"{figures['server errors']:,}", "0", figures["server errors"] == 0),
        (
            "requests without an answer (error or timeout)",
            f"{figures['unanswered']:,}",
            "0",
            figures["unanswered"] == 0,
        ),
        (
            "requests refused (4xx, or a vote not saved)",
            f"{refused:,}"
            + (
                f" ({', '.join(f'{k}: {n}' for k, n in figures['refused'].most_common())})" if refused else ""
            ),
            "0",
            refused == 0,
        ),
        (
            "votes lost / duplicated / with another choice than the last accepted",
            f"{votes['lost']} / {votes['duplicated']} / {votes['wrong choice']} "
            f"of {votes['questions']:,} questions answered",
            "0 / 0 / 0",
            votes["lost"] == votes["duplicated"] == votes["wrong choice"] == 0,
        ),
        ("vote rows for questions the load never sent", f"{votes['stray']}", "0", votes["stray"] == 0),
        (
            "signatures lost / duplicated",
            f"{signatures['lost']} / {signatures['duplicated']} of {signatures['requests']:,} signers",
            "0 / 0",
            signatures["lost"] == signatures["duplicated"] == 0,
        ),
        (
            "signatures confirmed through their e-mail, and confirmed in the database",
            f"{signatures['confirmed accepted']:,} / {signatures['confirmed']:,}",
            "equal",
            signatures["confirmed accepted"] == signatures["confirmed"],
        ),
        (
            "signature rows for people the load never signed for",
            f"{signatures['stray']}",
            "0",
            signatures["stray"] == 0,
        ),
        (
            "confirmation e-mails missing / sent twice",
            f"{mail['missing']} / {mail['twice']} of {mail['signers']:,} signers",
            "0 / 0",
            mail["missing"] == mail["twice"] == 0,
        ),
        (
            f"web workers' memory, MB: {memory['windows']} (peak)",
            f"{memory['first_mb']:.1f} → {memory['last_mb']:.1f} ({change:+.1%}; peak {memory['peak_mb']:.1f})"
            if change is not None
            else "too few samples",
            f"within ±{MEMORY_TOLERANCE:.0%}",
            change is not None and abs(change) <= MEMORY_TOLERANCE,
        ),
        ("web worker restarts", f"{memory['restarts']}", "0", memory["restarts"] == 0),
    ]


def all_met(result):
    return all(met for *_, met in verdicts(result["checks"]))


def plural(count, noun):
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def round_to(value, digits=3):
    return float(f"{value:.{digits}f}")


def table(result):
    plan, load, figures = result["plan"], result["load"], result["checks"]
    requests = load.requests
    kinds = Counter(sent.kind for sent in requests)
    lines = [
        f"Soak measured {date.today():%-d %B %Y} on {machine()}: {plan['scale']} data "
        f"({plan['leaders']:,} leaders voting), gunicorn with {result['workers']} sync workers, one Celery worker, "
        f"PostgreSQL and Redis on loopback; {plural(result['connections'], 'connection')} for {result['seconds']} s "
        "(about 70 % reads, 20 % votes, 10 % signatures: signing, then confirming from the e-mail).",
        "",
        "| figure | measured | target |",
        "| --- | --- | --- |",
        f"| requests: reads / votes / signatures / confirmations | {len(requests):,}: "
        + " / ".join(f"{kinds[k]:,}" for k in ("read", "vote", "signature", "confirmation"))
        + " | |",
    ]
    for page in (*READS, "vote", "signature", "confirmation"):
        times = [sent.seconds * 1000 for sent in requests if sent.page == page]
        if times:
            lines.append(
                f"| {page}: per second, p50 / p95 / max ms | {len(times) / result['seconds']:.1f}, "
                f"{percentile(times, 0.5):.0f} / {percentile(times, 0.95):.0f} / {max(times):.0f} | |"
            )
    for what, figure, target, met in verdicts(figures):
        lines.append(f"| {what} | {figure} | {target}: {'met' if met else '**missed**'} |")
    if figures["pool ran out"]:
        lines.append(
            f"| signatures not sent: no fresh signer left (a read instead) | {figures['pool ran out']:,} | |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2: two cores)")
    parser.add_argument("--scale", default="national", help="benchmarks.generate scale (national, x10, tiny)")
    parser.add_argument(
        "--redis-db", type=int, default=14, help="the broker's Redis database; the cache uses the next"
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--drain", type=int, default=120, help="seconds to wait for the last e-mails")
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument(
        "--relay-delay",
        type=float,
        default=None,
        help="send e-mail through a real SMTP server taking this many seconds a message (default: files)",
    )
    args = parser.parse_args(argv)
    args.port = args.port or free_port()

    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "make soak measures PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name "
            "(a database the soak may create a sibling of)."
        )
    broker_url, cache_url = redis_urls(args.redis_db)
    if os.environ.get("CELERY_BROKER_URL") in (broker_url, cache_url):
        raise SystemExit(f"--redis-db {args.redis_db} is the application's own broker: the soak empties it.")
    empty_broker(broker_url)
    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_soak"
    with admin_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": parsed._replace(path=f"/{name}").geturl(),
            "CELERY_BROKER_URL": broker_url,
            "CACHE_URL": cache_url,
            # Rate-limit counters of an earlier soak (same ids, same hour) must not count here.
            "CACHE_KEY_PREFIX": f"soak-{secrets.token_hex(4)}",
        }
    )
    try:
        import django

        django.setup()
        with tempfile.TemporaryDirectory(prefix="soak-") as scratch:
            result = soak(args, Path(scratch))
    finally:
        from django.db import connections

        connections.close_all()
        with admin_connection(url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    text = table(result)
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    if not all_met(result):
        raise SystemExit(1)
    return result


if __name__ == "__main__":
    main()
