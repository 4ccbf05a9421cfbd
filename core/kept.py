"""Pages kept whole per page state, with what differs between people in one state filled in.

A page is rendered once with marks where a person's own values go (their name, a number in a
link, the CSRF token), kept as UTF-8 pieces split at the marks, and served by joining the pieces
with each request's values: no template, no search and no encoding of the whole page. Marks are
random per process, so no text anyone writes can contain one. A text mark is letters and digits
only, which HTML escaping and URL quoting leave as they are; a number mark is thirty digits, so
a URL pattern that takes a number takes it.

The caller keys a page by everything it shows that is not a mark, and fills each mark with the
value escaped as its template would have escaped it; a test per page compares kept pages with
fresh renders for people who differ in one fact each. (The round page keeps its pages its own
way, in `consultation/round_page.py`, under the round's generation.)
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

V = TypeVar("V", bound=Any)


def text_mark() -> str:
    return f"mark{secrets.token_hex(16)}"


def number_mark() -> str:
    return str(10**29 + secrets.randbelow(9 * 10**29))


@dataclass(frozen=True)
class KeptPage:
    """The page's pieces: bytes as they are, and a str naming the value that goes there."""

    pieces: tuple[bytes | str, ...]
    size: int


def keep(html: str, marks: dict[str, str]) -> KeptPage:
    """`html` split at every mark in `marks` (mark: the name of the value filled in there)."""
    pieces: list[bytes | str] = []
    at = 0
    for found in re.finditer("|".join(map(re.escape, marks)), html):
        pieces += [html[at : found.start()].encode(), marks[found.group()]]
        at = found.end()
    pieces.append(html[at:].encode())
    return KeptPage(pieces=tuple(pieces), size=len(html))


def filled_in(page: KeptPage, values: dict[str, bytes]) -> bytes:
    """The page with each mark's value (already escaped for where it goes)."""
    return b"".join(piece if isinstance(piece, bytes) else values[piece] for piece in page.pieces)


class KeptPages(Generic[V]):
    """Kept values by key, bounded by their total size (a page's characters by default); the least
    recently read go first, and one larger than a quarter of the bound is not kept."""

    def __init__(self, limit: int, size: Callable[[V], int] = lambda page: page.size) -> None:
        self.limit = limit
        self.size_of = size
        self.pages: dict[object, V] = {}
        self.size = 0

    def get(self, key: object) -> V | None:
        page = self.pages.pop(key, None)
        if page is not None:
            self.pages[key] = page  # now the most recently read
        return page

    def put(self, key: object, page: V) -> None:
        size = self.size_of(page)
        if size > self.limit // 4:
            return
        old = self.pages.pop(key, None)
        if old is not None:
            self.size -= self.size_of(old)
        while self.pages and self.size + size > self.limit:
            self.size -= self.size_of(self.pages.pop(next(iter(self.pages))))
        self.pages[key] = page
        self.size += size
