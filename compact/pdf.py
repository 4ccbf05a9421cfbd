"""The compact as a printed document: WeasyPrint renders an HTML template to PDF.

WeasyPrint may fetch only the app's own static files: the URL fetcher refuses file://,
remote addresses and anything outside the static folders, so text typed by users can never
make the renderer read the disk or call out.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import pdf_worker, verification
from .selectors import compact_layout

if TYPE_CHECKING:
    from signatories.models import Signature

    from .models import Version


class FetchRefused(ValueError):
    pass


def static_only_url_fetcher(url, *args, **kwargs):
    """Resolve a URL to the bytes of one of the app's static files, or refuse."""
    parsed = urlparse(url)
    path = parsed.path
    if parsed.scheme not in ("", "http", "https") or parsed.netloc not in ("", "app.invalid"):
        raise FetchRefused(f"The PDF renderer may not fetch {url!r}.")
    if not path.startswith(settings.STATIC_URL):
        raise FetchRefused(f"The PDF renderer may only fetch static files, not {url!r}.")
    relative = path[len(settings.STATIC_URL) :]
    if ".." in relative.split("/"):
        raise FetchRefused("No path traversal.")
    found = finders.find(relative)
    if not found:
        raise FetchRefused(f"No static file {relative!r}.")
    with open(found, "rb") as handle:
        data = handle.read()
    mime = "text/css" if found.endswith(".css") else "application/octet-stream"
    return {"body": data, "content_type": mime, "url": url}


def _fetcher():
    # here, not at the top: WeasyPrint takes about 0.4 s to import and only a render needs it.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            found = static_only_url_fetcher(url)
            return URLFetcherResponse(
                found["url"], body=found["body"], headers={"Content-Type": found["content_type"]}
            )

    return StaticOnlyFetcher(allowed_protocols=["https"], allow_redirects=False)


def public_signatures(version: Version) -> list[Signature]:
    """Confirmed signatures, by organisation name, then by person (people signing personally last)."""
    return list(
        version.signatures.public()  # the signing app says what counts
        .select_related("organisation")
        .order_by(Lower("organisation__name"), "organisation_id", Lower("full_name"), "id")
    )


def signatories_digest(signatures: Iterable[Signature]) -> str:
    """A fingerprint of exactly what the PDF lists: the same set of names renders once."""
    digest = hashlib.sha256()
    for s in signatures:
        organisation = s.organisation.name if s.organisation is not None else ""
        line = f"{s.pk}\x1f{s.full_name}\x1f{s.role}\x1f{organisation}\x1f{s.confirmed_at:%Y-%m-%d}\n"
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def grouped(signatures):
    groups, personal = [], []
    for signature in signatures:
        if signature.organisation_id is None:
            personal.append(signature)
        elif groups and groups[-1][0].pk == signature.organisation_id:
            groups[-1][1].append(signature)
        else:
            groups.append((signature.organisation, [signature]))
    return groups, personal


def printed_layout(version):
    """The version's layout with, per block, the lines of the printed table.

    Commitments side by side, one column per party with commitments, as on the web page: line i
    holds each party's i-th commitment so the table breaks cleanly between lines and its header
    repeats. Paired rows keep their pairs on one line. The verifier reads a copy back in this
    same order, so it lives here, once.
    """
    layout = compact_layout(version)
    for row in layout.rows:
        row.printed_parties = row.parties if layout.paired else [party for party, _ in row.filled_columns]
        if layout.paired:
            row.lines = [[commitment for _, commitment in pair.cells] for pair in row.pairs]
        else:
            columns = [commitments for _, commitments in row.filled_columns]
            depth = max((len(c) for c in columns), default=0)
            row.lines = [[c[i] if i < len(c) else None for c in columns] for i in range(depth)]
    return layout


# The id of the element that starts the signatories: every page before it is the compact itself,
# which is what the seal covers.
SIGNATORIES_ANCHOR = "signatories"


# Past this many signatories the list is rendered in parts, in parallel processes, and merged:
# WeasyPrint holds a whole document's layout in memory, so one 100,000-name document would not
# fit in 1 GB, and one process uses one core. Each part is a few thousand lines.
SIGNATORIES_PER_PART = 5000
PART_PROCESSES = 2


def render(
    version: Version,
    *,
    signatures: Sequence[Signature] | None = None,
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
    # here, not at the top: WeasyPrint takes about 0.4 s to import and only a render needs it.
    from weasyprint import HTML

    signatures = public_signatures(version) if signatures is None and not draft else (signatures or [])
    part_size = part_size or SIGNATORIES_PER_PART
    if list_signatories and len(signatures) > part_size:
        return _render_in_parts(version, signatures, signature_page=signature_page, part_size=part_size)
    html = _html(
        version,
        signatures,
        listed=None if list_signatories else [],
        draft=draft,
        signature_page=signature_page,
    )
    document = HTML(string=html, base_url="https://app.invalid/", url_fetcher=_fetcher()).render()
    options = {"pdf_tags": True, "custom_metadata": True}
    if not draft and version.content_hash:
        compact_pages = _compact_page_count(document)
        # The compact's own pages written alone and read back the way the verifier reads an
        # upload: a few pages, however many signatories follow.
        alone = document.copy(document.pages[:compact_pages]).write_pdf(**options)
        document.metadata.custom[verification.FINGERPRINT_FIELD] = version.content_hash
        document.metadata.custom[verification.SEAL_FIELD] = verification.seal(
            version.content_hash, verification.page_texts(alone), len(document.pages)
        )
    return document.write_pdf(**options)


def _compact_page_count(document):
    return next(
        (i for i, page in enumerate(document.pages) if SIGNATORIES_ANCHOR in page.anchors),
        len(document.pages),
    )


def _html(version, signatures, *, listed=None, draft=False, signature_page=False, part=None, footer=True):
    """The document's HTML; `part` ("head", "annex" or "end") is one piece of a parted render,
    `listed` the signatories it lists when not all of `signatures` (which its summary counts)."""
    layout = printed_layout(version) if part in (None, "head") else None
    groups, personal = grouped(signatures if listed is None else listed)
    all_groups, all_personal = (groups, personal) if listed is None else grouped(signatures)
    return render_to_string(
        "compact/pdf/compact.html",
        {
            "version": version,
            "compact": version.compact,
            "layout": layout,
            "draft": draft,
            "part": part,
            "footer": footer,
            "groups": groups,
            "personal": personal,
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
    """The signatories in chunks of about `part_size`: people signing personally last, as in a
    single render, and breaks only between organisations, so everyone stays under their heading."""
    ordered = [s for s in signatures if s.organisation_id] + [s for s in signatures if not s.organisation_id]
    chunks, current = [], []
    for signature in ordered:
        if len(current) >= part_size and signature.organisation_id != current[-1].organisation_id:
            chunks.append(current)
            current = []
        current.append(signature)
    chunks.append(current)
    return chunks


def _render_in_parts(version, signatures, *, signature_page, part_size):
    """Render the compact, then the signatories a few thousand at a time, in parallel processes;
    merge them with pypdf and stamp every page's footer ("Page N of M") once the page count is
    known. The seal is taken from the merged pages, so /verify/ reads them as it reads any copy."""
    # here, not at the top: WeasyPrint and pypdf take about 0.45 s to import; only renders need them.
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    # Even parts, at least one per process, so neither core waits on a short last part.
    parts = max(PART_PROCESSES, -(-len(signatures) // part_size))
    chunks = signatory_parts(signatures, part_size=-(-len(signatures) // parts))
    # The head counts every signatory in its summary but lists only the first chunk.
    htmls = [_html(version, signatures, listed=chunks[0], part="head", footer=False)]
    htmls += [_html(version, chunk, part="annex", footer=False) for chunk in chunks[1:]]
    htmls.append(_html(version, [], part="end", footer=False, signature_page=signature_page))
    # Fresh processes (spawn), not forks: a fork would carry this process's signatures and
    # templates into each worker's memory. A worker gets one part's HTML and returns its bytes.
    with ProcessPoolExecutor(
        max_workers=PART_PROCESSES, mp_context=get_context("spawn"), initializer=pdf_worker.start
    ) as pool:
        results = list(pool.map(pdf_worker.render_part, htmls))
    writer = PdfWriter()
    for content, _ in results:
        writer.append(PdfReader(io.BytesIO(content)))
    total = len(writer.pages)
    footer_css = (
        "@page { size: A4; margin: 20mm 16mm 22mm;"
        f" @bottom-left {{ content: {_css_string(version.compact.title)}; width: 66%; white-space: nowrap;"
        " overflow: hidden; text-overflow: ellipsis; font-size: 8pt; color: #4c6272; vertical-align: top; }"
        f" @bottom-right {{ content: {_css_string(f'Version {version.number} · Page ')} counter(page)"
        f" {_css_string(f' of {total}')}; width: 34%; white-space: nowrap; text-align: right;"
        " font-size: 8pt; color: #4c6272; vertical-align: top; } }"
        ' html { font-family: "DejaVu Sans", sans-serif; } div + div { break-before: page; }'
    )
    footers = HTML(
        string=f"<!DOCTYPE html><html><head><style>{footer_css}</style></head><body>{'<div></div>' * total}</body></html>"
    ).write_pdf()
    for page, footer in zip(writer.pages, PdfReader(io.BytesIO(footers)).pages, strict=True):
        page.merge_page(footer)
    head_reader = PdfReader(io.BytesIO(results[0][0]))
    writer.add_metadata(dict(head_reader.metadata or {}))
    if version.content_hash:
        buffer = io.BytesIO()
        writer.write(buffer)
        texts = verification.page_texts(buffer.getvalue(), pages=results[0][1])
        writer.add_metadata(
            {
                "/" + verification.FINGERPRINT_FIELD: version.content_hash,
                "/" + verification.SEAL_FIELD: verification.seal(version.content_hash, texts, total),
            }
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
