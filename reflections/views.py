from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.ratelimits import rate_limited
from accounts.roles import is_academy_staff
from compact.errors import DomainError
from compact.models import Compact

from . import presenters, selectors, services
from .forms import ReflectionForm, SessionForm

# A page of reflections: the page stays small however many are written.
PER_PAGE = 20


@rate_limited("reflect")
def reflections_page(request, slug):
    """Reflections by theme and commitment, newest first and a page at a time, with charts of
    celebrations and concerns by month, for the whole compact and for each commitment."""
    compact = get_object_or_404(Compact, slug=slug)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    version = compact.versions.published().first()
    commitments = (
        list(version.commitments.select_related("theme", "party").order_by("theme__position", "position"))
        if version
        else []
    )
    reflection_form = ReflectionForm(commitments=commitments)
    session_form = SessionForm()
    status = 200
    if request.method == "POST":
        status = 400
        if request.POST.get("form") == "session":
            session_form = SessionForm(request.POST)
            if session_form.is_valid():
                try:
                    services.record_session(actor=request.user, compact=compact, **session_form.cleaned_data)
                except DomainError as error:
                    session_form.add_error(None, error.message)
                else:
                    messages.success(request, "The reflection session is recorded.")
                    return redirect("reflections:page", slug=slug)
        else:
            reflection_form = ReflectionForm(request.POST, commitments=commitments)
            if reflection_form.is_valid():
                data = reflection_form.cleaned_data
                try:
                    services.reflect(
                        actor=request.user,
                        compact=compact,
                        kind=data["kind"],
                        text=data["text"],
                        visibility=data["visibility"],
                        commitment_key=data["commitment_key"] or None,
                    )
                except DomainError as error:
                    reflection_form.add_error(None, error.message)
                else:
                    messages.success(request, "Thank you. Your reflection is recorded.")
                    return redirect("reflections:page", slug=slug)
    page = Paginator(selectors.visible_reflections(user=request.user, compact=compact), PER_PAGE).get_page(
        request.GET.get("page")
    )
    reflections = list(page.object_list)
    by_key = {c.key: c for c in commitments}
    groups = {}
    for reflection in reflections:
        groups.setdefault(reflection.commitment_key, []).append(reflection)
    ordered = [(None, groups.pop(None, []))] + [(by_key.get(key), items) for key, items in groups.items()]
    health = presenters.health(
        counts=selectors.counts_by_month(user=request.user, compact=compact),
        commitments=commitments,
        today=timezone.localdate(),
    )
    context = {
        "compact": compact,
        "groups": [(c, items) for c, items in ordered if items],
        "page": page,
        "health": health,
        "may_reflect": services.may_reflect(user=request.user, compact=compact),
        "is_staff": is_academy_staff(request.user),
        "form": reflection_form,
        "session_form": session_form,
        "sessions": compact.reflection_sessions.all(),
    }
    return render(request, "reflections/page.html", context, status=status)
