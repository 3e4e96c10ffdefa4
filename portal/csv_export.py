"""Every CSV the portal writes goes through here. A cell a spreadsheet would read as a formula
(starting with = + - @, a tab or a carriage return) is written with a leading apostrophe, so a
name or a description typed by anyone never runs in the registrar's spreadsheet (OWASP's
"CSV injection")."""

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(
    *, filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    """A download of `rows` under `header`, in UTF-8 with a BOM (Excel then reads accents)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([csv_safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe_cell(cell) for cell in row])
    return response
