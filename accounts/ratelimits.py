"""Fixed-window rate limits for the posting journeys, per account and per client IP.

allauth already limits sign-in, sign-up and password reset; this covers what people post here
(comments, proposals, signatures, confirmation resends). Counters live in the shared Django cache,
so every web worker sees the same counts. Only POSTs count: reading is never limited.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

# action: [(scope, limit, window in seconds), ...]; a deployment may override any of them
# with a RATE_LIMITS setting of the same shape. The per-account numbers stop one person flooding;
# the per-address numbers only stop a machine, and are set for an NHS trust's busiest hour: a
# trust's (sometimes a region's) staff reach the internet through one or a few shared addresses,
# so an address limit near one person's would turn one keen colleague into everyone's lock-out.
DEFAULT_LIMITS = {
    "comment": [("user", 20, 10 * 60), ("ip", 600, 10 * 60)],
    "proposal": [("user", 10, 60 * 60), ("ip", 300, 60 * 60)],
    "sign": [("user", 5, 60 * 60), ("ip", 500, 60 * 60)],
    "resend": [("user", 10, 60 * 60), ("ip", 300, 60 * 60)],
    "reflect": [("user", 10, 60 * 60), ("ip", 300, 60 * 60)],
    # Checking an uploaded PDF is public and reads up to 10 MB: per address, as visitors have no account.
    "verify": [("ip", 120, 10 * 60)],
}

DESCRIPTIONS = {
    "comment": "post comments",
    "proposal": "propose changes",
    "sign": "sign",
    "resend": "ask for confirmation e-mails",
    "reflect": "record reflections",
    "verify": "check PDFs",
}


def client_ip(request):
    """The address the request came from, as far as we can trust it.

    Behind N proxies we trust, the client is the Nth entry from the right of X-Forwarded-For:
    everything left of it was written by the client and can be anything. With no trusted proxy
    the header is ignored entirely, so a spoofed one changes nothing.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _limits(action):
    return getattr(settings, "RATE_LIMITS", {}).get(action, DEFAULT_LIMITS[action])


# The windows are fixed stretches of wall-clock time (10:00–10:10, 10:10–10:20…): counts start
# again at the turn of one. The tests hold this clock still (tests/conftest.py), so a test's
# requests never straddle a turn however slowly the machine runs them.
clock = time.time


def hit(request, action):
    """Count one attempt at `action`; return the seconds to wait if over a limit, else None."""
    now = int(clock())
    identities = {"ip": client_ip(request)}
    if request.user.is_authenticated:
        identities["user"] = str(request.user.pk)
    wait = None
    for scope, limit, window in _limits(action):
        if scope not in identities:
            continue
        start = now - now % window
        key = f"ratelimit:{action}:{scope}:{identities[scope]}:{start}"
        # add() then incr() is atomic on Redis and on the local-memory cache; the key expires
        # with its window.
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window + 1)
            count = 1
        if count is None:
            continue  # the cache is unreachable: let the request through rather than fail it
        if count > limit:
            wait = max(wait or 0, start + window - now)
    return wait


def too_many_requests(request, action=None, wait=None):
    minutes = max(1, -(-(wait or 60) // 60))
    context = {"action": DESCRIPTIONS.get(action, "do that"), "minutes": minutes}
    response = render(request, "429.html", context, status=429)
    if wait:
        response["Retry-After"] = str(wait)
    return response


def rate_limited(action):
    """Refuse a view's POSTs with 429 once the account or its IP address is over the limit."""

    def decorate(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == "POST":
                wait = hit(request, action)
                if wait is not None:
                    return too_many_requests(request, action, wait)
            return view(request, *args, **kwargs)

        return limited

    return decorate
