"""A long signatory list is rendered in parts, in parallel processes, and merged: the reader
sees one document, numbered "Page N of M" throughout, with every signatory, and it verifies."""

import functools
import io
import re

import pytest
from pypdf import PdfReader

from compact import pdf, verification
from tests.conftest import a_transaction_for_the_module, as_a_test_builds
from tests.factories import StaffFactory, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def flat(text):
    return re.sub(r"\s+", " ", text or "")


def build_signatories(version):
    """Six people for each of eight organisations, then one person signing personally."""
    people = []
    for number in range(8):
        organisation = OrganisationFactory(
            name=f"Organisation {number:02d} NHS Trust", ods_code=f"R{number:02d}"
        )
        for person in range(6):
            people.append(
                SignatureFactory(
                    version=version,
                    organisation=organisation,
                    full_name=f"Person {number:02d}{person}",
                    role="Chair",
                )
            )
    people.append(
        SignatureFactory(version=version, organisation=None, full_name="Pat Personal", role="Nurse")
    )
    return people


@pytest.fixture(scope="module")
def signed_version(django_db_setup, django_db_blocker):
    """A published version and its 49 signatories, built once for the module's tests, which read
    them and change nothing."""
    with a_transaction_for_the_module(django_db_blocker):
        with as_a_test_builds(django_db_blocker):
            version = published_version(
                staff=StaffFactory(), parties=("Harbourside Trust Board", "Leaders of the system")
            )
            people = build_signatories(version)
        yield version, people


@pytest.fixture
def version(signed_version, db):
    return signed_version[0]


@pytest.fixture
def signatories(signed_version, db):
    return signed_version[1]


@pytest.fixture(scope="module")
def rendered(signed_version):
    """The version's PDF with these options, typeset once for the module: rendering in parts
    starts processes of its own, and several tests read the same merged document."""
    version, _ = signed_version

    @functools.cache
    def render(**options):
        return pdf.render(version, **options)

    return render


def test_a_long_list_is_split_into_equal_parts_with_people_signing_personally_last(version, signatories):
    chunks = pdf.signatory_parts(pdf.public_signatures(version), part_size=10)
    assert [len(chunk) for chunk in chunks] == [10, 10, 10, 10, 9]
    assert [s.full_name for chunk in chunks for s in chunk][-1] == "Pat Personal"


def test_an_organisation_split_between_parts_has_its_heading_repeated_as_continued(rendered):
    # Parts of 10 split the six people of Organisation 01 after the fourth (6 + 4 | 2 + 6 + 2 | …).
    text = flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered(part_size=10))).pages))
    assert text.count("Organisation 01 NHS Trust – ODS code R01 (continued)") == 1
    assert text.count("Organisation 00 NHS Trust – ODS code R00") == 1  # not split: once, not continued
    first, continued = (
        text.index("Person 013"),
        text.index("Organisation 01 NHS Trust – ODS code R01 (continued)"),
    )
    assert first < continued < text.index("Person 014") < text.index("Person 015")


def outline_of(reader, items=None, depth=0):
    """(depth, title, page number) of every bookmark, in order."""
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += outline_of(reader, item, depth + 1)
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item)))
    return found


def test_a_merged_pdf_has_the_bookmarks_of_a_single_rendering_each_on_its_page(rendered):
    merged = PdfReader(io.BytesIO(rendered(part_size=10)))
    single = PdfReader(io.BytesIO(rendered()))
    assert [(depth, title) for depth, title, _ in outline_of(merged)] == [
        (depth, title) for depth, title, _ in outline_of(single)
    ]
    titles = [title for _, title, _ in outline_of(merged)]
    assert "Organisation 07 NHS Trust – ODS code R07" in titles and titles[-1] == "About this copy"
    for _, title, page in outline_of(merged):
        assert title in flat(merged.pages[page].extract_text()), title


def test_every_page_of_a_merged_pdf_says_page_n_of_m_with_the_right_total(version, rendered):
    content = rendered(part_size=10)
    reader = PdfReader(io.BytesIO(content))
    total = len(reader.pages)
    assert total >= 6
    for number, page in enumerate(reader.pages, start=1):
        text = flat(page.extract_text())
        assert f"Page {number} of {total}" in text, (number, text[-200:])
        assert version.compact.title[:20] in text


def test_every_signatory_is_in_a_merged_pdf_once_in_order(signatories, rendered):
    content = rendered(part_size=10)
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


def test_a_merged_pdf_ends_with_the_colophon_and_its_words_read_back_whole(version, rendered):
    content = rendered(part_size=10, signature_page=True)
    reader = PdfReader(io.BytesIO(content))
    last = flat(reader.pages[-1].extract_text())
    assert "About this copy" in last and version.content_hash in last.replace(" ", "")
    assert any("Signature page" in (p.extract_text() or "") for p in reader.pages)
    assert reader.metadata.get("/Title", "").startswith(version.compact.title[:10])
    check = verification.check_pdf(content)
    # Its words read back whole (it was never issued, so that is all the check can say of it).
    assert check.problem in ("", None) and check.text_matches and check.words_only


def test_a_merged_pdf_with_a_page_dropped_does_not_verify(rendered):
    from pypdf import PdfWriter

    content = rendered(part_size=10)
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


def test_a_part_that_fails_raises_the_workers_reason_and_leaves_no_process_behind(settings):
    from compact import pdf_worker

    pool = pdf_worker.PartProcesses(2, assets={}, cwd=str(settings.BASE_DIR))
    with pytest.raises(RuntimeError, match="FileNotFoundError"), pool:
        pool.submit(
            pdf_worker.render_part, "<p>x</p>", "/nonexistent/folder/x.pdf", anchor="a", tagged=False
        ).result()
    assert all(process.poll() is not None for process in pool._all)


def test_a_worker_runs_only_its_own_tasks(settings):
    from compact import pdf_worker

    with (
        pdf_worker.PartProcesses(1, assets={}, cwd=str(settings.BASE_DIR)) as pool,
        pytest.raises(ValueError),
    ):
        pool.submit(print, "anything")
