"""Public pages: the list of compacts and a compact as it reads on paper."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from accounts.roles import is_academy_staff

from .models import Compact, Version
from .selectors import compact_layout, compacts_for_home


def home(request):
    return render(request, "compact/home.html", {"compacts": compacts_for_home()})


def compact_detail(request, slug):
    """The compact's current published version, or a clear word that there is none yet."""
    compact = get_object_or_404(Compact, slug=slug)
    version = compact.versions.published().first()
    if version is None:
        return render(request, "compact/not_published.html", {"compact": compact}, status=200)
    return _render_version(request, compact, version)


def version_detail(request, slug, number):
    """Any version at its own address; only staff may read one that is not yet public."""
    compact = get_object_or_404(Compact, slug=slug)
    version = get_object_or_404(Version, compact=compact, number=number)
    readable = version.status in (Version.Status.PUBLISHED, Version.Status.SUPERSEDED)
    if not readable and not is_academy_staff(request.user):
        # Not 403: a draft's existence is nobody's business but staff's.
        raise Http404("No such version.")
    return _render_version(request, compact, version)


def _render_version(request, compact, version):
    current = version if version.status == Version.Status.PUBLISHED else compact.versions.published().first()
    return render(
        request,
        "compact/compact_detail.html",
        {
            "compact": compact,
            "version": version,
            "current": current,
            "layout": compact_layout(version),
        },
    )
