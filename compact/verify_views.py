"""Public verification of a copy of a compact: by fingerprint, by uploaded PDF, or as JSON.

An uploaded file is held in memory only (a handler of our own, capped at the size limit) and is
never written to disk or stored; nothing about it is kept once the page is answered.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import conditional_page, require_http_methods, require_safe

from accounts.ratelimits import rate_limited

from . import verification
from .verification import VerificationError

FIELD_FINGERPRINT = "fingerprint"
FIELD_DOCUMENT = "document"


class InMemoryCappedUploadHandler(FileUploadHandler):
    """Keeps an upload in memory up to the limit and stops reading past it (never a temp file)."""

    def __init__(self, request=None, limit=verification.MAX_UPLOAD_BYTES):
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A request that says it is far over the limit is not read into memory at all.
        if content_length and content_length > self.limit + 64 * 1024:
            self.too_large = True

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.chunks, self.received = [], 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.too_large or self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        self.chunks.append(raw_data)
        return None

    def file_complete(self, file_size):
        data = b"".join(self.chunks)
        self.chunks = []
        return InMemoryUploadedFile(
            io.BytesIO(data), self.field_name, self.file_name, self.content_type, len(data), self.charset
        )


def _page(request, *, status=200, **context):
    context.setdefault("fingerprint_value", "")
    context.setdefault("errors", [])
    for name, message in context["errors"]:
        context[f"{name}_error"] = message
    context["max_megabytes"] = verification.MAX_UPLOAD_BYTES // (1024 * 1024)
    return render(request, "compact/verify.html", context, status=status)


@csrf_exempt  # the upload handlers must be set before the CSRF check reads the body; checked below
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    if request.method == "POST":
        handler = InMemoryCappedUploadHandler(request)
        request.upload_handlers = [handler]
        return _verify_upload(request, handler)
    return _verify_fingerprint(request)


def _verify_fingerprint(request):
    if FIELD_FINGERPRINT not in request.GET:
        return _page(request)
    raw = request.GET.get(FIELD_FINGERPRINT, "")
    try:
        fingerprint = verification.normalise_fingerprint(raw)
    except VerificationError as error:
        return _page(
            request,
            status=400,
            fingerprint_value=raw,
            errors=[(FIELD_FINGERPRINT, str(error))],
        )
    findings = verification.findings_for(verification.public_versions_for(fingerprint))
    return _page(
        request,
        status=200 if findings else 404,
        fingerprint_value=raw,
        lookup={"fingerprint": fingerprint, "findings": findings},
    )


@rate_limited("verify")  # before the CSRF check, which reads the body
@csrf_protect
def _verify_upload(request, handler):
    try:
        upload = request.FILES.get(FIELD_DOCUMENT)
        if handler.too_large:
            raise VerificationError(
                f"The selected file must be smaller than {verification.MAX_UPLOAD_BYTES // (1024 * 1024)}MB"
            )
        data = verification.read_upload(upload)
        check = verification.check_pdf(data)
    except VerificationError as error:
        return _page(request, status=400, errors=[(FIELD_DOCUMENT, str(error))])
    finally:
        for uploaded in request.FILES.values():
            uploaded.close()
    return _page(request, check=check, status=200)


# Anyone's page may read the answer (no credentials), as it may the open data API's; shared caches
# may keep it a minute, and a client that sends back the ETag is told 304 when nothing changed.
READABLE_BY_ANY_SITE = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD",
    "Access-Control-Expose-Headers": "ETag",
}


# Read-only: require_safe answers any other method 405, so there is no form for CSRF to guard (the
# CSRF middleware would otherwise answer an unknown method 403 before the view could).
@csrf_exempt
@require_safe
@conditional_page
@cache_control(public=True, max_age=60)
def verify_json(request, fingerprint):
    """The same answer as the page, for machines: 200 with the versions, 404 or 400 with a message."""
    response = _verify_json(fingerprint)
    for name, value in READABLE_BY_ANY_SITE.items():
        response[name] = value
    return response


def _verify_json(fingerprint):
    try:
        value = verification.normalise_fingerprint(fingerprint)
    except VerificationError as error:
        return JsonResponse({"fingerprint": fingerprint, "found": False, "message": str(error)}, status=400)
    findings = verification.findings_for(verification.public_versions_for(value))
    if not findings:
        return JsonResponse(
            {"fingerprint": value, "found": False, "message": verification.NO_PUBLIC_COMPACT}, status=404
        )
    site = settings.SITE_URL
    return JsonResponse(
        {"fingerprint": value, "found": True, "matches": [finding.as_json(site) for finding in findings]}
    )
