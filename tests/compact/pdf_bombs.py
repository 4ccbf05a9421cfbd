"""Small PDFs that are costly to read: content streams that decompress to megabytes of text operators."""

import io
import zlib

import pikepdf

from compact import verification


def bomb(*, fingerprint="", megabytes=4.0, pages=1, sealed_pages=None, operator=b"(a) Tj "):
    """A PDF of a few kB whose pages all draw one content stream of `megabytes` of text operators,
    carrying `fingerprint` and a seal of the right shape (over `sealed_pages`, all by default)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    operators = b"BT /F1 12 Tf 72 720 Td " + operator * int(megabytes * 1024 * 1024 / len(operator)) + b"ET"
    stream = pikepdf.Stream(pdf, zlib.compress(operators, 9))
    stream.Filter = pikepdf.Name.FlateDecode
    stream = pdf.make_indirect(stream)
    for _ in range(pages):
        pdf.pages.append(
            pikepdf.Page(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Page,
                    MediaBox=[0, 0, 595, 842],
                    Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                    Contents=stream,
                )
            )
        )
    if fingerprint:
        pdf.docinfo["/" + verification.FINGERPRINT_FIELD] = fingerprint
        pdf.docinfo["/" + verification.SEAL_FIELD] = f"1:{sealed_pages or pages}:" + "0" * 64
    out = io.BytesIO()
    # Saved as built: pikepdf would otherwise decompress and recompress the stream.
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()
