"""Reading an uploaded PDF in a process of its own, with limits on its time, memory and work.

An uploaded PDF is anyone's: a file of a few kB can carry megabytes of compressed drawing
operators (a "decompression bomb"), and reading its text back with pypdf would hold a web worker
for minutes and grow it by hundreds of MB. So the web process never parses an upload itself. It
runs `python -m compact.pdf_reading` (`Reading`), a child that answers two questions within one
budget of wall-clock time (it is killed past it), and that first lowers its own ceilings (`resource.setrlimit`: address space and CPU seconds) and pypdf's
(`pypdf.apply_configuration`: bytes any one stream may decompress to, parsing work per stream,
page-tree entries, form invocations per page):

1. `head`: the document information (fingerprint and seal) and the page count. Cheap: no content
   stream is decompressed. The web process checks these against the database before any more work.
2. `texts`: the content of the pages to be read (the compact's own pages and the last one) is
   decompressed first and its total measured against a budget, counting a stream once for every
   page that draws it; only then is their text extracted.

Whatever goes wrong in the child (a limit reached, a damaged file, a timeout) comes back as an
exception the caller turns into a clear answer. Imports nothing from Django (see pdf_worker).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import selectors
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Limits:
    """What one reading may spend. The defaults are the settings' (VERIFY_*)."""

    seconds: float = 5.0
    memory_bytes: int = 512 * 1024 * 1024
    content_bytes: int = 1_000_000
    pages: int = 2_000


class Unreadable(ValueError):
    """The file is not a PDF pypdf can read."""


class TooCostly(ValueError):
    """Reading the file would take more time, memory or work than the limits allow."""


@dataclass(frozen=True)
class Head:
    fingerprint: str
    seal: str
    pages: int


class Reading:
    """One upload being read: a child process that holds the parsed file between questions, all
    of them answered within one budget of time (`limits.seconds`, from the start). Use it as a
    context manager: the child is killed on leaving, whatever it was doing."""

    def __init__(self, data: bytes, *, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-m", "compact.pdf_reading", json.dumps(limits.__dict__)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        self._send(len(data).to_bytes(8, "big") + data)

    def head(self, *, fingerprint_field: str, seal_field: str) -> Head:
        """The document information and page count: no content stream is decompressed."""
        answer = self._ask({"task": "head", "fields": [fingerprint_field, seal_field]})
        return Head(fingerprint=answer["fields"][0], seal=answer["fields"][1], pages=answer["pages"])

    def texts(self, *, pages: int) -> tuple[list[str], str]:
        """The text of the first `pages` pages, and of the last page, within the content budget."""
        answer = self._ask({"task": "texts", "pages": pages})
        return answer["texts"], answer["last"]

    def _send(self, payload: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(payload)
            self.process.stdin.flush()
        except BrokenPipeError as error:  # the child is gone: a limit stopped it
            raise TooCostly(f"the reader stopped (exit status {self.process.wait()})") from error

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        self._send(json.dumps(request).encode() + b"\n")
        answer: dict[str, Any] = json.loads(self._answer_line())
        if answer.get("refused") == "unreadable":
            raise Unreadable(answer.get("why", ""))
        if answer.get("refused"):
            raise TooCostly(answer.get("why", ""))
        return answer

    def _answer_line(self) -> bytes:
        assert self.process.stdout is not None
        stream = self.process.stdout.fileno()
        received = b""
        with selectors.DefaultSelector() as waiting:
            waiting.register(stream, selectors.EVENT_READ)
            while not received.endswith(b"\n"):
                remaining = self.deadline - time.monotonic()
                if remaining <= 0 or not waiting.select(remaining):
                    raise TooCostly(f"reading took longer than {self.limits.seconds} seconds")
                chunk = os.read(stream, 1 << 20)
                if not chunk:  # killed by a limit (SIGXCPU, SIGKILL) or out of memory
                    raise TooCostly(f"the reader stopped (exit status {self.process.wait()})")
                received += chunk
        return received

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# --- the child ---------------------------------------------------------------------------------


def _lower_ceilings(limits: Limits) -> None:
    # CPU seconds: a second above the wall-clock timeout, so the kernel stops a child the parent
    # could not (the parent itself killed). Address space: a hard stop on memory, whatever pypdf does.
    cpu = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))


def _pypdf_limits(limits: Limits) -> dict[str, int]:
    return {
        "zlib_maximum_output_length": limits.content_bytes,
        "lzw_maximum_output_length": limits.content_bytes,
        "run_length_maximum_output_length": limits.content_bytes,
        "array_based_stream_maximum_output_length": limits.content_bytes,
        "stream_decoding_work_maximum_length": 4 * limits.content_bytes,
        # operands and operators per content stream: a page of ours has a few thousand
        "stream_parsing_work_maximum_count": limits.content_bytes // 4,
        "page_tree_maximum_entries": 4 * limits.pages,
        "page_tree_maximum_page_entries": 64 * limits.pages,
        "xform_maximum_invocations_per_extraction": 100,
    }


def _forms(resources: Any, depth: int = 0) -> list[Any]:
    """The form XObjects a page's resources name, and theirs, a few levels down."""
    from pypdf.generic import NameObject

    found: list[Any] = []
    if depth > 3 or resources is None:
        return found
    xobjects = resources.get_object().get(NameObject("/XObject"))
    for ref in xobjects.get_object().values() if xobjects is not None else []:
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form":
            found.append(xobject)
            found += _forms(xobject.get("/Resources"), depth + 1)
    return found


def _content_bytes(page: Any) -> int:
    """How many bytes the page's content decompresses to, its forms' included."""
    contents = page.get_contents()
    total = len(contents.get_data()) if contents is not None else 0
    return total + sum(len(form.get_data()) for form in _forms(page.get("/Resources")))


def _answer(reader: Any, request: dict[str, Any], limits: Limits) -> dict[str, Any]:
    from pypdf.errors import LimitReachedError

    try:
        count = len(reader.pages)
        if count > limits.pages:
            return {"refused": "costly", "why": f"{count} pages"}
        if request["task"] == "head":
            info: Mapping[str, Any] = reader.metadata or {}
            fields = [str(info.get("/" + name, "") or "") for name in request["fields"]]
            return {"fields": fields, "pages": count}
        chosen = list(reader.pages[: request["pages"]])
        last = reader.pages[-1]
        spent = sum(_content_bytes(page) for page in [*chosen, last])
        if spent > limits.content_bytes:
            return {"refused": "costly", "why": f"{spent} bytes of content"}
        return {"texts": [page.extract_text() or "" for page in chosen], "last": last.extract_text() or ""}
    except (LimitReachedError, MemoryError, RecursionError) as error:
        return {"refused": "costly", "why": repr(error)}
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds on damaged files
        return {"refused": "unreadable", "why": repr(error)}


def _serve(argument: str) -> None:
    """The child: lower the ceilings, read the file, then answer each question on its own line."""
    limits = Limits(**json.loads(argument))
    _lower_ceilings(limits)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    data = requests.read(int.from_bytes(requests.read(8), "big"))
    from pypdf import Configuration, PdfReader, apply_configuration

    with apply_configuration(Configuration().with_overwrites(**_pypdf_limits(limits))):
        try:
            reader: Any = PdfReader(io.BytesIO(data))
        except Exception as error:  # noqa: BLE001 - the same answer to every question
            reader, opened = None, {"refused": "unreadable", "why": repr(error)}
        for line in requests:
            request = json.loads(line)
            answer = _answer(reader, request, limits) if reader is not None else opened
            answers.write(json.dumps(answer).encode() + b"\n")
            answers.flush()


if __name__ == "__main__":
    _serve(sys.argv[1])
