"""The kept round page's CSRF token: Django's own check accepts it, and it is masked afresh."""

from collections import Counter

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.test import Client, RequestFactory

from core.csrf import masked_token


def _request_with_secret(secret):
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret
    return request


def test_the_token_unmasks_to_the_cookies_secret_and_renews_the_cookie():
    secret = "a" * 10 + "Z9" * 11
    request = _request_with_secret(secret)

    token = masked_token(request)

    assert len(token) == CSRF_TOKEN_LENGTH and set(token) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_every_token_has_a_fresh_mask_drawn_from_the_whole_alphabet():
    request = _request_with_secret("x" * CSRF_SECRET_LENGTH)
    masks = [masked_token(request)[:CSRF_SECRET_LENGTH] for _ in range(2000)]

    assert len(set(masks)) == len(masks)
    counts = Counter("".join(masks))  # 64,000 draws: about 1,032 of each of 62 characters
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert max(counts.values()) < 1.25 * min(counts.values())  # no character favoured


def test_a_first_visit_without_a_secret_gets_one_as_django_would():
    request = RequestFactory().get("/")

    token = masked_token(request)

    assert len(request.META["CSRF_COOKIE"]) == CSRF_SECRET_LENGTH
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]


@pytest.mark.django_db
def test_djangos_csrf_check_accepts_the_token_and_refuses_a_tampered_one():
    client = Client(enforce_csrf_checks=True)
    secret = "Q" * CSRF_SECRET_LENGTH
    client.cookies["csrftoken"] = secret
    token = masked_token(_request_with_secret(secret))

    accepted = client.post("/accounts/login/", {"csrfmiddlewaretoken": token, "login": "x", "password": "y"})
    tampered = token[:-1] + ("a" if token[-1] != "a" else "b")
    refused = client.post(
        "/accounts/login/", {"csrfmiddlewaretoken": tampered, "login": "x", "password": "y"}
    )

    assert accepted.status_code != 403
    assert refused.status_code == 403
