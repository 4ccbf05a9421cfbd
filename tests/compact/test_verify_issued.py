"""A copy is genuine only when it is, byte for byte, a file the site issued (issue 28, item 7).

The text layer is not what a reader sees: a white box drawn over "not" leaves every word in
place, and before this the check called such a copy genuine. Every file handed out is now
recorded by its SHA-256; a copy whose words match but whose bytes do not is told so, and is
never called genuine. The PDFs here are real: rendered by the export service and downloaded
from the compact's page, as a visitor gets them.
"""

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from PIL import ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream, DecodedStreamObject

from compact import exports, interchange, services, verification
from compact.errors import IssueRecorded
from compact.models import IssuedPdf, PdfExport, Version
from signatories.models import Signature
from tests.compact.test_verify import render_altered, with_metadata_of
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db

COMPACT = Path(__file__).parent / "compacts" / "moorland_and_coast.md"
NOT_SENTENCE = "We will not change your rota"
GENUINE = "This PDF is genuine"
WORDS_ONLY = "The words match, but we did not issue this file"
DOES_NOT_MATCH = "This PDF does not match what we published"


@pytest.fixture(autouse=True)
def _time_to_read(settings, tmp_path):
    """Time to read is not what this is about (test_verify_limits.py is); the files go to a
    folder of the test's own."""
    settings.VERIFY_READ_SECONDS = 60
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def version(staff):
    draft = interchange.import_compact(actor=staff, text=COMPACT.read_text(encoding="utf-8"))
    services.ratify(actor=staff, version=draft)
    return services.publish(actor=staff, version=draft)


def at(day):
    return datetime(2026, 12, day, 10, 30, tzinfo=ZoneInfo("Europe/London"))


def render_on(version, moment):
    """The worker's render of the version's PDF, as if it ran at `moment`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: moment)
        exports.request_pdf(version=version)
        return exports.render_owed(version_id=version.pk)


def downloaded(client, version):
    """The PDF as a visitor downloads it from the compact's page."""
    response = client.get(
        reverse("compact:pdf", kwargs={"slug": version.compact.slug, "number": version.number}), follow=True
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def upload(client, content):
    response = client.post(
        "/verify/", {"document": SimpleUploadedFile("compact.pdf", content, content_type="application/pdf")}
    )
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def position_of(page, words):
    """Where the line of text holding `words` is drawn on the page, in the page's own units:
    (the line's text, x, y of its baseline, font size), found with pypdf's text visitor as an
    editing tool would find it."""
    found = []

    def visit(text, cm, tm, font, size):
        if words in text:
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            scale = (cm[0] ** 2 + cm[1] ** 2) ** 0.5 * (tm[0] ** 2 + tm[1] ** 2) ** 0.5
            found.append((text, x, y, size * scale))

    page.extract_text(visitor_text=visit)
    return found[0] if found else None


def with_white_box_over(content, words, word=None):
    """The PDF with a white rectangle painted over `word` (by default all of `words`) in the line
    that says `words`: the page no longer shows it, its text layer still holds it. What a copy
    doctored in a PDF editor looks like."""
    word = word or words
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    for number, page in enumerate(writer.pages):
        place = position_of(page, words)
        if place is None:
            continue
        line, x, y, size = place
        # Measured in the PDF's own font (DejaVu Sans, which the renderer uses), as an editor would.
        font = ImageFont.truetype("DejaVuSans.ttf", size=100)
        left = x + font.getlength(line[: line.index(word)]) * size / 100 - 1
        width = font.getlength(word) * size / 100 + 2
        box = f"q 1 1 1 rg {left:.2f} {y - size * 0.3:.2f} {width:.2f} {size * 1.3:.2f} re f Q"
        original = page.get_contents().get_data()
        painted = DecodedStreamObject()
        painted.set_data(b"q\n" + original + b"\nQ\n" + box.encode())
        page.replace_contents(ContentStream(painted, writer))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), number
    raise AssertionError(f"“{words}” is on no page")


def test_the_downloaded_pdf_is_a_copy_we_issued_on_its_day(client, version):
    export = render_on(version, at(7))
    content = downloaded(client, version)
    record = IssuedPdf.objects.get()
    assert record.version == version and record.kind == IssuedPdf.Kind.PUBLIC
    assert record.size == len(content) == export.size

    body = upload(client, content)
    assert GENUINE in body and WORDS_ONLY not in body
    assert f"This is version 1 of {version.compact.title.replace('&', '&amp;')}" in body
    assert "This is a copy we issued on 7 December 2026" in body
    assert "This is the current version" in body
    assert "<title>This PDF is genuine – Check a copy of a compact" in body


def test_a_white_box_over_not_keeps_the_words_but_is_not_vouched_for(client, version):
    render_on(version, at(7))
    genuine = downloaded(client, version)
    doctored, number = with_white_box_over(genuine, NOT_SENTENCE, word="not")
    # Doctored as an editing tool would: every word is still in the text layer, the fingerprint
    # and the seal still in the metadata, and the page now paints white over "not".
    page = PdfReader(io.BytesIO(doctored)).pages[number]
    assert NOT_SENTENCE in re.sub(r"\s+", " ", page.extract_text())
    assert PdfReader(io.BytesIO(doctored)).metadata == PdfReader(io.BytesIO(genuine)).metadata
    assert re.search(rb"1 1 1 rg [\d.]+ [\d.]+ [\d.]+ [\d.]+ re f Q$", page.get_contents().get_data())
    assert doctored != genuine

    # The text layer alone still passes every check it ever made ...
    check = verification.check_pdf(doctored)
    assert check.text_matches and check.problem == ""
    # ... and that is all the answer says: never "genuine".
    assert not check.genuine and check.words_only and check.issued is None
    body = upload(client, doctored)
    assert GENUINE not in body and WORDS_ONLY in body
    assert "we cannot vouch for how this copy looks" in body
    assert "<title>The words match, but we did not issue this file – Check a copy of a compact" in body
    # It names the version only as what the copy claims to be, and sends the reader to it.
    assert "The version this copy claims to be" in body and "This is the current version" not in body
    assert f'read <a href="{version.get_absolute_url()}">version 1 of' in body


def test_a_copy_saved_again_without_a_change_is_not_vouched_for_either(client, version):
    render_on(version, at(7))
    genuine = downloaded(client, version)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(genuine)))
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue() != genuine
    body = upload(client, out.getvalue())
    assert WORDS_ONLY in body and GENUINE not in body


def test_a_copy_with_one_word_changed_is_still_refused(client, version, monkeypatch):
    render_on(version, at(7))
    genuine = downloaded(client, version)
    target = version.commitments.get(text__startswith="We will not change")

    def drop_not(layout):
        for row in layout.rows:
            for line in row.lines:
                for commitment in line:
                    if commitment is not None and commitment.pk == target.pk:
                        commitment.text = commitment.text.replace("We will not change", "We will change")

    forged = with_metadata_of(genuine, render_altered(version, monkeypatch, drop_not))
    body = upload(client, forged)
    assert DOES_NOT_MATCH in body and GENUINE not in body and WORDS_ONLY not in body
    assert "is not as we published it" in body


def test_a_copy_replaced_since_is_still_ours_with_the_day_we_issued_it(client, version):
    render_on(version, at(7))
    first = downloaded(client, version)
    # A signatory confirms: the next render replaces the file, and the first is deleted.
    SignatureFactory(
        version=version, organisation=OrganisationFactory(name="Tamar & Tor Primary Care Network")
    )
    render_on(version, at(9))
    assert PdfExport.objects.ready().count() == 1
    second = downloaded(client, version)
    assert second != first and IssuedPdf.objects.count() == 2

    old = upload(client, first)
    assert GENUINE in old and "This is a copy we issued on 7 December 2026" in old
    new = upload(client, second)
    assert GENUINE in new and "This is a copy we issued on 9 December 2026" in new


def test_a_render_thrown_away_before_it_was_served_is_not_recorded(version, monkeypatch):
    signature = SignatureFactory(version=version)
    real_publish = exports._publish

    def withdrawn_meanwhile(owed, version, signatures, *, content):
        Signature.objects.filter(pk=signature.pk).update(status=Signature.Status.WITHDRAWN)
        return real_publish(owed, version, signatures, content=content)

    monkeypatch.setattr(exports, "_publish", withdrawn_meanwhile)
    exports.request_pdf(version=version)
    assert exports.render_owed(version_id=version.pk) is None
    assert not IssuedPdf.objects.exists()


def test_a_copy_for_a_signing_event_is_recorded_as_issued_for_it(client, staff_client, version):
    url = reverse(
        "compact:staff_signing_pdf", kwargs={"slug": version.compact.slug, "number": version.number}
    )
    content = staff_client.get(url).content
    record = IssuedPdf.objects.get()
    assert record.kind == IssuedPdf.Kind.SIGNING and record.version == version
    body = upload(client, content)
    assert GENUINE in body and "printed for a signing event" in body


def test_a_file_issued_before_publication_is_named_only_once_the_version_is_public(client, staff):
    draft = interchange.import_compact(actor=staff, text=COMPACT.read_text(encoding="utf-8"))
    ratified = services.ratify(actor=staff, version=draft)
    exports.request_pdf(version=ratified)
    export = exports.render_owed(version_id=ratified.pk)
    content = export.file.read()
    assert IssuedPdf.objects.filter(version=ratified).exists()
    body = upload(client, content)
    assert verification.NO_PUBLIC_COMPACT in body and ratified.compact.title not in body.split("<main")[1]

    services.publish(actor=staff, version=ratified)
    assert GENUINE in upload(client, content)


def test_what_was_issued_stays_recorded(version):
    render_on(version, at(7))
    record = IssuedPdf.objects.get()
    record.signatory_count = 99
    with pytest.raises(IssueRecorded):
        record.save()
    with pytest.raises(IssueRecorded):
        record.delete()
    with pytest.raises(IssueRecorded):
        IssuedPdf.objects.all().delete()
    with pytest.raises(IssueRecorded):
        IssuedPdf.objects.update(size=1)
    if connection.vendor == "postgresql":  # the database refuses it too, whatever the code does
        with (
            pytest.raises(Exception, match="Cannot update or delete rows"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE compact_issuedpdf SET size = 1")
    # A digest names one file: the same bytes are never recorded twice.
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuedPdf.objects.create(
            version=version, sha256=record.sha256, kind="public", size=1, issued_at=record.issued_at
        )
    assert Version.objects.get(pk=version.pk).issued_pdfs.count() == 1
