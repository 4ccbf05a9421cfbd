"""Turning text people type into safe HTML: one Markdown subset and one sanitiser for the whole
product, so a comment, a section of the compact and its vision can carry nothing that runs."""

import difflib
import functools
import itertools
import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

# Paragraphs, emphasis, lists, quotes, inline code and links. Raw HTML is off in the parser, and
# nh3 (an allow-list sanitiser) is the last word anyway.
_RULES = ["emphasis", "list", "blockquote", "backticks", "link", "newline", "escape"]
_comments = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(_RULES)
# The compact's own prose also has numbered notes ("…the Code of Practice[^1]"), as real compacts
# do; single line breaks are kept as a person typed them.
_prose = (
    MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(_RULES).use(footnote_plugin)
)

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto"}
# Notes need their markers, their list and the links between them (ids the renderer makes from a
# per-document prefix, never from the text).
PROSE_TAGS = ALLOWED_TAGS | {"sup", "section", "hr"}
PROSE_ATTRIBUTES = {
    "a": {"href", "id", "class"},
    "li": {"id", "class"},
    "sup": {"class"},
    "section": {"class"},
    "hr": {"class"},
    "ol": {"class", "start"},
}

_documents = itertools.count(1)


def render_comment(body: str) -> str:
    """Markdown → sanitised HTML. Nothing that can run script or carry raw markup survives."""
    return nh3.clean(
        _comments.render(body),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
    )


def render_prose(body: str | None, *, document_id: object = None) -> SafeString:
    """The vision or a section of the compact → sanitised HTML, with numbered notes.

    `document_id` keeps note anchors unique when several sections share a page.
    """
    env = {"docId": str(document_id if document_id is not None else next(_documents))}
    html = _prose.render(body or "", env)
    return mark_safe(  # noqa: S308 - nh3's allow-list output
        nh3.clean(
            html,
            tags=PROSE_TAGS,
            attributes=PROSE_ATTRIBUTES,
            url_schemes=ALLOWED_URL_SCHEMES,
            link_rel="noopener noreferrer",
        )
    )


_TOKENS = re.compile(r"\s+|[^\s\w]|\w+")


# Pure in its two texts, and the round page shows the same diffs to every reader: keep the recent
# ones rather than re-running difflib for each of a theme's proposals on every request.
@functools.lru_cache(maxsize=4096)
def word_diff(current: str, proposed: str) -> SafeString:
    """The proposed wording with words removed from the current wording struck out and added
    words marked, so people compare alternatives rather than reread prose."""
    before, after = _TOKENS.findall(current), _TOKENS.findall(proposed)
    pieces: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        removed = "".join(before[a_start:a_end])
        added = "".join(after[b_start:b_end])
        if operation == "equal":
            pieces.append(escape(added))
            continue
        # Spaces stay outside the marks, and a removed word never touches the word that replaced
        # it: "the <del>protected</del> <ins>agreed</ins> time", not "theprotectedagreed".
        marked: list[str] = []
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


# Past this share of words changed, a word diff is mostly struck-out and inserted words: people
# read the two wordings one above the other instead, with the diff a click away.
REWRITE_SHARE = 0.5


@functools.lru_cache(maxsize=4096)
def changed_share(current: str, proposed: str) -> float:
    """The share of words changed between two wordings: 0 when the same, 1 when nothing is kept."""
    before, after = current.split(), proposed.split()
    longest = max(len(before), len(after))
    if not longest:
        return 0.0
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return 1 - kept / longest


def mostly_rewritten(current: str, proposed: str) -> bool:
    """Whether a word diff would be unreadable: more than half the words changed."""
    return changed_share(current, proposed) > REWRITE_SHARE
