"""A long signatory list is rendered in parts, in parallel processes, and merged: the reader
sees one document, numbered "Page N of M" throughout, with every signatory, and it verifies."""

import io
import re

import pytest
from pypdf import PdfReader

from compact import pdf, verification
from tests.factories import published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def flat(text):
    return re.sub(r"\s+", " ", text or "")


@pytest.fixture
def version(staff):
    return published_version(staff=staff, parties=("Harbourside Trust Board", "Leaders of the system"))


@pytest.fixture
def signatories(version):
    people = []
    for number in range(8):
        organisation = OrganisationFactory(name=f"Organisation {number:02d} NHS Trust", ods_code=f"R{number:02d}")
        for person in range(6):
            people.append(
                SignatureFactory(
                    version=version, organisation=organisation, full_name=f"Person {number:02d}{person}", role="Chair"
                )
            )
    people.append(SignatureFactory(version=version, organisation=None, full_name="Pat Personal", role="Nurse"))
    return people


def test_a_long_list_is_split_into_several_parts(version, signatories):
    chunks = pdf.signatory_parts(pdf.public_signatures(version), part_size=10)
    assert len(chunks) >= 4
    # No organisation is split across parts, and people signing personally come last.
    names = [{s.organisation_id for s in chunk} for chunk in chunks]
    for first, second in zip(names, names[1:], strict=False):
        assert not (first - {None}) & (second - {None})
    assert chunks[-1][-1].full_name == "Pat Personal"


def test_every_page_of_a_merged_pdf_says_page_n_of_m_with_the_right_total(version, signatories):
    content = pdf.render(version, part_size=10)
    reader = PdfReader(io.BytesIO(content))
    total = len(reader.pages)
    assert total >= 6
    for number, page in enumerate(reader.pages, start=1):
        text = flat(page.extract_text())
        assert f"Page {number} of {total}" in text, (number, text[-200:])
        assert version.compact.title[:20] in text


def test_every_signatory_is_in_a_merged_pdf_once_in_order(version, signatories):
    content = pdf.render(version, part_size=10)
    text = flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    assert f"{len(signatories)} signatories signed version 1" in text
    assert "48 on behalf of 8 organisations and 1 personally." in text
    positions = []
    for signature in signatories:
        line = f"{signature.full_name}, {signature.role} – signed"
        assert text.count(line) == 1, line
        positions.append(text.index(line))
    assert positions == sorted(positions)
    assert "Organisation 07 NHS Trust – ODS code R07" in text


def test_a_merged_pdf_ends_with_the_colophon_and_verifies_as_genuine(version, signatories):
    content = pdf.render(version, part_size=10, signature_page=True)
    reader = PdfReader(io.BytesIO(content))
    last = flat(reader.pages[-1].extract_text())
    assert "About this copy" in last and version.content_hash in last.replace(" ", "")
    assert any("Signature page" in (p.extract_text() or "") for p in reader.pages)
    assert reader.metadata.get("/Title", "").startswith(version.compact.title[:10])
    check = verification.check_pdf(content)
    assert check.problem in ("", None) and check.genuine and check.text_matches


def test_a_merged_pdf_with_a_page_dropped_does_not_verify(version, signatories):
    from pypdf import PdfWriter

    content = pdf.render(version, part_size=10)
    reader = PdfReader(io.BytesIO(content))
    writer = PdfWriter(clone_from=reader)
    writer.remove_page(len(writer.pages) - 3)
    out = io.BytesIO()
    writer.write(out)
    assert not verification.check_pdf(out.getvalue()).text_matches


def test_a_short_list_is_still_one_rendering(version, signatories, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a short list should not be rendered in parts")

    monkeypatch.setattr(pdf, "_render_in_parts", refuse)
    assert pdf.render(version).startswith(b"%PDF")
