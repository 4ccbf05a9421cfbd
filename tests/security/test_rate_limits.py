"""Posting is rate-limited per account and per client IP; sign-in by allauth; the admin's sign-in
goes through allauth. A forged X-Forwarded-For header does not buy a fresh allowance."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.ratelimits import client_ip
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, published_version

pytestmark = pytest.mark.django_db

TIGHT = {
    "comment": [("user", 3, 600), ("ip", 5, 600)],
    "proposal": [("user", 2, 600), ("ip", 5, 600)],
    "sign": [("user", 2, 600), ("ip", 5, 600)],
    "resend": [("user", 2, 600), ("ip", 5, 600)],
}


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.RATE_LIMITS = TIGHT


def _client_for(user, ip="203.0.113.7", **headers):
    client = Client(REMOTE_ADDR=ip, **headers)
    client.force_login(user)
    return client


def _comment(client, round, body="A thought", **extra):
    url = reverse("consultation:comment", kwargs={"round_pk": round.pk})
    return client.post(url, {"body": body, "target": "vision"}, **extra)


def test_a_leader_posting_too_many_comments_gets_a_readable_429_and_the_extra_comment_is_not_saved():
    round = open_round()
    client = _client_for(LeaderFactory())
    statuses = [_comment(client, round, body=f"Thought {n}").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    refused = _comment(client, round, body="One more")
    page = refused.content.decode()
    assert refused.status_code == 429
    assert "Too many attempts" in page and "post comments" in page and "nhsuk-heading-l" in page
    assert int(refused["Retry-After"]) > 0
    assert round.comments.count() == 3


def test_the_count_starts_again_when_the_window_turns(monkeypatch):
    # The limiter's clock stands still in every test (tests/conftest.py); here it is moved.
    from accounts import ratelimits

    turn = 1_800_000_000 - 1_800_000_000 % 600  # where one ten-minute window ends and the next begins
    monkeypatch.setattr(ratelimits, "clock", lambda: turn - 1)
    round = open_round()
    client = _client_for(LeaderFactory())
    statuses = [_comment(client, round, body=f"Thought {n}").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert _comment(client, round, body="One more")["Retry-After"] == "1"
    monkeypatch.setattr(ratelimits, "clock", lambda: turn)
    assert _comment(client, round, body="In the next window").status_code == 302
    assert round.comments.count() == 4


def test_reading_a_round_is_never_limited():
    round = open_round()
    client = _client_for(LeaderFactory())
    for n in range(3):
        _comment(client, round, body=f"Thought {n}")
    assert _comment(client, round).status_code == 429
    assert client.get(round.get_absolute_url()).status_code == 200


def test_the_limit_is_per_account_so_another_leader_elsewhere_can_still_comment():
    round = open_round()
    first = _client_for(LeaderFactory(), ip="203.0.113.7")
    for n in range(3):
        _comment(first, round, body=f"Thought {n}")
    assert _comment(first, round).status_code == 429
    other = _client_for(LeaderFactory(), ip="198.51.100.9")
    assert _comment(other, round).status_code == 302


def test_many_accounts_from_one_address_share_the_address_limit():
    round = open_round()
    statuses = []
    for n in range(6):
        statuses.append(_comment(_client_for(LeaderFactory()), round, body=f"Sock puppet {n}").status_code)
    assert statuses == [302] * 5 + [429]


def test_a_forged_x_forwarded_for_header_does_not_buy_a_fresh_allowance(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    round = open_round()
    statuses = [
        _comment(
            _client_for(LeaderFactory()), round, body=f"Spoof {n}", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]


def test_behind_one_trusted_proxy_only_the_address_the_proxy_saw_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    round = open_round()
    statuses = []
    for n in range(6):
        # The client forges the left part; the proxy appends the address it really saw.
        forged = f"10.0.0.{n}, 192.0.2.{n}, 203.0.113.50"
        client = _client_for(LeaderFactory(), ip="10.1.1.1")
        statuses.append(
            _comment(client, round, body=f"Via proxy {n}", HTTP_X_FORWARDED_FOR=forged).status_code
        )
    assert statuses == [302] * 5 + [429]


def test_client_ip_takes_the_nth_entry_from_the_right_of_x_forwarded_for(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4, 10.0.0.2", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"


def test_allauth_trusts_the_same_number_of_proxies_as_our_limits():
    from tests.test_settings import settings_under

    found = settings_under({"TRUSTED_PROXY_COUNT": "2"})
    assert (found["TRUSTED_PROXY_COUNT"], found["ALLAUTH_TRUSTED_PROXY_COUNT"]) == (2, 2)


def test_proposals_are_limited_per_account():
    round = open_round()
    commitment = round.version.commitments.order_by("pk").first()
    client = _client_for(LeaderFactory())
    url = reverse("consultation:propose", kwargs={"round_pk": round.pk})
    statuses = [
        client.post(
            url,
            {
                "kind": "rewording",
                "commitment": commitment.pk,
                "text": f"We will try wording number {n}.",
                "rationale": "Plainer.",
            },
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert round.proposals.count() == 2


def test_signing_attempts_are_limited_per_account_even_when_they_fail():
    version = published_version()
    client = _client_for(LeaderFactory())
    url = reverse("signatories:sign", kwargs={"slug": version.compact.slug})
    statuses = [client.post(url, {"full_name": ""}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    assert "Too many attempts" in client.post(url, {}).content.decode()
    assert client.get(url).status_code == 200


def test_confirmation_resends_are_limited_per_account():
    from tests.signatories.factories import SignatureFactory

    version = published_version()
    leader = LeaderFactory()
    signature = SignatureFactory(version=version, signer=leader, status="pending")
    client = _client_for(leader)
    url = reverse("signatories:resend", kwargs={"pk": signature.pk})
    statuses = [client.post(url).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


# --- sign-in (allauth) and the admin ---------------------------------------------------------------
def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while():
    leader = LeaderFactory(password="the-right-password-42")
    client = Client(REMOTE_ADDR="203.0.113.7")
    url = reverse("account_login")
    for _ in range(5):
        wrong = client.post(url, {"login": leader.email, "password": "a-wrong-guess"})
        assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post(url, {"login": leader.email, "password": "the-right-password-42"})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in right.content.decode()


def test_sign_in_attempts_past_the_address_limit_are_answered_429_with_the_styled_page(settings):
    # The real limit is 300 a minute (an NHS trust shares one address; test_shared_address.py);
    # a small one here shows what happens past it.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "30/m/ip"}
    client = Client(REMOTE_ADDR="203.0.113.7")
    url = reverse("account_login")
    statuses = [
        client.post(url, {"login": f"nobody{n}@example.org", "password": "guess"}).status_code
        for n in range(31)
    ]
    assert statuses[-1] == 429
    page = client.post(url, {"login": "x@example.org", "password": "guess"})
    assert page.status_code == 429 and "Too many attempts" in page.content.decode()


def test_the_admin_sign_in_sends_people_to_the_rate_limited_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/"
    assert client.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 302
