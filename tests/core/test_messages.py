"""Messages come back exactly as Django's own storage would return them, whether signed afresh or
remembered from an earlier list."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage as DjangoCookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from core.messages import CookieStorage, FallbackStorage


def stored(storage_class, items):
    request = RequestFactory().get("/")
    request.session = {}
    storage = storage_class(request)
    for level, text, tags in items:
        storage.add(level, text, extra_tags=tags)
    response = HttpResponse()
    storage.update(response)
    return response.cookies.get("messages")


@pytest.mark.parametrize(
    "items",
    [
        [(messages.SUCCESS, "Your vote is saved. You can change it until the round closes.", "vote-saved")],
        [(messages.ERROR, "Café – “quoted” <b>&", ""), (messages.INFO, "Second", "x y")],
    ],
)
def test_the_cookie_is_djangos_whether_signed_afresh_or_remembered(items):
    djangos = stored(DjangoCookieStorage, items).value
    assert stored(CookieStorage, items).value == djangos  # signed afresh
    assert stored(CookieStorage, items).value == djangos  # remembered


def test_the_next_request_reads_the_messages_back(settings):
    items = [(messages.SUCCESS, "Saved", "vote-saved")]
    cookie = stored(FallbackStorage, items)
    stored(FallbackStorage, items)  # the remembered cookie this time
    request = RequestFactory().get("/", HTTP_COOKIE=f"messages={cookie.value}")
    request.session = {}
    read = [(m.level, m.message, m.extra_tags) for m in FallbackStorage(request)]
    assert read == items


def test_another_signing_key_signs_afresh(settings):
    items = [(messages.SUCCESS, "Saved", "")]
    first = stored(CookieStorage, items).value
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert stored(CookieStorage, items).value != first
    assert stored(CookieStorage, items).value == stored(DjangoCookieStorage, items).value
