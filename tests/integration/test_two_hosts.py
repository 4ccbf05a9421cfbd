"""Two hosts that share nothing but PostgreSQL, Redis and the object store.

Two gunicorn processes, each with a working directory, a MEDIA_ROOT and a TMPDIR of its own (no
shared disk), one Celery worker, one PostgreSQL, one Redis and one S3 endpoint (moto's server),
all on loopback. A signature confirmed through host A owes a PDF that the worker renders into the
store and host B serves; a withdrawal through B is what A shows on its very next request, its
cached pages included.
"""

import re
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.urls import reverse

from compact.models import PdfExport
from signatories.models import Signature
from tests.factories import LeaderFactory, StaffFactory, published_version

from .object_store import object_store
from .servers import database_url, gunicorn
from .test_redis_outage import mails_to, request, sign, signed_in
from .worker import ROOT, celery_worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextmanager
def host(folder, store):
    """gunicorn as one host runs it: started from its own folder, writing only there."""
    (folder / "media").mkdir(parents=True)
    (folder / "tmp").mkdir()
    env = {
        **store.environment,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(folder / "media"),
        "TMPDIR": str(folder / "tmp"),
        "PDF_COALESCE_SECONDS": "0",
        "DJANGO_DEBUG": "0",
    }
    with gunicorn(env=env, cwd=folder, with_conf=True, ready="/readyz") as port:
        yield port


def follow(port, path, cookie=""):
    """GET, following the application's redirects on the same host: (status, body, last path)."""
    for _ in range(5):
        conn_status, body, location = _get(port, path, cookie)
        if conn_status not in (301, 302):
            return conn_status, body, path
        path = location
    raise AssertionError("too many redirects")


def _get(port, path, cookie):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    return response.status, response.read(), response.getheader("Location")


def files_under(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_a_pdf_rendered_for_host_a_is_served_by_host_b_and_a_change_through_b_shows_on_a(tmp_path, settings):
    settings.PDF_COALESCE_SECONDS = 0  # this process publishes: its render is sent at once
    signer = LeaderFactory(full_name="Two Host Signatory")
    outbox = tmp_path / "mail"

    with (
        object_store() as store,
        celery_worker(
            tmp_path / "worker", EMAIL_FILE_PATH=outbox, PDF_COALESCE_SECONDS=0, **store.environment
        ),
        host(tmp_path / "host-a", store) as a,
        host(tmp_path / "host-b", store) as b,
    ):
        # Published once the worker listens (it empties the queues as it starts).
        version = published_version(staff=StaffFactory())
        signatories = reverse(
            "signatories:list", kwargs={"slug": version.compact.slug, "number": version.number}
        )
        pdf = reverse("compact:pdf", kwargs={"slug": version.compact.slug, "number": version.number})
        # Signed and confirmed through A; the worker sends the e-mail and renders the PDF.
        assert sign(a, signer, version)[0] == 302
        (mail,) = wait_for(lambda: mails_to(outbox, signer.email), timeout=60)
        token = re.search(rb"/signatures/confirm/([^/\s]+)/", mail).group(1).decode()
        cookie, csrf = signed_in(signer)
        status, _ = request(a, "POST", f"/signatures/confirm/{token}/", cookie, {}, csrf)
        assert status == 200
        assert Signature.objects.get(signer=signer).status == Signature.Status.CONFIRMED
        # A caches the visitors' list with the name on it.
        status, page = request(a, "GET", signatories)
        assert status == 200 and "Two Host Signatory" in page

        export = wait_for(
            lambda: PdfExport.objects.ready().filter(version=version, signatory_count=1).first(), timeout=120
        )
        assert store.names() == [export.file.name]

        # B never saw the render, shares no disk with the worker, and serves it.
        status, body, served_from = follow(b, pdf)
        assert status == 200
        assert body == store.read(export.file.name)
        assert served_from.startswith("/pdf/")

        # Withdrawn through B: A's next request no longer lists the name or serves the PDF.
        signature = Signature.objects.get(signer=signer)
        withdrawal = {"reason": "", "confirmed": "yes"}
        assert request(b, "POST", f"/signatures/{signature.pk}/withdraw/", cookie, withdrawal, csrf)[0] == 302
        status, page = request(a, "GET", signatories)
        assert status == 200 and "Two Host Signatory" not in page
        assert follow(a, served_from)[0] == 404
        assert export.file.name not in store.names()

    # Nothing the product wrote is on any host's disk: it is all in the object store.
    for folder in ("host-a", "host-b", "worker"):
        assert not [name for name in files_under(tmp_path / folder) if name.endswith(".pdf")]
