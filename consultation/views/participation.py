"""Staff pages of a round's participation: who is taking part (counts only, by group and by day),
and the reminder to those taking part who have not answered every question."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from accounts.mixins import AcademyStaffRequiredMixin
from core.errors import DomainError

from .. import services
from ..models import Round
from ..participation import not_yet_voted
from ..participation_page import participation_page
from ..selectors import ordered_questions, timing_problem


def _round(pk):
    return get_object_or_404(Round.objects.select_related("version__compact"), pk=pk)


class ParticipationView(AcademyStaffRequiredMixin, View):
    def get(self, request, pk):
        round = _round(pk)
        return render(
            request,
            "consultation/staff/participation.html",
            {"round": round, "version": round.version, "page": participation_page(round=round)},
        )


class RemindView(AcademyStaffRequiredMixin, View):
    """GET says how many the reminder will reach and shows what it says; only the button (a POST)
    sends it."""

    template_name = "consultation/staff/remind.html"

    def get(self, request, pk):
        round = _round(pk)
        problem = timing_problem(round)
        reminders = [] if problem else not_yet_voted(round=round, day=timezone.localdate())
        context = {
            "round": round,
            "version": round.version,
            "problem": problem,
            "count": len(reminders),
            "questions": len(ordered_questions(round)),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        round = _round(pk)
        try:
            written = services.remind_not_yet_voted(actor=request.user, round=round)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("consultation:staff_remind", pk=round.pk)
        if written:
            messages.success(
                request,
                f"Queued the reminder for {written} leader{'s' if written != 1 else ''} who "
                f"{'have' if written != 1 else 'has'} not answered every question.",
            )
        else:
            messages.info(request, "Nobody new to remind today: no reminder was queued.")
        return redirect("consultation:staff_participation", pk=round.pk)
