"""Showing proposed wording as a word-level diff; rendering what leaders type lives in core.text."""

import difflib
import functools
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.text import render_comment  # noqa: F401 - re-exported: the comment services render with it

_TOKENS = re.compile(r"\s+|[^\s\w]|\w+")


# Pure in its two texts, and the round page shows the same diffs to every reader: keep the recent
# ones rather than re-running difflib for each of a theme's proposals on every request.
@functools.lru_cache(maxsize=4096)
def word_diff(current, proposed):
    """The proposed wording with words removed from the current wording struck out and added
    words marked, so people compare alternatives rather than reread prose."""
    before, after = _TOKENS.findall(current), _TOKENS.findall(proposed)
    pieces = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        removed = escape("".join(before[a_start:a_end]))
        added = escape("".join(after[b_start:b_end]))
        if operation == "equal":
            pieces.append(added)
            continue
        if operation in ("delete", "replace") and removed.strip():
            pieces.append(
                f'<del class="app-diff__removed"><span class="nhsuk-u-visually-hidden">removed: </span>{removed}</del>'
            )
        if operation in ("insert", "replace") and added.strip():
            pieces.append(
                f'<ins class="app-diff__added"><span class="nhsuk-u-visually-hidden">added: </span>{added}</ins>'
            )
        elif operation in ("insert", "replace"):
            pieces.append(added)
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text above is escaped
