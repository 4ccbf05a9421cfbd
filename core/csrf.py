"""The CSRF token for a page kept whole (the round page), masked in one draw of random bytes.

Django masks the CSRF secret afresh for every response that shows it, so a page compressed on
the way out does not repeat a fixed secret (BREACH). Its mask draws 32 characters one
`secrets.choice` at a time, which on the round page, served from a kept copy with little else to
do, was the largest single piece of the request. This does the same with one read of the
system's random bytes: the same alphabet, no bias (bytes past the largest multiple of the
alphabet's size are drawn again), and the token unmasks to the same secret, so Django's CSRF
middleware checks it unchanged.
"""

import secrets

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_CHARS = CSRF_ALLOWED_CHARS
_SIZE = len(_CHARS)
_INDEX = {char: n for n, char in enumerate(_CHARS)}
_LIMIT = 256 - 256 % _SIZE  # 248 for 62 characters: a byte at or past it would favour some


def _mask() -> list[int]:
    drawn: list[int] = []
    while len(drawn) < CSRF_SECRET_LENGTH:
        drawn += [byte % _SIZE for byte in secrets.token_bytes(CSRF_SECRET_LENGTH + 8) if byte < _LIMIT]
    return drawn[:CSRF_SECRET_LENGTH]


def masked_token(request: HttpRequest) -> str:
    """What `django.middleware.csrf.get_token` returns for this request."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(secret) != CSRF_SECRET_LENGTH or set(secret) - _INDEX.keys():
        return get_token(request)  # no secret yet (a first visit): Django makes and sets one
    # As get_token does: the page uses the cookie, so it is sent again and its expiry renewed.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _mask()
    return "".join(_CHARS[n] for n in mask) + "".join(
        _CHARS[(_INDEX[char] + n) % _SIZE] for char, n in zip(secret, mask, strict=True)
    )
