from django.db import transaction

from .exports import request_pdf, withdraw_pdfs
from .signals import signatures_changed, version_published


def _request(version):
    transaction.on_commit(lambda: request_pdf(version=version))


def pdf_on_publish(sender, version, previous, **kwargs):
    _request(version)


def pdf_on_signatures(sender, version, removed=False, **kwargs):
    if removed:
        # The PDF lists someone who has withdrawn, been hidden or erased: it goes now, not when
        # its replacement is ready.
        transaction.on_commit(lambda: withdraw_pdfs(version=version))
    _request(version)


def connect():
    version_published.connect(pdf_on_publish, dispatch_uid="compact.pdf_on_publish")
    signatures_changed.connect(pdf_on_signatures, dispatch_uid="compact.pdf_on_signatures")
