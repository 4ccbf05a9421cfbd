"""Writing CSV that people open in spreadsheet programs."""

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell's text, made inert: spreadsheet programs run cells that start with these characters
    as formulas, so such a cell gets a leading apostrophe. None is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_download(*, filename: str, header: Sequence[str], rows: Iterable[Iterable[object]]) -> HttpResponse:
    """A CSV file to download: the header, then each row with every cell neutralised, so no export
    can carry a formula whoever typed the text."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return response
