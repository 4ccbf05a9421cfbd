"""Turning what leaders type into safe HTML, and showing proposed wording as a word-level diff."""

import difflib
import functools
import re

import nh3
from django.utils.html import escape
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

# A small subset of Markdown: paragraphs, emphasis, lists, quotes, inline code and links.
# Raw HTML is off in the parser, and nh3 (an allow-list sanitiser) is the last word anyway.
_markdown = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "list", "blockquote", "backticks", "link", "newline", "escape"]
)

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto"}


def render_comment(body):
    """Markdown → sanitised HTML. Nothing that can run script or carry raw markup survives."""
    html = _markdown.render(body)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
    )


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
