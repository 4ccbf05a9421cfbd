"""A cache of the public compact page for visitors, invalidated by a generation counter.

Anything that changes what a visitor sees on a compact's pages (a publication, a signature
confirmed or withdrawn, a round opening or closing, a PDF becoming ready) bumps the compact's
generation; cached pages carry the generation in their key, so a bump makes them unreachable at
once, on every worker, without knowing which pages were cached.
"""

from django.core.cache import cache

PAGE_TTL = 600


def _generation_key(compact_id):
    return f"compact:generation:{compact_id}"


def generation(compact_id):
    value = cache.get(_generation_key(compact_id))
    if value is None:
        cache.add(_generation_key(compact_id), 1, timeout=None)
        value = cache.get(_generation_key(compact_id)) or 1
    return value


def bump(compact_id: int) -> None:
    try:
        cache.incr(_generation_key(compact_id))
    except ValueError:
        cache.set(_generation_key(compact_id), 2, timeout=None)


def page_key(compact_id, name):
    return f"compact:page:{compact_id}:{generation(compact_id)}:{name}"


def cacheable(request):
    """Only what every visitor sees alike: signed out, no one-off messages, a plain GET."""
    from django.contrib.messages import get_messages

    if request.method != "GET" or request.user.is_authenticated or request.GET:
        return False
    storage = get_messages(request)
    pending = len(storage._loaded_messages) if hasattr(storage, "_loaded_messages") else 0
    storage.used = False
    return pending == 0 and not request.COOKIES.get("messages")
