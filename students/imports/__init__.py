"""Imports of the registrar's records, from `python manage.py import_csv KIND FILE [--dry-run]`
and from the admin's "Importer un fichier" page: one engine, one registry of kinds.

- `reading`: the file (CSV or .xlsx) as numbered rows of text cells;
- `cells`: the cell rules every kind shares (numbers, dates, yes/no, lookups…);
- `engine`: the Importer base class, the all-or-nothing run and its report;
- one module per kind of this app (`students`, `employees`, `courses`, `sections`,
  `enrolments`, `evaluations`, `marks`, `final_grades`, `attendance`), the course records' on
  the shared base in `registrar`.

Other apps add their kinds in their own `imports` module (found by `autodiscover_modules`, so
this app never imports them): `billing.imports` (invoices), `parents.imports` (guardians).
"""

import hashlib
import io
from importlib import import_module
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from portal.selectors import institution_current
from students.imports.engine import (
    BATCH_ROWS,
    PREFETCH_CHUNK,
    Change,
    Importer,
    ImportRefused,
    Plan,
    Report,
    RowInvalid,
    chunks,
    line_error,
    run,
)
from students.imports.reading import FileUnreadable, Row, Table, open_file, stream_table

__all__ = [
    "BATCH_ROWS",
    "PREFETCH_CHUNK",
    "Change",
    "ImportRefused",
    "Importer",
    "Plan",
    "Report",
    "Row",
    "RowInvalid",
    "Table",
    "chunks",
    "import_file",
    "importers",
    "kinds_for_model",
    "line_error",
    "register",
]

# This app's kinds, one module each (imported when the registry is first asked for).
KIND_MODULES = (
    "students",
    "employees",
    "courses",
    "sections",
    "enrolments",
    "evaluations",
    "marks",
    "final_grades",
    "attendance",
)

_registry: dict[str, type[Importer]] = {}


def register[T: type[Importer]](importer: T) -> T:
    """Class decorator: makes `importer` available as `import_csv <importer.kind>` and in the
    admin's import page."""
    known = _registry.get(importer.kind)
    name = f"{importer.__module__}.{importer.__qualname__}"
    if known is not None and f"{known.__module__}.{known.__qualname__}" != name:
        raise ImproperlyConfigured(f"Two importers for the kind {importer.kind!r}: {name}")
    _registry[importer.kind] = importer
    return importer


def importers() -> dict[str, type[Importer]]:
    """Every registered kind, by name: this app's, then each installed app's `imports`."""
    for module in KIND_MODULES:
        import_module(f"students.imports.{module}")
    autodiscover_modules("imports")
    return dict(sorted(_registry.items()))


def kinds_for_model(model: type) -> list[str]:
    """The kinds that import records of `model`, which its admin list offers to import."""
    return [kind for kind, importer in importers().items() if importer.listed_under() is model]


def import_file(
    *,
    kind: str,
    path: Path | str | None = None,
    data: bytes | None = None,
    dry_run: bool = False,
    details: bool = True,
) -> Report:
    """Imports one file (CSV or .xlsx) of `kind`, read from `path` or given as `data`, or raises
    ImportRefused listing every error.

    Nothing is written when a single row is wrong, nor with `dry_run`. The file is read as a
    stream (see students.imports.engine); `details=False` skips the report's per-row lines.
    """
    available = importers()
    if kind not in available:
        raise ImportRefused(
            [
                _("Type d'import inconnu : « %(kind)s ». Types possibles : %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(available)}
            ]
        )
    try:
        with open_file(path or "") if data is None else io.BytesIO(data) as file:
            sha256 = hashlib.file_digest(file, "sha256").hexdigest()
            file.seek(0)
            table = stream_table(file)
            report = run(
                available[kind],
                table,
                institution=institution_current(),
                dry_run=dry_run,
                details=details,
            )
    except FileUnreadable as unreadable:
        raise ImportRefused(
            [line_error(line, message) if line else message for line, message in unreadable.errors]
        ) from None
    report.sha256 = sha256
    return report
