"""The PDF as a board would read it: cover, commitments, signatories, colophon, footer, metadata."""

import io
import re

import pytest
from django.utils import dateformat, timezone
from pypdf import PdfReader

from compact import pdf, services
from compact.models import Section, Version
from tests.factories import (
    CommitmentFactory,
    PartyFactory,
    SectionFactory,
    VersionFactory,
    draft_version,
    published_version,
)
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def read(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, [page.extract_text() for page in reader.pages]


def flat(text):
    return re.sub(r"\s+", " ", text)


def in_words(moment):
    return dateformat.format(timezone.localtime(moment), "j F Y")


@pytest.fixture
def version(staff):
    return published_version(staff=staff, parties=("Harbourside Trust Board", "Leaders of the system"))


def test_the_cover_names_the_compact_version_dates_parties_and_vision(version):
    _, pages = read(pdf.render(version))
    cover = flat(pages[0])
    assert version.compact.title in cover and f"Version {version.number}" in cover
    assert f"Ratified {in_words(version.ratified_at)}" in cover
    assert f"Published {in_words(version.published_at)}" in cover
    assert "Harbourside Trust Board" in cover and "Leaders of the system" in cover
    assert version.vision in cover
    # The commitments start after the cover.
    assert all(c.text not in cover for c in version.commitments.all())


def test_every_commitment_and_signatory_is_printed_with_organisation_and_ods_code(version):
    zebra = OrganisationFactory(name="Zebra Crossing NHS Trust", ods_code="RZ9")
    aardvark = OrganisationFactory(name="aardvark Community Trust", ods_code="")
    SignatureFactory(version=version, organisation=zebra, full_name="Yvonne Young", role="Chair")
    SignatureFactory(version=version, organisation=zebra, full_name="adam Ash", role="Chief executive")
    SignatureFactory(version=version, organisation=aardvark, full_name="Bea Brown", role="Director")
    SignatureFactory(version=version, organisation=None, full_name="Pat Personal", role="Nurse")
    _, pages = read(pdf.render(version))
    text = flat(" ".join(pages))
    for commitment in version.commitments.all():
        assert commitment.text in text
    signed_on = in_words(timezone.now())
    assert "4 signatories signed version 1" in text
    assert "3 on behalf of 2 organisations and 1 personally." in text
    assert "Zebra Crossing NHS Trust – ODS code RZ9" in text
    assert f"Yvonne Young, Chair – signed {signed_on}" in text
    assert f"Pat Personal, Nurse – signed {signed_on}" in text
    # Organisations and the people in each by name, whatever their case; personal signatures last.
    order = [
        text.index(s)
        for s in (
            "aardvark Community Trust",
            "Bea Brown",
            "Zebra Crossing",
            "adam Ash",
            "Yvonne Young",
            "Signed personally",
        )
    ]
    assert order == sorted(order)
    # Nothing of the template reaches the reader (a comment that ran over lines once did).
    assert "{#" not in text and "{%" not in text and "#}" not in text


def test_the_colophon_on_the_last_page_carries_the_full_fingerprint_and_how_to_verify(version, settings):
    settings.SITE_URL = "https://compact.example.org"
    reader, pages = read(pdf.render(version))
    last = pages[-1]
    assert "About this copy" in last
    assert version.content_hash in re.sub(r"\s+", "", last)
    assert f"Short fingerprint: {version.short_hash}" in last
    assert "https://compact.example.org/verify/" in last
    # Not shouted on every page: the short fingerprint is in the colophon and the metadata only.
    assert all(version.short_hash not in page for page in pages[:-1])


def test_every_page_says_page_n_of_m_on_one_line_with_the_title(version):
    SignatureFactory(version=version)
    reader, pages = read(pdf.render(version, signature_page=True))
    total = len(pages)
    assert total >= 5
    for number, page in enumerate(pages, start=1):
        footer = page.strip().splitlines()[-1]
        assert footer == f"{version.compact.title} Version {version.number} · Page {number} of {total}"


def test_a_long_title_does_not_wrap_the_footer(staff):
    version = draft_version()
    version.compact.title = "The leadership compact between the integrated care board and its partners " * 2
    version.compact.save()
    version = services.ratify(actor=staff, version=version)
    _, pages = read(pdf.render(version))
    for number, page in enumerate(pages, start=1):
        footer = page.strip().splitlines()[-1]
        assert footer.startswith("The leadership compact between")
        assert footer.endswith(f"Version {version.number} · Page {number} of {len(pages)}")


@pytest.mark.parametrize(
    "count, wording, not_wording",
    [
        (0, "No one has signed yet", "0 signator"),
        (1, "1 signatory signed version 1 and confirmed by e-mail", "1 signatories"),
        (2, "2 signatories signed version 1 and confirmed by e-mail", "2 signatory "),
    ],
)
def test_signatories_are_counted_in_words_with_correct_plurals(version, count, wording, not_wording):
    for _ in range(count):
        SignatureFactory(version=version)
    _, pages = read(pdf.render(version))
    text = flat(" ".join(pages))
    assert wording in text and not_wording not in text
    if count:
        assert f"{count} on behalf of {count} organisation{'s' if count > 1 else ''}." in text


def test_the_signature_page_is_printed_only_when_asked_for(version):
    _, without = read(pdf.render(version))
    assert "Signed on behalf of" not in " ".join(without)
    _, pages = read(pdf.render(version, signature_page=True))
    signature_pages = [page for page in pages if "Signature page" in page]
    assert len(signature_pages) == 1
    page = signature_pages[0]
    assert page.count("Signed on behalf of") == 3
    for line in ("Name", "Role", "Date"):
        assert page.count(line) >= 3
    # It comes after the signatories and before the colophon.
    assert pages.index(page) > next(i for i, p in enumerate(pages) if p.startswith("Signatories"))
    assert "About this copy" in pages[-1] and "About this copy" not in page


def test_metadata_names_the_document_its_author_language_and_fingerprint(version):
    reader, _ = read(pdf.render(version))
    info = reader.metadata
    assert info.title == f"{version.compact.title} – version {version.number}"
    assert info.author == "The Leadership Academy"
    assert f"fingerprint {version.short_hash}" in info["/Keywords"]
    assert info["/CompactFingerprint"] == version.content_hash
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_a_draft_is_not_sealed_and_says_it_has_no_fingerprint_yet():
    reader, pages = read(pdf.render(draft_version(), draft=True))
    assert "/CompactFingerprint" not in reader.metadata and "/CompactSeal" not in reader.metadata
    assert "It has no fingerprint yet" in flat(pages[-1])
    assert "Signatories" not in " ".join(pages)


def test_paired_rows_with_closing_sections_and_notes_print_in_order(staff):
    version = VersionFactory(
        layout=Version.Layout.ROWS, vision="We lead *together*.[^1]\n\n[^1]: Agreed in 2025."
    )
    give = PartyFactory(version=version, name="Employer", heading="We give")
    get = PartyFactory(version=version, name="Staff", heading="We get")
    for row in (1, 2):
        CommitmentFactory(version=version, theme=None, party=give, row=row, text=f"Time to think, row {row}.")
        CommitmentFactory(
            version=version, theme=None, party=get, row=row, text=f"Honest feedback, row {row}."
        )
    SectionFactory(
        version=version,
        heading="How we will review this",
        body="- Yearly\n- With everyone",
        placement=Section.Placement.AFTER,
    )
    version = services.ratify(actor=staff, version=version)
    _, pages = read(pdf.render(version))
    text = flat(" ".join(pages))
    assert "We give We get" in text
    assert (
        text.index("Time to think, row 1.")
        < text.index("Honest feedback, row 1.")
        < text.index("Time to think, row 2.")
    )
    assert (
        text.index("Honest feedback, row 2.")
        < text.index("How we will review this")
        < text.index("Signatories")
    )
    assert "Agreed in 2025." in text
