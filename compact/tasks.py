from celery import shared_task
from django.conf import settings

from config.tasks import LateAckTask

from . import exports, services


@shared_task(
    base=LateAckTask,
    bind=True,
    reject_on_worker_lost=True,
    soft_time_limit=300,
    time_limit=330,
    max_retries=4,
)
def render_pdf(self, version_id):
    """Render a version's owed PDF. A killed worker leaves the message unacknowledged, so another
    worker renders it; a failure retries with backoff and, in the end, shows as failed to staff."""
    try:
        export = exports.render_owed(version_id=version_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            exports.mark_failed(version_id=version_id, error=error)
            raise
        countdown = min(600, settings.PDF_RETRY_BASE_SECONDS * 2**self.request.retries)
        raise self.retry(exc=error, countdown=countdown) from error
    return export.pk if export else None


@shared_task(base=LateAckTask)
def remind_reviews():
    return services.remind_reviews()


@shared_task(base=LateAckTask)
def reconcile_pdfs():
    """Beat, every five minutes: renders owed that nobody is working on. A render that looks old
    may still be running; the task this enqueues asks the database (an advisory lock held for the
    whole render, exports._hold_render) and never takes a render in progress."""
    return exports.reconcile()


@shared_task(base=LateAckTask)
def remove_orphan_pdfs():
    return len(exports.remove_orphan_files())
