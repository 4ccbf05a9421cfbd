"""What every page of a round shares: finding the round this reader may read, going back to where
they were, the context every round page has, and who may read its results."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.roles import is_academy_staff

from .. import selectors
from ..models import Round


def _round_or_404(pk):
    return get_object_or_404(Round.objects.select_related("version__compact"), pk=pk)


def readable_round(request, pk):
    """Open, closed and applied rounds are public; a scheduled one only to staff."""
    round = _round_or_404(pk)
    if round.status == Round.Status.SCHEDULED and not is_academy_staff(request.user):
        raise Http404("No such round.")
    return round


def back_to(request, fallback):
    # Addresses, not view names: HttpResponseRedirect, since redirect() tries each as a view name
    # first, and a failed reverse() cost a tenth of a vote.
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def whole_number(value):
    """A whole number from a query or form value, or None; a number no database column could hold
    is None too (SQLite raised OverflowError, a 500, on `?theme=99999999999999999999999`)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -(2**63) <= number < 2**63 else None


_UNKNOWN = object()


def base_context(request, round, *, current=None, progress=None, problem=_UNKNOWN):
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


def can_see_results(request, round):
    # One rule for pages and API alike: a round open to every leader shows its results to anyone,
    # an invited round to those invited and staff (consultation.selectors).
    return selectors.results_readable_by(round=round, user=request.user)
