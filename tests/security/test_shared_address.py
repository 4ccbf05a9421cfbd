"""NHS staff reach the internet through a few shared addresses: a whole trust (sometimes a region)
can arrive from one. Limits per address are set for that; lock-outs are per account and address,
so one person (or one attacker) never locks out everyone behind the same address.

The numbers, as docs/security.md states them:
- sign-in: 300 attempts a minute per address; wrong passwords 100 a minute per address;
  5 wrong in 5 minutes locks that account out from that address; past 20 wrong in an hour the
  account's attempts from everywhere are paced, one every 30 seconds (slowed, never locked);
- sign-up 60 a minute per address; password reset 60 a minute per address (5 a minute per address
  typed);
- posting, per address: 600 comments in 10 minutes, 300 proposals, 500 signatures, 300 confirmation
  resends and 300 reflections an hour (per account: 20 comments in 10 minutes, 10 proposals,
  5 signatures, 10 resends, 10 reflections an hour).
"""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.ratelimits import DEFAULT_LIMITS
from tests.factories import LeaderFactory, published_version

pytestmark = pytest.mark.django_db

TRUST = "203.0.113.7"  # one NHS trust's shared address
ELSEWHERE = "198.51.100.20"
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "the-right-password-42"


def _sign_in(client, email, password):
    client.post(reverse("account_login"), {"login": email, "password": password})
    return "_auth_user_id" in client.session


def test_thirty_colleagues_mistyping_at_one_trust_do_not_lock_out_a_colleague_there():
    client = Client(REMOTE_ADDR=TRUST)
    for colleague in LeaderFactory.create_batch(30):
        assert not _sign_in(client, colleague.email, "a-typo")
    someone = LeaderFactory(password=PASSWORD)
    assert _sign_in(Client(REMOTE_ADDR=TRUST), someone.email, PASSWORD)


def test_a_guesser_locks_an_account_out_only_from_the_guessers_address():
    victim = LeaderFactory(password=PASSWORD)
    guesser = Client(REMOTE_ADDR="192.0.2.66")
    for _ in range(5):
        assert not _sign_in(guesser, victim.email, "a-guess")
    assert not _sign_in(guesser, victim.email, PASSWORD)  # locked out there, even when right
    assert _sign_in(Client(REMOTE_ADDR=TRUST), victim.email, PASSWORD)  # the owner, at work


def test_guesses_spread_over_many_addresses_slow_the_account_after_twenty_but_never_lock_its_owner_out():
    victim = LeaderFactory(password=PASSWORD)
    for n in range(20):
        assert not _sign_in(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), victim.email, "a-guess")
    # The owner, at work, still signs in (before: locked out everywhere for an hour).
    assert _sign_in(Client(REMOTE_ADDR=TRUST), victim.email, PASSWORD)
    # A guesser past the ceiling gets one attempt, then waits: the next, even right, is refused.
    assert not _sign_in(Client(REMOTE_ADDR="192.0.2.99"), victim.email, "a-guess")
    assert not _sign_in(Client(REMOTE_ADDR="192.0.2.100"), victim.email, PASSWORD)


def test_a_hundred_sign_ins_in_a_minute_from_one_trust_all_succeed():
    leaders = LeaderFactory.create_batch(100, password=PASSWORD)
    for leader in leaders:
        assert _sign_in(Client(REMOTE_ADDR=TRUST), leader.email, PASSWORD), leader.email


def test_sixty_people_at_one_trust_can_sign_in_the_same_hour():
    version = published_version()
    url = reverse("signatories:sign", kwargs={"slug": version.compact.slug})
    statuses = []
    for leader in LeaderFactory.create_batch(60):
        client = Client(REMOTE_ADDR=TRUST)
        client.force_login(leader)
        data = {"full_name": leader.full_name, "role": "Director", "on_behalf": "personal", "consent": "on"}
        statuses.append(client.post(url, data).status_code)
    assert statuses == [302] * 60


def test_the_limits_in_force_are_the_ones_the_readme_states():
    readme = (ROOT / "docs" / "security.md").read_text()
    for action, rate in settings.ACCOUNT_RATE_LIMITS.items():
        assert f"`{rate}`" in readme, f"docs/security.md does not state the {action} limit {rate}"
    for action, limits in DEFAULT_LIMITS.items():
        for scope, limit, window in limits:
            stated = f"{action}: {limit} per {scope} per {window // 60} min"
            assert f"`{stated}`" in readme, f"docs/security.md does not state `{stated}`"


def test_the_compose_file_trusts_exactly_the_one_tls_proxy_it_needs_and_hides_the_app_behind_it():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    assert environment["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    # Reachable only through the proxy: a client talking to gunicorn directly could write its own
    # X-Forwarded-For. The proxy replaces the header with the address it saw (deploy/Caddyfile).
    assert "ports" not in compose["services"]["web"]
    assert compose["services"]["proxy"]["image"].startswith("caddy:")
