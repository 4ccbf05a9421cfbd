"""The compact as a printed document: WeasyPrint renders an HTML template to PDF.

WeasyPrint may fetch only the PDF's stylesheet (PDF_ASSETS): the URL fetcher
(compact.pdf_worker.asset_fetcher) refuses file://, remote addresses and any other path, so text
typed by users can never make the renderer read the disk or call out.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import pdf_worker, sealing
from .selectors import compact_layout

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from .models import Version


@dataclass(frozen=True, slots=True)
class PrintedOrganisation:
    name: str
    ods_code: str


@dataclass(frozen=True, slots=True)
class PrintedSignatory:
    """What the PDF prints of one signature. Plain rows, not model instances: a 100,000-name
    render holds every one of them, and a row is a tenth of the memory of a Signature with its
    Organisation."""

    pk: int
    full_name: str
    role: str
    organisation_id: int | None
    organisation: PrintedOrganisation | None
    confirmed_at: datetime | None  # never None for a public signature; the column allows it


def public_signatures(version: Version) -> list[PrintedSignatory]:
    """Confirmed signatures, by organisation name, then by person (people signing personally last)."""
    rows = (
        version.signatures.public()  # the signing app says what counts
        .order_by(Lower("organisation__name"), "organisation_id", Lower("full_name"), "id")
        .values_list(
            "pk",
            "full_name",
            "role",
            "organisation_id",
            "organisation__name",
            "organisation__ods_code",
            "confirmed_at",
        )
    )
    organisations: dict[int, PrintedOrganisation] = {}
    printed = []
    for pk, full_name, role, organisation_id, name, ods_code, confirmed_at in rows.iterator(chunk_size=5000):
        organisation = None
        if organisation_id is not None:
            organisation = organisations.get(organisation_id)
            if organisation is None:
                organisation = organisations[organisation_id] = PrintedOrganisation(name, ods_code)
        printed.append(PrintedSignatory(pk, full_name, role, organisation_id, organisation, confirmed_at))
    return printed


def signatories_digest(signatures: Iterable[PrintedSignatory]) -> str:
    """A fingerprint of exactly what the PDF lists: the same set of names renders once."""
    digest = hashlib.sha256()
    for s in signatures:
        organisation = s.organisation.name if s.organisation is not None else ""
        line = f"{s.pk}\x1f{s.full_name}\x1f{s.role}\x1f{organisation}\x1f{s.confirmed_at:%Y-%m-%d}\n"
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def grouped(
    signatures: Iterable[PrintedSignatory],
) -> tuple[list[tuple[PrintedOrganisation, list[PrintedSignatory]]], list[PrintedSignatory]]:
    groups: list[tuple[PrintedOrganisation, list[PrintedSignatory]]] = []
    personal: list[PrintedSignatory] = []
    last_organisation_id = None
    for signature in signatures:
        if signature.organisation is None:
            personal.append(signature)
        elif groups and last_organisation_id == signature.organisation_id:
            groups[-1][1].append(signature)
        else:
            groups.append((signature.organisation, [signature]))
            last_organisation_id = signature.organisation_id
    return groups, personal


def printed_layout(version):
    """The version's layout with, per block, the lines of the printed table.

    Commitments side by side, one column per party with commitments, as on the web page: line i
    holds each party's i-th commitment so the table breaks cleanly between lines and its header
    repeats. Paired rows keep their pairs on one line. The verifier reads a copy back in this
    same order, so it lives here, once.
    """
    layout = compact_layout(version)
    if layout.facing:
        return _printed_facing(layout)
    for row in layout.rows:
        row.printed_parties = row.parties if layout.paired else [party for party, _ in row.filled_columns]
        if layout.paired:
            row.lines = [[commitment for _, commitment in pair.cells] for pair in row.pairs]
        else:
            columns = [commitments for _, commitments in row.filled_columns]
            depth = max((len(c) for c in columns), default=0)
            row.lines = [[c[i] if i < len(c) else None for c in columns] for i in range(depth)]
    return layout


def _printed_facing(layout):
    """Facing columns on paper: one table whose header holds the parties' column headings (repeated
    on every page) and whose n-th line holds each party's n-th theme, side by side. A line may run
    over a page. The blocks are put in the order the PDF prints them (each party's first theme,
    then each party's second…), so the verifier reads them in that order too."""
    columns = [column.rows for column in layout.facing_columns if column.rows]
    layout.printed_columns = [column.party for column in layout.facing_columns if column.rows]
    layout.printed_notes = any(party.note for party in layout.printed_columns)
    layout.printed_closings = any(party.closing for party in layout.printed_columns)
    depth = max((len(rows) for rows in columns), default=0)
    layout.printed_facing = [[rows[i] if i < len(rows) else None for rows in columns] for i in range(depth)]
    printed = []
    for line in layout.printed_facing:
        for row in line:
            if row is not None:
                # The party's heading stands once, over its column, not over each of its themes.
                row.printed_parties = []
                row.lines = [
                    [commitment] for _, commitments in row.filled_columns for commitment in commitments
                ]
                printed.append(row)
    layout.rows = printed
    return layout


# The id of the element that starts the signatories: every page before it is the compact itself,
# which is what the seal covers.
SIGNATORIES_ANCHOR = "signatories"


# Past settings.PDF_SIGNATORIES_PER_PART signatories the list is rendered in parts, in
# settings.PDF_PART_PROCESSES processes at once, and joined: WeasyPrint holds a whole document's
# layout in memory (about 23 kB a printed line here), so one 100,000-name document would not fit
# in 1 GB, and one process uses one core. A part of a thousand lines holds about 25 MB of layout;
# much smaller parts would cost more in per-document set-up (about 30 ms each).
# The static files a render may fetch (pdf_worker.asset_fetcher refuses any other address).
PDF_ASSETS = ("pdf/compact.css",)


def pdf_assets() -> dict[str, str]:
    """PDF_ASSETS by URL path, resolved to files here: a part's worker has no Django to ask."""
    assets = {}
    for name in PDF_ASSETS:
        found = finders.find(name)
        if not isinstance(found, str):
            raise FileNotFoundError(f"The PDF's static file {name} is missing.")
        assets[f"{settings.STATIC_URL}{name}"] = found
    return assets


def render(
    version: Version,
    *,
    signatures: Sequence[PrintedSignatory] | None = None,
    draft: bool = False,
    signature_page: bool = False,
    list_signatories: bool = True,
    part_size: int | None = None,
) -> bytes:
    """PDF bytes for a version; a draft carries a watermark on every page.

    `signature_page` adds a printable page of "Signed on behalf of / Name / Role / Date" lines
    for a signing event. Without `list_signatories` the signatories are counted but not listed
    (the copy says where the list is): a copy printed to be signed at an event is rendered on
    request, and its time then depends on the compact alone, not on tens of thousands of names.
    A ratified or public version is sealed (see compact.verification): its
    full fingerprint and a keyed digest of the text of its compact pages go in the PDF's
    metadata, so /verify/ can tell this copy from one edited afterwards.
    """
    signatures = public_signatures(version) if signatures is None and not draft else (signatures or [])
    part_size = part_size or settings.PDF_SIGNATORIES_PER_PART
    if list_signatories and len(signatures) > part_size:
        return _render_in_parts(version, signatures, signature_page=signature_page, part_size=part_size)
    html = _html(
        version,
        signatures,
        listed=None if list_signatories else [],
        draft=draft,
        signature_page=signature_page,
    )
    return typeset(html, sealed_with=None if draft else version.content_hash or None)


def typeset(html: str, *, sealed_with: str | None) -> bytes:
    """The PDF for a document's HTML, sealed with `sealed_with` (a version's fingerprint) when
    given. It reads nothing but its arguments and the PDF's static files: the same HTML gives the
    same document."""
    # here, not at the top: WeasyPrint takes about 0.4 s to import and only a render needs it
    # (a parted render leaves it to the workers).
    from weasyprint import HTML

    fetcher = pdf_worker.asset_fetcher(pdf_assets())
    document = HTML(string=html, base_url="https://app.invalid/", url_fetcher=fetcher).render()
    # PDF/UA-1: tagged, and its XMP metadata says so and carries the title and language (from
    # the HTML's <title> and lang; the language added by with_language_in_xmp), which screen
    # readers and archives read.
    options = {"pdf_tags": True, "custom_metadata": True, "pdf_variant": "pdf/ua-1"}
    if sealed_with:
        compact_pages = pdf_worker.pages_before(document, SIGNATORIES_ANCHOR)
        # The compact's own pages written alone and read back the way the verifier reads an
        # upload: a few pages, however many signatories follow.
        alone = document.copy(document.pages[:compact_pages]).write_pdf(**options)
        document.metadata.custom[sealing.FINGERPRINT_FIELD] = sealed_with
        document.metadata.custom[sealing.SEAL_FIELD] = sealing.seal(
            sealed_with, sealing.page_texts(alone), len(document.pages)
        )
    return pdf_worker.with_language_in_xmp(document.write_pdf(**options))


def _html(
    version,
    signatures,
    *,
    listed=None,
    draft=False,
    signature_page=False,
    part=None,
    footer=True,
    continued=False,
):
    """The document's HTML; `part` ("head", "annex" or "end") is one piece of a parted render,
    `listed` the signatories it lists when not all of `signatures` (which its summary counts),
    `continued` whether its first heading carries on from the part before."""
    layout = printed_layout(version) if part in (None, "head") else None
    # Here, not at the top: consultation's presenters import compact's models.
    from consultation.presenters import printed_change_log

    change_log = printed_change_log(version=version) if part in (None, "head") else []
    groups, personal = grouped(signatures if listed is None else listed)
    all_groups, all_personal = (groups, personal) if listed is None else grouped(signatures)
    return render_to_string(
        "compact/pdf/compact.html",
        {
            "version": version,
            "compact": version.compact,
            "layout": layout,
            "change_log": change_log,
            "draft": draft,
            "part": part,
            "footer": footer,
            "groups": groups,
            "personal": personal,
            "continued": continued,
            "signature_count": len(signatures),
            "personal_count": len(all_personal),
            "organisation_count": len(all_groups),
            "organisation_signature_count": len(signatures) - len(all_personal),
            "signature_page": signature_page,
            "signature_page_blocks": range(3),
            # Counted but not listed here (a copy for a signing event): say where the list is.
            "signatories_elsewhere": listed is not None and part is None,
            "signatories_url": f"{settings.SITE_URL}{_signatories_path(version)}",
            "generated_at": timezone.now(),
            "fingerprint": version.content_hash,
            "short_fingerprint": version.short_hash if version.content_hash else "",
            "verify_url": f"{settings.SITE_URL}/verify/",
            "signatories_anchor": SIGNATORIES_ANCHOR,
        },
    )


def _signatories_path(version):
    return reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})


def _css_string(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def signatory_parts(signatures, *, part_size):
    """The signatories in chunks of `part_size` (the last shorter), people signing personally
    last, as in a single render. Equal chunks keep both processes busy to the end and bound each
    one's memory, whatever the size of one organisation's list: a chunk that starts inside an
    organisation's list repeats its heading, marked as continued (see `_part_htmls`)."""
    ordered = [s for s in signatures if s.organisation_id] + [s for s in signatures if not s.organisation_id]
    return [ordered[start : start + part_size] for start in range(0, len(ordered), part_size)] or [[]]


def _render_in_parts(version, signatures, *, signature_page, part_size):
    """Render the compact, then the signatories a thousand or so at a time, in parallel worker
    processes (compact.pdf_worker); once every part's page count is known the workers stamp each
    page's footer ("Page N of M"), and one of them joins the parts with pikepdf. This process
    renders the HTML and reads the result: it never imports WeasyPrint or holds a page. The seal
    is taken from the stamped compact pages, so /verify/ reads a joined copy as any other."""
    # Even parts, at least one per process, so neither core waits on a short last part.
    processes = settings.PDF_PART_PROCESSES
    parts = max(processes, -(-len(signatures) // part_size))
    chunks = signatory_parts(signatures, part_size=-(-len(signatures) // parts))
    assets = pdf_assets()
    with (
        tempfile.TemporaryDirectory(prefix="compact-pdf-") as folder,
        # A worker gets a part's HTML and writes its PDF to a file in the folder.
        pdf_worker.PartProcesses(processes, assets=assets, cwd=str(settings.BASE_DIR)) as pool,
    ):
        paths, rendering = [], []
        for index, html in enumerate(_part_htmls(version, signatures, chunks, signature_page=signature_page)):
            paths.append(os.path.join(folder, f"part-{index:04d}.pdf"))
            rendering.append(
                pool.submit(
                    pdf_worker.render_part, html, paths[-1], anchor=SIGNATORIES_ANCHOR, tagged=index == 0
                )
            )
        counts = [future.result() for future in rendering]
        total = sum(pages for pages, _ in counts)
        footer_css = _footer_css(version, total)
        stamping, first_page = [], 1
        for path, (pages, _) in zip(paths, counts, strict=True):
            stamping.append(
                pool.submit(
                    pdf_worker.stamp_part, path, footer_css=footer_css, first_page=first_page, pages=pages
                )
            )
            first_page += pages
        for future in stamping:
            future.result()
        metadata = {}
        if version.content_hash:
            texts = pool.submit(pdf_worker.texts_of, paths[0], pages=counts[0][1]).result()
            metadata = {
                sealing.FINGERPRINT_FIELD: version.content_hash,
                sealing.SEAL_FIELD: sealing.seal(version.content_hash, texts, total),
            }
        # A worker joins the parts, so this process never holds their pages.
        joined = os.path.join(folder, "joined.pdf")
        pool.submit(pdf_worker.join_parts, paths, joined, metadata=metadata).result()
        return Path(joined).read_bytes()


def _part_htmls(version, signatures, chunks, *, signature_page):
    # The head counts every signatory in its summary but lists only the first chunk.
    yield _html(version, signatures, listed=chunks[0], part="head", footer=False)
    for previous, chunk in zip(chunks, chunks[1:], strict=False):
        continued = chunk[0].organisation_id == previous[-1].organisation_id
        yield _html(version, chunk, part="annex", footer=False, continued=continued)
    yield _html(version, [], part="end", footer=False, signature_page=signature_page)


def _footer_css(version, total):
    """The stylesheet's footer (compact.css), with the total filled in: a part cannot count it."""
    return (
        "@page { size: A4; margin: 20mm 16mm 22mm;"
        f" @bottom-left {{ content: {_css_string(version.compact.title)}; width: 66%; white-space: nowrap;"
        " overflow: hidden; text-overflow: ellipsis; font-size: 8pt; color: #4c6272; vertical-align: top; }"
        f" @bottom-right {{ content: {_css_string(f'Version {version.number} · Page ')} counter(page)"
        f" {_css_string(f' of {total}')}; width: 34%; white-space: nowrap; text-align: right;"
        " font-size: 8pt; color: #4c6272; vertical-align: top; } }"
        ' html { font-family: "DejaVu Sans", sans-serif; } div + div { break-before: page; }'
    )


def open_stored(file: FieldFile) -> IO[bytes]:
    """A stored PDF opened to be streamed to a reader; FileNotFoundError when it has gone.

    From an object store (django-storages' S3File) the object's body is passed on as it arrives,
    rather than downloaded whole first as S3File.read would; from the disk, the file itself.
    """
    if not file.name:
        raise FileNotFoundError("This export has no file.")
    handle = file.storage.open(file.name, "rb")  # asks the store: FileNotFoundError if gone
    stored_object = getattr(handle, "obj", None)
    if stored_object is None:
        return handle
    try:
        body: IO[bytes] = stored_object.get()["Body"]
    except stored_object.meta.client.exceptions.NoSuchKey as error:  # deleted since it was asked
        raise FileNotFoundError(file.name) from error
    return body
