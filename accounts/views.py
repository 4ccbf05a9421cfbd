from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .forms import ProfileForm


@login_required
def profile(request):
    """A person's name, job title and organisation: how they are introduced beside their words."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            for name, value in form.cleaned_data.items():
                setattr(user, name, value)
            user.save(update_fields=list(form.cleaned_data))
            messages.success(request, "Saved your details.")
            return redirect("accounts:profile")
        return render(request, "accounts/profile.html", {"form": form}, status=400)
    form = ProfileForm(
        initial={
            "full_name": user.full_name,
            "job_title": user.job_title,
            "organisation_name": user.organisation_name,
        }
    )
    return render(request, "accounts/profile.html", {"form": form})


@require_GET
def healthz(request):
    from django.db import connection
    from django.http import HttpResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
