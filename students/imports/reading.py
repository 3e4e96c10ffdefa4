"""Reading an import file into rows: a CSV file (UTF-8, comma or semicolon) or the first sheet
of an `.xlsx` workbook saved by Excel. Either way the rows come out as text cells, numbered as
the registrar sees them (the header is line 1), so that one set of cell rules reads both.

The file is read as a stream (`stream_table`): its rows come one at a time, so that reading a
million-row file costs the memory of one row; `table_from_bytes` and `read_table` keep every
row in a list, for a short file.

Nothing here raises anything but FileUnreadable: a file that cannot be read (wrong encoding,
broken workbook, NUL bytes, binary junk) is refused with a message saying what to do, and a
row that cannot be read is an error at its line.
"""

import codecs
import csv
import datetime
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"  # a zip archive, as every .xlsx is
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and other OLE files)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileUnreadable(Exception):
    """The file as a whole cannot be read; `errors` are (line, message)."""

    def __init__(self, errors: Sequence[tuple[int, str]]) -> None:
        super().__init__("\n".join(message for _line, message in errors))
        self.errors = list(errors)


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # where the row starts in the file; the header is line 1
    cells: dict[str, str]  # header → cell, stripped; only the file's own columns


@dataclass
class Table:
    headers: list[str]
    rows: Iterable[Row]  # a list, or a stream read once (`stream_table`)
    # Rows that could not be read as rows; a stream adds them as it reaches them.
    errors: list[tuple[int, str]]


def read_table(path: Path | str) -> Table:
    """The rows of the file at `path` (see `table_from_bytes`). Raises FileUnreadable."""
    return table_from_bytes(read_bytes(path))


def open_file(path: Path | str) -> IO[bytes]:
    """The file at `path`, opened for `stream_table`. Raises FileUnreadable."""
    try:
        return Path(path).open("rb")
    except FileNotFoundError:
        raise FileUnreadable([(0, _("Fichier introuvable : %(path)s") % {"path": path})]) from None
    except OSError as error:
        message = _("Impossible de lire le fichier %(path)s : %(error)s.")
        raise FileUnreadable([(0, message % {"path": path, "error": error.strerror})]) from None


def read_bytes(path: Path | str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise FileUnreadable([(0, _("Fichier introuvable : %(path)s") % {"path": path})]) from None
    except OSError as error:
        message = _("Impossible de lire le fichier %(path)s : %(error)s.")
        raise FileUnreadable([(0, message % {"path": path, "error": error.strerror})]) from None


def table_from_bytes(data: bytes) -> Table:
    """The rows of a file's content, all read (see `stream_table`). Raises FileUnreadable."""
    table = stream_table(io.BytesIO(data))
    table.rows = list(table.rows)
    return table


def stream_table(file: IO[bytes]) -> Table:
    """The rows of an open binary file (seekable): an .xlsx workbook (recognised by its
    content, whatever its name) or a CSV file. Headers are compared without case or
    surrounding spaces; blank rows are skipped. The header is read at once, the rows as
    `rows` is iterated (once), while the file stays open. Raises FileUnreadable, also while
    the rows are read."""
    start = file.read(len(XLSX_MAGIC))
    file.seek(0)
    if start.startswith(XLSX_MAGIC):
        return _table(_xlsx_lines(file), delimiter=None)
    if start.startswith(XLS_MAGIC):
        raise FileUnreadable(
            [
                (
                    1,
                    _(
                        "le fichier est un classeur Excel 97-2003 (.xls), que le portail ne lit "
                        "pas. Dans Excel, enregistrez-le au format « Classeur Excel (.xlsx) » "
                        "ou « CSV UTF-8 (délimité par des virgules) »."
                    ),
                )
            ]
        )
    return _read_csv(file)


# --- CSV ----------------------------------------------------------------------------------------

LONE_CR = re.compile(r"(?<=\r)(?!\n)")  # an old Mac line end, inside what ends with \n


def _text_lines(file: IO[bytes]) -> Iterator[str]:
    """The file's lines as text, with their ends, decoded one at a time (a UTF-8 character
    never spans a line end)."""
    for number, raw in enumerate(file, start=1):
        if number == 1:
            if raw.startswith(UTF16_BOMS):
                raise FileUnreadable([(1, _utf8_advice())])
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FileUnreadable([(number, _utf8_advice())]) from None
        # macOS writes accents decomposed: store one form, so that a second import finds no
        # change.
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        if "\r" in text[:-2]:
            yield from (piece for piece in LONE_CR.split(text) if piece)
        else:
            yield text


def _check_utf8(file: IO[bytes]) -> None:
    """Refuses a file that is not UTF-8 before anything else is said of it (a pass over the
    file, in blocks), at the line of its first bad byte."""
    if file.read(2).startswith(UTF16_BOMS):
        raise FileUnreadable([(1, _utf8_advice())])
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    while True:
        block = file.read(1024 * 1024)
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as error:
            # The error's bytes are the block, after the few of a character cut at its start.
            line = newlines + error.object[: error.start].count(b"\n") + 1
            raise FileUnreadable([(line, _utf8_advice())]) from None
        if not block:
            break
        newlines += block.count(b"\n")
    file.seek(0)


def _read_csv(file: IO[bytes]) -> Table:
    _check_utf8(file)
    text_lines = _text_lines(file)
    first_line = next(text_lines, "")
    # Excel in a French locale separates with semicolons (the comma is the decimal mark there).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(itertools.chain([first_line], text_lines), delimiter=delimiter)

    def lines() -> Iterator[tuple[int, list[str]]]:
        previous_end = 0
        try:
            for cells in reader:
                yield previous_end + 1, cells
                previous_end = reader.line_num
        except csv.Error as error:
            raise FileUnreadable(
                [
                    (
                        reader.line_num,
                        _("le fichier CSV est mal formé (%(error)s).") % {"error": error},
                    )
                ]
            ) from None

    return _table(lines(), delimiter=delimiter)


def _utf8_advice() -> str:
    return _(
        "le fichier n'est pas encodé en UTF-8. Dans Excel, choisissez "
        "« Enregistrer sous », type « CSV UTF-8 (délimité par des virgules) »."
    )


# --- Excel --------------------------------------------------------------------------------------


def _xlsx_lines(file: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows as text cells, with their row numbers, read as they come."""
    import openpyxl  # only when a workbook comes: it is slow to import

    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [excel_cell(value) for value in values]
        finally:
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
                        "Excel et enregistrez-le de nouveau, ou exportez-le en « CSV UTF-8 »."
                    ),
                )
            ]
        ) from None


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
        raise FileUnreadable([(1, _("le fichier est vide : la ligne 1 doit nommer les colonnes."))])
    if any("\x00" in cell for cell in header):
        raise FileUnreadable([(1, _nul_error())])
    headers = [cell.strip().lower() for cell in header]
    # A spreadsheet may carry unnamed empty columns on the right; they are dropped.
    unnamed = [index for index, name in enumerate(headers) if not name]
    named = [index for index, name in enumerate(headers) if name]
    names = [(index, headers[index]) for index in named]
    errors: list[tuple[int, str]] = []

    # Each cell is stripped once and a row's cells joined once to look for a NUL: the reader
    # runs a million times for a college's marks.
    def rows() -> Iterator[Row]:
        for line, cells in iterator:
            stripped = [cell.strip() for cell in cells]
            if not any(stripped):
                continue
            if "\x00" in "".join(cells):
                errors.append((line, _nul_error()))
                continue
            if delimiter is None:
                # A workbook's rows are as long as its widest: past the header, only empty cells.
                extra = stripped[len(headers) :]
                stripped = stripped[: len(headers)] + [""] * (len(headers) - len(stripped))
                if any(extra):
                    errors.append((line, _unnamed_error()))
                    continue
            elif len(cells) != len(headers):
                errors.append((line, _cell_count_error(len(cells), len(headers), delimiter)))
                continue
            if unnamed and any(stripped[index] for index in unnamed):
                errors.append((line, _unnamed_error()))
                continue
            yield Row(line, {name: stripped[index] for index, name in names})

    return Table(headers=[headers[index] for index in named], rows=rows(), errors=errors)


def _unnamed_error() -> str:
    return _("une cellule remplie est dans une colonne sans nom à la ligne 1.")


def _nul_error() -> str:
    return _(
        "caractère nul (octet 0x00) dans une cellule. Le fichier est peut-être endommagé ou "
        "n'est pas un fichier texte : exportez-le de nouveau en « CSV UTF-8 »."
    )


def _cell_count_error(count: int, expected: int, delimiter: str) -> str:
    return _(
        "la ligne compte %(count)d cellules alors que la ligne 1 nomme %(expected)d colonnes. "
        "Une cellule qui contient « %(delimiter)s » doit être entre guillemets."
    ) % {"count": count, "expected": expected, "delimiter": delimiter}
