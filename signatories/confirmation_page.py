"""The page after a signature is confirmed, kept whole per page state (core/kept.py).

Rendering it was a third of the confirmation's Python. Everything it shows is either part of the
key (what the signature's version and compact are, whether it awaits its organisation, who is
asking: signed in or not, staff or not, the address asked for) or a mark filled in per request:
the signer's name, the text fingerprint, the receipt's number, the organisation's name and
number, the signed-in person's name, the CSRF token and the page's own path in its sign-in links.
The stand-ins below show the template only those; anything else it asks of them reads as
missing, so a template that starts showing more of the signature differs from a fresh render
(tests/signatories/test_kept_confirmation_page.py) rather than showing one signer another's.
"""

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import conditional_escape

from accounts.roles import is_academy_staff
from compact.caching import messages_waiting
from core import kept
from core.csrf import masked_token

from .models import Signature
from .selectors import badge_path

TEMPLATE = "signatories/confirmed.html"

NAME, FINGERPRINT, ORGANISATION, PERSON, TOKEN, PATH, BADGE = (kept.text_mark() for _ in range(7))
NUMBER, ORGANISATION_NUMBER = kept.number_mark(), kept.number_mark()
_MARKS = {
    NAME: "name",
    FINGERPRINT: "fingerprint",
    NUMBER: "number",
    ORGANISATION: "organisation",
    ORGANISATION_NUMBER: "organisation number",
    PERSON: "person",
    TOKEN: "token",
    PATH: "path",
    BADGE: "badge",
}

# A page is about 7,000 characters: some three hundred states kept per worker.
_pages: kept.KeptPages[kept.KeptPage] = kept.KeptPages(limit=2_000_000)


class _StandIn:
    """Shows a template what it is given and nothing else."""

    def __init__(self, **shown: Any) -> None:
        self.__dict__.update(shown)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)


class _MarkedRequest:
    """The request, with its path (which carries the link's token) a mark in the sign-in links."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def get_full_path(self) -> str:
        return PATH

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def response(request: HttpRequest, signature: Signature) -> HttpResponse:
    """The confirmation page for this signature and this request."""
    context = {"signature": signature}
    if messages_waiting(request):
        return render(request, TEMPLATE, context)  # messages are shown once: never kept
    user = request.user
    version = signature.version
    organisation = signature.organisation
    key = (
        signature.status,
        organisation is not None,
        version.pk,
        version.number,
        version.compact.slug,
        version.compact.title,
        # The share links are absolute, from settings.SITE_URL (core.addresses): never the Host header.
        request.path.startswith("/accounts/"),  # the sign-in links carry the path back, or not
        user.is_authenticated,
        user.is_staff,
        is_academy_staff(user),
    )
    page = _pages.get(key)
    if page is None:
        page = kept.keep(_render_marked(request, signature), _MARKS)
        _pages.put(key, page)
    values = {
        "name": _escaped(signature.full_name),
        "fingerprint": _escaped(signature.content_hash),
        "number": str(signature.pk).encode(),
        "organisation": _escaped(organisation.name) if organisation is not None else b"",
        "organisation number": str(organisation.pk).encode() if organisation is not None else b"",
        "person": _escaped(user.display_name) if user.is_authenticated else b"",
        # As the |urlencode filter quotes it, which leaves nothing for HTML escaping to change.
        "path": quote(request.get_full_path(), safe="/").encode(),
        # The badge's address carries a token per organisation (signatories.selectors.badge_token).
        "badge": (
            _escaped(badge_path(compact_slug=version.compact.slug, organisation_id=organisation.pk))
            if organisation is not None
            else b""
        ),
    }
    if "token" in page.pieces:  # a form on the page (signed in: sign out): as a render would
        values["token"] = masked_token(request).encode()
    return HttpResponse(kept.filled_in(page, values))


def _render_marked(request: HttpRequest, signature: Signature) -> str:
    organisation = signature.organisation
    marked = _StandIn(
        pk=NUMBER,
        id=NUMBER,
        full_name=NAME,
        content_hash=FINGERPRINT,
        status=signature.status,
        version=signature.version,
        organisation_id=ORGANISATION_NUMBER if organisation is not None else None,
        badge_path=BADGE if organisation is not None else "",
        organisation=(
            _StandIn(pk=ORGANISATION_NUMBER, id=ORGANISATION_NUMBER, name=ORGANISATION)
            if organisation is not None
            else None
        ),
    )
    context: dict[str, Any] = {"signature": marked, "request": _MarkedRequest(request), "csrf_token": TOKEN}
    if request.user.is_authenticated:
        context["user"] = _StandIn(
            is_authenticated=True, is_anonymous=False, is_staff=request.user.is_staff, display_name=PERSON
        )
    return render_to_string(TEMPLATE, context, request)


def _escaped(value: str) -> bytes:
    return conditional_escape(value).encode()
