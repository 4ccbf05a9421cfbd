"""Staff pages of consultation: set up a round, close it early, moderate, apply its results."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from accounts.mixins import AcademyStaffRequiredMixin
from compact.models import Version
from core.errors import DomainError

from .. import presenters, selectors, services
from ..forms import CloseRoundForm, ReasonForm, RoundForm
from ..models import Comment, Round


class ScheduleRoundView(AcademyStaffRequiredMixin, View):
    template_name = "consultation/staff/round_form.html"

    def dispatch(self, request, slug, number):
        self.version = get_object_or_404(
            Version.objects.select_related("compact"), compact__slug=slug, number=number
        )
        return super().dispatch(request, slug, number)

    def get(self, request, slug, number):
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = RoundForm(
            initial={
                "title": f"Consultation on version {self.version.number}",
                "opens_at": now,
                "closes_at": now + timezone.timedelta(days=21),
            }
        )
        return render(request, self.template_name, {"form": form, "version": self.version})

    def post(self, request, slug, number):
        form = RoundForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                round = services.schedule_round(
                    actor=request.user,
                    version=self.version,
                    title=data["title"],
                    description=data["description"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    participation=data["participation"],
                    invited=data["invited"],
                    show_running_totals=data["show_running_totals"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                verb = "is open" if round.status == Round.Status.OPEN else "is scheduled"
                messages.success(request, f"“{round.title}” {verb}.")
                return redirect("consultation:staff_round", pk=round.pk)
        return render(request, self.template_name, {"form": form, "version": self.version}, status=400)


class RoundManageView(AcademyStaffRequiredMixin, View):
    template_name = "consultation/staff/round_manage.html"

    def get(self, request, pk, status=200):
        round = get_object_or_404(Round.objects.select_related("version__compact"), pk=pk)
        context = {
            "round": round,
            "version": round.version,
            "proposal_count": round.proposals.standing().count(),
            "comment_count": round.comments.count(),
            "voter_count": round.votes.values("voter").distinct().count(),
            "eligible_count": round.eligible_count
            if round.has_results
            else selectors.eligible_leaders(round).count(),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, pk):
        round = get_object_or_404(Round.objects.select_related("version__compact"), pk=pk)
        action = request.POST.get("action")
        try:
            if action == "close":
                form = CloseRoundForm(request.POST)
                if not form.is_valid():
                    return CloseRoundView.render(request, round, form, status=400)
                round = services.close_round(
                    round=round, actor=request.user, reason=form.cleaned_data["reason"]
                )
                if round.status == Round.Status.CANCELLED:
                    messages.success(request, "The round is cancelled; its draft can have another round.")
                else:
                    messages.success(request, "The round is closed and its results are frozen.")
            elif action in ("stop_proposals", "allow_proposals"):
                change = services.allow_proposals if action == "allow_proposals" else services.stop_proposals
                change(actor=request.user, round=round)
                messages.success(
                    request,
                    "New proposals are "
                    + (
                        "allowed again."
                        if action == "allow_proposals"
                        else "stopped. Votes and comments go on."
                    ),
                )
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("consultation:staff_round", pk=round.pk)


class CloseRoundView(AcademyStaffRequiredMixin, View):
    """Closing early cannot be undone, so it is never one click: this page asks why and to
    confirm, and its form posts to the round's page (no JavaScript needed)."""

    @staticmethod
    def render(request, round, form, status=200):
        context = {"round": round, "version": round.version, "form": form}
        return render(request, "consultation/staff/close_round.html", context, status=status)

    def get(self, request, pk):
        round = get_object_or_404(Round.objects.select_related("version__compact"), pk=pk)
        return self.render(request, round, CloseRoundForm())


class ApplyResultsView(AcademyStaffRequiredMixin, View):
    """Review each question's result in plain words, accept the leaders' choice or override it
    with a reason, then confirm on a second page: applying can be done once."""

    template_name = "consultation/staff/apply.html"

    def _render(self, request, round, questions, *, confirming=False, problems=(), status=200):
        context = {
            "round": round,
            "version": round.version,
            "questions": questions,
            "confirming": confirming,
            "summary_errors": [*problems, *presenters.error_links(questions)],
        }
        return render(request, self.template_name, context, status=status)

    def _round_and_questions(self, pk):
        round = get_object_or_404(Round.objects.select_related("version__compact"), pk=pk)
        return round, presenters.questions(round, selectors.results_for(round))

    def get(self, request, pk):
        round, questions = self._round_and_questions(pk)
        return self._render(request, round, questions)

    def post(self, request, pk):
        round, questions = self._round_and_questions(pk)
        decisions, complete = presenters.read_decisions(questions, request.POST)
        if not complete:
            return self._render(request, round, questions, status=400)
        if request.POST.get("confirmed") != "yes":
            # Every decision is complete: show what will happen, and ask once more.
            return self._render(request, round, questions, confirming=True)
        try:
            draft = services.apply_results(actor=request.user, round=round, decisions=decisions)
        except DomainError as error:
            return self._render(request, round, questions, problems=[error.message], status=400)
        messages.success(
            request, f"Applied the results: version {draft.number} is the new draft, with its change log."
        )
        return redirect("compact:staff_version", slug=draft.compact.slug, number=draft.number)


class ModerationQueueView(AcademyStaffRequiredMixin, View):
    @staticmethod
    def render_queue(request, hide_error=None, status=200):
        """`hide_error` is (comment id, message): shown beside that comment's reason field."""
        hidden = (
            Comment.objects.filter(hidden_at__isnull=False)
            .select_related("author", "round", "hidden_by")
            .order_by("-hidden_at")[:50]
        )
        context = {"reported": list(selectors.moderation_queue()), "hidden": hidden, "form": ReasonForm()}
        if hide_error:
            pk, message = hide_error
            context["hide_error"] = {"pk": pk, "message": message}
            context["summary_errors"] = [{"href": f"#hide-reason-{pk}", "text": message}]
        return render(request, "consultation/staff/moderation.html", context, status=status)

    def get(self, request):
        return self.render_queue(request)


class ModerateCommentView(AcademyStaffRequiredMixin, View):
    def post(self, request, pk, action):
        comment = get_object_or_404(Comment, pk=pk)
        try:
            if action == "hide":
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    message = "Give the reason for hiding the comment; it is shown in its place."
                    return ModerationQueueView.render_queue(
                        request, hide_error=(comment.pk, message), status=400
                    )
                services.hide_comment(actor=request.user, comment=comment, reason=form.cleaned_data["reason"])
                messages.success(request, "The comment is hidden and its author has been told why.")
            elif action == "restore":
                services.restore_comment(actor=request.user, comment=comment)
                messages.success(request, "The comment is visible again.")
            elif action == "dismiss":
                services.dismiss_reports(actor=request.user, comment=comment)
                messages.success(request, "The reports are dismissed; the comment stays.")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("consultation:moderation")
