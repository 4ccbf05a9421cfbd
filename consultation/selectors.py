"""Reads for round pages, each in a fixed number of queries whatever the size of the round."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q

from compact.selectors import compact_layout

from .models import Comment, Proposal, Result, Vote
from .text import word_diff


@dataclass
class CommitmentEntry:
    commitment: object
    rewordings: list = field(default_factory=list)
    removal: object = None
    comment_count: int = 0
    my_vote: object = None
    # {"current": n, "proposal:<id>": n} when totals may be shown, else None.
    totals: dict = None
    concern: bool = False

    @property
    def has_proposals(self):
        return bool(self.rewordings or self.removal)

    @property
    def is_question(self):
        return bool(self.rewordings)


@dataclass
class RoundPage:
    round: object
    layout: object
    rows: list
    vision_comment_count: int
    theme_comment_counts: dict
    questions: int
    answered: int
    filtered_out: int
    # A long draft is shown one theme at a time unless "all themes" is asked for.
    one_theme_at_a_time: bool = False
    theme_shown: object = None
    previous_theme: object = None
    next_theme: object = None

    @property
    def progress(self):
        return {"answered": self.answered, "questions": self.questions}


def _proposal_totals(round):
    """Counts per option, never per person: [(commitment_id, chosen_proposal_id) → n], [(proposal, choice) → n]."""
    wording = {
        (row["commitment_id"], row["chosen_proposal_id"]): row["n"]
        for row in Vote.objects.filter(round=round, commitment__isnull=False)
        .values("commitment_id", "chosen_proposal_id")
        .annotate(n=Count("id"))
    }
    support = {
        (row["question_proposal_id"], row["choice"]): row["n"]
        for row in Vote.objects.filter(round=round, question_proposal__isnull=False)
        .values("question_proposal_id", "choice")
        .annotate(n=Count("id"))
    }
    return wording, support


def my_votes(round, user):
    """The person's own votes, keyed by question: ("commitment", id) or ("proposal", id)."""
    if not (user and user.is_authenticated):
        return {}
    votes = {}
    for vote in Vote.objects.filter(round=round, voter=user):
        key = (
            ("commitment", vote.commitment_id)
            if vote.commitment_id
            else ("proposal", vote.question_proposal_id)
        )
        votes[key] = vote
    return votes


def round_page(
    round, user, *, theme=None, party=None, has_proposals=False, not_voted=False, all_themes=False
):
    """The draft theme by theme, each commitment with its proposals, comment counts, the person's
    vote and (when the round's rule allows) totals. About ten queries, whatever the size.

    A draft longer than ROUND_PAGE_ALL_THEMES_UP_TO commitments opens on its first theme, with
    links to the next: a national draft (200 commitments, 400 proposals with their diffs) on one
    page is slow to serve and too long to read on a phone. `all_themes` asks for everything."""
    layout = compact_layout(round.version)
    themes = [row.theme for row in layout.rows if row.theme is not None]  # a draft may have none
    total = sum(len(c) for row in layout.rows for _, c in row.columns)
    one_at_a_time = (
        theme is None and not all_themes and bool(themes) and total > settings.ROUND_PAGE_ALL_THEMES_UP_TO
    )
    if one_at_a_time:
        theme = themes[0].pk
    standing = round.proposals.standing()
    if theme is None:
        proposals = list(standing.select_related("author").order_by("created_at", "id"))
        questions_asked = [(p.pk, p.kind, p.commitment_id) for p in proposals]
    else:
        # One theme shown: load only its proposals whole; progress needs every question, but only
        # as ids (at national scale, 50 proposals built instead of 400).
        questions_asked = list(standing.values_list("pk", "kind", "commitment_id"))
        rows_shown = [row for row in layout.rows if row.theme and row.theme.pk == theme]
        shown = [c.pk for row in rows_shown for _, cs in row.columns for c in cs]
        proposals = list(
            standing.filter(Q(commitment_id__in=shown) | Q(theme_id=theme))
            .select_related("author")
            .order_by("created_at", "id")
        )
    comment_counts = Comment.objects.filter(round=round, deleted_at__isnull=True, hidden_at__isnull=True)
    by_commitment = dict(
        comment_counts.filter(target=Comment.Target.COMMITMENT)
        .values_list("commitment_id")
        .annotate(n=Count("id"))
    )
    by_theme = dict(
        comment_counts.filter(target=Comment.Target.THEME).values_list("theme_id").annotate(n=Count("id"))
    )
    by_proposal = dict(
        comment_counts.filter(target=Comment.Target.PROPOSAL)
        .values_list("proposal_id")
        .annotate(n=Count("id"))
    )
    vision_count = comment_counts.filter(target=Comment.Target.VISION).count()
    mine = my_votes(round, user)
    from reflections.services import concern_keys

    # Commitments that drew concerns in signatories' reflections are marked in a refresh round.
    concerns = concern_keys(round.version.compact_id)
    wording_totals, support_totals = _proposal_totals(round) if round.totals_visible else ({}, {})

    rewordings, removals, new_by_cell = {}, {}, {}
    for proposal in proposals:
        proposal.comment_count = by_proposal.get(proposal.pk, 0)
        if proposal.kind == Proposal.Kind.REWORDING:
            rewordings.setdefault(proposal.commitment_id, []).append(proposal)
        elif proposal.kind == Proposal.Kind.REMOVAL:
            removals[proposal.commitment_id] = proposal
        else:
            new_by_cell.setdefault((proposal.theme_id, proposal.party_id), []).append(proposal)
        if proposal.is_support_question:
            proposal.my_vote = mine.get(("proposal", proposal.pk))
            if round.totals_visible:
                proposal.totals = {c: support_totals.get((proposal.pk, c), 0) for c in ("support", "oppose")}

    # Progress counts every question in the round, whatever the filters hide: a wording question
    # per reworded commitment, and each new-commitment or removal proposal.
    reworded = {
        commitment_id for _, kind, commitment_id in questions_asked if kind == Proposal.Kind.REWORDING
    }
    supported = [pk for pk, kind, _ in questions_asked if kind != Proposal.Kind.REWORDING]
    questions = len(reworded) + len(supported)
    answered = sum(("commitment", commitment_id) in mine for commitment_id in reworded) + sum(
        ("proposal", pk) in mine for pk in supported
    )
    filtered_out = 0
    rows = []
    for row in layout.rows:
        theme_id = row.theme.pk if row.theme is not None else None
        if row.theme is not None:
            row.theme.comment_count = by_theme.get(theme_id, 0)
        if theme and theme_id != theme:
            if not one_at_a_time:  # the other themes are a page away, not hidden by a filter
                filtered_out += sum(len(c) for _, c in row.columns)
            continue
        columns = []
        for column_party, commitments in row.columns:
            if party and column_party.pk != party:
                filtered_out += len(commitments)
                continue
            entries = []
            for commitment in commitments:
                entry = CommitmentEntry(
                    commitment=commitment,
                    rewordings=rewordings.get(commitment.pk, []),
                    removal=removals.get(commitment.pk),
                    comment_count=by_commitment.get(commitment.pk, 0),
                    my_vote=mine.get(("commitment", commitment.pk)),
                    concern=commitment.key in concerns,
                )
                for proposal in entry.rewordings:
                    proposal.diff = word_diff(commitment.text, proposal.text)
                if round.totals_visible and entry.is_question:
                    entry.totals = {"current": wording_totals.get((commitment.pk, None), 0)}
                    for proposal in entry.rewordings:
                        proposal.total = wording_totals.get((commitment.pk, proposal.pk), 0)
                if (has_proposals and not entry.has_proposals) or (not_voted and not _unanswered(entry)):
                    filtered_out += 1
                else:
                    entries.append(entry)
            new_proposals = new_by_cell.get((theme_id, column_party.pk), [])
            if not_voted:
                new_proposals = [p for p in new_proposals if p.my_vote is None]
            columns.append((column_party, entries, new_proposals))
        rows.append((row.theme, columns))
    shown = next((t for t in themes if t.pk == theme), None)
    index = themes.index(shown) if shown else -1
    return RoundPage(
        round=round,
        layout=layout,
        rows=rows,
        vision_comment_count=vision_count,
        theme_comment_counts=by_theme,
        questions=questions,
        answered=answered,
        filtered_out=filtered_out,
        one_theme_at_a_time=one_at_a_time
        or (theme is not None and total > settings.ROUND_PAGE_ALL_THEMES_UP_TO),
        theme_shown=shown,
        previous_theme=themes[index - 1] if shown and index > 0 else None,
        next_theme=themes[index + 1] if shown and index + 1 < len(themes) else None,
    )


def _unanswered(entry):
    return (entry.is_question and entry.my_vote is None) or (
        entry.removal is not None and entry.removal.my_vote is None
    )


def comment_threads(round, **subject):
    """Top-level comments on one subject with their replies, in two queries."""
    comments = list(
        Comment.objects.filter(round=round, **subject)
        .select_related("author", "parent")
        .order_by("created_at", "id")
    )
    threads, replies = [], {}
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
        else:
            threads.append(comment)
    for comment in threads:
        comment.thread_replies = replies.get(comment.pk, [])
    return threads


def moderation_queue():
    """Comments with unresolved reports, most reported first."""
    return (
        Comment.objects.filter(reports__resolved_at__isnull=True)
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .select_related("author", "round")
        .prefetch_related("reports")
        .order_by("-open_reports", "created_at")
    )


def results_for(round):
    return list(
        Result.objects.filter(round=round).select_related(
            "commitment__theme",
            "commitment__party",
            "proposal__theme",
            "proposal__party",
            "proposal__commitment",
        )
    )
