"""What compact pages show that takes working out: a PDF render in progress or failed, in words
a person can act on; an imported outline's problems, each at its line."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from .interchange import Problem
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


@dataclass(frozen=True)
class OutlineLine:
    """One line of an outline as the import read it, with the problems found on it."""

    number: int
    text: str
    problems: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"line-{self.number}"


@dataclass(frozen=True)
class ListedProblem:
    """A problem in the error summary: its message, where its link goes, and what the line reads."""

    problem: Problem
    href: str
    excerpt: str


@dataclass(frozen=True)
class OutlineProblems:
    problems: list[ListedProblem]
    lines: list[OutlineLine]


def outline_problems(*, text: str, problems: Sequence[Problem]) -> OutlineProblems:
    """The outline's problems, each linked to its line of the numbered copy the page shows under
    the summary (a text box shows no line numbers, and no link can reach a line inside one). The
    lines are counted as the import counts them (`interchange.parse`). A problem outside the
    text (line 0, or past its end) links to the box itself."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    by_line: dict[int, list[str]] = {}
    for problem in problems:
        by_line.setdefault(problem.line, []).append(problem.message)
    numbered = [
        OutlineLine(number=number, text=line, problems=tuple(by_line.get(number, ())))
        for number, line in enumerate(lines, start=1)
    ]
    listed = []
    for problem in problems:
        on_a_line = 0 < problem.line <= len(lines)
        listed.append(
            ListedProblem(
                problem=problem,
                href=f"#line-{problem.line}" if on_a_line else "#id_text",
                excerpt=lines[problem.line - 1].strip() if on_a_line else "",
            )
        )
    return OutlineProblems(problems=listed, lines=numbered)
