"""The round page and its discussion pages (comments on the whole compact or on a theme)."""

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, render

from accounts.roles import is_academy_staff
from compact.models import Commitment, Theme, Version

from .. import round_page, selectors
from ..forms import CommentForm
from ..models import Comment
from .common import base_context, can_see_results, readable_round, whole_number


def _version_links(request, round):
    """Where this reader can go from the round to the compact's versions: each commitment's
    history (only for commitments in a version they may read) and a comparison of the round's
    draft with the published text (once they may read both). No link that leads to a 404."""
    compact = round.version.compact
    readable = selectors.readable_versions(request.user, compact)
    published = next((v for v in readable if v.status == Version.Status.PUBLISHED), None)
    compare_from = published if published and published.pk != round.version_id else None
    return {
        "history_keys": set(Commitment.objects.filter(version__in=readable).values_list("key", flat=True)),
        "compare_from": compare_from if round.version in readable else None,
    }


def _round_page_links(request, round, shared, problem):
    """_version_links without its queries for everyone who may read the round's draft (staff,
    the people taking part, everyone once the round has results): every commitment on the page
    then has a history, and the published version is kept with the page's shared part."""
    readable = (
        round.version.status in (Version.Status.PUBLISHED, Version.Status.SUPERSEDED)
        or selectors.opens_its_text(round=round, user=request.user, problem=problem)
        or is_academy_staff(request.user)
    )
    if not readable:
        return {**_version_links(request, round), "every_commitment_has_history": False}
    published = shared.published
    return {
        "history_keys": set(),
        "every_commitment_has_history": True,
        "compare_from": published if published and published.pk != round.version_id else None,
    }


def round_detail(request, pk):
    """The round page: its shared part from the cache by the round's generations (read with the
    round), the reader's part worked out now, the page rendered for this person
    (consultation/round_page.py)."""
    round = readable_round(request, pk)
    shared = round_page.shared_round(round=round)
    all_themes = request.GET.get("theme") == "all"
    filters = {
        "theme": whole_number(request.GET.get("theme")),
        "party": whole_number(request.GET.get("party")),
        "has_proposals": request.GET.get("has_proposals") == "1",
        "not_voted": request.GET.get("not_voted") == "1" and request.user.is_authenticated,
    }
    problem = selectors.participation_problem(request.user, round)
    links = _round_page_links(request, round, shared, problem)
    reader = round_page.reader_for(
        shared=shared,
        round=round,
        user=request.user,
        history_keys=links["history_keys"],
        every_commitment_has_history=links["every_commitment_has_history"],
    )
    page = round_page.round_page_view(
        shared=shared,
        round=round,
        reader=reader,
        **filters,
        all_themes=all_themes,
        # Opening a long draft on its first theme is not a filter the person chose.
        filtering=any(filters.values()),
        can_propose=round.is_open and round.accepting_proposals and not problem,
    )
    context = {
        **base_context(request, round, progress=page.progress, problem=problem),
        "page": page,
        **links,
        "filters": filters,
        "all_themes": all_themes,
        # The other filters, kept when moving from theme to theme.
        "other_filters": urlencode(
            {
                key: value
                for key, value in (
                    ("party", filters["party"]),
                    ("has_proposals", "1" if filters["has_proposals"] else ""),
                    ("not_voted", "1" if filters["not_voted"] else ""),
                )
                if value
            }
        ),
        # Opening a long draft on its first theme is not a filter the person chose.
        "filtering": any(filters.values()),
        "can_see_results": round.has_results and can_see_results(request, round),
    }
    return render(request, "consultation/round.html", context)


def discussion(request, round_pk, theme_pk=None):
    """Comments on the whole compact (its vision), or on one theme: kept visibly apart from
    comments on single commitments."""
    round = readable_round(request, round_pk)
    theme = get_object_or_404(Theme, pk=theme_pk, version_id=round.version_id) if theme_pk else None
    if theme:
        subject = {"target": Comment.Target.THEME, "theme": theme}
        initial = {"target": Comment.Target.THEME, "subject": theme.pk}
    else:
        subject = {"target": Comment.Target.WHOLE_COMPACT}
        initial = {"target": Comment.Target.WHOLE_COMPACT}
    context = {
        **base_context(request, round),
        "theme": theme,
        "commitments": theme.commitments.select_related("party").order_by("party__position", "position")
        if theme
        else None,
        "parties": round.version.parties.order_by("position"),
        "threads": selectors.comment_threads(round, **subject),
        "comment_form": CommentForm(initial=initial),
    }
    return render(request, "consultation/discussion.html", context)
