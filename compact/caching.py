"""Visitors' pages of a compact, cached by standard means under the compact's generation.

`Compact.generation` is a column, raised by every service that changes what a visitor sees (a
publication, a signature confirmed or withdrawn, a round opening or closing, a PDF ready or
withdrawn, a reflection), in the same transaction as the change. A visitor's request reads it
(one small query, which also finds the compact by its slug), and then:

- HTTP caching: the page's ETag is made from the generation, so a browser (or a proxy) that
  asks again with `If-None-Match` gets a 304 and no body until something changes;
- Django's cache: the rendered page is stored under a key holding the generation, in this
  process's memory (the `pages` alias) and in the shared cache (Redis), so it is rendered once
  per generation, not once per visitor.

A lost or stale cache entry can never be served for changed data: the number that picks it is
read from the database on every request. If Redis is down, pages render from the database.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag

from .models import Compact

PAGE_TTL = 600
# A page number is cached only up to here: past it (or not a number) the page renders uncached,
# so a walk through ?page=1…10⁹ cannot fill the cache with copies of the last page.
CACHED_PAGES_UP_TO = 1000


def cacheable(request: HttpRequest, params: tuple[str, ...] = ()) -> bool:
    """Only what every visitor sees alike: signed out, no one-off messages, a plain GET (with at
    most the query parameters named in `params`)."""
    if request.method != "GET" or request.user.is_authenticated or set(request.GET) - set(params):
        return False
    return not messages_waiting(request)


def messages_waiting(request: HttpRequest) -> bool:
    """One-off messages wait for this request's page (which then must not be a cached copy)."""
    storage = get_messages(request)
    # Those read from the request, and any added while handling it (which a page rendered now shows).
    pending = len(getattr(storage, "_loaded_messages", ())) + len(getattr(storage, "_queued_messages", ()))
    if not isinstance(storage, list):
        storage.used = False  # looking is not reading: the messages stay for the page that shows them
    return pending > 0 or bool(request.COOKIES.get("messages"))


def _variant(name: str, request: HttpRequest, kwargs: dict[str, Any], params: tuple[str, ...]) -> str | None:
    parts = [name, *(f"{key}={value}" for key, value in sorted(kwargs.items()))]
    for param in params:
        value = request.GET.get(param, "")
        if param == "page" and value:
            if not value.isdigit() or not 1 <= int(value) <= CACHED_PAGES_UP_TO:
                return None
            value = str(int(value))
        parts.append(f"{param}={value}")
    return ":".join(parts)


def _headers(response: HttpResponse, etag: str) -> HttpResponse:
    response.headers["ETag"] = etag
    # Anyone may keep it, but must ask again before each use: a withdrawn signature disappears
    # at once, and asking again costs a 304 while nothing has changed.
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


def visitor_page(name: str, *, params: tuple[str, ...] = ()) -> Callable[..., Any]:
    """Serve signed-out visitors a compact's page by its generation: a 304 to a browser that has
    it, else a copy from the cache, else the view's page (then cached).

    Signed-in people, other methods, unknown query parameters and requests with messages waiting
    get the view's page, never a copy (and never a public cache header)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
            variant = _variant(name, request, kwargs, params) if cacheable(request, params) else None
            if variant is None:
                return view(request, slug, **kwargs)
            found = Compact.objects.filter(slug=slug).values_list("pk", "generation").first()
            if found is None:
                return view(request, slug, **kwargs)  # its 404
            compact_id, generation = found
            # Read before rendering: a change committed while the page renders raises the number,
            # so a page it overtook is stored under the old one and never served for the new.
            digest = hashlib.blake2b(variant.encode(), digest_size=8).hexdigest()
            etag = quote_etag(f"{compact_id}-{generation}-{digest}")
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                return _headers(not_modified, etag)
            key = f"compact:page:{compact_id}:{generation}:{variant}"
            content = caches["pages"].get(key)
            if content is None:
                content = cache.get(key)
                if content is not None:
                    caches["pages"].set(key, content)
            if content is None:
                response = view(request, slug, **kwargs)
                # A page that set a cookie (a CSRF token for a form on it) is this visitor's own.
                if response.status_code != 200 or response.streaming or response.cookies:
                    return response
                content = response.content
                cache.set(key, content, PAGE_TTL)
                caches["pages"].set(key, content)
                return _headers(response, etag)
            return _headers(HttpResponse(content), etag)

        return wrapper

    return decorate
