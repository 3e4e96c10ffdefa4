"""Reading an import file into rows: a CSV file (UTF-8, comma or semicolon) or the first sheet
of an `.xlsx` workbook saved by Excel. Either way the rows come out as text cells, numbered as
the registrar sees them (the header is line 1), so that one set of cell rules reads both.

Nothing here raises anything but FileUnreadable: a file that cannot be read (wrong encoding,
broken workbook, NUL bytes, binary junk) is refused with a message saying what to do, and a
row that cannot be read is an error at its line.
"""

import csv
import datetime
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"  # a zip archive, as every .xlsx is
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and other OLE files)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileUnreadable(Exception):
    """The file as a whole cannot be read; `errors` are (line, message)."""

    def __init__(self, errors: Sequence[tuple[int, str]]) -> None:
        super().__init__("\n".join(message for _line, message in errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file; the header is line 1
    cells: dict[str, str]  # header → cell, stripped; only the file's own columns


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    errors: list[tuple[int, str]]  # rows that could not be read as rows


def read_table(path: Path | str) -> Table:
    """The rows of the file at `path` (see `table_from_bytes`). Raises FileUnreadable."""
    return table_from_bytes(read_bytes(path))


def read_bytes(path: Path | str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise FileUnreadable([(0, _("Fichier introuvable : %(path)s") % {"path": path})]) from None
    except OSError as error:
        message = _("Impossible de lire le fichier %(path)s : %(error)s.")
        raise FileUnreadable([(0, message % {"path": path, "error": error.strerror})]) from None


def table_from_bytes(data: bytes) -> Table:
    """The rows of a file's content: an .xlsx workbook (recognised by its content, whatever
    its name) or a CSV file. Headers are compared without case or surrounding spaces; blank
    rows are skipped. Raises FileUnreadable."""
    if data.startswith(XLSX_MAGIC):
        return _table(_xlsx_lines(data), delimiter=None)
    if data.startswith(XLS_MAGIC):
        raise FileUnreadable(
            [
                (
                    1,
                    _(
                        "le fichier est un classeur Excel 97-2003 (.xls), que le portail ne lit "
                        "pas. Dans Excel, enregistrez-le au format « Classeur Excel (.xlsx) » "
                        "ou « CSV UTF-8 (délimité par des virgules) »."
                    ),
                )
            ]
        )
    return _read_csv(data)


# --- CSV ----------------------------------------------------------------------------------------


def _read_csv(data: bytes) -> Table:
    if data.startswith(UTF16_BOMS):
        raise FileUnreadable([(1, _utf8_advice())])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileUnreadable([(line, _utf8_advice())]) from None
    # macOS writes accents decomposed: store one form, so that a second import finds no change.
    text = unicodedata.normalize("NFC", text)
    first_line = text.split("\n", 1)[0]
    # Excel in a French locale separates with semicolons (the comma is the decimal mark there).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def lines() -> Iterable[tuple[int, list[str]]]:
        previous_end = 0
        for cells in reader:
            yield previous_end + 1, cells
            previous_end = reader.line_num

    try:
        return _table(lines(), delimiter=delimiter)
    except csv.Error as error:
        raise FileUnreadable(
            [(reader.line_num, _("le fichier CSV est mal formé (%(error)s).") % {"error": error})]
        ) from None


def _utf8_advice() -> str:
    return _(
        "le fichier n'est pas encodé en UTF-8. Dans Excel, choisissez "
        "« Enregistrer sous », type « CSV UTF-8 (délimité par des virgules) »."
    )


# --- Excel --------------------------------------------------------------------------------------


def _xlsx_lines(data: bytes) -> Iterable[tuple[int, list[str]]]:
    """The first sheet's rows as text cells, with their row numbers."""
    import openpyxl  # only when a workbook comes: it is slow to import

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [
            (number, [excel_cell(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        workbook.close()
    # Any failure of the parser on a file sent from outside (bad zip, missing part, broken or
    # hostile XML refused by defusedxml…) means one thing to the registrar: unreadable.
    except Exception:
        raise FileUnreadable(
            [
                (
                    1,
                    _(
                        "le classeur Excel (.xlsx) est illisible ou endommagé. Ouvrez-le dans "
                        "Excel et enregistrez-le de nouveau, ou exportez-le en « CSV UTF-8 »."
                    ),
                )
            ]
        ) from None
    return rows


def excel_cell(value: Any) -> str:
    """A cell of a workbook as the text the cell rules read: a date as AAAA-MM-JJ, a time as
    HH:MM, a whole number without decimals, a yes/no box as oui/non."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        # The shortest text that reads back as the same number (17.5, not 17.499999…).
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


# --- Rows ---------------------------------------------------------------------------------------


def _table(lines: Iterable[tuple[int, list[str]]], *, delimiter: str | None) -> Table:
    """The table of a file's lines; `delimiter` is the CSV file's, None for a workbook."""
    iterator = iter(lines)
    _first, header = next(iterator, (1, []))
    if not any(cell.strip() for cell in header):
        raise FileUnreadable([(1, _("le fichier est vide : la ligne 1 doit nommer les colonnes."))])
    if any("\x00" in cell for cell in header):
        raise FileUnreadable([(1, _nul_error())])
    headers = [cell.strip().lower() for cell in header]
    # A spreadsheet may carry unnamed empty columns on the right; they are dropped.
    unnamed = [index for index, name in enumerate(headers) if not name]
    named = [index for index, name in enumerate(headers) if name]
    rows, errors = [], []
    for line, cells in iterator:
        if not any(cell.strip() for cell in cells):
            continue
        if any("\x00" in cell for cell in cells):
            errors.append((line, _nul_error()))
            continue
        if delimiter is None:
            # A workbook's rows are as long as its widest: past the header, only empty cells.
            extra = cells[len(headers) :]
            cells = cells[: len(headers)] + [""] * (len(headers) - len(cells))
            if any(cell.strip() for cell in extra):
                unnamed_cell = _("une cellule remplie est dans une colonne sans nom à la ligne 1.")
                errors.append((line, unnamed_cell))
                continue
        elif len(cells) != len(headers):
            errors.append((line, _cell_count_error(len(cells), len(headers), delimiter)))
            continue
        if any(cells[index].strip() for index in unnamed):
            errors.append(
                (line, _("une cellule remplie est dans une colonne sans nom à la ligne 1."))
            )
            continue
        rows.append(Row(line, {headers[index]: cells[index].strip() for index in named}))
    return Table(headers=[headers[index] for index in named], rows=rows, errors=errors)


def _nul_error() -> str:
    return _(
        "caractère nul (octet 0x00) dans une cellule. Le fichier est peut-être endommagé ou "
        "n'est pas un fichier texte : exportez-le de nouveau en « CSV UTF-8 »."
    )


def _cell_count_error(count: int, expected: int, delimiter: str) -> str:
    return _(
        "la ligne compte %(count)d cellules alors que la ligne 1 nomme %(expected)d colonnes. "
        "Une cellule qui contient « %(delimiter)s » doit être entre guillemets."
    ) % {"count": count, "expected": expected, "delimiter": delimiter}
