"""Django's message storage, remembering the signed cookie of a message list it has signed before.

After every vote the same message ("Your vote is saved…") goes back in the messages framework's
signed cookie, and serialising, compressing and signing it was the largest piece of the vote's
response. Signing is deterministic (no timestamp), so the cookie for the same messages under the
same key is the same text: it is kept, for the few distinct lists a site says, and signed afresh
for anything else.
"""

from typing import Any

from django.contrib.messages.storage import cookie, fallback
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.session import SessionStorage

_signed: dict[tuple[Any, ...], str | None] = {}
_KEPT = 256  # distinct message lists; a message naming a person or a number is one each


class CookieStorage(cookie.CookieStorage):
    # django-stubs leave out the cookie storage's private parts used here.
    def _encode(self, messages: Any, encode_empty: bool = False) -> str | None:
        if not all(type(message) is Message for message in messages):
            return super()._encode(messages, encode_empty=encode_empty)  # type: ignore[misc]
        key = (
            self.signer.key,  # type: ignore[attr-defined]
            self.key_salt,  # type: ignore[attr-defined]
            encode_empty,
            tuple((message.level, str(message.message), message.extra_tags) for message in messages),
        )
        if key in _signed:
            return _signed[key]
        encoded: str | None = super()._encode(messages, encode_empty=encode_empty)  # type: ignore[misc]
        if len(_signed) >= _KEPT:
            _signed.pop(next(iter(_signed)))
        _signed[key] = encoded
        return encoded


class FallbackStorage(fallback.FallbackStorage):
    """Django's default storage (the cookie, then the session for what does not fit), with the
    cookie above."""

    storage_classes = (CookieStorage, SessionStorage)
