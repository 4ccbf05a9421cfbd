"""Proposing other wording, a removal or a new commitment; editing and withdrawing a proposal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.ratelimits import rate_limited
from compact.models import Commitment, Party, Theme
from core.errors import DomainError

from .. import services
from ..forms import ProposalForm
from ..models import Proposal
from .common import base_context, readable_round, whole_number


def _proposal_subject(round, kind, source):
    commitment = theme = party = None
    if kind in (Proposal.Kind.REWORDING, Proposal.Kind.REMOVAL):
        commitment = get_object_or_404(
            Commitment, pk=whole_number(source.get("commitment")), version_id=round.version_id
        )
    elif kind == Proposal.Kind.NEW_COMMITMENT:
        # A theme where the draft has them; a draft without themes takes a party alone.
        if source.get("theme"):
            theme = get_object_or_404(
                Theme, pk=whole_number(source.get("theme")), version_id=round.version_id
            )
        party = get_object_or_404(Party, pk=whole_number(source.get("party")), version_id=round.version_id)
    else:
        raise Http404("Choose what kind of change to propose.")
    return commitment, theme, party


@login_required
@rate_limited("proposal")
def propose(request, round_pk):
    round = readable_round(request, round_pk)
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", Proposal.Kind.REWORDING)
    commitment, theme, party = _proposal_subject(round, kind, source)
    initial = {"text": commitment.text} if kind == Proposal.Kind.REWORDING else {}
    return _proposal_page(
        request,
        round,
        ProposalForm(request.POST or None, kind=kind, initial=initial),
        save=lambda data: services.propose(
            actor=request.user,
            round=round,
            kind=kind,
            commitment=commitment,
            theme=theme,
            party=party,
            text=data.get("text", ""),
            rationale=data["rationale"],
        ),
        saved=lambda proposal: (
            f"Your proposal #{proposal.pk} is published. Other leaders can now vote on it."
        ),
        subject={
            "kind": kind,
            "kind_label": Proposal.Kind(kind).label,
            "commitment": commitment,
            "theme": theme,
            "party": party,
        },
    )


@login_required
def edit_proposal(request, round_pk, pk):
    round = readable_round(request, round_pk)
    proposal = get_object_or_404(
        Proposal.objects.select_related("commitment", "theme", "party"), pk=pk, round=round
    )
    if proposal.author_id != request.user.pk:
        raise Http404("No such proposal of yours.")
    return _proposal_page(
        request,
        round,
        ProposalForm(
            request.POST or None,
            kind=proposal.kind,
            initial={"text": proposal.text, "rationale": proposal.rationale},
        ),
        save=lambda data: services.edit_proposal(
            actor=request.user, proposal=proposal, text=data.get("text", ""), rationale=data["rationale"]
        ),
        saved=lambda _: "Saved your proposal.",
        subject={
            "kind": proposal.kind,
            "kind_label": proposal.get_kind_display(),
            "commitment": proposal.commitment,
            "theme": proposal.theme,
            "party": proposal.party,
            "proposal": proposal,
        },
    )


def _proposal_page(request, round, form, *, save, saved, subject):
    """The propose and edit pages: on a valid POST, `save(cleaned_data)` and go to the proposal
    with the `saved(proposal)` message; a refusal is shown above the words typed, and a duplicate
    also links to the proposal already made."""
    duplicate, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                proposal = save(form.cleaned_data)
            except services.DuplicateProposal as error:
                duplicate = error.existing
                form.add_error(None, error.message)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, saved(proposal))
                return redirect(proposal.get_absolute_url())
    context = {**base_context(request, round), "form": form, **subject, "duplicate": duplicate}
    return render(request, "consultation/propose.html", context, status=status)


@login_required
def withdraw_proposal(request, round_pk, pk):
    round = readable_round(request, round_pk)
    proposal = get_object_or_404(Proposal, pk=pk, round=round)
    if request.method == "POST":
        try:
            services.withdraw_proposal(actor=request.user, proposal=proposal)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You withdrew proposal #{proposal.pk}.")
        return redirect(proposal.get_absolute_url())
    return render(
        request,
        "consultation/confirm.html",
        {
            **base_context(request, round),
            "heading": f"Withdraw proposal #{proposal.pk}?",
            "explanation": "Votes already cast for it will no longer count; those leaders will be asked to choose again.",
            "button": "Withdraw the proposal",
            "cancel_url": proposal.get_absolute_url(),
        },
    )
