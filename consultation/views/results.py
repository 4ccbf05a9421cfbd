"""A closed round's results, as a page and (for staff) as CSV."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.roles import is_academy_staff
from core.csv import csv_download

from .. import presenters, selectors
from ..models import Round
from .common import base_context, can_see_results, readable_round


def results(request, round_pk):
    """Frozen results, for whoever `results_readable_by` lets read them (the API asks the same
    rule): anyone for a round open to every leader, those invited and staff for an invited round.
    Never names a voter."""
    round = readable_round(request, round_pk)
    if not round.has_results:
        messages.info(request, "Results appear when the round closes.")
        return redirect(round)
    if not can_see_results(request, round):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        return render(
            request, "consultation/results_forbidden.html", base_context(request, round), status=403
        )
    return render(
        request,
        "consultation/results.html",
        {
            **base_context(request, round),
            "questions": presenters.questions(round, selectors.results_for(round)),
            "change_log": round.change_log.all() if round.status == Round.Status.APPLIED else None,
        },
    )


def results_csv(request, round_pk):
    round = readable_round(request, round_pk)
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
