"""The "We have signed" badge: an SVG an organisation embeds on its own site, and its page.

A badge keeps answering once its signature is withdrawn or hidden, saying "Not signed" rather
than disappearing: the image sits on pages we do not control, where a 404 shows as a broken
image (which reads as a fault of that site, and says nothing), while a grey "Not signed" tells
the reader the truth and its link still leads to the list to check. An organisation that never
had a confirmed signature on the compact gets a 404: no badge carries a name nobody confirmed.
"""

from xml.sax.saxutils import escape, quoteattr

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag

from compact.selectors import publicly_visible_compacts
from core.addresses import absolute
from signatories.selectors import badge_path, badge_token_holds

from . import selectors

# Short: a withdrawal should show on other sites within minutes.
BADGE_MAX_AGE = 300
# Narrow enough for a phone's column (343 px at 375 px wide) without scaling.
WIDTH = 340
HEIGHT = 96
# Arial's average advance per em; a line estimated wider than the badge is squeezed to fit
# (textLength) rather than spilling over its edge.
AVERAGE_EM = {"normal": 0.52, "bold": 0.58}


def _shorten(text, limit):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(x, y, size, weight, fill, text):
    available = WIDTH - 2 * x
    fit = ""
    if len(text) * size * AVERAGE_EM[weight] > available:
        fit = f' textLength="{available}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}"{fit}>'
        f"{escape(text)}</text>"
    )


def badge_lines(state):
    """The badge's three lines: the claim, the organisation, the compact and version."""
    compact = state.compact
    if state.signed:
        claim = "We have signed"
        version = f"version {state.signed_version.number}"
        if state.signed_superseded:
            version += " (since replaced)"
    else:
        claim = "Not signed"
        version = f"version {state.current.number}" if state.current else "no published version"
    return claim, _shorten(state.organisation.name, 50), _shorten(f"{compact.title}, {version}", 70)


def render_svg(state):
    """Every piece of text is XML-escaped: organisation names and titles are typed by people."""
    claim, organisation, compact_line = badge_lines(state)
    colour = "#007f3b" if state.signed else "#4c6272"  # NHS green / NHS dark grey
    label = f"{claim}: {organisation}, {compact_line}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={quoteattr(label)}>
  <title>{escape(label)}</title>
  <rect x="1" y="1" width="{WIDTH - 2}" height="{HEIGHT - 2}" rx="6" fill="#ffffff" stroke="{colour}" stroke-width="2"/>
  <rect x="1" y="1" width="{WIDTH - 2}" height="30" rx="5" fill="{colour}"/>
  <rect x="1" y="24" width="{WIDTH - 2}" height="7" fill="{colour}"/>
  <g font-family="Frutiger W01, Arial, Helvetica, sans-serif">
    {_text(14, 22, 16, "bold", "#ffffff", claim)}
    {_text(14, 56, 15, "bold", "#212b32", organisation)}
    {_text(14, 80, 13, "normal", "#4c6272", compact_line)}
  </g>
</svg>
"""


def _state_or_404(slug, organisation_id, token):
    # The token first: without it, nothing is looked up and nothing tells an organisation exists.
    if not badge_token_holds(compact_slug=slug, organisation_id=organisation_id, token=token):
        raise Http404("No such badge.")
    compact = get_object_or_404(publicly_visible_compacts(), slug=slug)
    state = selectors.badge_state(compact, organisation_id)
    if state is None:
        raise Http404("This organisation has no signature that counts on this compact.")
    return state


def _badge_path(compact, organisation_id, *, svg=False):
    return badge_path(compact_slug=compact.slug, organisation_id=organisation_id, svg=svg)


def badge_svg(request, slug, organisation_id, token):
    state = _state_or_404(slug, organisation_id, token)
    response = HttpResponse(render_svg(state), content_type="image/svg+xml; charset=utf-8")
    patch_cache_control(response, public=True, max_age=BADGE_MAX_AGE)
    set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=response)


def signatories_url(state):
    version = state.signed_version or state.current
    if version is None:
        return state.compact.get_absolute_url()
    return reverse("signatories:list", kwargs={"slug": state.compact.slug, "number": version.number})


def embed_snippet(request, state):
    """The HTML to paste: a link to the signatory list around the badge image."""
    image = absolute(_badge_path(state.compact, state.organisation.pk, svg=True))
    link = absolute(signatories_url(state))
    # As the image says: "has signed" only while a signature stands.
    claim = "has signed" if state.signed else "has not signed"
    alt = f"{state.organisation.name} {claim} {state.compact.title}: see the signatories"
    return (
        f'<a href="{escape(link, {chr(34): "&quot;"})}">'
        f'<img src="{escape(image, {chr(34): "&quot;"})}" alt={quoteattr(alt)} width="{WIDTH}" height="{HEIGHT}">'
        "</a>"
    )


def badge_page(request, slug, organisation_id, token):
    state = _state_or_404(slug, organisation_id, token)
    context = {
        "badge_image": _badge_path(state.compact, state.organisation.pk, svg=True),
        "state": state,
        "compact": state.compact,
        "organisation": state.organisation,
        "snippet": embed_snippet(request, state),
        "signatories_url": signatories_url(state),
    }
    return render(request, "api/badge.html", context)


def badge_index(request, slug):
    """Organisations that have signed, each with a link to its badge."""
    compact = get_object_or_404(publicly_visible_compacts(), slug=slug)
    page = Paginator(selectors.organisations_signed(compact), 100).get_page(request.GET.get("page"))
    for organisation in page:
        organisation.badge_url = _badge_path(compact, organisation.pk)
    return render(request, "api/badges.html", {"compact": compact, "page": page})
