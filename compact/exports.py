"""Keeping the PDF of a published version current, without rendering it once per signature.

A change (publication, a signature confirmed or withdrawn) marks a render as owed: one pending
PdfExport row per version, whatever the number of changes. A task is enqueued at most once per
coalescing window; when it runs it renders what is true then. So 1,000 signatures in a minute
cause a handful of renders, and a render owed survives a lost broker message (the reconciler
finds the pending row and enqueues it again). A change while a render is under way leaves a new
pending row behind it, so nothing confirmed mid-render is missed.

Only the current PDF of a version is public: its address carries a random token, an earlier file
is deleted once its replacement is ready, and one listing a person who has withdrawn, been hidden
or erased is deleted at once (`withdraw_pdfs`); a render that finishes after such a change is
thrown away rather than published.

Every file handed out is recorded as issued (`IssuedPdf`, the SHA-256 of its bytes) and the record
is kept after the file is gone: /verify/ vouches for a copy only when it is byte for byte one of
them (compact.verification).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from config import dispatch

from . import pdf
from .errors import DomainError
from .models import PDF_FOLDER, Compact, IssuedPdf, PdfExport, Version
from .services import require_academy_staff

if TYPE_CHECKING:
    from accounts.models import User

RENDERABLE = (Version.Status.RATIFIED, Version.Status.PUBLISHED, Version.Status.SUPERSEDED)


def coalesce_seconds() -> int:
    return int(getattr(settings, "PDF_COALESCE_SECONDS", 30))


def request_pdf(*, version: Version) -> None:
    """Note that the version's PDF is out of date and make sure a render is on its way.

    Only a *pending* row is joined: a render under way may already have read the signatories,
    so a change while it runs leaves a new pending row behind it.

    Every confirmed signature calls this after its commit, so the usual case (a render already
    owed) costs one indexed read.
    """
    if version.status not in RENDERABLE:
        return
    if not _render_owed(version.pk):
        try:
            with transaction.atomic():
                PdfExport.objects.create(version=version)
        except IntegrityError:
            pass  # another change made it first: one pending row per version (a constraint)
    _enqueue_once(version.pk)


def _render_owed(version_id: int) -> bool:
    return PdfExport.objects.filter(version_id=version_id, status=PdfExport.Status.PENDING).exists()


# The task is named, not imported: compact.tasks imports this module (config.dispatch.task_named).
RENDER_TASK = "compact.tasks.render_pdf"


def _enqueue_once(version_id: int) -> None:
    window = coalesce_seconds()
    key = f"pdf:scheduled:{version_id}"
    if cache.add(key, 1, timeout=window * 2 or 1):
        dispatch.send_on_commit(RENDER_TASK, version_id, countdown=window)


# The first key of the PostgreSQL advisory locks that mark a render as running ("PD").
RENDER_LOCK = 0x5044


def _hold_render(export_id: int) -> bool:
    """Mark this export's render as running, for as long as this worker's database session
    lasts: a PostgreSQL advisory lock, which dies with the session. So a render still running is
    told from one whose worker died by asking the database, whatever the render's age, and a
    reconciler or a second task never claims a render in progress. False: someone holds it."""
    if connection.vendor != "postgresql":
        return True  # SQLite (tests, `make run`): one process renders
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RENDER_LOCK, export_id])
        held: bool = cursor.fetchone()[0]
    return held


def _release_render(export_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RENDER_LOCK, export_id])


def _take_owed(version_id: int) -> PdfExport | None:
    """Claim the next render owed: the pending row, else one whose worker died mid-render (its
    advisory lock is free). A render still running is never taken, however long it has run."""
    with transaction.atomic():
        waiting = PdfExport.objects.select_for_update(skip_locked=True).filter(version_id=version_id)
        candidates = list(waiting.filter(status=PdfExport.Status.PENDING)[:1]) or list(
            waiting.filter(status=PdfExport.Status.RENDERING).order_by("-id")
        )
        for owed in candidates:
            if not _hold_render(owed.pk):
                continue  # its render is running in another worker
            try:
                owed.status, owed.started_at, owed.attempts = (
                    PdfExport.Status.RENDERING,
                    timezone.now(),
                    owed.attempts + 1,
                )
                owed.save(update_fields=["status", "started_at", "attempts"])
            except BaseException:
                _release_render(owed.pk)  # the lock outlives the transaction: give it back
                raise
            return owed
        return None


def render_owed(*, version_id: int) -> PdfExport | None:
    """Render the pending PDF of a version, if any. Idempotent: the same signatories render once."""
    cache.delete(f"pdf:scheduled:{version_id}")  # changes from now on schedule another render
    owed = _take_owed(version_id)
    if owed is None:
        return None
    try:
        return _render(owed, version_id)
    finally:
        _release_render(owed.pk)


def _render(owed: PdfExport, version_id: int) -> PdfExport | None:
    version = Version.objects.select_related("compact").get(pk=version_id)
    signatures = pdf.public_signatures(version)
    digest = pdf.signatories_digest(signatures)
    existing = PdfExport.objects.ready().filter(version=version, signatories_digest=digest).first()
    if existing:
        # Nothing changed since that render (a withdrawal undone, say): no second rendering.
        owed.delete()
        return existing
    content = pdf.render(version, signatures=signatures)
    owed.content_hash, owed.signatories_digest, owed.signatory_count = (
        version.content_hash,
        digest,
        len(signatures),
    )
    # The token is in the stored name too, so the file's path cannot be worked out either.
    name = f"{version.compact.slug[:30]}-v{version.number}-{version.content_hash[:16]}-{owed.token}.pdf"
    # One name per export: a render of this export before (by a worker that died after writing
    # its file) left its file here, and this one replaces it rather than leaving it orphaned.
    stored = owed.file.field.generate_filename(owed, name)
    if owed.file.storage.exists(stored):
        owed.file.storage.delete(stored)
    owed.file.save(name, ContentFile(content), save=False)
    owed.size = len(content)
    if not _publish(owed, version, signatures, content=content):
        owed.file.storage.delete(owed.file.name)
        return None
    return owed


def _listed(
    signatures: Iterable[pdf.PrintedSignatory],
) -> set[tuple[int, str, str, str, datetime | None]]:
    """What a PDF prints of each signatory: a change to any of these means a name must go."""
    return {
        (s.pk, s.full_name, s.role, s.organisation.name if s.organisation is not None else "", s.confirmed_at)
        for s in signatures
    }


def _publish(
    owed: PdfExport, version: Version, signatures: Sequence[pdf.PrintedSignatory], *, content: bytes
) -> bool:
    """Make a finished render the version's only public PDF, unless it is already out of date.

    Runs under a lock on the version, as `withdraw_pdfs` does, so a withdrawal either sees this
    file and removes it or is seen here and the file is never published. A file published is
    recorded as issued in the same transaction (`IssuedPdf`): one never served is never recorded.
    """
    with transaction.atomic():
        Version.objects.select_for_update().filter(pk=version.pk).first()
        if not PdfExport.objects.filter(pk=owed.pk).exists():
            return False  # a newer render finished first and retired this one
        if not _listed(signatures) <= _listed(pdf.public_signatures(version)):
            # Someone it lists has since withdrawn, been hidden or erased; that change left a
            # render owed, which will follow.
            PdfExport.objects.filter(pk=owed.pk).delete()
            return False
        if PdfExport.objects.ready().filter(version=version, pk__gt=owed.pk).exists():
            PdfExport.objects.filter(pk=owed.pk).delete()
            return False
        # Everything requested before this render is superseded by it: earlier files go from
        # storage, so an old address (or a leaked one) stops working.
        superseded = _discard(
            PdfExport.objects.filter(version=version, pk__lt=owed.pk).exclude(status=PdfExport.Status.PENDING)
        )
        owed.status, owed.finished_at, owed.error = PdfExport.Status.READY, timezone.now(), ""
        owed.save()
        _record_issue(
            version=version,
            content=content,
            kind=IssuedPdf.Kind.PUBLIC,
            signatory_count=len(signatures),
            at=owed.finished_at,
        )
        Compact.objects.bump_generation(compact_id=version.compact_id)  # the page now links the file
    _delete_files(superseded)
    return True


def _record_issue(
    *, version: Version, content: bytes, kind: IssuedPdf.Kind, signatory_count: int, at: datetime
) -> IssuedPdf:
    """Record a file handed out, by the SHA-256 of its bytes. The same bytes issued twice keep
    the first record: the copy was ours from then."""
    issued, _created = IssuedPdf.objects.get_or_create(
        sha256=hashlib.sha256(content).hexdigest(),
        defaults={
            "version": version,
            "kind": kind,
            "size": len(content),
            "signatory_count": signatory_count,
            "issued_at": at,
        },
    )
    return issued


def signing_copy(*, actor: User, version: Version) -> bytes:
    """A copy to print and sign at a signing event: rendered on request, never stored, and
    recorded as issued, so the file staff hand round checks on /verify/ as one of ours."""
    require_academy_staff(actor=actor)
    if version.status not in RENDERABLE:
        raise DomainError("Only a ratified or published version can be signed.")
    signatures = pdf.public_signatures(version)
    content = pdf.render(version, signatures=signatures, signature_page=True, list_signatories=False)
    _record_issue(
        version=version,
        content=content,
        kind=IssuedPdf.Kind.SIGNING,
        signatory_count=len(signatures),
        at=timezone.now(),
    )
    return content


def _discard(queryset: QuerySet[PdfExport]) -> list[tuple[Storage, str]]:
    """Delete export rows; return their files, for the caller to delete once the rows are gone."""
    gone = list(queryset.select_for_update())
    PdfExport.objects.filter(pk__in=[export.pk for export in gone]).delete()
    return [(export.file.storage, export.file.name) for export in gone if export.file]


def _delete_files(files: Iterable[tuple[Storage, str]]) -> None:
    # After the rows' transaction: a failure here leaves a file nobody links, never a dead link.
    for storage, name in files:
        storage.delete(name)


def withdraw_pdfs(*, version: Version) -> int:
    """Remove a version's PDFs at once: one lists a person who has withdrawn, been hidden or
    erased. Readers get the "being prepared" page until the render this change owes is ready."""
    with transaction.atomic():
        Version.objects.select_for_update().filter(pk=version.pk).first()
        removed = _discard(PdfExport.objects.filter(version=version, status=PdfExport.Status.READY))
        Compact.objects.bump_generation(compact_id=version.compact_id)  # the page stops linking it
    _delete_files(removed)
    return len(removed)


def mark_failed(*, version_id: int, error: object) -> None:
    PdfExport.objects.waiting().filter(version_id=version_id).update(
        status=PdfExport.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
    )


def retry_failed(*, actor: User, version: Version) -> None:
    require_academy_staff(actor=actor)
    PdfExport.objects.filter(version=version, status=PdfExport.Status.FAILED).delete()
    request_pdf(version=version)


def reconcile(*, older_than: timedelta | None = None) -> int:
    """Re-enqueue renders the database says are owed but nobody is working on."""
    if older_than is None:
        older_than = timedelta(seconds=settings.RECONCILE_AFTER_SECONDS)
    stale = timezone.now() - older_than
    version_ids = set(
        PdfExport.objects.filter(status=PdfExport.Status.PENDING, requested_at__lt=stale).values_list(
            "version_id", flat=True
        )
    ) | set(
        PdfExport.objects.filter(status=PdfExport.Status.RENDERING, started_at__lt=stale).values_list(
            "version_id", flat=True
        )
    )
    for version_id in version_ids:
        dispatch.send(RENDER_TASK, version_id)
    return len(version_ids)


def current_pdf(*, version: Version) -> tuple[PdfExport | None, bool, PdfExport | None]:
    """(the latest ready export or None, whether a newer one is being prepared, the failed one or None)."""
    exports = list(PdfExport.objects.filter(version=version).order_by("-requested_at", "-id")[:10])
    ready = next((e for e in exports if e.status == PdfExport.Status.READY and e.file), None)
    waiting = any(e.status in (PdfExport.Status.PENDING, PdfExport.Status.RENDERING) for e in exports)
    failed = next((e for e in exports if e.status == PdfExport.Status.FAILED), None)
    return ready, waiting, failed


def remove_orphan_files(*, older_than: timedelta | None = None) -> list[str]:
    """Delete stored PDFs that no PdfExport row names, once older than the grace period.

    A file can outlive its row: a render whose publication was refused deletes its file after
    the fact, and a delete can fail to reach the object store (`_delete_files` runs after the rows
    have gone). With every host sharing one store, nobody else would find it. The grace period
    covers a render between writing its file and saving the row that names it.
    """
    if older_than is None:
        older_than = timedelta(seconds=settings.PDF_ORPHAN_GRACE_SECONDS)
    field = PdfExport._meta.get_field("file")
    storage = field.storage
    folder = PDF_FOLDER
    try:
        _folders, names = storage.listdir(folder)
    except FileNotFoundError:  # nothing rendered on this disk yet
        return []
    stored = {f"{folder}/{name}" for name in names}
    named = set(PdfExport.objects.filter(file__in=stored).values_list("file", flat=True))
    cutoff = timezone.now() - older_than
    removed = []
    for name in sorted(stored - named):
        if storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            removed.append(name)
    return removed
