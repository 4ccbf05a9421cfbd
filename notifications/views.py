from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from compact.errors import DomainError

from . import outbox, selectors, services
from .forms import PreferencesForm
from .kinds import label_in_sentence


@login_required
@require_POST
def retry_failed_mail(request):
    """Staff dashboard: send every failed e-mail again (the service checks the role)."""
    try:
        count = outbox.retry_failed(actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("home")
    messages.success(request, f"Sending {count} failed e-mail{'s' if count != 1 else ''} again.")
    return redirect("compact:staff_dashboard")


@login_required
@require_POST
def preferences(request):
    form = PreferencesForm(request.POST, rows=selectors.settings_for(request.user))
    if not form.is_valid():
        messages.error(request, "Choose straight away, a daily digest, or off for each kind of e-mail.")
        return redirect(reverse("accounts:profile") + "#notifications")
    for kind, mode in form.cleaned_data.items():
        services.set_preference(user=request.user, kind=kind, mode=mode)
    messages.success(request, "Saved your e-mail settings.")
    return redirect(reverse("accounts:profile") + "#notifications")


# Exempt from CSRF because mail clients POST here with no session (RFC 8058 one-click); the
# signed token in the URL is the authorisation, and it only ever switches e-mail *off*.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, kind, token):
    try:
        user = services.user_for_token(kind=kind, token=token)
    except DomainError as error:
        return render(request, "notifications/unsubscribe_refused.html", {"reason": str(error)}, status=400)
    label = label_in_sentence(kind)
    if request.method == "GET":
        # A GET only asks: mail scanners follow links, and must not unsubscribe anyone.
        return render(
            request, "notifications/unsubscribe_confirm.html", {"label": label, "email": user.email}
        )
    switched_off = services.unsubscribe(user=user, kind=kind)
    return render(
        request,
        "notifications/unsubscribed.html",
        {"label": label, "switched_off": switched_off, "email": user.email},
    )


def _follow_view(follow):
    @login_required
    @require_POST
    def view(request, what, pk):
        if what not in selectors.TARGETS:
            return redirect("home")
        if follow:
            services.follow(user=request.user, what=what, pk=pk)
            messages.success(
                request, "You are following this. Choose how you hear about it in your e-mail settings."
            )
        else:
            services.unfollow(user=request.user, what=what, pk=pk)
            messages.success(request, "You have stopped following this.")
        # Back to the page the button was on: a path on this site, nothing else. Not redirect(),
        # which takes "abc" or "0" for the name of a view and fails with a server error.
        back = request.POST.get("next", "")
        if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
            back = reverse("home")
        return HttpResponseRedirect(back)

    return view


follow = _follow_view(True)
unfollow = _follow_view(False)
