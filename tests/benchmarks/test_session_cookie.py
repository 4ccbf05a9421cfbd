"""The benchmark signs its leaders in through whichever session engine settings choose."""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client, RequestFactory

from benchmarks.scale_run import session_cookie
from tests.factories import LeaderFactory

pytestmark = pytest.mark.django_db

ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.signed_cookies",
]


def csrf_refusal(cookie, token):
    """What Django's CSRF check says about a form POST carrying this cookie and token (None: accepted)."""
    request = RequestFactory().post("/", {"csrfmiddlewaretoken": token}, headers={"cookie": cookie})
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    middleware = CsrfViewMiddleware(lambda r: HttpResponse())
    middleware.process_request(request)
    return middleware.process_view(request, lambda r: HttpResponse(), (), {})


@pytest.mark.parametrize("csrf_in_session", [False, True])
@pytest.mark.parametrize("engine", ENGINES)
def test_the_cookie_signs_the_leader_in_and_its_token_passes_csrf(settings, engine, csrf_in_session):
    settings.SESSION_ENGINE = engine
    settings.CSRF_USE_SESSIONS = csrf_in_session
    leader = LeaderFactory()

    cookie, token = session_cookie(leader)

    response = Client().get("/account/profile/", headers={"cookie": cookie})
    assert response.status_code == 200
    assert response.wsgi_request.user == leader
    assert csrf_refusal(cookie, token) is None
    assert csrf_refusal(cookie, "x" * 32) is not None  # the check is real: another token is refused


@pytest.mark.parametrize("csrf_in_session", [False, True])
def test_a_cookie_without_a_leader_only_carries_the_csrf_secret(settings, csrf_in_session):
    settings.CSRF_USE_SESSIONS = csrf_in_session

    cookie, token = session_cookie()

    response = Client().get("/account/profile/", headers={"cookie": cookie})
    assert response.status_code == 302  # not signed in
    assert csrf_refusal(cookie, token) is None
