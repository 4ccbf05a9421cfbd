import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from compact.errors import DomainError

from . import selectors, services
from .forms import ProfileForm


@login_required
def profile(request):
    """A person's name, job title and organisation (how they are introduced beside their words),
    and the kind of role they hold, if they say (how staff count participation by role)."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            for name, value in form.cleaned_data.items():
                setattr(user, name, value)
            user.save(update_fields=list(form.cleaned_data))
            messages.success(request, "Saved your details.")
            return redirect("accounts:profile")
        return render(
            request, "accounts/profile.html", {"form": form, "signatures": _signatures(user)}, status=400
        )
    form = ProfileForm(
        initial={
            "full_name": user.full_name,
            "job_title": user.job_title,
            "organisation_name": user.organisation_name,
            "leadership_role": user.leadership_role,
        }
    )
    return render(request, "accounts/profile.html", {"form": form, "signatures": _signatures(user)})


@login_required
@require_GET
def download_data(request):
    """Everything the service holds about the person, as one JSON file."""
    data = selectors.personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="leadership-compact-my-data-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def delete_account(request):
    """GET explains what happens; only the button (a POST) erases."""
    if request.method == "POST":
        try:
            services.erase_account(actor=request.user, user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("accounts:profile")
        logout(request)
        messages.success(request, "Your account is deleted. Your name and e-mail address are gone.")
        return redirect("home")
    return render(request, "accounts/delete.html")


def privacy(request):
    return render(request, "accounts/privacy.html")


def _signatures(user):
    return user.signatures.select_related("version__compact").order_by("-created_at")
