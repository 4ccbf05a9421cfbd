"""A question of the round (a commitment and its rewordings, or a proposal to support or oppose)
and the vote on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from compact.models import Commitment
from core.errors import DomainError
from core.text import word_diff

from .. import presenters, selectors, services
from ..forms import CommentForm
from ..models import Comment, Proposal, Vote
from .common import back_to, base_context, readable_round, whole_number


def commitment_detail(request, round_pk, pk):
    round = readable_round(request, round_pk)
    commitment = get_object_or_404(
        Commitment.objects.select_related("theme", "party"), pk=pk, version_id=round.version_id
    )
    return render(request, "consultation/commitment.html", _commitment_context(request, round, commitment))


def _commitment_context(request, round, commitment, vote_error=None):
    proposals = list(round.proposals.standing().filter(commitment=commitment).select_related("author"))
    rewordings = [p for p in proposals if p.kind == Proposal.Kind.REWORDING]
    removal = next((p for p in proposals if p.kind == Proposal.Kind.REMOVAL), None)
    for proposal in rewordings:
        proposal.diff = word_diff(commitment.text, proposal.text)
    mine = selectors.my_votes(round, request.user)
    sees_totals = selectors.totals_readable_by(round=round, user=request.user)
    totals = None
    if (rewordings or removal) and sees_totals:
        wording, support = selectors.vote_totals(round)
        totals = {"current": wording.get((commitment.pk, None), 0)}
        for proposal in rewordings:
            proposal.total = wording.get((commitment.pk, proposal.pk), 0)
        if removal:
            totals["support"] = support.get((removal.pk, "support"), 0)
            totals["oppose"] = support.get((removal.pk, "oppose"), 0)
    return {
        **base_context(request, round, current=("commitment", commitment.pk)),
        **_vote_error_context(vote_error, "#choice-current"),
        "commitment": commitment,
        "rewordings": rewordings,
        "removal": removal,
        "my_vote": mine.get(("commitment", commitment.pk)),
        "my_removal_vote": mine.get(("proposal", removal.pk)) if removal else None,
        "totals": totals,
        # Once the round has closed: its answers, not a form; its votes for those who may read them.
        "outcome": _outcome(round, commitment=commitment),
        "outcome_totals": sees_totals,
        "removal_outcome": _outcome(round, proposal=removal) if removal else None,
        "my_vote_label": presenters.vote_label(mine.get(("commitment", commitment.pk))),
        "my_removal_vote_label": presenters.vote_label(
            mine.get(("proposal", removal.pk)) if removal else None
        ),
        "history_url": _history_url(request, round, commitment),
        "threads": selectors.comment_threads(round, target=Comment.Target.COMMITMENT, commitment=commitment),
        "comment_form": CommentForm(initial={"target": Comment.Target.COMMITMENT, "subject": commitment.pk}),
    }


def _outcome(round, *, commitment=None, proposal=None):
    result = selectors.result_for(round=round, commitment=commitment, proposal=proposal)
    return presenters.outcome(round=round, result=result) if result is not None else None


def _vote_error_context(vote_error, href):
    """A refused vote is shown beside the radios and linked from the error summary."""
    if not vote_error:
        return {}
    return {"vote_error": vote_error, "summary_errors": [{"href": href, "text": vote_error}]}


def _history_url(request, round, commitment):
    """The commitment's history, when this reader may read a version that holds it."""
    readable = selectors.readable_versions(request.user, round.version.compact)
    if Commitment.objects.filter(version__in=readable, key=commitment.key).exists():
        return reverse(
            "compact:commitment_history", kwargs={"slug": round.version.compact.slug, "key": commitment.key}
        )
    return None


def proposal_detail(request, round_pk, pk):
    round = readable_round(request, round_pk)
    proposal = get_object_or_404(
        Proposal.objects.select_related("author", "commitment", "theme", "party"), pk=pk, round=round
    )
    return render(request, "consultation/proposal.html", _proposal_context(request, round, proposal))


def _proposal_context(request, round, proposal, vote_error=None):
    mine = selectors.my_votes(round, request.user)
    sees_totals = proposal.is_support_question and selectors.totals_readable_by(
        round=round, user=request.user
    )
    totals = None
    if sees_totals:
        _, support = selectors.vote_totals(round)
        totals = {choice: support.get((proposal.pk, choice), 0) for choice in ("support", "oppose")}
    return {
        **base_context(request, round, current=("proposal", proposal.pk)),
        **_vote_error_context(vote_error, "#choice-support"),
        "proposal": proposal,
        "diff": word_diff(proposal.commitment.text, proposal.text)
        if proposal.kind == Proposal.Kind.REWORDING
        else None,
        "my_vote": mine.get(("proposal", proposal.pk)),
        "totals": totals,
        "outcome": _outcome(round, proposal=proposal) if proposal.is_support_question else None,
        "outcome_totals": sees_totals,
        "my_vote_label": presenters.vote_label(mine.get(("proposal", proposal.pk))),
        "can_edit": request.user.is_authenticated
        and proposal.author_id == request.user.pk
        and proposal.status == Proposal.Status.OPEN,
        "can_change_wording": proposal.author_id == request.user.pk and proposal.is_editable_now,
        "threads": selectors.comment_threads(round, target=Comment.Target.PROPOSAL, proposal=proposal),
        "comment_form": CommentForm(initial={"target": Comment.Target.PROPOSAL, "subject": proposal.pk}),
    }


@login_required
@require_POST
def vote(request, round_pk):
    """Save a vote and go back to the question, offering the next one. A refused vote shows the
    question again with the problem beside its options (no JavaScript needed)."""
    round = readable_round(request, round_pk)
    choice_value = request.POST.get("choice", "")
    if request.POST.get("commitment"):
        commitment = get_object_or_404(
            Commitment.objects.select_related("theme", "party"),
            pk=whole_number(request.POST["commitment"]),
            version_id=round.version_id,
        )
        proposal = None
        fallback = reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk})
    else:
        commitment = None
        proposal = get_object_or_404(
            Proposal.objects.select_related("author", "commitment", "theme", "party"),
            pk=whole_number(request.POST.get("proposal")),
            round=round,
        )
        fallback = proposal.get_absolute_url()
    try:
        if not choice_value:
            raise DomainError("Choose an option before saving your vote.")
        if commitment is None:
            choice = choice_value
        elif choice_value == "current":
            choice = Vote.Choice.CURRENT
        else:
            choice = round.proposals.filter(pk=whole_number(choice_value.removeprefix("proposal:"))).first()
            if choice is None:
                raise DomainError("Choose one of the wordings shown.")
        services.cast_vote(
            actor=request.user, round=round, choice=choice, commitment=commitment, proposal=proposal
        )
    except DomainError as error:
        if commitment is not None:
            context = _commitment_context(request, round, commitment, vote_error=error.message)
            return render(request, "consultation/commitment.html", context, status=400)
        context = _proposal_context(request, round, proposal, vote_error=error.message)
        return render(request, "consultation/proposal.html", context, status=400)
    return _vote_saved(request, fallback)


def _vote_saved(request, fallback):
    # The message travels in a signed cookie (the messages framework's default storage), so
    # saying it writes nothing to the session or the database.
    messages.success(
        request, "Your vote is saved. You can change it until the round closes.", extra_tags="vote-saved"
    )
    return back_to(request, fallback)
