"""A cache of the public compact page for visitors, invalidated by a generation counter.

Anything that changes what a visitor sees on a compact's pages (a publication, a signature
confirmed or withdrawn, a round opening or closing, a PDF becoming ready) bumps the compact's
generation; cached pages carry the generation in their key, so a bump makes them unreachable at
once, on every worker, without knowing which pages were cached.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from .models import Compact

PAGE_TTL = 600
# A page number is cached only up to here: past it (or not a number) the page renders uncached,
# so a walk through ?page=1…10⁹ cannot fill the cache with copies of the last page.
CACHED_PAGES_UP_TO = 1000

# slug → compact id, learnt by each worker: a compact's slug is set when it is created and never
# changes. A deleted compact bumps its generation, so an entry left here finds no valid copy; the
# miss that follows looks the slug up again, and copies are stored only under the id it finds.
_compact_ids: dict[str, int] = {}

# The copies this worker served last, with the generation each was rendered at: checked against
# the shared generation on every request, so a bump elsewhere is seen here at once.
_near: dict[str, tuple[int, bytes]] = {}
NEAR_COPIES = 64


def _keep_near(key: str, copy: tuple[int, bytes]) -> None:
    if len(_near) >= NEAR_COPIES and key not in _near:
        _near.pop(next(iter(_near)))  # the oldest kept: dicts keep insertion order
    _near[key] = copy


def generation_key(compact_id: int) -> str:
    return f"compact:generation:{compact_id}"


def _fresh_number() -> int:
    # A generation that was lost (cache flushed, key evicted) starts again from a number no copy
    # was ever stored under, not from 1: a worker may still hold a copy rendered at 1.
    return time.time_ns()


def generation(compact_id: int) -> int:
    value = cache.get(generation_key(compact_id))
    if value is None:
        cache.add(generation_key(compact_id), _fresh_number(), timeout=None)
        value = cache.get(generation_key(compact_id)) or _fresh_number()
    return int(value)


def bump(compact_id: int) -> None:
    try:
        cache.incr(generation_key(compact_id))
    except ValueError:
        cache.set(generation_key(compact_id), _fresh_number(), timeout=None)


def _page_key(compact_id: int, variant: str) -> str:
    return f"compact:page:{compact_id}:{variant}"


def _cached_copy(compact_id: int, variant: str) -> bytes | None:
    """The page as rendered at the compact's current generation, from this worker's memory or
    the shared cache; None when there is none."""
    current = cache.get(generation_key(compact_id))
    if current is None:
        return None
    key = _page_key(compact_id, variant)
    copy = _near.get(key)
    if copy is None or copy[0] != current:
        copy = cache.get(key)
        if not (isinstance(copy, tuple) and copy[0] == current):
            return None
        _keep_near(key, copy)
    return copy[1]


def cacheable(request: HttpRequest, params: tuple[str, ...] = ()) -> bool:
    """Only what every visitor sees alike: signed out, no one-off messages, a plain GET (with at
    most the query parameters named in `params`)."""
    if request.method != "GET" or request.user.is_authenticated or set(request.GET) - set(params):
        return False
    return not messages_waiting(request)


def messages_waiting(request: HttpRequest) -> bool:
    """One-off messages wait for this request's page (which then must not be a kept copy)."""
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


def visitor_page(name: str, *, params: tuple[str, ...] = ()) -> Callable[..., Any]:
    """Serve signed-out visitors a copy of a compact's page from the cache.

    A hit is one small cache round trip and no query: the slug's compact id is known to the
    worker, the compact's generation is read from the shared cache, and the copy, kept in the
    worker's memory as well (a national compact page is 120 kB, dear to fetch on every request),
    is served only if it was rendered at that generation. The generation is read *before*
    rendering a miss, so a page that a change overtook while it rendered is stored under the old
    number and never served.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
            variant = _variant(name, request, kwargs, params) if cacheable(request, params) else None
            if variant is None:
                return view(request, slug, **kwargs)
            compact_id = _compact_ids.get(slug)
            if compact_id is not None:
                hit = _cached_copy(compact_id, variant)
                if hit is not None:
                    return HttpResponse(hit)
            compact_id = Compact.objects.filter(slug=slug).values_list("pk", flat=True).first()
            if compact_id is None:
                return view(request, slug, **kwargs)  # its 404
            _compact_ids[slug] = compact_id
            rendered_at = generation(compact_id)  # before rendering: see above
            response = view(request, slug, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                copy = (rendered_at, response.content)
                cache.set(_page_key(compact_id, variant), copy, PAGE_TTL)
                _keep_near(_page_key(compact_id, variant), copy)
            return response

        return wrapper

    return decorate
