"""Redis down, Redis restarted: gunicorn, a Celery worker and a Redis of the test's own, on PostgreSQL.

With Redis down, reading, voting and signing still work (the cache degrades, the broker's refusal
is deferred to a reconciler); once Redis is back the confirmation e-mail goes out, once. A Redis
restart that loses queued work loses nothing either, because the reconcilers re-send what the
database says is owed.
"""

import http.client
import secrets
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from email import message_from_bytes
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from compact.models import PdfExport
from consultation import services
from consultation.models import Proposal, Vote
from signatories.models import Signature
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, StaffFactory, published_version
from tests.signatories.factories import SignatureFactory

from .servers import database_url, free_port, gunicorn
from .worker import app_on, celery_worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class PrivateRedis:
    """A Redis of this test's own, so stopping it disturbs nothing else; it keeps nothing on disk."""

    def __init__(self, keep_in=None):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        # A folder: what Redis holds is written there when it stops and read back when it starts,
        # as a Redis with persistence would after a restart.
        self.keep_in = keep_in

    def start(self):
        kept = ["--dir", str(self.keep_in), "--dbfilename", "kept.rdb"] if self.keep_in else []
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                *kept,
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: self.ping(), timeout=20)

    def command(self, line):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(line.encode() + b"\r\n")
            return sock.recv(4096)

    def stop(self):
        if self.process and self.keep_in:
            assert self.command("SAVE").startswith(b"+OK")
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def queued(self):
        """Messages waiting in every queue (settings.CELERY_TASK_QUEUES)."""
        waiting = 0
        for queue in settings.CELERY_TASK_QUEUES:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(f"LLEN {queue.name}\r\n".encode())
                waiting += int(sock.recv(32).decode().strip().lstrip(":"))
        return waiting


@pytest.fixture
def redis_server():
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed for the outage tests", pytrace=False)
    server = PrivateRedis()
    yield server
    server.stop()


@contextmanager
def web_server(broker_url, media_root, **extra_env):
    """gunicorn, as in production, with the broker (and so the cache) on the given Redis."""
    env = {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CACHE_URL": broker_url[: broker_url.rindex("/")] + "/1",
        "MEDIA_ROOT": str(media_root),
        "DJANGO_DEBUG": "0",
        **extra_env,
    }
    with gunicorn(env=env) as port:
        yield port


def request(port, method, path, cookie="", data=None, csrf=""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    body = urlencode({**data, "csrfmiddlewaretoken": csrf}) if data is not None else None
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}/"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read().decode(errors="replace")


def signed_in(user):
    """A session cookie and CSRF secret for `user`, as if they had signed in."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    csrf = secrets.token_hex(16)
    return f"sessionid={session.session_key}; csrftoken={csrf}", csrf


def sign(port, user, version):
    cookie, csrf = signed_in(user)
    form = {"full_name": user.full_name, "role": "Chair", "on_behalf": "personal", "consent": "on"}
    return request(
        port, "POST", reverse("signatories:sign", kwargs={"slug": version.compact.slug}), cookie, form, csrf
    )


def mails_to(folder, address):
    found = []
    for path in folder.glob("*.log") if folder.exists() else []:
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip() and address in (message_from_bytes(raw.strip()).get("To") or ""):
                found.append(raw)
    return found


def reconcile(broker_url):
    """What Celery beat does every five minutes."""
    app = app_on(broker_url)
    app.send_task("signatories.tasks.reconcile_mail")
    app.send_task("compact.tasks.reconcile_pdfs")


def test_with_redis_down_reading_voting_and_signing_work_and_the_email_goes_out_once_it_is_back(
    redis_server, tmp_path
):
    staff = StaffFactory()
    version = published_version(staff=staff)
    round = open_round(staff=staff)
    commitment = round.version.commitments.first()
    voter, signer = LeaderFactory(), LeaderFactory()
    # A vote needs other wording to choose between.
    services.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Other words.",
        rationale="Clearer.",
    )
    outbox = tmp_path / "mail"

    assert not redis_server.ping()  # never started: as good as down
    with web_server(redis_server.url, tmp_path) as port:
        status, page = request(port, "GET", f"/compacts/{version.compact.slug}/")
        assert status == 200 and version.compact.title in page
        cookie, csrf = signed_in(voter)
        assert request(port, "GET", f"/rounds/{round.pk}/", cookie)[0] == 200
        vote = {"commitment": commitment.pk, "choice": "current"}
        assert request(port, "POST", f"/rounds/{round.pk}/votes/", cookie, vote, csrf)[0] in (200, 302)
        assert Vote.objects.filter(voter=voter, commitment=commitment).count() == 1
        assert sign(port, signer, version)[0] == 302
    signature = Signature.objects.get(signer=signer)
    assert signature.confirmation_sent_at is None  # owed, not lost

    redis_server.start()
    with celery_worker(
        tmp_path, broker_url=redis_server.url, EMAIL_FILE_PATH=outbox, RECONCILE_AFTER_SECONDS=0
    ):
        reconcile(redis_server.url)
        wait_for(lambda: mails_to(outbox, signer.email), timeout=60)
        reconcile(redis_server.url)  # a second round of the beat finds nothing owed
        wait_for(lambda: not PdfExport.objects.waiting().filter(version=version).exists(), timeout=90)
    assert len(mails_to(outbox, signer.email)) == 1
    assert Signature.objects.get(pk=signature.pk).confirmation_sent_at is not None


def test_a_redis_restart_that_loses_queued_work_loses_nothing(redis_server, tmp_path):
    version = published_version(staff=StaffFactory())
    signer = LeaderFactory()
    outbox = tmp_path / "mail"

    redis_server.start()
    with web_server(redis_server.url, tmp_path) as port:
        assert sign(port, signer, version)[0] == 302
    assert redis_server.queued() == 1  # the confirmation e-mail, waiting for a worker
    redis_server.stop()
    redis_server.start()  # keeps nothing on disk: the queue is gone
    assert redis_server.queued() == 0

    with celery_worker(
        tmp_path, broker_url=redis_server.url, EMAIL_FILE_PATH=outbox, RECONCILE_AFTER_SECONDS=0
    ):
        reconcile(redis_server.url)
        wait_for(lambda: mails_to(outbox, signer.email), timeout=60)
        ready = wait_for(
            lambda: PdfExport.objects.filter(version=version, status=PdfExport.Status.READY).first(),
            timeout=90,
        )
        reconcile(redis_server.url)
        time.sleep(3)  # time enough for a duplicate, were one to be sent
    assert len(mails_to(outbox, signer.email)) == 1
    assert list(PdfExport.objects.filter(version=version)) == [ready]


def test_changes_made_while_redis_is_down_are_seen_at_once_after_it_comes_back(tmp_path):
    """Pages and what they are cached under are in Redis and in the worker's memory; the
    generations that pick them are in PostgreSQL, raised by each change in its own transaction,
    and who is academy staff is read per request. So a change made while Redis is away cannot be
    hidden by a copy cached before it, even when Redis comes back with everything it held."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed for the outage tests", pytrace=False)
    (tmp_path / "redis").mkdir()
    redis = PrivateRedis(keep_in=tmp_path / "redis")
    staff, leader = StaffFactory(), LeaderFactory()
    version = published_version(staff=staff)
    signature = SignatureFactory(version=version, organisation=None, full_name="Withdrawn In An Outage")
    round = open_round(staff=staff)
    commitment = round.version.commitments.first()
    public_page = version.compact.get_absolute_url()
    staff_page = reverse("consultation:staff_round", kwargs={"pk": round.pk})
    signer_cookie, signer_csrf = signed_in(signature.signer)
    leader_cookie, leader_csrf = signed_in(leader)
    staff_cookie, _ = signed_in(staff)

    redis.start()
    try:
        with web_server(redis.url, tmp_path, STAFF_REQUIRE_MFA="0") as port:
            for _ in range(2):  # rendered, then served from the caches
                assert "Withdrawn In An Outage" in request(port, "GET", public_page)[1]
                assert request(port, "GET", round.get_absolute_url(), leader_cookie)[0] == 200
                assert request(port, "GET", staff_page, staff_cookie)[0] == 200

            redis.stop()  # what it held is kept on disk, and read back when it starts again
            withdraw = reverse("signatories:withdraw", kwargs={"pk": signature.pk})
            assert (
                request(
                    port, "POST", withdraw, signer_cookie, {"confirmed": "yes", "reason": ""}, signer_csrf
                )[0]
                == 302
            )
            proposal_form = {
                "kind": "rewording",
                "commitment": commitment.pk,
                "text": "Wording proposed while Redis was down.",
                "rationale": "Clearer.",
            }
            propose = reverse("consultation:propose", kwargs={"round_pk": round.pk})
            assert request(port, "POST", propose, leader_cookie, proposal_form, leader_csrf)[0] == 302
            staff.groups.clear()  # no longer academy staff, as an administrator would do it
            # With Redis away the site still serves, from the database.
            status, page = request(port, "GET", public_page)
            assert status == 200 and "Withdrawn In An Outage" not in page

            redis.start()
            assert b"db1:keys=" in redis.command("INFO keyspace")  # the pages cached before are back
            proposal = Proposal.objects.get(author=leader)
            status, page = request(port, "GET", public_page)
            assert status == 200 and "Withdrawn In An Outage" not in page
            status, page = request(port, "GET", round.get_absolute_url(), leader_cookie)
            assert status == 200 and f"Proposal #{proposal.pk}" in page
            assert request(port, "GET", staff_page, staff_cookie)[0] == 403
    finally:
        redis.stop()
