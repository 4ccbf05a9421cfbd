"""Two gates every request passes before any view: hostile NUL bytes, and staff two-factor."""

from django.contrib import messages
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

from accounts.roles import must_set_up_two_factor


def _without_nul(query_dict):
    """A copy of the QueryDict with every NUL byte removed from keys and values.

    PostgreSQL refuses NUL in text (a 500 from any query or insert that carries one), and no
    person means to type one, so removing it loses nothing anyone wrote.
    """
    cleaned = QueryDict(mutable=True, encoding=query_dict.encoding)
    for key, values in query_dict.lists():
        cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    cleaned._mutable = False
    return cleaned


def _has_nul(query_dict):
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query_dict.lists())


class StripNulBytesMiddleware:
    """Removes NUL bytes from every query and form parameter in one place, and refuses a path
    that holds one (no page has one in its address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            body = render_to_string("400.html", request=request)
            return HttpResponseBadRequest(body)
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A view exempt from the CSRF middleware reads its own body (the PDF check sets upload
        # handlers that keep uploads in memory, which it cannot once the body is read) and checks
        # CSRF itself; its forms' CharFields refuse NUL. Every other view's body was read already.
        if getattr(view_func, "csrf_exempt", False):
            return None
        if request.method == "POST" and _has_nul(request.POST):
            request.POST = _without_nul(request.POST)
        return None


# Where an account that must set up two-factor may still go: the sign-in, sign-out and two-factor
# pages (all under allauth), their own account and data, and what every page needs.
OPEN_TO_ACCOUNTS_WITHOUT_TWO_FACTOR = ("/accounts/", "/account/", "/privacy/", "/static/")
# The open data API is anonymous: it shows staff what it shows anyone and reads no cookie, so the
# gate does not look at the session there (which would also add Vary: Cookie to every answer and
# keep shared caches from sharing them).
ANONYMOUS_ONLY = ("/api/v1/",)


class StaffTwoFactorMiddleware:
    """The one gate for staff two-factor: where the deployment requires it (STAFF_REQUIRE_MFA),
    an account with staff powers (academy staff, the admin's staff and superusers) and no TOTP is
    sent to set it up from every page and action, the admin included, until it has. A per-view
    check misses views that show more to staff than to others (drafts, exports, staff-only
    reflections); a gate in front of every view cannot."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            not path.startswith(OPEN_TO_ACCOUNTS_WITHOUT_TWO_FACTOR + ANONYMOUS_ONLY)
            and not (path.startswith("/verify/") and path.endswith(".json"))
            and must_set_up_two_factor(request.user)
        ):
            messages.info(request, "Set up two-factor authentication to use the staff area.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class PrivateWhenSignedInMiddleware:
    """A page served to someone signed in says `Cache-Control: private`: it shows their name,
    their votes, a CSRF token of theirs, so no shared cache (a proxy, a CDN) may keep it for
    anyone else. Visitors' pages say `public` themselves (compact.caching), with an ETag."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response


class MethodNotAllowedPage:
    """Gives Django's 405 (``require_POST``, a class-based view without the method) a page.

    Django sends it with an empty HTML body, which a person who opens a form's address (a
    bookmark, a reload) sees as a blank screen and the HTML checker reports as no document at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not response.streaming
            and not response.content
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response.content = render_to_string("405.html", request=request)
        return response
