"""The import engine: what every kind shares, whatever app it belongs to.

An import is all-or-nothing: every row is read and checked (`Importer.plan`), every error is
reported with its line number (`ImportRefused`), and the file is written in one transaction
(`run`) that is rolled back whole if a single row is wrong. `--dry-run` (and the admin's first
step) runs the same checks and writes nothing; the `Report` says what the file creates, updates,
leaves as it is and removes.

Memory stays flat in the file's size: the file is read as a stream of rows, and a kind that sets
`batch_rows` is checked and written batch by batch (prepare, plan, apply), so that only one
batch's rows, records and plans are alive at a time; what spans the file (the keys already seen,
for the "already at line N" errors) is kept in `seen`. Per-row labels are built only when the
report's details are asked for (`details=True`: `--dry-run`, `-v 2`, the admin's check).
"""

import datetime
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from portal.models import Institution
from students.imports.reading import Row, Table

PREFETCH_CHUNK = 500
BATCH_ROWS = 5000  # rows checked and written at a time by a kind that sets `batch_rows`


def chunks[T](values: Sequence[T]) -> Iterator[Sequence[T]]:
    """`values` in slices a database's IN (…) accepts."""
    for start in range(0, len(values), PREFETCH_CHUNK):
        yield values[start : start + PREFETCH_CHUNK]


class ImportRefused(Exception):
    """The file is refused as a whole; `errors` holds every reason, one line each."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


class RowInvalid(Exception):
    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = list(messages)


def line_error(line: int, message: str) -> str:
    return _("Ligne %(line)d : %(message)s") % {"line": line, "message": message}


def refuse(errors: Sequence[tuple[int, str]]) -> ImportRefused:
    """The refusal of a file for `errors` (line, message), in the order of the file."""
    ordered = sorted(errors, key=lambda error: error[0])
    return ImportRefused([line_error(line, message) for line, message in ordered])


# --- Importers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: Any
    new: Any


@dataclass
class Plan:
    """What one valid row will do: create `instance`, update some of its fields, or nothing."""

    line: int
    instance: models.Model
    created: bool
    values: dict[str, Any]  # model field → cleaned value, for the file's columns
    changes: list[Change] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        return [change.field for change in self.changes]


class Importer:
    """One kind of record read from a file: columns, checks per row, and how to write.

    Subclasses declare `model`, `key` (the natural key column, e.g. matricule), `columns`
    (header → model field, in the documented order) and `required` (headers the file must have
    and cells that may not be empty). A `clean_<header>(value)` method turns a cell into the
    field's value or raises ValidationError with a French message; `clean_row` checks columns
    against each other; `apply` writes through the app's services. Lookups are loaded once in
    `prepare`, never per row. A column missing from the file leaves that field untouched on
    existing records.
    """

    kind: ClassVar[str]
    label: ClassVar[str] = ""  # what the admin's import page calls the kind
    model: ClassVar[type[models.Model]]
    # The model whose admin list offers this kind's "Importer un fichier" (default: `model`).
    admin_model: ClassVar[type[models.Model] | None] = None
    key: ClassVar[str]
    columns: ClassVar[dict[str, str]]
    required: ClassVar[frozenset[str]]
    # Rows checked and written at a time (see `start_batch`); None: the whole file at once, for
    # a kind whose rows depend on each other across the file (notes or removals over all rows).
    batch_rows: ClassVar[int | None] = None
    # For a kind whose record spans several rows (an invoice's lines), the column that names
    # the record: a batch is not cut between two rows with the same cell there, so it may run
    # a little past `batch_rows`.
    batch_by: ClassVar[str | tuple[str, ...] | None] = None
    # Set by `run` before the first row: whether nothing is written, and whether the report's
    # per-row lines are kept (a kind may take a faster path when no one reads them).
    dry_run: bool = False
    details: bool = True

    @classmethod
    def listed_under(cls) -> type[models.Model]:
        return cls.admin_model or cls.model

    def __init__(self, *, institution: Institution) -> None:
        self.institution = institution
        self.existing: dict[str, models.Model] = {}
        self.seen: dict[str, int] = {}

    # Headers

    def check_headers(self, headers: Sequence[str]) -> list[tuple[int, str]]:
        errors = []
        for name in sorted({name for name in headers if headers.count(name) > 1}):
            errors.append((1, _("la colonne « %(name)s » figure deux fois.") % {"name": name}))
        for name in self.columns:
            if name in self.required and name not in headers:
                errors.append(
                    (1, _("colonne obligatoire manquante : « %(name)s ».") % {"name": name})
                )
        for name in dict.fromkeys(headers):
            if name not in self.columns:
                errors.append(
                    (
                        1,
                        _("colonne inconnue : « %(name)s ». Colonnes permises : %(allowed)s.")
                        % {"name": name, "allowed": ", ".join(self.columns)},
                    )
                )
        return errors

    # Rows

    def start_batch(self) -> None:
        """Forgets what the previous batch loaded, before `prepare` loads the next one's (only
        for a kind with `batch_rows`). `seen` is kept: it spans the file. `notes`, `removed` and
        `apply` are called once per batch, with that batch's plans."""
        self.existing = {}

    def prepare(self, rows: Sequence[Row]) -> None:
        """Loads the records the file names, in a few queries whatever its length."""
        keys = list(dict.fromkeys(row.cells.get(self.key, "") for row in rows))
        related = [name for name in self.columns.values() if self._field(name).is_relation]
        for start in range(0, len(keys), PREFETCH_CHUNK):
            chunk = keys[start : start + PREFETCH_CHUNK]
            queryset = self.model.objects.filter(**{f"{self.columns[self.key]}__in": chunk})
            if related:
                queryset = queryset.select_related(*related)
            for record in queryset:
                self.existing[getattr(record, self.columns[self.key])] = record

    def initial(self) -> dict[str, Any]:
        """Values of a new record for the columns the file does not have."""
        return {}

    def clean_row(self, values: dict[str, Any], instance: models.Model) -> list[str]:
        """Checks between columns; `instance` still holds the record's current values."""
        return []

    def field_values(self, row: Row) -> tuple[dict[str, Any], list[str]]:
        """The row's cells cleaned (`clean_<header>` where there is one) and checked against
        their model fields, by field name; and every error."""
        errors: list[str] = []
        values: dict[str, Any] = {}
        for header, cell in row.cells.items():
            if not cell and header in self.required:
                errors.append(
                    _("la cellule « %(name)s » est vide ; elle est obligatoire.") % {"name": header}
                )
                continue
            clean: Callable[[str], Any] = getattr(self, f"clean_{header}", lambda value: value)
            try:
                value = clean(cell)
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            errors.extend(self._check_field(header, value))
            values[self.columns[header]] = value
        return values, errors

    def plan(self, row: Row) -> Plan:
        """Checks one row; returns what it will do, or raises RowInvalid with every error."""
        values, errors = self.field_values(row)
        key_field = self.columns[self.key]
        key = values.get(key_field)
        if key:
            first = self.seen.setdefault(key, row.line)
            if first != row.line:
                errors.append(
                    _("le %(name)s %(key)s figure déjà à la ligne %(first)d.")
                    % {"name": self._field(key_field).verbose_name, "key": key, "first": first}
                )
        if errors:
            raise RowInvalid(errors)

        existing = self.existing.get(key)
        if existing is not None:
            instance = existing
        else:
            instance = self.model(**{key_field: key, **self.initial()})
        errors.extend(self.clean_row(values, instance))
        if errors:
            raise RowInvalid(errors)
        changes = [] if existing is None else self._changes(existing, values)
        for name, value in values.items():
            setattr(instance, name, value)
        return Plan(row.line, instance, existing is None, values, changes)

    def apply(self, plans: Sequence[Plan]) -> None:
        """Writes the plans that create or change something (inside the import's transaction)."""
        raise NotImplementedError

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        """What the registrar should know beyond the creations and updates."""
        return []

    def closing_notes(self, *, dry_run: bool) -> list[str]:
        """What the registrar should know about the whole file, once its last batch is done
        (a kind read in batches; `notes` speaks of each batch)."""
        return []

    def finish(self, report: "Report") -> None:
        """Writes what the batches left staged, once every row is checked and valid (a kind
        that compares the file with the records in SQL: it corrects the report's counts)."""

    def batch_key(self, row: Row) -> Any:
        """What names the row's record for `batch_by` (its cells there)."""
        if isinstance(self.batch_by, tuple):
            return tuple(row.cells.get(header) for header in self.batch_by)
        return row.cells.get(self.batch_by or "")

    def removed(self, plans: Sequence[Plan]) -> int:
        """How many records the file removes (the kinds where the file is the whole truth)."""
        return 0

    # Helpers

    def _field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)

    def _changes(self, instance: models.Model, values: dict[str, Any]) -> list[Change]:
        changes = []
        for name, new in values.items():
            model_field = self._field(name)
            old = getattr(instance, name)  # related records were loaded with select_related
            if model_field.is_relation:
                same = (old is None and new is None) or (
                    old is not None and new is not None and new.pk is not None and old.pk == new.pk
                )
            else:
                same = old == new
            if not same:
                changes.append(Change(name, str(model_field.verbose_name), old, new))
        return changes

    def _check_field(self, header: str, value: Any) -> list[str]:
        # What the cell checks leave to the model (lengths, mostly), as the admin would say it.
        model_field = self._field(self.columns[header])
        if model_field.is_relation:
            return []
        try:
            model_field.clean(value, None)
        except ValidationError as error:
            return [
                _("« %(name)s » : %(message)s") % {"name": header, "message": message}
                for message in error.messages
            ]
        return []


# --- Running an import ---------------------------------------------------------------------------


DETAILS_IN_MEMORY = 4 * 1024 * 1024  # characters of report details kept before a temp file


class Report:
    """What an import did or would do: counts, notes, removals, and, when asked for, one line
    per creation or update (written as they come to a temporary file past a few megabytes, so
    that a million-row report costs no memory)."""

    def __init__(self, dry_run: bool, *, details: bool = True) -> None:
        self.dry_run = dry_run
        self.notes: list[str] = []
        self.removed = 0
        self.sha256 = ""  # of the file's bytes, for the audit log
        self.created = 0
        self.updated = 0
        self.unchanged = 0
        self._details = (
            tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed with the report)
                max_size=DETAILS_IN_MEMORY, mode="w+", encoding="utf-8"
            )
            if details
            else None
        )

    def count(self, plans: Iterable[Plan]) -> None:
        """Adds a batch's plans to the counts (and to the details, when they are kept)."""
        for plan in plans:
            if plan.created:
                self.created += 1
            elif plan.changes:
                self.updated += 1
            else:
                self.unchanged += 1
                continue
            if self._details is not None:
                # A NUL never reaches a plan (the reader refuses it): it separates the lines.
                self._details.write(_detail(plan) + "\x00")

    @property
    def summary(self) -> str:
        return _(
            "%(created)d création(s), %(updated)d mise(s) à jour, %(unchanged)d inchangé(s)"
        ) % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}

    def details(self) -> list[str]:
        """One line per creation or update, naming the fields an update changes."""
        return list(self.iter_details())

    def iter_details(self) -> Iterator[str]:
        """The details one at a time (for printing a long report)."""
        if self._details is None:
            return
        self._details.seek(0)
        pending = ""
        while block := self._details.read(64 * 1024):
            *lines, pending = (pending + block).split("\x00")
            yield from lines
        self._details.seek(0, 2)


def _detail(plan: Plan) -> str:
    if plan.created:
        return _("Ligne %(line)d : création de %(record)s") % _describe(plan)
    changes = "\N{NO-BREAK SPACE}; ".join(  # French typography (docs/ui.md)
        _("%(field)s « %(old)s » → « %(new)s »")
        % {"field": c.label, "old": _show(c.old), "new": _show(c.new)}
        for c in plan.changes
    )
    return _("Ligne %(line)d : mise à jour de %(record)s : %(changes)s") % {
        **_describe(plan),
        "changes": changes,
    }


def _describe(plan: Plan) -> dict[str, Any]:
    return {"line": plan.line, "record": str(plan.instance)}


def _show(value: Any) -> str:
    if value is None or value == "":
        return _("(vide)")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def batches(importer: Importer, rows: Iterable[Row]) -> Iterator[list[Row]]:
    """The rows in the kind's batches, or all at once."""
    if importer.batch_rows is None:
        yield list(rows)
        return
    iterator = iter(rows)
    if importer.batch_by is None:
        while batch := list(itertools.islice(iterator, importer.batch_rows)):
            yield batch
        return
    batch: list[Row] = []
    last = None
    for row in iterator:
        key = importer.batch_key(row)
        if len(batch) >= importer.batch_rows and key != last:
            yield batch
            batch = []
        batch.append(row)
        last = key
    if batch:
        yield batch


def run(
    importer_class: type["Importer"],
    table: Table,
    *,
    institution: Institution,
    dry_run: bool,
    details: bool = True,
) -> Report:
    """Checks every row of `table` and writes them in one transaction unless `dry_run`; raises
    ImportRefused listing every error, and then nothing is written (the transaction is rolled
    back). `table.rows` may be a stream: rows are read, checked and written batch by batch, and
    once a row is wrong the rest is only checked. `details`: keep the report's per-row lines."""
    with transaction.atomic():
        importer = importer_class(institution=institution)
        importer.dry_run, importer.details = dry_run, details
        read = len(table.errors)  # a stream adds its unreadable rows as it is read
        errors = table.errors[:read] + importer.check_headers(table.headers)
        if any(line == 1 for line, _message in errors):
            raise refuse(errors)
        report = Report(dry_run, details=details)
        for number, batch in enumerate(batches(importer, table.rows)):
            if number:
                importer.start_batch()
            importer.prepare(batch)
            plans = []
            for row in batch:
                try:
                    plans.append(importer.plan(row))
                except RowInvalid as invalid:
                    errors.extend((row.line, message) for message in invalid.messages)
            del batch
            if errors or table.errors:
                continue  # the file is refused: the rest is only checked
            report.count(plans)
            report.notes.extend(importer.notes(plans, dry_run=dry_run))
            report.removed += importer.removed(plans)
            if not dry_run:
                importer.apply([plan for plan in plans if plan.created or plan.changes])
        errors.extend(table.errors[read:])
        if errors:
            raise refuse(errors)
        importer.finish(report)
        report.notes.extend(importer.closing_notes(dry_run=dry_run))
    return report
