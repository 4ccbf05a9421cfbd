"""The PDF work that needs no Django: what a part's worker process runs when a long signatory
list is rendered in parts (compact.pdf._render_in_parts), and reading a PDF's text back.

Imports nothing from Django, at module level or later: a worker is a fresh process that only lays
out HTML the parent rendered, so it starts in a fraction of a second and holds about 50 MB before
its part, not the 120 MB a process with Django and the project loaded does. Whatever it may fetch
(the PDF stylesheet) the parent resolved to files first: the worker refuses anything else.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# The static files a worker may read, by URL path; set once per process by `start`.
_assets: dict[str, str] = {}


def start(assets: dict[str, str]) -> None:
    _assets.update(assets)
    # WeasyPrint reports each step at INFO; a worker has nobody to tell.
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)


class AssetRefused(ValueError):
    pass


def asset_fetcher(assets: dict[str, str]):
    """WeasyPrint's URL fetcher for every PDF render, in a worker or not: it serves the files in
    `assets` (URL path → file, resolved by the Django process) and refuses anything else, so text
    typed by users can never make the renderer read the disk or call out."""
    # here, not at the top: the parent imports this module to name its functions to the pool,
    # and need not import WeasyPrint for that.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class KnownAssetsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            path = assets.get(parsed.path) if parsed.netloc in ("", "app.invalid") else None
            if path is None or parsed.scheme not in ("", "http", "https"):
                raise AssetRefused(f"The PDF renderer may not fetch {url!r}.")
            body = Path(path).read_bytes()
            kind = "text/css" if path.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})

    return KnownAssetsOnly(allowed_protocols=["https"], allow_redirects=False)


def pages_before(document: Any, anchor: str) -> int:
    """How many pages of a laid-out WeasyPrint document come before the element with id `anchor`
    (all of them if there is none)."""
    return next((i for i, page in enumerate(document.pages) if anchor in page.anchors), len(document.pages))


def render_part(html: str, path: str, *, anchor: str, tagged: bool) -> tuple[int, int]:
    """Lay out one part, write its PDF to `path`; return its page count and how many of its
    pages come before the element with id `anchor` (the compact's own pages, in the first part).

    Only the first part is `tagged`: the joined document keeps the first part's structure tree
    and no other (joining does not merge them), and an untagged part is written faster and is
    a sixth of the memory to join."""
    # here, not at the top: see asset_fetcher.
    from weasyprint import HTML

    document = HTML(string=html, base_url="https://app.invalid/", url_fetcher=asset_fetcher(_assets)).render()
    before = pages_before(document, anchor)
    # The tagged first part is the joined document's catalogue: it carries the PDF/UA metadata.
    document.write_pdf(
        path, pdf_tags=tagged, custom_metadata=True, pdf_variant="pdf/ua-1" if tagged else None
    )
    pages = len(document.pages)
    del document
    _give_back()
    return pages, before


def _give_back() -> None:
    """Return a finished task's memory to the system. A worker takes one part after another, and
    glibc keeps freed memory for reuse: without this a worker grows by tens of MB over its parts
    (the heap fragments), which is what bounds the render's peak."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: its allocator returns its own
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def stamp_part(path: str, *, footer_css: str, first_page: int, pages: int) -> None:
    """Give each page of the part at `path` its footer, numbered from `first_page`.

    The footers are a document of their own, `pages` empty pages under `footer_css`, laid over the
    part's pages as form XObjects: the part's own content is not re-parsed, and every footer
    shares one copy of its font.
    """
    # here, not at the top: see asset_fetcher.
    import pikepdf
    from weasyprint import HTML

    # WeasyPrint numbers the first page from the reset value.
    css = f"{footer_css} @page :first {{ counter-reset: page {first_page} }}"
    body = "<div></div>" * pages
    footers = HTML(
        string=f"<!DOCTYPE html><html><head><style>{css}</style></head><body>{body}</body></html>"
    ).write_pdf()
    with (
        pikepdf.open(path, allow_overwriting_input=True) as part,
        pikepdf.open(io.BytesIO(footers)) as overlay,
    ):
        for page, footer in zip(part.pages, overlay.pages, strict=True):
            page.add_overlay(footer, pikepdf.Rectangle(page.mediabox))
        part.save(path)
    _give_back()


def texts_of(path: str, *, pages: int) -> list[str]:
    """The text of the first `pages` pages of the PDF at `path`."""
    return page_texts(Path(path).read_bytes(), pages=pages)


def join_parts(paths: list[str], path: str, *, metadata: dict[str, str]) -> None:
    """Join the stamped parts into one PDF at `path`: the first part's catalogue (title,
    language, author, tagged structure, bookmarks) with every later part's pages and bookmarks
    after its own, `metadata` added to its document information, and its language to its XMP."""
    # here, not at the top: see asset_fetcher.
    import pikepdf

    with pikepdf.open(paths[0]) as joined:
        others = [pikepdf.open(other) for other in paths[1:]]
        try:
            with joined.open_outline() as outline:
                # The first part ends in the signatories section, so its last bookmark is the
                # compact's title and that one's last child "Signatories": the organisations of
                # the later parts go under that, as the first part's do, and the last part's
                # headings (signature page, colophon) beside it.
                title = outline.root[-1].children if outline.root else outline.root
                signatories = title[-1].children if title else title
                for number, other in enumerate(others, start=1):
                    offset = len(joined.pages)
                    with other.open_outline() as theirs:
                        marks = _bookmarks(other, theirs.root, offset)
                    joined.pages.extend(other.pages)
                    (title if number == len(others) else signatories).extend(marks)
            for name, value in metadata.items():
                joined.docinfo["/" + name] = value
            declare_language_in_xmp(joined)
            joined.save(path, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        finally:
            for other in others:
                other.close()
    _give_back()


def _bookmarks(document, items, offset):
    """Copies of a part's bookmarks (with their children), pointing at its pages once joined."""
    # here, not at the top: see asset_fetcher.
    import pikepdf

    copies = []
    for item in items:
        destination = item.resolved_destination(document)
        try:
            index = document.pages.index(pikepdf.Page(destination.page))
        except (AttributeError, TypeError, ValueError):
            continue  # not a page of this part: nothing to point at
        copy = pikepdf.OutlineItem(
            item.title, offset + index, pikepdf.PageLocation.XYZ, left=destination.left, top=destination.top
        )
        copy.children.extend(_bookmarks(document, item.children, offset))
        copies.append(copy)
    return copies


def with_language_in_xmp(pdf_bytes: bytes) -> bytes:
    """The PDF WeasyPrint wrote, its language declared in its XMP metadata too (see
    `declare_language_in_xmp`). Rewritten by qpdf: the pages' content is the same, so is their text."""
    # here, not at the top: see asset_fetcher.
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if not declare_language_in_xmp(pdf):
            return pdf_bytes
        written = io.BytesIO()
        pdf.save(written)
        return written.getvalue()


def declare_language_in_xmp(pdf: Any) -> bool:
    """Put the language of the (pikepdf) `pdf` (its catalogue's /Lang, which WeasyPrint takes from
    the HTML's <html lang>) in its XMP metadata as dc:language, beside the title and the PDF/UA
    identifier WeasyPrint writes there; whether there was a language to declare.

    WeasyPrint leaves the language out of the XMP, and its own way of adding to the XMP
    (DocumentMetadata.xmp_metadata) appends a second rdf:RDF, which pypdf and pikepdf do not read
    (they read the first). pypdf's XMP API, written as an incremental update, leaves /Info out of
    the update's trailer, and qpdf then reads no title. So pikepdf edits the XMP WeasyPrint wrote,
    leaving its producer and the document information as they are.
    """
    language = str(pdf.Root.get("/Lang", ""))
    if not language or "/Metadata" not in pdf.Root:
        return False
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:language"] = [language]
    return True


def page_texts(pdf_bytes: bytes, *, pages: int | None = None) -> list[str]:
    """The text of each page (or of the first `pages`), as pypdf reads it: the one reading the
    seal is taken from when a PDF is made and checked against when a copy is uploaded."""
    # here, not at the top: pypdf is needed only when a PDF is read, not by every web process at start.
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    chosen = reader.pages if pages is None else reader.pages[:pages]
    return [page.extract_text() or "" for page in chosen]


# What the parent may ask a worker process to do, by name.
TASKS: dict[str, Callable[..., Any]] = {
    "start": start,
    "render_part": render_part,
    "stamp_part": stamp_part,
    "texts_of": texts_of,
    "join_parts": join_parts,
}


class PartProcesses:
    """`processes` worker processes (`python -m compact.pdf_worker`), each serving one request at
    a time over its pipes, a line of JSON each way; `submit` hands a task to the next free one
    and returns a future.

    Plain subprocesses, not a multiprocessing pool: a render runs inside a Celery prefork child,
    and multiprocessing refuses to start processes from one ("daemonic processes are not allowed
    to have children"). Fresh interpreters, too, not forks: a fork would carry the parent's
    Django, rows and templates into each worker.
    """

    def __init__(self, processes: int, *, assets: dict[str, str], cwd: str) -> None:
        self._started: queue.SimpleQueue[subprocess.Popen[bytes]] = queue.SimpleQueue()
        self._all: list[subprocess.Popen[bytes]] = []
        for _ in range(processes):
            process = subprocess.Popen(
                [sys.executable, "-m", "compact.pdf_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=cwd,
            )
            self._all.append(process)
            self._ask(process, "start", (assets,), {})
            self._started.put(process)
        self._threads = ThreadPoolExecutor(max_workers=processes, thread_name_prefix="pdf-part")

    def submit(self, task: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """Run `task` (one of TASKS) with these arguments in the next free worker process."""
        if TASKS.get(task.__name__) is not task:
            raise ValueError(f"{task.__name__} is not a PDF worker task")
        return self._threads.submit(self._run, task.__name__, args, kwargs)

    def _run(self, task: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        process = self._started.get()  # one is free: there are as many threads as processes
        try:
            return self._ask(process, task, args, kwargs)
        finally:
            self._started.put(process)

    @staticmethod
    def _ask(
        process: subprocess.Popen[bytes], task: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps([task, args, kwargs]).encode() + b"\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"A PDF worker process stopped (exit status {process.wait()}).")
        ok, value = json.loads(line)
        if not ok:
            raise RuntimeError(f"A PDF worker process failed:\n{value}")
        return value

    def __enter__(self) -> PartProcesses:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)
        for process in self._all:
            if process.stdin is not None:
                process.stdin.close()  # end of requests: the worker's loop ends
        for process in self._all:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _serve() -> None:
    """A worker process's loop: read a request, run it, write the answer, until the parent closes."""
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    # Anything printed, by Python or by a C library, goes to the log, not into the answers.
    os.dup2(2, 1)
    with contextlib.suppress(OSError, AttributeError):
        # Linux: die with the parent (a Celery child killed mid-render leaves no orphans behind).
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    for line in requests:
        task, args, kwargs = json.loads(line)
        try:
            answer = (True, TASKS[task](*args, **kwargs))
        except Exception:  # noqa: BLE001 - the parent raises it with the traceback
            answer = (False, traceback.format_exc())
        answers.write(json.dumps(answer).encode() + b"\n")
        answers.flush()


if __name__ == "__main__":
    _serve()
