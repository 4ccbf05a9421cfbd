"""A cache of the public compact page for visitors, invalidated by a generation counter.

Anything that changes what a visitor sees on a compact's pages (a publication, a signature
confirmed or withdrawn, a round opening or closing, a PDF becoming ready) bumps the compact's
generation; cached pages carry the generation in their key, so a bump makes them unreachable at
once, on every worker, without knowing which pages were cached.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

PAGE_TTL = 600
# A page number is cached only up to here: past it (or not a number) the page renders uncached,
# so a walk through ?page=1…10⁹ cannot fill the cache with copies of the last page.
CACHED_PAGES_UP_TO = 1000

# slug → compact id, learnt by each worker on its first miss: a compact's slug is set when it is
# created and never changes, and a deleted compact bumps its generation, so a stale entry here
# finds no page and the view answers (404) as usual.
_compact_ids: dict[str, int] = {}


def _generation_key(compact_id: int) -> str:
    return f"compact:generation:{compact_id}"


def generation(compact_id: int) -> int:
    value = cache.get(_generation_key(compact_id))
    if value is None:
        cache.add(_generation_key(compact_id), 1, timeout=None)
        value = cache.get(_generation_key(compact_id)) or 1
    return int(value)


def bump(compact_id: int) -> None:
    try:
        cache.incr(_generation_key(compact_id))
    except ValueError:
        cache.set(_generation_key(compact_id), 2, timeout=None)


def cacheable(request: HttpRequest, params: tuple[str, ...] = ()) -> bool:
    """Only what every visitor sees alike: signed out, no one-off messages, a plain GET (with at
    most the query parameters named in `params`)."""
    from django.contrib.messages import get_messages

    if request.method != "GET" or request.user.is_authenticated or set(request.GET) - set(params):
        return False
    storage = get_messages(request)
    pending = len(getattr(storage, "_loaded_messages", ()))
    if not isinstance(storage, list):
        storage.used = False  # looking is not reading: the messages stay for the page that shows them
    return pending == 0 and not request.COOKIES.get("messages")


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

    A hit is one cache round trip and no query: the slug's compact id is known to the worker,
    and the copy is read together with the compact's generation and served only if it was
    rendered at that generation. The generation is read *before* rendering a miss, so a page
    that a change overtook while it rendered is stored under the old number and never served.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
            variant = _variant(name, request, kwargs, params) if cacheable(request, params) else None
            if variant is None:
                return view(request, slug, **kwargs)
            compact_id = _compact_ids.get(slug)
            if compact_id is None:
                from .models import Compact

                compact_id = Compact.objects.filter(slug=slug).values_list("pk", flat=True).first()
                if compact_id is None:
                    return view(request, slug, **kwargs)  # its 404
                _compact_ids[slug] = compact_id
            key = f"compact:page:{compact_id}:{variant}"
            stored = cache.get_many([_generation_key(compact_id), key])
            current = stored.get(_generation_key(compact_id))
            copy = stored.get(key)
            if current is not None and isinstance(copy, tuple) and copy[0] == current:
                return HttpResponse(copy[1])
            rendered_at = current if current is not None else generation(compact_id)
            response = view(request, slug, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                cache.set(key, (rendered_at, response.content), PAGE_TTL)
            return response

        return wrapper

    return decorate
