"""The PDF's whole life in a real S3 endpoint (moto's server on loopback): rendered into the
store, served through the application, replaced, removed on erasure, and strays swept up."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.services import erase_account
from compact import exports, tasks
from tests.factories import published_version
from tests.signatories.factories import SignatureFactory

from .object_store import KEYS, object_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(settings, monkeypatch, tmp_path):
    # The local disk is somewhere this test can see: nothing may be written there.
    settings.MEDIA_ROOT = tmp_path / "media"
    # The worker is this test: renders happen when the test says, never behind its back.
    monkeypatch.setattr(tasks.render_pdf, "apply_async", lambda *args, **options: None)
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    with object_store() as started:
        settings.STORAGES = {**settings.STORAGES, "default": started.storage}
        yield started


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def render(version):
    exports.request_pdf(version=version)
    return exports.render_owed(version_id=version.pk)


def download(client, export):
    url = reverse("compact:pdf_file", kwargs={"token": export.token, "filename": export.filename})
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def text_of(content):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_rendered_pdf_is_a_private_object_in_the_store_and_is_served_through_the_application(
    client, store, version, settings
):
    SignatureFactory(version=version, full_name="Stored Signatory")
    export = render(version)

    assert store.names() == [export.file.name]
    assert not settings.MEDIA_ROOT.exists()  # nothing on this host's disk
    grants = store.client.get_object_acl(Bucket="compact-test-pdfs", Key=export.file.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner's, nobody else's
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers, no AuthenticatedUsers

    response, body = download(client, export)
    assert response.status_code == 200
    assert body == store.read(export.file.name)
    assert "Stored Signatory" in text_of(body)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(body))
    assert response["Content-Disposition"] == f'inline; filename="{export.filename}"'
    assert response["ETag"] == f'"{export.token}"'
    assert response["Cache-Control"] == "private, no-cache"


def test_a_new_signature_renders_a_new_object_and_deletes_the_one_it_replaces(client, store, version):
    SignatureFactory(version=version, full_name="First Signatory")
    first = render(version)
    SignatureFactory(version=version, full_name="Second Signatory")
    second = render(version)

    assert store.names() == [second.file.name]
    assert download(client, first)[0].status_code == 404
    response, body = download(client, second)
    assert response.status_code == 200
    assert "Second Signatory" in text_of(body)


def test_erasing_an_account_deletes_the_object_that_names_it(
    client, store, version, django_capture_on_commit_callbacks
):
    signature = SignatureFactory(version=version, full_name="Erased Person")
    export = render(version)
    with django_capture_on_commit_callbacks(execute=True):
        erase_account(actor=signature.signer, user=signature.signer)

    assert export.file.name not in store.names()
    assert download(client, export)[0].status_code == 404
    fresh = exports.render_owed(version_id=version.pk)
    assert store.names() == [fresh.file.name]
    assert "Erased Person" not in text_of(store.read(fresh.file.name))


def test_the_reconciler_removes_a_stray_object_once_past_its_grace_period(store, version, settings):
    SignatureFactory(version=version)
    kept = render(version)
    stray = "compacts/pdf/left-behind-by-a-failed-delete.pdf"
    store.client.put_object(Bucket="compact-test-pdfs", Key=stray, Body=b"%PDF-1.7 stray")

    # Just written: it may be a render whose row is about to be saved.
    assert tasks.remove_orphan_pdfs.delay().get() == 0
    assert store.names() == sorted([kept.file.name, stray])

    settings.PDF_ORPHAN_GRACE_SECONDS = 0
    assert exports.remove_orphan_files(older_than=timedelta(0)) == [stray]
    assert store.names() == [kept.file.name]
