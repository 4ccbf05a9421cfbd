"""A PDF that is costly to read is not read: the check answers "We could not check this file".

Before these limits a 12.5 kB upload carrying 4 MB of compressed text operators held a web worker
until gunicorn killed it (issue 34, item 1)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from compact import pdf
from tests.factories import published_version

from .pdf_bombs import bomb

pytestmark = pytest.mark.django_db

VERIFY = "/verify/"
REFUSAL = "We could not check this file"


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def upload(client, content):
    return client.post(
        VERIFY, {"document": SimpleUploadedFile("compact.pdf", content, content_type="application/pdf")}
    )


def test_a_small_file_with_megabytes_of_compressed_text_is_not_read(client, version):
    content = bomb(fingerprint=version.content_hash, megabytes=4)
    assert len(content) < 20_000
    response = upload(client, content)
    body = response.content.decode()
    assert response.status_code == 200
    assert f"<title>{REFUSAL} – Check a copy of a compact" in body
    # What to do next: the fingerprint check, and the version as we published it.
    assert "check its fingerprint instead" in body
    assert version.get_absolute_url() in body
    assert "This PDF is genuine" not in body


def test_pages_sharing_one_stream_count_it_once_for_each_page(client, version):
    # 40 pages draw the same 100 kB stream: 4 MB to read, from a file of a few kB.
    content = bomb(fingerprint=version.content_hash, megabytes=0.1, pages=40)
    assert REFUSAL in upload(client, content).content.decode()


def test_a_file_that_takes_longer_than_the_time_allowed_is_stopped(client, version, settings):
    settings.VERIFY_MAX_CONTENT_BYTES = 50 * 1024 * 1024  # let it past the byte budget: the clock stops it
    settings.VERIFY_READ_SECONDS = 1
    content = bomb(fingerprint=version.content_hash, megabytes=4)
    assert REFUSAL in upload(client, content).content.decode()


def test_a_reader_that_runs_out_of_memory_is_answered_too(client, version, settings):
    settings.VERIFY_READ_MEMORY_BYTES = 32 * 1024 * 1024  # too little for the reader to start
    assert REFUSAL in upload(client, pdf.render(version)).content.decode()


def test_a_file_with_more_pages_than_any_compact_is_not_read(client, version, settings):
    settings.VERIFY_MAX_PAGES = 10
    content = bomb(fingerprint=version.content_hash, megabytes=0.001, pages=11)
    assert REFUSAL in upload(client, content).content.decode()
