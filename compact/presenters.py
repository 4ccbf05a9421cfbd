"""What the PDF pages say about a render in progress or failed, in words a person can act on."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from .models import PdfExport, Version

# The "being prepared" page checks again this often (a meta refresh: no JavaScript needed).
REFRESH_SECONDS = 5


@dataclass(frozen=True)
class PdfProgress:
    state: str  # "waiting" or "rendering"
    since: datetime | None
    last_render: timedelta | None
    refresh_seconds: int = REFRESH_SECONDS

    @property
    def sentence(self) -> str:
        if self.state == "rendering":
            return "The PDF is being laid out now."
        return "The PDF is waiting its turn to be laid out."

    @property
    def last_render_seconds(self) -> int | None:
        return max(1, round(self.last_render.total_seconds())) if self.last_render else None


def pdf_progress(*, version: Version) -> PdfProgress:
    """How far the render owed for a version has got, and how long the last one took. Two queries."""
    owed = (
        PdfExport.objects.filter(version=version)
        .waiting()
        .order_by("-requested_at", "-id")
        .values("status", "requested_at", "started_at")
        .first()
    )
    last = (
        PdfExport.objects.filter(version=version, started_at__isnull=False, finished_at__isnull=False)
        .order_by("-finished_at")
        .values("started_at", "finished_at")
        .first()
    )
    rendering = owed is not None and owed["status"] == PdfExport.Status.RENDERING
    return PdfProgress(
        state="rendering" if rendering else "waiting",
        since=(owed["started_at"] if rendering else owed["requested_at"]) if owed else timezone.now(),
        last_render=_duration(last["started_at"], last["finished_at"]) if last else None,
    )


def _duration(started: datetime | None, finished: datetime | None) -> timedelta | None:
    return finished - started if started and finished else None


def failure_summary(export: PdfExport) -> str:
    """A failed render in one sentence for staff; the exception text goes under "details"."""
    attempts = f"after {export.attempts} attempt{'s' if export.attempts != 1 else ''}"
    if "MemoryError" in export.error:
        return f"The PDF ran out of memory {attempts}. Retry when the worker is less busy."
    if "Timeout" in export.error or "TimeLimit" in export.error:
        return f"The PDF took too long to prepare {attempts}. Retry, and tell the service team if it fails again."
    return f"The PDF could not be prepared {attempts}. Retry, and tell the service team if it fails again."
