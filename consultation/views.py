"""Pages of a consultation round. Visitors may read; taking part is checked by the services.

Each view reads through the selectors, changes state only through a service, and on a domain
error shows the message beside what the person typed.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.ratelimits import rate_limited
from accounts.roles import is_academy_staff
from compact.models import Commitment, Party, Theme, Version
from core.csv import csv_download
from core.errors import DomainError
from core.text import word_diff

from . import presenters, round_page, selectors, services
from .forms import CommentForm, ProposalForm, ReasonForm
from .models import Comment, Proposal, Round, Vote


def _round_or_404(pk):
    return get_object_or_404(Round.objects.select_related("version__compact"), pk=pk)


def _readable_round(request, pk):
    """Open, closed and applied rounds are public; a scheduled one only to staff."""
    round = _round_or_404(pk)
    if round.status == Round.Status.SCHEDULED and not is_academy_staff(request.user):
        raise Http404("No such round.")
    return round


def _back(request, fallback):
    # Addresses, not view names: HttpResponseRedirect, since redirect() tries each as a view name
    # first, and a failed reverse() cost a tenth of a vote.
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def _int(value):
    """A whole number from a query or form value, or None; a number no database column could hold
    is None too (SQLite raised OverflowError, a 500, on `?theme=99999999999999999999999`)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -(2**63) <= number < 2**63 else None


_UNKNOWN = object()


def _base_context(request, round, *, current=None, progress=None, problem=_UNKNOWN):
    return {
        "round": round,
        "compact": round.version.compact,
        "version": round.version,
        "participation_problem": selectors.participation_problem(request.user, round)
        if problem is _UNKNOWN
        else problem,
        "is_staff": is_academy_staff(request.user),
        # "You have voted on N of M" and the next question, on every page of the round.
        "progress": progress or selectors.voting_progress(round, request.user, current=current),
    }


# --- Reading ---------------------------------------------------------------------------------------
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
    round = _readable_round(request, pk)
    shared = round_page.shared_round(round=round)
    all_themes = request.GET.get("theme") == "all"
    filters = {
        "theme": _int(request.GET.get("theme")),
        "party": _int(request.GET.get("party")),
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
        **_base_context(request, round, progress=page.progress, problem=problem),
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
        "can_see_results": round.has_results and _can_see_results(request, round),
    }
    return render(request, "consultation/round.html", context)


def commitment_detail(request, round_pk, pk):
    round = _readable_round(request, round_pk)
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
    totals = None
    if (rewordings or removal) and selectors.totals_readable_by(round=round, user=request.user):
        wording, support = selectors.vote_totals(round)
        totals = {"current": wording.get((commitment.pk, None), 0)}
        for proposal in rewordings:
            proposal.total = wording.get((commitment.pk, proposal.pk), 0)
        if removal:
            totals["support"] = support.get((removal.pk, "support"), 0)
            totals["oppose"] = support.get((removal.pk, "oppose"), 0)
    return {
        **_base_context(request, round, current=("commitment", commitment.pk)),
        **_vote_error_context(vote_error, "#choice-current"),
        "commitment": commitment,
        "rewordings": rewordings,
        "removal": removal,
        "my_vote": mine.get(("commitment", commitment.pk)),
        "my_removal_vote": mine.get(("proposal", removal.pk)) if removal else None,
        "totals": totals,
        # Once the round has closed: its answers, not a form.
        "outcome": _outcome(round, commitment=commitment),
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
    round = _readable_round(request, round_pk)
    proposal = get_object_or_404(
        Proposal.objects.select_related("author", "commitment", "theme", "party"), pk=pk, round=round
    )
    return render(request, "consultation/proposal.html", _proposal_context(request, round, proposal))


def _proposal_context(request, round, proposal, vote_error=None):
    mine = selectors.my_votes(round, request.user)
    totals = None
    if proposal.is_support_question and selectors.totals_readable_by(round=round, user=request.user):
        _, support = selectors.vote_totals(round)
        totals = {choice: support.get((proposal.pk, choice), 0) for choice in ("support", "oppose")}
    return {
        **_base_context(request, round, current=("proposal", proposal.pk)),
        **_vote_error_context(vote_error, "#choice-support"),
        "proposal": proposal,
        "diff": word_diff(proposal.commitment.text, proposal.text)
        if proposal.kind == Proposal.Kind.REWORDING
        else None,
        "my_vote": mine.get(("proposal", proposal.pk)),
        "totals": totals,
        "outcome": _outcome(round, proposal=proposal) if proposal.is_support_question else None,
        "my_vote_label": presenters.vote_label(mine.get(("proposal", proposal.pk))),
        "can_edit": request.user.is_authenticated
        and proposal.author_id == request.user.pk
        and proposal.status == Proposal.Status.OPEN,
        "can_change_wording": proposal.author_id == request.user.pk and proposal.is_editable_now,
        "threads": selectors.comment_threads(round, target=Comment.Target.PROPOSAL, proposal=proposal),
        "comment_form": CommentForm(initial={"target": Comment.Target.PROPOSAL, "subject": proposal.pk}),
    }


def discussion(request, round_pk, theme_pk=None):
    """Comments on the whole compact (its vision), or on one theme: kept visibly apart from
    comments on single commitments."""
    round = _readable_round(request, round_pk)
    theme = get_object_or_404(Theme, pk=theme_pk, version_id=round.version_id) if theme_pk else None
    if theme:
        subject = {"target": Comment.Target.THEME, "theme": theme}
        initial = {"target": Comment.Target.THEME, "subject": theme.pk}
    else:
        subject = {"target": Comment.Target.WHOLE_COMPACT}
        initial = {"target": Comment.Target.WHOLE_COMPACT}
    context = {
        **_base_context(request, round),
        "theme": theme,
        "commitments": theme.commitments.select_related("party").order_by("party__position", "position")
        if theme
        else None,
        "parties": round.version.parties.order_by("position"),
        "threads": selectors.comment_threads(round, **subject),
        "comment_form": CommentForm(initial=initial),
    }
    return render(request, "consultation/discussion.html", context)


# --- Proposals -------------------------------------------------------------------------------------
def _proposal_subject(round, kind, source):
    commitment = theme = party = None
    if kind in (Proposal.Kind.REWORDING, Proposal.Kind.REMOVAL):
        commitment = get_object_or_404(
            Commitment, pk=_int(source.get("commitment")), version_id=round.version_id
        )
    elif kind == Proposal.Kind.NEW_COMMITMENT:
        # A theme where the draft has them; a draft without themes takes a party alone.
        if source.get("theme"):
            theme = get_object_or_404(Theme, pk=_int(source.get("theme")), version_id=round.version_id)
        party = get_object_or_404(Party, pk=_int(source.get("party")), version_id=round.version_id)
    else:
        raise Http404("Choose what kind of change to propose.")
    return commitment, theme, party


@login_required
@rate_limited("proposal")
def propose(request, round_pk):
    round = _readable_round(request, round_pk)
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
    round = _readable_round(request, round_pk)
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
    context = {**_base_context(request, round), "form": form, **subject, "duplicate": duplicate}
    return render(request, "consultation/propose.html", context, status=status)


@login_required
def withdraw_proposal(request, round_pk, pk):
    round = _readable_round(request, round_pk)
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
            **_base_context(request, round),
            "heading": f"Withdraw proposal #{proposal.pk}?",
            "explanation": "Votes already cast for it will no longer count; those leaders will be asked to choose again.",
            "button": "Withdraw the proposal",
            "cancel_url": proposal.get_absolute_url(),
        },
    )


# --- Votes -----------------------------------------------------------------------------------------
@login_required
@require_POST
def vote(request, round_pk):
    """Save a vote and go back to the question, offering the next one. A refused vote shows the
    question again with the problem beside its options (no JavaScript needed)."""
    round = _readable_round(request, round_pk)
    choice_value = request.POST.get("choice", "")
    if request.POST.get("commitment"):
        commitment = get_object_or_404(
            Commitment.objects.select_related("theme", "party"),
            pk=_int(request.POST["commitment"]),
            version_id=round.version_id,
        )
        proposal = None
        fallback = reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk})
    else:
        commitment = None
        proposal = get_object_or_404(
            Proposal.objects.select_related("author", "commitment", "theme", "party"),
            pk=_int(request.POST.get("proposal")),
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
            choice = round.proposals.filter(pk=_int(choice_value.removeprefix("proposal:"))).first()
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
    return _back(request, fallback)


# --- Comments --------------------------------------------------------------------------------------
def _comment_subject(round, target, subject_id):
    if target == Comment.Target.THEME:
        return {"theme": get_object_or_404(Theme, pk=subject_id, version_id=round.version_id)}
    if target == Comment.Target.COMMITMENT:
        return {"commitment": get_object_or_404(Commitment, pk=subject_id, version_id=round.version_id)}
    if target == Comment.Target.PROPOSAL:
        return {"proposal": get_object_or_404(Proposal, pk=subject_id, round=round)}
    return {}


def _subject_url(round, comment):
    return comment.subject_url()


@login_required
@rate_limited("comment")
@require_POST
def post_comment(request, round_pk):
    round = _readable_round(request, round_pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        parent = get_object_or_404(Comment, pk=data["parent"], round=round) if data.get("parent") else None
        # A reply takes its subject from the thread it joins.
        subject = {} if parent else _comment_subject(round, data["target"], data.get("subject"))
        try:
            comment = services.post_comment(
                actor=request.user,
                round=round,
                body=data["body"],
                target=data["target"],
                parent=parent,
                **subject,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your comment is posted.")
            return redirect(f"{_subject_url(round, comment)}#{comment.anchor()}")
    # Whatever went wrong, the person's words come back to them in the form.
    return render(
        request, "consultation/comment_form.html", {**_base_context(request, round), "form": form}, status=400
    )


@login_required
def edit_comment(request, round_pk, pk):
    round = _readable_round(request, round_pk)
    comment = get_object_or_404(Comment, pk=pk, round=round, author=request.user)
    form = CommentForm(request.POST or None, initial={"body": comment.body, "target": comment.target})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.edit_comment(actor=request.user, comment=comment, body=form.cleaned_data["body"])
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Saved your comment.")
                return redirect(f"{_subject_url(round, comment)}#{comment.anchor()}")
    return render(
        request,
        "consultation/comment_form.html",
        {**_base_context(request, round), "form": form, "comment": comment},
        status=status,
    )


@login_required
def delete_comment(request, round_pk, pk):
    round = _readable_round(request, round_pk)
    comment = get_object_or_404(Comment, pk=pk, round=round, author=request.user)
    if request.method == "POST":
        try:
            services.delete_comment(actor=request.user, comment=comment)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, "Your comment is deleted. A note that it was deleted stays in the thread."
            )
        return redirect(f"{_subject_url(round, comment)}#{comment.anchor()}")
    return render(
        request,
        "consultation/confirm.html",
        {
            **_base_context(request, round),
            "heading": "Delete your comment?",
            "explanation": "Your words will be removed. A note saying a comment was deleted stays, so replies still make sense.",
            "button": "Delete the comment",
            "cancel_url": f"{_subject_url(round, comment)}#{comment.anchor()}",
            "quoted_html": comment.body_html,
        },
    )


@login_required
def report_comment(request, round_pk, pk):
    round = _readable_round(request, round_pk)
    comment = get_object_or_404(Comment, pk=pk, round=round)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "What is wrong with this comment?"
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.report_comment(
                    actor=request.user, comment=comment, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Thank you. The moderators will look at this comment.")
                return redirect(f"{_subject_url(round, comment)}#{comment.anchor()}")
    return render(
        request,
        "consultation/report.html",
        {
            **_base_context(request, round),
            "form": form,
            "comment": comment,
            "back_url": f"{_subject_url(round, comment)}#{comment.anchor()}",
        },
        status=status,
    )


# --- Results ---------------------------------------------------------------------------------------
def results(request, round_pk):
    """Frozen results, for whoever `results_readable_by` lets read them (the API asks the same
    rule): anyone for a round open to every leader, those invited and staff for an invited round.
    Never names a voter."""
    round = _readable_round(request, round_pk)
    if not round.has_results:
        messages.info(request, "Results appear when the round closes.")
        return redirect(round)
    if not _can_see_results(request, round):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        return render(
            request, "consultation/results_forbidden.html", _base_context(request, round), status=403
        )
    return render(
        request,
        "consultation/results.html",
        {
            **_base_context(request, round),
            "questions": presenters.questions(round, selectors.results_for(round)),
            "change_log": round.change_log.all() if round.status == Round.Status.APPLIED else None,
        },
    )


def _can_see_results(request, round):
    # One rule for pages and API alike: a round open to every leader shows its results to anyone,
    # an invited round to those invited and staff (consultation.selectors).
    return selectors.results_readable_by(round=round, user=request.user)


def results_csv(request, round_pk):
    round = _readable_round(request, round_pk)
    if not is_academy_staff(request.user):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        raise Http404("No such export.")
    if not round.has_results:
        raise Http404("The round has not closed.")
    return csv_download(
        filename=f"round-{round.pk}-results.csv",
        header=[
            "question",
            "commitment or proposal",
            "option",
            "wording",
            "votes",
            "share",
            "turnout",
            "leading",
            "tie",
            "decision",
            "chosen",
            "override reason",
        ],
        rows=_result_rows(round),
    )


def _result_rows(round):
    """One row per option of each question, as the results CSV lists them."""
    for result in selectors.results_for(round):
        subject = (
            f"commitment {result.commitment.key}"
            if result.commitment_id
            else f"proposal #{result.proposal_id}"
        )
        for option in result.options:
            yield [
                result.position,
                subject,
                option["option"],
                option["label"],
                option["count"],
                option["share"],
                result.turnout,
                option["option"] == result.leading_option,
                result.is_tie,
                result.decision,
                result.chosen_option,
                result.override_reason,
            ]
