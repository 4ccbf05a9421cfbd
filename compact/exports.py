"""Keeping the PDF of a published version current, without rendering it once per signature.

A change (publication, a signature confirmed or withdrawn) marks a render as owed: one pending
PdfExport row per version, whatever the number of changes. A task is enqueued at most once per
coalescing window; when it runs it renders what is true then. So 1,000 signatures in a minute
cause a handful of renders, and a render owed survives a lost broker message (the reconciler
finds the pending row and enqueues it again).
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from config import dispatch

from . import pdf
from .caching import bump
from .models import PdfExport, Version

RENDERABLE = (Version.Status.RATIFIED, Version.Status.PUBLISHED, Version.Status.SUPERSEDED)


def coalesce_seconds():
    return int(getattr(settings, "PDF_COALESCE_SECONDS", 30))


def request_pdf(version):
    """Note that the version's PDF is out of date and make sure a render is on its way.

    Only a *pending* row is joined: a render under way may already have read the signatories,
    so a change while it runs leaves a new pending row behind it.
    """
    if version.status not in RENDERABLE:
        return None
    pending = PdfExport.objects.filter(version=version, status=PdfExport.Status.PENDING)
    owed = pending.first()
    if owed is None:
        try:
            with transaction.atomic():
                owed = PdfExport.objects.create(version=version)
        except IntegrityError:
            owed = pending.first()
    _enqueue_once(version.pk)
    return owed


def _enqueue_once(version_id):
    from .tasks import render_pdf

    window = coalesce_seconds()
    key = f"pdf:scheduled:{version_id}"
    if cache.add(key, 1, timeout=window * 2 or 1):
        dispatch.send_on_commit(render_pdf, version_id, countdown=window)


def _take_owed(version_id):
    """Claim the next render owed: the pending row, else one whose worker died mid-render."""
    with transaction.atomic():
        waiting = PdfExport.objects.select_for_update(skip_locked=True).filter(version_id=version_id)
        owed = (
            waiting.filter(status=PdfExport.Status.PENDING).first()
            or waiting.filter(status=PdfExport.Status.RENDERING).order_by("-id").first()
        )
        if owed is None:
            return None
        owed.status, owed.started_at, owed.attempts = (
            PdfExport.Status.RENDERING,
            timezone.now(),
            owed.attempts + 1,
        )
        owed.save(update_fields=["status", "started_at", "attempts"])
        return owed


def render_owed(version_id):
    """Render the pending PDF of a version, if any. Idempotent: the same signatories render once."""
    cache.delete(f"pdf:scheduled:{version_id}")  # changes from now on schedule another render
    owed = _take_owed(version_id)
    if owed is None:
        return None
    version = Version.objects.select_related("compact").get(pk=version_id)
    signatures = pdf.public_signatures(version)
    digest = pdf.signatories_digest(signatures)
    existing = PdfExport.objects.ready().filter(version=version, signatories_digest=digest).first()
    if existing:
        # Nothing changed since that render (a withdrawal undone, say): no second rendering.
        owed.delete()
        return existing
    delay = float(getattr(settings, "PDF_RENDER_DELAY_SECONDS", 0))
    if delay:  # fault-injection hook for the worker-killed test; 0 in every real deployment
        import time

        time.sleep(delay)
    content = pdf.render(version, signatures=signatures)
    owed.content_hash, owed.signatories_digest, owed.signatory_count = (
        version.content_hash,
        digest,
        len(signatures),
    )
    name = f"{version.compact.slug}-v{version.number}-{version.content_hash[:16]}-{digest[:16]}.pdf"
    owed.file.save(name, ContentFile(content), save=False)
    owed.size = len(content)
    owed.status, owed.finished_at, owed.error = PdfExport.Status.READY, timezone.now(), ""
    owed.save()
    bump(version.compact_id)  # the page now links the new file
    return owed


def mark_failed(version_id, error):
    PdfExport.objects.waiting().filter(version_id=version_id).update(
        status=PdfExport.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
    )


def retry_failed(*, actor, version):
    from .services import require_academy_staff

    require_academy_staff(actor)
    PdfExport.objects.filter(version=version, status=PdfExport.Status.FAILED).delete()
    return request_pdf(version)


def reconcile(older_than=None):
    """Re-enqueue renders the database says are owed but nobody is working on."""
    from .tasks import render_pdf

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
        dispatch.send(render_pdf, version_id)
    return len(version_ids)


def current_pdf(version):
    """(the latest ready export or None, whether a newer one is being prepared, the failed one or None)."""
    exports = list(PdfExport.objects.filter(version=version).order_by("-requested_at", "-id")[:10])
    ready = next((e for e in exports if e.status == PdfExport.Status.READY and e.file), None)
    waiting = any(e.status in (PdfExport.Status.PENDING, PdfExport.Status.RENDERING) for e in exports)
    failed = next((e for e in exports if e.status == PdfExport.Status.FAILED), None)
    return ready, waiting, failed
