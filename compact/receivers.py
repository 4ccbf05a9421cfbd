from django.db import transaction
from django.db.models.signals import post_delete

from .caching import bump
from .exports import request_pdf, withdraw_pdfs
from .models import Compact
from .signals import signatures_changed, version_published


def _request(version):
    transaction.on_commit(lambda: bump(version.compact_id))
    transaction.on_commit(lambda: request_pdf(version=version))


def pdf_on_publish(sender, version, previous, **kwargs):
    _request(version)


def pdf_on_signatures(sender, version, removed=False, **kwargs):
    if removed:
        # The PDF lists someone who has withdrawn, been hidden or erased: it goes now, not when
        # its replacement is ready.
        transaction.on_commit(lambda: withdraw_pdfs(version=version))
    _request(version)


def compact_deleted(sender, instance, **kwargs):
    # Its cached pages must not be served under its slug, which a new compact may take.
    compact_id = instance.pk
    transaction.on_commit(lambda: bump(compact_id))


def connect():
    post_delete.connect(compact_deleted, sender=Compact, dispatch_uid="compact.compact_deleted")
    version_published.connect(pdf_on_publish, dispatch_uid="compact.pdf_on_publish")
    signatures_changed.connect(pdf_on_signatures, dispatch_uid="compact.pdf_on_signatures")
