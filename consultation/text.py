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
        removed = "".join(before[a_start:a_end])
        added = "".join(after[b_start:b_end])
        if operation == "equal":
            pieces.append(escape(added))
            continue
        # Spaces stay outside the marks, and a removed word never touches the word that replaced
        # it: "the <del>protected</del> <ins>agreed</ins> time", not "theprotectedagreed".
        marked = []
        if removed.strip():
            marked.append(
                '<del class="app-diff__removed"><span class="nhsuk-u-visually-hidden">removed: </span>'
                f"{escape(removed.strip())}</del>"
            )
        if added.strip():
            marked.append(
                '<ins class="app-diff__added"><span class="nhsuk-u-visually-hidden">added: </span>'
                f"{escape(added.strip())}</ins>"
            )
        # The new text's own spacing around the change, or the old text's where nothing was added.
        spacing = added if added.strip() else (added or removed)
        lead = spacing[: len(spacing) - len(spacing.lstrip())]
        trail = spacing[len(spacing.rstrip()) :]
        if not marked:
            pieces.append(escape(added))
            continue
        if not added.strip() and not added:
            # A pure deletion: keep one space where words were taken out, never two.
            previous = pieces[-1] if pieces else ""
            lead = "" if previous.endswith(" ") or not previous else " "
            trail = ""
        pieces.append(lead + " ".join(marked) + trail)
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text above is escaped
