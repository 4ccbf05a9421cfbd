"""Is this copy of a compact genuine, and is it current?

A fingerprint (the SHA-256 content hash, or its first 12 characters) names one version; only a
public version (published or superseded) is named to the public.

A PDF is genuine only when it is, byte for byte, a file this site issued: the SHA-256 of the
upload is looked up among the digests recorded when each file was handed out (`IssuedPdf`). That
needs no reading of the file at all. The checks below read its text layer, and the text layer is
not what a reader sees: a white box drawn over "not" leaves every word in place. So a file that
passes them but is not one we issued is told that its words match and that its appearance
cannot be vouched for; it is never called genuine. Its text layer is checked four ways:

1. Its metadata carries the full fingerprint (`/CompactFingerprint`), written at render time.
2. Its text is read back with pypdf and every piece of the version's stored text (title, vision,
   sections, theme titles, column headings, commitments) must appear in it, whole and in the
   order printed. Words are compared, not characters: WeasyPrint breaks lines wherever they fall
   and pypdf turns a break into a newline, a space or nothing; no word is ever split (the PDF
   does not hyphenate), so the words and their order survive any line breaking.
3. Its metadata carries a seal (`/CompactSeal`): a keyed digest (HMAC with the site's secret key)
   of every word and punctuation mark on the compact's own pages, taken at render time from the
   same pypdf reading. Words are sorted before hashing, so the seal does not depend on the order
   in which a reader happens to walk side-by-side columns. Check 2 catches a changed or missing
   word of the version's text; the seal also catches anything added (a sentence slipped between
   two commitments), and nobody without the key can forge it for edited text. It also covers the
   document's number of pages, so no page can be slipped in after the compact's own.
4. The full fingerprint printed in the colophon (last page) must be the one in the metadata.

The signatories' pages are not sealed: the list grows after publication, and each rendering
lists those confirmed by then. The PDF's colophon says so.

Uploads are read in memory and never stored (see verify_views).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core.text import render_prose

from . import pdf_reading
from .models import IssuedPdf, Section, Version
from .sealing import (  # noqa: F401 - the seal's parts are part of what verifying a copy means
    FINGERPRINT_FIELD,
    SEAL_FIELD,
    SEAL_SCHEME,
    seal,
    seal_holds,
    seal_tokens,
    words,
)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A compact's own pages: more than this and it is not one of ours (and reading it could be slow).
MAX_COMPACT_PAGES = 200

FULL_LENGTH = 64
SHORT_LENGTH = 12
_HEX = re.compile(r"[0-9a-f]+")

NO_PUBLIC_COMPACT = "We have no public compact with this fingerprint."


class VerificationError(ValueError):
    """Input we cannot check, with a message a person can act on."""


# --- fingerprints ---------------------------------------------------------------------------


def normalise_fingerprint(raw: str | None) -> str:
    """The fingerprint someone typed, trimmed and lower-cased, or VerificationError."""
    value = re.sub(r"\s+", "", raw or "").lower()
    if not value:
        raise VerificationError("Enter a fingerprint")
    if not _HEX.fullmatch(value):
        raise VerificationError("A fingerprint must only include the numbers 0 to 9 and the letters a to f")
    if len(value) not in (FULL_LENGTH, SHORT_LENGTH):
        raise VerificationError(
            f"A fingerprint must be {SHORT_LENGTH} characters (the short form) or {FULL_LENGTH} characters long"
        )
    return value


def public_versions_for(fingerprint: str) -> list[Version]:
    """The public versions a (normalised) fingerprint names: usually one, none if unknown."""
    versions = Version.objects.publicly_readable().select_related("compact")
    if len(fingerprint) == FULL_LENGTH:
        versions = versions.filter(content_hash=fingerprint)
    else:
        versions = versions.filter(content_hash__startswith=fingerprint)
    return list(versions.order_by("compact__title", "number"))


@dataclass
class Finding:
    """One version a fingerprint names, with what a reader wants to know about it."""

    version: Version
    current: Version | None

    @property
    def is_current(self) -> bool:
        return self.version.status == Version.Status.PUBLISHED

    def as_json(self, site_url: str) -> dict[str, Any]:
        version, current = self.version, self.current

        def day(moment: datetime | None) -> str | None:
            return moment.date().isoformat() if moment else None

        return {
            "compact": {"title": version.compact.title, "url": site_url + version.compact.get_absolute_url()},
            "version": {
                "number": version.number,
                "fingerprint": version.content_hash,
                "short_fingerprint": version.short_hash,
                "status": version.status,
                "current": self.is_current,
                "ratified_on": day(version.ratified_at),
                "published_on": day(version.published_at),
                "superseded_on": day(version.superseded_at),
                "url": site_url + version.get_absolute_url(),
            },
            "current_version": (
                {
                    "number": current.number,
                    "fingerprint": current.content_hash,
                    "url": site_url + current.get_absolute_url(),
                }
                if current is not None
                else None
            ),
        }


def findings_for(versions: Sequence[Version]) -> list[Finding]:
    """Each version with its compact's current published version, in one more query."""
    compact_ids = {v.compact_id for v in versions}
    current = {
        v.compact_id: v
        for v in Version.objects.published().filter(compact_id__in=compact_ids).select_related("compact")
    }
    return [Finding(version=v, current=current.get(v.compact_id)) for v in versions]


# --- reading text -----------------------------------------------------------------------------


def sealed_page_count(value: str | None) -> int | None:
    """How many pages the seal covers, or None if the value is not a seal we wrote."""
    parts = (value or "").split(":")
    if len(parts) != 3 or parts[0] != SEAL_SCHEME or not parts[1].isdigit():
        return None
    count = int(parts[1])
    return count if 1 <= count <= MAX_COMPACT_PAGES else None


_BLOCK = re.compile(r"</?(?:p|li|ol|ul|blockquote|section|hr|br|h\d)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def _prose_pieces(body: str, document_id: str | int) -> Iterator[str]:
    """The visible text of rendered prose, a piece per block: list numbers fall between pieces."""
    rendered = str(render_prose(body, document_id=document_id))
    for piece in _BLOCK.split(rendered):
        text = html.unescape(_TAG.sub("", piece))
        if words(text):
            yield text


def printed_pieces(version: Version) -> list[tuple[str, str]]:
    """(what it is, text) for the version's stored text, in the order the PDF prints it."""
    # here, not at the top: compact.pdf imports this one.
    from .pdf import printed_layout

    layout = printed_layout(version)
    pieces = [("the title", version.compact.title)]
    pieces += [("the shared vision", text) for text in _prose_pieces(version.vision, "vision")]

    def sections(chosen: Iterable[Section]) -> list[tuple[str, str]]:
        out = []
        for section in chosen:
            out.append((f"the heading “{section.heading}”", section.heading))
            out += [(f"the section “{section.heading}”", t) for t in _prose_pieces(section.body, section.pk)]
        return out

    pieces += sections(layout.sections_before)
    for row in layout.rows:
        if not row.lines:
            continue
        if row.theme is not None:
            pieces.append((f"the theme “{row.theme.title}”", row.theme.title))
            if row.theme.description:
                pieces.append((f"the description of “{row.theme.title}”", row.theme.description))
        pieces += [
            (f"the column heading “{p.column_heading}”", p.column_heading) for p in row.printed_parties
        ]
        for line in row.lines:
            pieces += [(f"the commitment “{c.text}”", c.text) for c in line if c is not None]
    pieces += sections(layout.sections_after)
    return pieces


def missing_piece(version: Version, texts: Iterable[str]) -> str | None:
    """The first piece of the version's text not found, whole and in order, in `texts`; or None."""
    haystack = " " + " ".join(word for text in texts for word in words(text)) + " "
    position = 0
    for label, text in printed_pieces(version):
        needle = " " + " ".join(words(text)) + " "
        if needle.strip() == "":
            continue
        found = haystack.find(needle, position)
        if found < 0:
            return label
        position = found + len(needle) - 1
    return None


# --- checking an uploaded PDF -------------------------------------------------------------------


@dataclass
class PdfCheck:
    """What an uploaded PDF turned out to be. `findings` is empty when no public version matched.

    Three answers a reader can rely on: `genuine` (a file we issued, byte for byte), `words_only`
    (its text layer matches a version we published, but the file is not one we issued, so how it
    looks is not vouched for), and anything else with its `problem`."""

    fingerprint: str = ""
    findings: list[Finding] = field(default_factory=list)
    text_matches: bool = False
    problem: str = ""
    # Reading the file would have cost more than the limits allow: we neither accept nor reject it.
    could_not_check: bool = False
    # The record of the file we issued that the upload is, byte for byte; None if it is none.
    issued: IssuedPdf | None = None

    @property
    def genuine(self) -> bool:
        return bool(self.findings) and self.issued is not None

    @property
    def words_only(self) -> bool:
        return bool(self.findings) and self.text_matches and self.issued is None


def read_upload(upload: UploadedFile | None) -> bytes:
    """The bytes of an uploaded file, or VerificationError. Read in memory; never saved."""
    if upload is None:
        raise VerificationError("Select a PDF")
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise VerificationError("The selected file must be smaller than 10MB")
    data: bytes = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise VerificationError("The selected file must be smaller than 10MB")
    if not data:
        raise VerificationError("The selected file is empty")
    if not data.lstrip()[:5] == b"%PDF-":
        raise VerificationError("The selected file must be a PDF")
    return data


def reading_limits() -> pdf_reading.Limits:
    """What reading one upload may spend (settings VERIFY_*; see docs/security.md)."""
    return pdf_reading.Limits(
        seconds=settings.VERIFY_READ_SECONDS,
        memory_bytes=settings.VERIFY_READ_MEMORY_BYTES,
        content_bytes=settings.VERIFY_MAX_CONTENT_BYTES,
        pages=settings.VERIFY_MAX_PAGES,
    )


def issued_copy(data: bytes) -> IssuedPdf | None:
    """The record of the public version's file that `data` is byte for byte, or None.

    Only a public version's files are named to the public, as its fingerprint is: a copy of a
    version ratified but not yet published is answered as any unknown file."""
    digest = hashlib.sha256(data).hexdigest()
    return (
        IssuedPdf.objects.filter(sha256=digest, version__in=Version.objects.publicly_readable())
        .select_related("version__compact")
        .first()
    )


def check_pdf(data: bytes) -> PdfCheck:
    """Check a PDF's bytes against the files we issued and the versions we hold.

    A file we issued is known by its digest, which costs one pass over bytes already in memory
    (read_upload has capped them) and one indexed query: it is not parsed at all. Any other file
    is read in a child process under limits (compact.pdf_reading), in two steps: what is cheap to
    read first (fingerprint, seal, page count), checked against the database, and only then the
    text, both within one budget of time. A file that would take more than the limits allow is
    not checked at all."""
    issued = issued_copy(data)
    if issued is not None:
        return PdfCheck(
            fingerprint=issued.version.content_hash,
            findings=findings_for([issued.version]),
            text_matches=True,
            issued=issued,
        )
    try:
        with pdf_reading.Reading(data, limits=reading_limits()) as reading:
            return _check_reading(reading)
    except pdf_reading.Unreadable as error:
        raise VerificationError("The selected file could not be read as a PDF") from error
    except pdf_reading.TooCostly:  # before its first answer (it could not even start)
        return PdfCheck(could_not_check=True)


def _check_reading(reading: pdf_reading.Reading) -> PdfCheck:
    try:
        head = reading.head(fingerprint_field=FINGERPRINT_FIELD, seal_field=SEAL_FIELD)
    except pdf_reading.TooCostly:
        return PdfCheck(could_not_check=True)
    fingerprint, seal_value, page_count = head.fingerprint.strip().lower(), head.seal.strip(), head.pages
    if len(fingerprint) != FULL_LENGTH or not _HEX.fullmatch(fingerprint):
        return PdfCheck(
            problem="This PDF has no compact fingerprint in it: it was not made by this site, "
            "or its details were removed."
        )
    versions = public_versions_for(fingerprint)
    if not versions:
        return PdfCheck(fingerprint=fingerprint, problem=NO_PUBLIC_COMPACT)
    result = PdfCheck(fingerprint=fingerprint, findings=findings_for(versions))
    sealed = sealed_page_count(seal_value)
    if sealed is None or sealed > page_count:
        result.problem = (
            "This PDF's seal is missing or damaged, so we cannot tell whether its text was changed."
        )
        return result
    try:
        texts, last_page = reading.texts(pages=sealed)
    except pdf_reading.TooCostly:
        result.could_not_check = True
        return result
    if fingerprint not in re.sub(r"\s+", "", last_page):
        result.problem = (
            "The fingerprint printed at the end of this PDF is not the one it carries: it has been changed."
        )
        return result
    missing = missing_piece(versions[0], texts)
    if missing is not None:
        result.problem = f"The text of this PDF does not match the version we published: {missing} is not as we published it."
        return result
    if not seal_holds(seal_value, fingerprint, texts, page_count):
        result.problem = (
            "The text of this PDF has been changed since we made it: words were added, removed or altered."
        )
        return result
    result.text_matches = True
    return result
