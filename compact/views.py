"""Public pages: the list of compacts and a compact as it reads on paper."""

from django.apps import apps
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.mixins import academy_staff_required
from accounts.roles import is_academy_staff, needs_two_factor_setup
from consultation.selectors import open_rounds_by_compact, readable_versions
from reflections.selectors import visible_reflections

from . import caching, exports, pdf, presenters
from .comparison import compare
from .errors import DomainError
from .models import Commitment, Compact, PdfExport, Version
from .selectors import compact_layout, compacts_for_home, previous_published, publicly_visible_compacts

# Reflections on a commitment's history page, a page at a time.
REFLECTIONS_PER_PAGE = 20


def home(request):
    rounds = open_rounds_by_compact()
    compacts = [(compact, version, rounds.get(compact.pk, [])) for compact, version in compacts_for_home()]
    return render(request, "compact/home.html", {"compacts": compacts})


@caching.visitor_page("detail")
def compact_detail(request, slug):
    """The compact's current published version, or a clear word that there is none yet.

    Visitors get a cached copy (see compact.caching); signed-in people always a fresh page.
    """
    compact = get_object_or_404(Compact, slug=slug)
    version = compact.versions.published().first()
    if version is None:
        # Nothing of a compact with nothing public is shown, not even its title (staff see it).
        if not (is_academy_staff(request.user) or publicly_visible_compacts().filter(pk=compact.pk).exists()):
            raise Http404("No such compact.")
        return render(request, "compact/not_published.html", {"compact": compact}, status=200)
    return _render_version(request, compact, version)


def version_detail(request, slug, number):
    """Any version at its own address; only staff may read one that is not yet public."""
    compact = get_object_or_404(Compact, slug=slug)
    version = get_object_or_404(Version, compact=compact, number=number)
    if version not in _readable_versions(request, compact):
        # Not 403: a draft's existence is nobody's business but staff's (and its round's).
        raise Http404("No such version.")
    return _render_version(request, compact, version)


def _render_version(request, compact, version):
    current = version if version.status == Version.Status.PUBLISHED else compact.versions.published().first()
    # A public version is compared with the public one before it (as the refresh e-mail does),
    # never with a draft a round consulted on in between. The first public version, and any
    # other version (staff's, a round's draft), with the latest earlier one this reader may
    # open: never a dead end.
    earlier_version = None
    if version.status in (Version.Status.PUBLISHED, Version.Status.SUPERSEDED):
        earlier_version = previous_published(version=version)
    if earlier_version is None:
        earlier = [v for v in _readable_versions(request, compact) if v.number < version.number]
        earlier_version = earlier[-1] if earlier else None
    return render(
        request,
        "compact/compact_detail.html",
        {
            "compact": compact,
            "version": version,
            "current": current,
            "layout": compact_layout(version),
            "pdf": _pdf_state(version),
            "earlier_version": earlier_version,
        },
    )


def _pdf_state(version):
    if version.status not in exports.RENDERABLE:
        return None
    ready, waiting, failed = exports.current_pdf(version=version)
    summary = presenters.failure_summary(failed) if failed else ""
    return {"ready": ready, "waiting": waiting, "failed": failed, "failure_summary": summary}


def version_pdf(request, slug, number):
    """The latest PDF of a public version; a draft's PDF (watermarked) for staff only."""
    compact = get_object_or_404(Compact, slug=slug)
    version = get_object_or_404(Version, compact=compact, number=number)
    if version.status in Version.IN_PROGRESS or version.status == Version.Status.CONSULTED:
        if not is_academy_staff(request.user):
            raise Http404("No such version.")
        # A draft is a staff export: the same two-factor gate as every staff page.
        if needs_two_factor_setup(request.user):
            return redirect("mfa_activate_totp")
        # Drafts change by the minute: rendered on request, never stored, always watermarked.
        response = HttpResponse(pdf.render(version, draft=True), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{compact.slug}-version-{version.number}-DRAFT.pdf"'
        )
        response["Cache-Control"] = "private, no-store"
        return response
    if version.status == Version.Status.RATIFIED:
        if not is_academy_staff(request.user):
            raise Http404("No such version.")
        if needs_two_factor_setup(request.user):
            return redirect("mfa_activate_totp")
    ready, waiting, _failed = exports.current_pdf(version=version)
    if ready is None:
        if not waiting:
            exports.request_pdf(version=version)
        progress = presenters.pdf_progress(version=version)
        response = render(
            request,
            "compact/pdf_preparing.html",
            {"compact": compact, "version": version, "progress": progress},
            status=503,
        )
        response["Retry-After"] = str(progress.refresh_seconds)
        return response
    return redirect("compact:pdf_file", token=ready.token, filename=ready.filename)


# A PDF lists signatories, and one can be withdrawn at any moment (a signatory withdraws, is
# hidden or erased): no shared cache may keep it ("private"), and a browser asks again each time
# ("no-cache"), which the ETag makes cheap (a 304). Before, "public, max-age=300" let a proxy keep
# an erased name for five minutes.
PDF_CACHE_CONTROL = "private, no-cache"


def pdf_file(request, token, filename):
    """The current rendering of a version, at an address with a random token.

    Only the version's current PDF is served: an earlier one is gone (from storage too) once its
    replacement is ready, or at once when it lists someone who has withdrawn, been hidden or erased.
    """
    export = get_object_or_404(PdfExport.objects.ready().select_related("version__compact"), token=token)
    public = export.version.status in (Version.Status.PUBLISHED, Version.Status.SUPERSEDED)
    if not public and (not is_academy_staff(request.user) or needs_two_factor_setup(request.user)):
        raise Http404("No such file.")
    current, _waiting, _failed = exports.current_pdf(version=export.version)
    if current is None or current.pk != export.pk:
        raise Http404("This PDF has been replaced.")
    etag = f'"{export.token}"'
    cache_control = PDF_CACHE_CONTROL if public else "private, no-store"
    if public and etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        try:
            # From this host's disk or the shared object store, streamed: never a redirect to
            # the store, so the checks above decide every time.
            handle = pdf.open_stored(export.file)
        except FileNotFoundError as error:  # removed a moment ago: the row goes with it
            raise Http404("This PDF has been replaced.") from error
        response = FileResponse(handle, content_type="application/pdf", filename=export.filename)
        if "Content-Length" not in response and export.size:
            response["Content-Length"] = str(export.size)  # a stream from the store has no size
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


@academy_staff_required
@require_GET
def signing_event_pdf(request, slug, number):
    """A copy to print and sign at a signing event: the compact, the signatories counted, a page
    of signature lines and the colophon. Staff only, rendered on request and never stored, so the
    public PDF never gains the signature page; the names are not listed (the copy says where the
    list is), which keeps the render to the compact's own pages however many have signed. Each
    copy is recorded as issued (its digest), so /verify/ recognises the file handed round."""
    version = get_object_or_404(Version.objects.select_related("compact"), compact__slug=slug, number=number)
    try:
        content = exports.signing_copy(actor=request.user, version=version)
    except DomainError as error:
        raise Http404(error.message) from error
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{version.compact.slug}-version-{version.number}-for-signing.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@academy_staff_required
@require_POST
def retry_pdf(request, slug, number):
    version = get_object_or_404(Version, compact__slug=slug, number=number)
    try:
        exports.retry_failed(actor=request.user, version=version)
    except DomainError as error:
        raise Http404(error.message) from error
    return redirect("compact:staff_version", slug=slug, number=number)


def _readable_versions(request, compact):
    return readable_versions(request.user, compact)


def compare_versions(request, slug):
    """Any two versions side by side and word by word; visitors compare public versions only."""
    compact = get_object_or_404(Compact, slug=slug)
    versions = _readable_versions(request, compact)
    by_number = {v.number: v for v in versions}
    if len(versions) < 2:
        return render(
            request, "compact/compare.html", {"compact": compact, "versions": versions, "comparison": None}
        )

    def pick(name, default):
        try:
            return by_number[int(request.GET.get(name, default))]
        except (KeyError, ValueError):
            raise Http404("No such version to compare.") from None

    after = pick("to", versions[-1].number)
    earlier = [v for v in versions if v.number < after.number] or versions[:1]
    before = pick("from", earlier[-1].number)
    show_unchanged = request.GET.get("all") == "1"
    context = {
        "compact": compact,
        "versions": versions,
        "comparison": compare(before, after, show_unchanged=show_unchanged),
        "show_unchanged": show_unchanged,
    }
    return render(request, "compact/compare.html", context)


def commitment_history(request, slug, key):
    """One commitment through every version: its wording, the proposals and votes that changed it."""
    compact = get_object_or_404(Compact, slug=slug)
    versions = _readable_versions(request, compact)
    wordings = {
        c.version_id: c
        for c in Commitment.objects.filter(version__in=versions, key=key).select_related("theme", "party")
    }
    if not wordings:
        raise Http404("No such commitment.")
    timeline = [(v, wordings.get(v.pk)) for v in versions]
    proposal_model = apps.get_model("consultation", "Proposal")
    entry_model = apps.get_model("consultation", "ChangeLogEntry")
    proposals = (
        proposal_model.objects.filter(commitment__key=key, commitment__version__compact=compact)
        .select_related("round", "author")
        .order_by("created_at")
    )
    entries = entry_model.objects.filter(commitment_key=key, version__compact=compact).select_related(
        "version", "round"
    )
    latest = next(c for _, c in reversed(timeline) if c is not None)
    # A page at a time: the history stays small however many reflections are written.
    reflections = Paginator(
        visible_reflections(user=request.user, compact=compact).filter(commitment_key=key),
        REFLECTIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    context = {
        "compact": compact,
        "commitment": latest,
        "timeline": timeline,
        "proposals": proposals,
        "entries": [e for e in entries if e.version in versions],
        "reflections": reflections,
    }
    return render(request, "compact/commitment_history.html", context)
