"""A rendering's seal: the keyed digest of the words on a compact's own pages and of the page count,
written into the PDF's metadata when it is made (compact.pdf) and checked when a copy is uploaded
(compact.verification). Apart from both so that neither imports the other for it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from .pdf_worker import page_texts  # noqa: F401 - the reading a seal is made from at render time (compact.pdf)

# PDF Info dictionary keys WeasyPrint writes from document.metadata.custom (letters only).
FINGERPRINT_FIELD = "CompactFingerprint"
SEAL_FIELD = "CompactSeal"
SEAL_SCHEME = "1"
_SEAL_SALT = "compact.verification.seal"


def _normal(text: str | None) -> str:
    # NFKC folds ligatures (ﬁ → fi) and compatibility forms a PDF reader may hand back.
    return unicodedata.normalize("NFKC", text or "")


def words(text: str | None) -> list[str]:
    return re.findall(r"\w+", _normal(text))


def seal_tokens(text: str | None) -> list[str]:
    """Words and punctuation marks: what the seal covers (an added comma counts)."""
    return re.findall(r"\w+|[^\w\s]", _normal(text))


def _seal_digest(fingerprint: str, texts: Sequence[str], total_pages: int, secret: str) -> str:
    tokens = sorted(token for text in texts for token in seal_tokens(text))
    body = hashlib.sha256("\n".join(tokens).encode("utf-8")).hexdigest()
    message = f"{SEAL_SCHEME}:{fingerprint}:{len(texts)}:{total_pages}:{body}"
    return salted_hmac(_SEAL_SALT, message, secret=secret, algorithm="sha256").hexdigest()


def seal(fingerprint: str, texts: Sequence[str], total_pages: int) -> str:
    """The seal of a rendering: scheme, the compact's pages it covers, and a keyed digest of their
    words and of the document's page count (so no page can be slipped in anywhere)."""
    digest = _seal_digest(fingerprint, texts, total_pages, settings.SECRET_KEY)
    return f"{SEAL_SCHEME}:{len(texts)}:{digest}"


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def seal_holds(value: str | None, fingerprint: str, texts: Sequence[str], total_pages: int) -> bool:
    scheme, _, rest = (value or "").partition(":")
    _pages, _, digest = rest.partition(":")
    if scheme != SEAL_SCHEME or not digest:
        return False
    return any(
        constant_time_compare(digest, _seal_digest(fingerprint, texts, total_pages, secret))
        for secret in _secrets()
    )
