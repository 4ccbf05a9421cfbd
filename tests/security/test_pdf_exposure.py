"""Only the current PDF of a version is public, and a PDF that lists someone who has withdrawn,
been hidden or erased is gone at once: from its address and from storage."""

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from accounts.services import erase_account
from compact import exports
from compact.models import PdfExport
from signatories import services as signing
from tests.factories import published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    from compact import tasks

    settings.MEDIA_ROOT = tmp_path
    # The worker is this test: renders happen when the test says, never behind its back.
    monkeypatch.setattr(tasks.render_pdf, "apply_async", lambda *args, **options: None)
    return tmp_path


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def render(version):
    exports.request_pdf(version=version)
    return exports.render_owed(version_id=version.pk)


def download_url(export):
    return reverse("compact:pdf_file", kwargs={"token": export.token, "filename": export.filename})


def text_of(content):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_an_earlier_pdf_of_a_version_is_not_served_once_replaced(client, version):
    SignatureFactory(version=version)
    first = render(version)
    first_url, first_file = download_url(first), first.file.name
    SignatureFactory(version=version)
    second = render(version)

    assert client.get(first_url).status_code == 404
    assert client.get(f"/pdf/{first.pk}/{first.filename}").status_code == 404  # the old, counted address
    assert client.get(download_url(second)).status_code == 200
    assert not default_storage.exists(first_file)  # gone from storage, not only unlinked


def test_pdf_addresses_carry_an_unguessable_token_not_the_row_id(client, version):
    export = render(version)
    url = download_url(export)
    assert len(export.token) >= 20 and f"/pdf/{export.pk}/" not in url
    assert client.get(f"/pdf/{export.pk}/{export.filename}").status_code == 404
    other = published_version(staff=version.published_by)
    assert render(other).token != export.token
    assert export.token in export.file.name  # the stored file's name cannot be worked out either


def test_a_pdf_is_revalidated_every_time_and_never_kept_by_a_shared_cache(client, version):
    # A PDF lists signatories: an erased or withdrawn name must not linger in a proxy's copy, so
    # it is private and revalidated each time (a 304 when the reader's copy is still current).
    export = render(version)
    response = client.get(download_url(export))
    cache_control = response["Cache-Control"]
    assert "immutable" not in cache_control and "public" not in cache_control
    assert "private" in cache_control and "no-cache" in cache_control
    assert response["ETag"]
    again = client.get(download_url(export), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_staff_only_ratified_pdf_is_never_stored_by_shared_caches(staff_client, staff):
    from compact import services
    from tests.factories import draft_version

    version = services.ratify(actor=staff, version=draft_version())
    export = render(version)
    response = staff_client.get(download_url(export))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def _assert_pdf_withdrawn_at_once(client, version, export, path):
    assert client.get(download_url(export)).status_code == 404
    assert not default_storage.exists(path)
    page = client.get(reverse("compact:pdf", kwargs={"slug": version.compact.slug, "number": version.number}))
    assert page.status_code == 503 and "being prepared" in page.content.decode()


def test_withdrawing_a_signature_removes_the_pdf_that_lists_it_at_once(
    client, version, django_capture_on_commit_callbacks
):
    signature = SignatureFactory(version=version, full_name="Withdrawing Person")
    export = render(version)
    path = export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        signing.withdraw(actor=signature.signer, signature=signature)
    _assert_pdf_withdrawn_at_once(client, version, export, path)
    fresh = exports.render_owed(version_id=version.pk)
    assert "Withdrawing Person" not in text_of(fresh.file.read())


def test_hiding_a_signature_removes_the_pdf_that_lists_it_at_once(
    client, staff, version, django_capture_on_commit_callbacks
):
    signature = SignatureFactory(version=version, full_name="Fake Signatory")
    export = render(version)
    path = export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        signing.hide_signature(actor=staff, signature=signature, reason="Not a real person")
    _assert_pdf_withdrawn_at_once(client, version, export, path)
    fresh = exports.render_owed(version_id=version.pk)
    assert "Fake Signatory" not in text_of(fresh.file.read())


def test_erasing_an_account_removes_the_pdf_that_names_it_at_once(
    client, version, django_capture_on_commit_callbacks
):
    signature = SignatureFactory(version=version, full_name="Erased Person")
    export = render(version)
    path = export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        erase_account(actor=signature.signer, user=signature.signer)
    _assert_pdf_withdrawn_at_once(client, version, export, path)
    fresh = exports.render_owed(version_id=version.pk)
    text = text_of(fresh.file.read())
    assert "Erased Person" not in text and f"Signatory {signature.pk}" in text


def test_a_render_under_way_when_a_signature_is_withdrawn_is_never_published(
    media, version, monkeypatch, django_capture_on_commit_callbacks
):
    from compact import pdf

    signature = SignatureFactory(version=version, full_name="Withdrawing Person")
    exports.request_pdf(version=version)
    real_render = pdf.render

    def render_while_withdrawn(*args, **kwargs):
        monkeypatch.setattr(pdf, "render", real_render)
        content = real_render(*args, **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            signing.withdraw(actor=signature.signer, signature=signature)
        return content

    monkeypatch.setattr(pdf, "render", render_while_withdrawn)
    exports.render_owed(version_id=version.pk)
    assert not PdfExport.objects.ready().filter(version=version).exists()
    assert list(media.rglob("*.pdf")) == []
    fresh = exports.render_owed(version_id=version.pk)  # the render the withdrawal left owed
    assert "Withdrawing Person" not in text_of(fresh.file.read())
