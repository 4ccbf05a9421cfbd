"""Mail through the outbox on PostgreSQL, with a real Celery worker on Redis and a real SMTP server
(tests/mailserver.py): a round's notices never hold up a vote or a confirmation, a relay that
hangs up part-way leaves everyone with exactly one notice, and a worker killed mid-batch loses
none of it."""

import os
import re
import signal
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from consultation import services as consultation
from consultation.models import Proposal
from consultation.selectors import eligible_leaders
from notifications import outbox
from notifications.models import Outgoing
from signatories import services as signing
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, StaffFactory, published_version
from tests.mailserver import smtp_server

from .worker import celery_worker, children_of, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def many_leaders(count):
    """Leaders with verified addresses, written in two statements (the factory takes a while)."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"leader{n}@example.org", full_name=f"Leader {n}", is_active=True)
        for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    return users


def worker_env(relay, **extra):
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": relay.port,
        "EMAIL_USE_TLS": "0",
        "EMAIL_TIMEOUT": "10",
        "MAIL_RETRY_BASE_SECONDS": "1",
        **extra,
    }


def all_sent(expected):
    return Outgoing.objects.filter(status=Outgoing.Status.SENT).count() >= expected


def test_a_vote_and_a_confirmation_are_not_held_up_by_500_notices_through_a_slow_relay(tmp_path):
    staff = StaffFactory()
    many_leaders(500)
    voter, signer = LeaderFactory(), LeaderFactory()
    version = published_version(staff=staff)
    with smtp_server(delay=0.02) as relay, celery_worker(tmp_path, **worker_env(relay)):
        round = open_round(staff=staff)  # its opening notices are written and sent by the worker
        expected = eligible_leaders(round).count()
        assert expected >= 500
        wait_for(lambda: relay.count() >= 20, timeout=120)  # sending is under way

        # A leader votes while the relay is busy with the round's notices.
        commitment = round.version.commitments.first()
        proposal = consultation.propose(
            actor=voter,
            round=round,
            kind=Proposal.Kind.REWORDING,
            commitment=commitment,
            text="x",
            rationale="y",
        )
        started = time.monotonic()
        consultation.cast_vote(actor=voter, round=round, commitment=commitment, choice=proposal)
        vote_took = time.monotonic() - started
        sent_when_voted = relay.count()

        # Someone signs: their confirmation is transactional, so it overtakes the queued notices.
        signing.sign(
            actor=signer, version=version, full_name="Sam Signer", role="Chief executive", consent=True
        )
        link = wait_for(lambda: _confirmation_link(relay, signer.email), timeout=60)
        started = time.monotonic()
        signature = signing.confirm(token=link.rsplit("/", 2)[-2])
        confirm_took = time.monotonic() - started
        sent_when_confirmed = relay.count()

        wait_for(lambda: relay.count() >= expected + 1, timeout=240)
    # Each finished while the notices were still going out, and in a time no lock wait explains.
    assert sent_when_voted < expected and sent_when_confirmed < expected
    assert vote_took < 5 and confirm_took < 5
    assert signature.status != "pending"
    sent = [(m["To"], m["Subject"]) for m in relay.messages]
    assert len(set(sent)) == len(sent)  # nobody was sent the same e-mail twice


def _confirmation_link(relay, address):
    for message in list(relay.messages):
        if message["To"] == address:
            body = message.get_body(preferencelist=("plain",)).get_content()
            found = re.search(r"https?://\S+/signatures/confirm/\S+/", body)
            if found:
                return found.group(0)
    return None


def test_a_relay_that_drops_after_six_leaves_every_recipient_with_exactly_one_notice(tmp_path):
    staff = StaffFactory()
    many_leaders(40)
    with smtp_server(drop_after=6) as relay, celery_worker(tmp_path, **worker_env(relay)):
        round = open_round(staff=staff)
        expected = sorted(eligible_leaders(round).values_list("email", flat=True))
        wait_for(lambda: all_sent(len(expected)), timeout=180)
    assert relay.dropped
    assert sorted(relay.recipients()) == expected  # each exactly once, the dropped one included
    assert Outgoing.objects.filter(attempts=2).count() == 1  # only the dropped message was retried


def test_a_worker_killed_mid_batch_loses_no_notice(tmp_path, settings):
    settings.MAIL_CLAIM_SECONDS = 3
    staff = StaffFactory()
    many_leaders(40)
    with (
        smtp_server(delay=0.2) as relay,
        celery_worker(tmp_path, **worker_env(relay, MAIL_CLAIM_SECONDS="3")) as worker,
    ):
        round = open_round(staff=staff)
        expected = sorted(eligible_leaders(round).values_list("email", flat=True))
        wait_for(lambda: relay.count() >= 3, timeout=120)
        (child,) = wait_for(lambda: children_of(worker.pid))
        os.kill(child, signal.SIGKILL)  # the pool process dies holding a claimed batch
        time.sleep(settings.MAIL_CLAIM_SECONDS + 1)
        # Beat's reconciler, run now: it takes back the dead worker's claim.
        outbox.reconcile(older_than=timedelta(0))
        wait_for(lambda: all_sent(len(expected)), timeout=180)
    got = relay.recipients()
    assert sorted(set(got)) == expected  # none lost
    assert len(got) - len(set(got)) <= 1  # at most the one message in flight when it died
