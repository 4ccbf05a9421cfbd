"""Anyone can check a copy of a compact: by fingerprint, by uploading its PDF, or as JSON."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import dateformat, timezone
from pypdf import PdfReader, PdfWriter

from compact import exports, pdf, services, verification
from tests.factories import draft_version, published_version

pytestmark = pytest.mark.django_db

VERIFY = "/verify/"


@pytest.fixture(autouse=True)
def _time_to_read(settings):
    """How long a check may take is not what these tests are about (tests/compact/
    test_verify_limits.py is): on a busy machine a genuine PDF must not read as too costly."""
    settings.VERIFY_READ_SECONDS = 60


@pytest.fixture(autouse=True)
def _pdfs_stored_apart(settings, tmp_path_factory):
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def issued(version):
    """The version's PDF as the site issues it: rendered by the export service and stored (a file
    rendered here and never issued reads at best as "the words match": test_verify_issued.py)."""
    exports.request_pdf(version=version)
    export = exports.render_owed(version_id=version.pk)
    with export.file.open("rb") as handle:
        return handle.read()


def upload(client, content, name="compact.pdf"):
    return client.post(
        VERIFY, {"document": SimpleUploadedFile(name, content, content_type="application/pdf")}
    )


def page_of(response):
    return response.content.decode()


def with_metadata_of(original, edited):
    """`edited` carrying `original`'s metadata (fingerprint and seal) word for word."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(edited)))
    writer.add_metadata(dict(PdfReader(io.BytesIO(original)).metadata))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_altered(version, monkeypatch, alter):
    """The same template rendered from the same version with its text altered by `alter`."""
    real = pdf.printed_layout

    def altered(v):
        layout = real(v)
        alter(layout)
        return layout

    monkeypatch.setattr(pdf, "printed_layout", altered)
    try:
        return pdf.render(version)
    finally:
        monkeypatch.setattr(pdf, "printed_layout", real)


def saved_again(content):
    """The same PDF written out again by another program: the same words, not the same file."""
    out = io.BytesIO()
    PdfWriter(clone_from=PdfReader(io.BytesIO(content))).write(out)
    assert out.getvalue() != content
    return out.getvalue()


def published_on(version):
    return dateformat.format(timezone.localtime(version.published_at), "j F Y")


def test_the_real_pdf_verifies_as_genuine_and_current(client, version, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1  # the default handlers would write this to a temp file
    response = upload(client, issued(version))
    body = page_of(response)
    assert response.status_code == 200
    assert "This PDF is genuine" in body and "This is the current version" in body
    # In a sentence, first: which compact and version it is, and when it was published.
    sentence = (
        f"This is version {version.number} of {version.compact.title}, published {published_on(version)}."
    )
    assert body.index(sentence) < body.index("This is the current version")
    assert version.compact.title in body and f"Version {version.number}" in body
    assert version.content_hash in body
    # The tab and a screen reader's first words give the answer too.
    assert "<title>This PDF is genuine – Check a copy of a compact" in body


def test_an_uploaded_pdf_is_never_written_to_disk(client, version, settings, tmp_path):
    content = issued(version)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1
    settings.MEDIA_ROOT = str(tmp_path / "media")
    assert "This PDF is genuine" in page_of(upload(client, content))
    # Nor is one that must be read (not a file we issued): the reader gets it through a pipe.
    assert "The words match" in page_of(upload(client, saved_again(content)))
    assert list(tmp_path.rglob("*")) == []


def test_a_pdf_of_a_superseded_version_says_so_and_links_the_current_one(client, staff, version):
    old_pdf = issued(version)
    draft = services.start_new_draft(actor=staff, compact=version.compact)
    draft.vision = "A refreshed vision for every leader."
    draft.save()
    services.ratify(actor=staff, version=draft)
    services.publish(actor=staff, version=draft)
    body = page_of(upload(client, old_pdf))
    assert "This PDF is genuine" in body
    assert "This version has been replaced" in body and "Superseded" in body
    assert f'href="{draft.get_absolute_url()}"' in body and f"version {draft.number} of" in body


def test_a_pdf_with_one_word_of_a_commitment_changed_does_not_verify(client, version, monkeypatch):
    genuine = pdf.render(version)
    target = version.commitments.order_by("position").first()

    def change_one_word(layout):
        for row in layout.rows:
            for line in row.lines:
                for commitment in line:
                    if commitment is not None and commitment.pk == target.pk:
                        commitment.text = commitment.text.replace("promise", "threat")

    forged = with_metadata_of(genuine, render_altered(version, monkeypatch, change_one_word))
    assert (
        PdfReader(io.BytesIO(forged)).metadata["/CompactSeal"]
        == PdfReader(io.BytesIO(genuine)).metadata["/CompactSeal"]
    )
    body = page_of(upload(client, forged))
    assert "This PDF is genuine" not in body
    assert "This PDF does not match what we published" in body
    assert f"the commitment “{target.text}” is not as we published it" in body
    assert "<title>This PDF does not match – Check a copy of a compact" in body
    # The version it names is shown as what it claims to be, never as "This is the current version",
    # and linked so the reader can get the genuine text.
    assert "This is the current version" not in body and "This is version" not in body
    assert "The version this copy claims to be" in body
    assert f'Read <a href="{version.get_absolute_url()}">version {version.number} of' in body


def test_a_pdf_with_a_sentence_slipped_in_does_not_verify(client, version, monkeypatch):
    genuine = pdf.render(version)

    def add_a_sentence(layout):
        theme = layout.rows[0].theme
        theme.description = "Except when it is inconvenient."

    forged = with_metadata_of(genuine, render_altered(version, monkeypatch, add_a_sentence))
    body = page_of(upload(client, forged))
    assert "This PDF is genuine" not in body
    assert "has been changed since we made it" in body


def test_a_pdf_whose_seal_was_made_without_our_key_does_not_verify(client, version, settings):
    genuine = pdf.render(version)
    settings.SECRET_KEY = "someone-else's-key-" * 3
    body = page_of(upload(client, genuine))
    assert "This PDF is genuine" not in body and "has been changed since we made it" in body


def test_a_pdf_sealed_before_the_key_was_rotated_still_verifies(client, version, settings):
    ours = issued(version)
    resaved = saved_again(ours)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" * 6
    # A file we issued is known by its bytes, whatever the key; one that must be read has its
    # seal checked with the earlier key, and its words still match.
    assert "This PDF is genuine" in page_of(upload(client, ours))
    body = page_of(upload(client, resaved))
    assert "The words match, but we did not issue this file" in body and "has been changed" not in body


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "The selected file must be a PDF"),
        (b"%PDF-1.7\n" + b"\x00garbage\xff" * 500, "The selected file could not be read as a PDF"),
        (b"", "The selected file is empty"),
    ],
)
def test_files_that_are_not_readable_pdfs_are_refused_with_a_clear_message(client, content, message):
    response = upload(client, content)
    body = page_of(response)
    assert response.status_code == 400
    assert "There is a problem" in body and message in body and 'href="#document"' in body


def test_a_pdf_we_did_not_make_is_refused_clearly(client):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    body = page_of(upload(client, out.getvalue()))
    assert "This PDF has no compact fingerprint in it" in body


def test_an_oversized_upload_is_refused_before_it_is_read(client, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    response = upload(client, b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))
    assert response.status_code == 400
    assert "The selected file must be smaller than 10MB" in page_of(response)
    assert list(tmp_path.iterdir()) == []


def test_no_file_chosen_asks_for_one(client):
    response = client.post(VERIFY, {})
    assert response.status_code == 400 and "Select a PDF" in page_of(response)


def test_uploads_are_rate_limited_per_address(client, version, settings):
    settings.RATE_LIMITS = {"verify": [("ip", 2, 600)]}
    for _ in range(2):
        assert upload(client, b"not a pdf").status_code == 400
    response = upload(client, b"not a pdf")
    assert response.status_code == 429 and "Retry-After" in response


@pytest.mark.parametrize("form", ["full", "short", "short with spaces and capitals"])
def test_a_fingerprint_finds_its_version(client, version, form):
    typed = {
        "full": version.content_hash,
        "short": version.short_hash,
        "short with spaces and capitals": f"  {version.short_hash[:6].upper()} {version.short_hash[6:]} ",
    }[form]
    response = client.get(VERIFY, {"fingerprint": typed})
    body = page_of(response)
    assert response.status_code == 200
    assert "This is the current version" in body and version.compact.title in body
    assert (
        f"This is version {version.number} of {version.compact.title}, published {published_on(version)}."
        in body
    )
    assert "Ratified" in body and "Published" in body
    assert "<title>Fingerprint found – Check a copy of a compact" in body


@pytest.mark.parametrize("typed", ["0" * 64, "0" * 12])
def test_an_unknown_fingerprint_says_we_have_no_public_compact(client, version, typed):
    response = client.get(VERIFY, {"fingerprint": typed})
    assert response.status_code == 404
    assert "We have no public compact with this fingerprint" in page_of(response)
    assert "<title>Fingerprint not found – Check a copy of a compact" in page_of(response)


def test_a_ratified_but_unpublished_version_does_not_verify_publicly(client, staff):
    version = services.ratify(actor=staff, version=draft_version())
    assert version.content_hash
    for typed in (version.content_hash, version.short_hash):
        response = client.get(VERIFY, {"fingerprint": typed})
        assert response.status_code == 404
        assert version.compact.title not in page_of(response)
    assert "We have no public compact" in page_of(upload(client, pdf.render(version)))


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter a fingerprint"),
        ("not-a-fingerprint!", "only include the numbers 0 to 9 and the letters a to f"),
        ("abc123", "12 characters (the short form) or 64 characters long"),
    ],
)
def test_a_malformed_fingerprint_gets_an_error_summary_and_keeps_what_was_typed(client, typed, message):
    response = client.get(VERIFY, {"fingerprint": typed})
    body = page_of(response)
    assert response.status_code == 400
    assert "There is a problem" in body and message in body and 'href="#fingerprint"' in body
    assert f'value="{typed}"' in body


def test_the_empty_page_offers_both_checks(client):
    body = page_of(client.get(VERIFY))
    assert "Check a fingerprint" in body and "Check a PDF" in body
    assert 'enctype="multipart/form-data"' in body and 'type="file"' in body
    assert "There is a problem" not in body


def test_the_json_answer_names_the_compact_version_and_status(client, version, settings):
    settings.SITE_URL = "https://compact.example.org"
    response = client.get(reverse("compact:verify_json", kwargs={"fingerprint": version.short_hash.upper()}))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["found"] is True and answer["fingerprint"] == version.short_hash
    (match,) = answer["matches"]
    assert match["compact"] == {
        "title": version.compact.title,
        "url": "https://compact.example.org" + version.compact.get_absolute_url(),
    }
    assert match["version"]["number"] == version.number
    assert match["version"]["fingerprint"] == version.content_hash
    assert match["version"]["status"] == "published" and match["version"]["current"] is True
    assert match["version"]["published_on"] == version.published_at.date().isoformat()
    assert match["version"]["ratified_on"] == version.ratified_at.date().isoformat()
    assert match["current_version"]["number"] == version.number


def test_the_json_answer_for_an_unknown_or_malformed_fingerprint(client, version):
    unknown = client.get(reverse("compact:verify_json", kwargs={"fingerprint": "f" * 64}))
    assert unknown.status_code == 404
    assert unknown.json() == {
        "fingerprint": "f" * 64,
        "found": False,
        "message": "We have no public compact with this fingerprint.",
    }
    malformed = client.get(reverse("compact:verify_json", kwargs={"fingerprint": "xyz"}))
    assert malformed.status_code == 400 and malformed.json()["found"] is False


def test_the_seal_does_not_depend_on_how_lines_break():
    texts = ["We will listen to\nevery leader.", "Page 1 of 2"]
    same_words_rewrapped = ["We will listen\nto every\nleader.", "Page 1\nof 2"]
    assert verification.seal("a" * 64, texts, 3) == verification.seal("a" * 64, same_words_rewrapped, 3)
    assert verification.seal("a" * 64, texts, 3) != verification.seal(
        "a" * 64, ["We will not listen to every leader.", "Page 1 of 2"], 3
    )
    assert verification.seal("a" * 64, texts, 3) != verification.seal("a" * 64, texts, 4)


@pytest.mark.parametrize("layout", ["rows", "parties"])
def test_a_pdf_of_every_layout_with_prose_notes_and_closing_sections_verifies(client, staff, layout):
    from compact.models import Section, Version
    from tests.factories import CommitmentFactory, PartyFactory, SectionFactory, VersionFactory

    version = VersionFactory(
        layout=layout,
        vision="We lead *together*, as the [Code](https://example.org) asks.[^1]\n\n[^1]: Agreed in 2025.",
    )
    give = PartyFactory(version=version, name="Employer", heading="We give")
    get = PartyFactory(version=version, name="Staff", heading="")
    for row in (1, 2, 3):
        paired = row if layout == Version.Layout.ROWS else None
        CommitmentFactory(
            version=version, theme=None, party=give, row=paired, text=f"Time to think — “row” {row}."
        )
        if row < 3:
            CommitmentFactory(
                version=version, theme=None, party=get, row=paired, text=f"Honest, fair feedback {row}."
            )
    SectionFactory(version=version, heading="Why", body="1. First reason\n2. Second reason\n\n> A quote.")
    SectionFactory(
        version=version, heading="Review", body="- Yearly\n- Openly", placement=Section.Placement.AFTER
    )
    version = services.ratify(actor=staff, version=version)
    version = services.publish(actor=staff, version=version)
    # Read back word for word (a file rendered here, never issued, is read: its text is checked).
    body = page_of(upload(client, pdf.render(version, signature_page=True)))
    assert "The words match, but we did not issue this file" in body, body[body.find("Important") :][:400]


def test_an_upload_without_a_csrf_token_is_refused(version):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        VERIFY, {"document": SimpleUploadedFile("c.pdf", pdf.render(version), content_type="application/pdf")}
    )
    assert response.status_code == 403


def test_every_page_links_the_check_from_its_footer(client):
    assert 'href="/verify/">Check a copy of a compact</a>' in page_of(client.get("/"))


def test_a_pdf_with_a_page_slipped_in_does_not_verify(client, version):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf.render(version))))
    writer.insert_blank_page(index=2)
    out = io.BytesIO()
    writer.write(out)
    body = page_of(upload(client, out.getvalue()))
    assert "This PDF is genuine" not in body and "has been changed since we made it" in body


def test_a_pdf_whose_printed_fingerprint_was_changed_does_not_verify(client, staff, version):
    other = published_version(staff=staff)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf.render(version))))
    colophon_of_other = PdfReader(io.BytesIO(pdf.render(other))).pages[-1]
    last = len(writer.pages) - 1
    writer.insert_page(colophon_of_other, index=last)
    writer.remove_page(last + 1)
    out = io.BytesIO()
    writer.write(out)
    body = page_of(upload(client, out.getvalue()))
    assert "This PDF is genuine" not in body
    assert "The fingerprint printed at the end of this PDF is not the one it carries" in body
