"""CSV imports of the registrar's records: `python manage.py import_csv KIND FILE [--dry-run]`.

An import is all-or-nothing: every row is read and checked first, every error is reported with
its line number, and only a clean file is written, in one transaction. Each kind of record is an
`Importer` subclass decorated with `@register`. Other apps add their kinds in their own
`imports.py` (found by `autodiscover_modules`), so this app never imports them.
"""

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from portal.models import Institution, School
from portal.normalize import normalize_postal_code
from portal.selectors import institution_current, school_main
from students import code_permanent
from students.models import Employee, Program, Student
from students.services import employee_bulk_save, programs_create, student_bulk_save

# Letters Canada Post uses: never D, F, I, O, Q, U; W and Z never first.
POSTAL_CODE_RE = re.compile(
    r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][0-9][ABCEGHJ-NPRSTV-Z][0-9]"
)
PREFETCH_CHUNK = 500


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


# The yes/no cells every import accepts (invoices' `voluntary`, guardians' `can_view`…).
YES_NO = {
    "oui": True,
    "non": False,
    "yes": True,
    "no": False,
    "vrai": True,
    "faux": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}


def student_from_cell(
    students: dict[str, Student], value: str, institution: Institution
) -> Student:
    """The student a `matricule` cell names, among those the import prefetched; the error says
    what to do, including for the leading zeros a spreadsheet drops."""
    student = students.get(value)
    if student is None:
        message = _(
            "aucun étudiant n'a le %(name)s « %(value)s ». Importez d'abord les étudiants "
            "(import_csv students)."
        ) % {"name": institution.get_identifier_name_display().lower(), "value": value}
        if value.isdigit() and len(value) < institution.identifier_length:
            message += " " + _(
                "Si Excel a retiré les zéros du début, mettez la colonne au format Texte."
            )
        raise ValidationError(message)
    return student


def line_error(line: int, message: str) -> str:
    return _("Ligne %(line)d : %(message)s") % {"line": line, "message": message}


def _refuse(errors: Sequence[tuple[int, str]]) -> ImportRefused:
    ordered = sorted(errors, key=lambda error: error[0])
    return ImportRefused([line_error(line, message) for line, message in ordered])


# --- Reading the file ---------------------------------------------------------------------------


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
    """Reads a UTF-8 CSV file (with or without BOM), comma- or semicolon-separated.

    Headers are compared without case or surrounding spaces; blank rows are skipped.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ImportRefused([_("Fichier introuvable : %(path)s") % {"path": path}]) from None
    except OSError as error:
        message = _("Impossible de lire le fichier %(path)s : %(error)s.")
        raise ImportRefused([message % {"path": path, "error": error.strerror}]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _refuse(
            [
                (
                    line,
                    _(
                        "le fichier n'est pas encodé en UTF-8. Dans Excel, choisissez "
                        "« Enregistrer sous », type « CSV UTF-8 (délimité par des virgules) »."
                    ),
                )
            ]
        ) from None
    # macOS writes accents decomposed: store one form, so that a second import finds no change.
    text = unicodedata.normalize("NFC", text)
    first_line = text.split("\n", 1)[0]
    # Excel in a French locale separates with semicolons (the comma is the decimal mark there).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        if not any(cell.strip() for cell in header):
            raise _refuse([(1, _("le fichier est vide : la ligne 1 doit nommer les colonnes."))])
        headers = [cell.strip().lower() for cell in header]
        # A spreadsheet may carry unnamed empty columns on the right; they are dropped.
        unnamed = [index for index, name in enumerate(headers) if not name]
        named = [index for index, name in enumerate(headers) if name]
        rows, errors = [], []
        previous_end = reader.line_num
        for cells in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(headers):
                errors.append((line, _cell_count_error(len(cells), len(headers), delimiter)))
                continue
            if any(cells[index].strip() for index in unnamed):
                errors.append(
                    (line, _("une cellule remplie est dans une colonne sans nom à la ligne 1."))
                )
                continue
            rows.append(Row(line, {headers[index]: cells[index].strip() for index in named}))
    except csv.Error as error:
        raise _refuse(
            [(reader.line_num, _("le fichier CSV est mal formé (%(error)s).") % {"error": error})]
        ) from None
    return Table(headers=[headers[index] for index in named], rows=rows, errors=errors)


def _cell_count_error(count: int, expected: int, delimiter: str) -> str:
    return _(
        "la ligne compte %(count)d cellules alors que la ligne 1 nomme %(expected)d colonnes. "
        "Une cellule qui contient « %(delimiter)s » doit être entre guillemets."
    ) % {"count": count, "expected": expected, "delimiter": delimiter}


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
    """One kind of record read from a CSV file: columns, checks per row, and how to write.

    Subclasses declare `model`, `key` (the natural key column, e.g. matricule), `columns`
    (header → model field, in the documented order) and `required` (headers the file must have
    and cells that may not be empty). A `clean_<header>(value)` method turns a cell into the
    field's value or raises ValidationError with a French message; `clean_row` checks columns
    against each other; `apply` writes through the app's services. Lookups are loaded once in
    `prepare`, never per row. A column missing from the file leaves that field untouched on
    existing records.
    """

    kind: ClassVar[str]
    model: ClassVar[type[models.Model]]
    key: ClassVar[str]
    columns: ClassVar[dict[str, str]]
    required: ClassVar[frozenset[str]]

    def __init__(self, *, institution: Institution) -> None:
        self.institution = institution
        self.existing: dict[str, models.Model] = {}
        self.seen: dict[str, int] = {}

    # Headers

    def check_headers(self, headers: Sequence[str]) -> list[tuple[int, str]]:
        errors = []
        for name in sorted({name for name in headers if headers.count(name) > 1}):
            errors.append((1, _("la colonne « %(name)s » figure deux fois.") % {"name": name}))
        for name in self.columns:
            if name in self.required and name not in headers:
                errors.append(
                    (1, _("colonne obligatoire manquante : « %(name)s ».") % {"name": name})
                )
        for name in dict.fromkeys(headers):
            if name not in self.columns:
                errors.append(
                    (
                        1,
                        _("colonne inconnue : « %(name)s ». Colonnes permises : %(allowed)s.")
                        % {"name": name, "allowed": ", ".join(self.columns)},
                    )
                )
        return errors

    # Rows

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
                    _("la cellule « %(name)s » est vide ; elle est obligatoire.") % {"name": header}
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
                _("« %(name)s » : %(message)s") % {"name": header, "message": message}
                for message in error.messages
            ]
        return []


_registry: dict[str, type[Importer]] = {}


def register[T: type[Importer]](importer: T) -> T:
    """Class decorator: makes `importer` available as `import_csv <importer.kind>`."""
    known = _registry.get(importer.kind)
    name = f"{importer.__module__}.{importer.__qualname__}"
    if known is not None and f"{known.__module__}.{known.__qualname__}" != name:
        raise ImproperlyConfigured(f"Two importers for the kind {importer.kind!r}: {name}")
    _registry[importer.kind] = importer
    return importer


def importers() -> dict[str, type[Importer]]:
    """Every registered kind, from the `imports` and `import_kinds` modules of each installed
    app (the students app keeps its course records' kinds in `import_kinds`)."""
    autodiscover_modules("imports", "import_kinds")
    return dict(sorted(_registry.items()))


# --- Running an import --------------------------------------------------------------------------


@dataclass
class Report:
    dry_run: bool
    plans: list[Plan]
    notes: list[str]

    @property
    def created(self) -> int:
        return sum(plan.created for plan in self.plans)

    @property
    def updated(self) -> int:
        return sum(bool(not plan.created and plan.changes) for plan in self.plans)

    @property
    def unchanged(self) -> int:
        return len(self.plans) - self.created - self.updated

    @property
    def summary(self) -> str:
        return _(
            "%(created)d création(s), %(updated)d mise(s) à jour, %(unchanged)d inchangé(s)"
        ) % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}

    def details(self) -> list[str]:
        """One line per creation or update, naming the fields an update changes."""
        lines = []
        for plan in self.plans:
            if plan.created:
                lines.append(_("Ligne %(line)d : création de %(record)s") % _describe(plan))
            elif plan.changes:
                changes = " ; ".join(
                    _("%(field)s « %(old)s » → « %(new)s »")
                    % {"field": c.label, "old": _show(c.old), "new": _show(c.new)}
                    for c in plan.changes
                )
                lines.append(
                    _("Ligne %(line)d : mise à jour de %(record)s : %(changes)s")
                    % {**_describe(plan), "changes": changes}
                )
        return lines


def _describe(plan: Plan) -> dict[str, Any]:
    return {"line": plan.line, "record": str(plan.instance)}


def _show(value: Any) -> str:
    if value is None or value == "":
        return _("(vide)")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def import_file(*, kind: str, path: Path | str, dry_run: bool = False) -> Report:
    """Imports one CSV file of `kind`, or raises ImportRefused listing every error.

    Nothing is written when a single row is wrong, nor with `dry_run`.
    """
    available = importers()
    if kind not in available:
        raise ImportRefused(
            [
                _("Type d'import inconnu : « %(kind)s ». Types possibles : %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(available)}
            ]
        )
    table = read_table(path)
    with transaction.atomic():
        importer = available[kind](institution=institution_current())
        errors = table.errors + importer.check_headers(table.headers)
        if any(line == 1 for line, _message in errors):
            raise _refuse(errors)
        importer.prepare(table.rows)
        plans = []
        for row in table.rows:
            try:
                plans.append(importer.plan(row))
            except RowInvalid as invalid:
                errors.extend((row.line, message) for message in invalid.messages)
        if errors:
            raise _refuse(errors)
        report = Report(dry_run, plans, importer.notes(plans, dry_run=dry_run))
        if not dry_run:
            importer.apply([plan for plan in plans if plan.created or plan.changes])
    return report


# --- Kinds of this app --------------------------------------------------------------------------


def _school_lookup(importer: Importer) -> tuple[School, dict[str, School]]:
    main = school_main(importer.institution)
    return main, {school.code.casefold(): school for school in importer.institution.schools.all()}


def _clean_school(importer: "StudentImporter | EmployeeImporter", value: str) -> School:
    if not value:
        return importer.main_school
    school = importer.schools.get(value.casefold())
    if school is None:
        raise ValidationError(
            _("l'école « %(code)s » n'existe pas. Codes permis : %(codes)s.")
            % {"code": value, "codes": ", ".join(sorted(s.code for s in importer.schools.values()))}
        )
    return school


def _clean_email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("le courriel « %(value)s » n'est pas une adresse valide.") % {"value": value}
            ) from None
    return value


@register
class StudentImporter(Importer):
    kind = "students"
    model = Student
    key = "matricule"
    columns: ClassVar[dict[str, str]] = {
        "matricule": "matricule",
        "code_permanent": "code_permanent",
        "last_name": "last_name",
        "first_name": "first_name",
        "birthdate": "birthdate",
        "sex": "sex",
        "email": "email",
        "phone": "phone",
        "phone_alt": "phone_alt",
        "address": "address",
        "postal_code": "postal_code",
        "program": "program",
        "school": "school",
        "grade": "grade",
    }
    required = frozenset({"matricule", "last_name", "first_name", "birthdate"})

    def prepare(self, rows: Sequence[Row]) -> None:
        super().prepare(rows)
        self.main_school, self.schools = _school_lookup(self)
        self.programs = {program.code.casefold(): program for program in Program.objects.all()}
        self.new_programs: dict[str, Program] = {}

    def initial(self) -> dict[str, Any]:
        return {"school": self.main_school}

    def clean_matricule(self, value: str) -> str:
        length = self.institution.identifier_length
        if not re.fullmatch(f"[0-9]{{{length}}}", value):
            message = _(
                "le %(name)s doit compter exactement %(length)d chiffres (ex. : %(example)s). "
                "Valeur reçue : « %(value)s »."
            ) % {
                "name": self.institution.get_identifier_name_display().lower(),
                "length": length,
                "example": "875".rjust(length, "0")[-length:],
                "value": value,
            }
            if value.isdigit() and len(value) < length:
                message += " " + _(
                    "Si Excel a retiré les zéros du début, mettez la colonne au format Texte."
                )
            raise ValidationError(message)
        return value

    def clean_code_permanent(self, value: str) -> str:
        return code_permanent.clean_code_permanent(value) if value else ""

    def clean_birthdate(self, value: str) -> datetime.date:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValidationError(
                _("la date de naissance doit être au format AAAA-MM-JJ.")
                + " "
                + _("Valeur reçue : « %(value)s ».") % {"value": value}
            )
        try:
            birthdate = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                _("la date de naissance %(value)s n'existe pas.") % {"value": value}
            ) from None
        if birthdate > timezone.localdate():
            raise ValidationError(
                _("la date de naissance %(value)s est dans le futur.") % {"value": value}
            )
        return birthdate

    def clean_sex(self, value: str) -> str:
        sex = value.upper()
        if sex not in {"", *Student.Sex.values}:
            raise ValidationError(
                _("le sexe doit être F, M, X ou vide. Valeur reçue : « %(value)s ».")
                % {"value": value}
            )
        return sex

    def clean_email(self, value: str) -> str:
        return _clean_email(value)

    def clean_postal_code(self, value: str) -> str:
        if not value:
            return ""
        compact = normalize_postal_code(value)
        if not POSTAL_CODE_RE.fullmatch(compact):
            raise ValidationError(
                _("le code postal doit avoir la forme A1A 1A1. Valeur reçue : « %(value)s ».")
                % {"value": value}
            )
        return f"{compact[:3]} {compact[3:]}"

    def clean_program(self, value: str) -> Program | None:
        if not value:
            return None
        key = value.casefold()
        program = self.programs.get(key) or self.new_programs.get(key)
        if program is None:
            # Created with the import, named after its code until staff rename it.
            program = self.new_programs[key] = Program(code=value, name=value)
        return program

    def clean_school(self, value: str) -> School:
        return _clean_school(self, value)

    def clean_row(self, values: dict[str, Any], instance: Student) -> list[str]:
        code = values.get("code_permanent")
        if not code:
            return []
        last_name, first_name = values["last_name"], values["first_name"]
        sex = values.get("sex", instance.sex)
        prefix = code_permanent.expected_prefix(last_name, first_name)
        if code[:4] != prefix:
            return [
                _(
                    "le code permanent %(code)s ne correspond pas au nom et au prénom "
                    "(il devrait commencer par %(prefix)s)."
                )
                % {"code": code, "prefix": prefix}
            ]
        consistent = code_permanent.is_consistent(
            code,
            last_name=last_name,
            first_name=first_name,
            birthdate=values["birthdate"],
            sex=sex,
        )
        if not consistent:
            return [
                _(
                    "le code permanent %(code)s ne correspond pas à la date de naissance "
                    "ou au sexe (jour, mois + 50 pour le sexe F, année)."
                )
                % {"code": code}
            ]
        return []

    def apply(self, plans: Sequence[Plan]) -> None:
        created = {}
        if self.new_programs:
            created = programs_create(codes=[p.code for p in self.new_programs.values()])
        for plan in plans:
            program = plan.values.get("program")
            if program is not None and program.pk is None:
                plan.instance.program = created[program.code]
        student_bulk_save(
            new=[plan.instance for plan in plans if plan.created],
            changed=[(plan.instance, plan.fields) for plan in plans if not plan.created],
        )

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        notes = [
            (_("Programme à créer : %(code)s") if dry_run else _("Programme créé : %(code)s"))
            % {"code": program.code}
            + " "
            + _("(nommé d'après son code ; renommez-le dans l'administration).")
            for program in self.new_programs.values()
        ]
        if self.institution.uses_code_permanent:
            notes.extend(
                line_error(
                    plan.line,
                    _(
                        "attention, aucun code permanent : cet étudiant ne pourra pas faire sa "
                        "première utilisation."
                    ),
                )
                for plan in plans
                if not plan.instance.code_permanent
            )
        return notes


@register
class EmployeeImporter(Importer):
    kind = "employees"
    model = Employee
    key = "employee_number"
    columns: ClassVar[dict[str, str]] = {
        "employee_number": "employee_number",
        "last_name": "last_name",
        "first_name": "first_name",
        "email": "email",
        "department": "department",
        "office": "office",
        "phone_extension": "phone_extension",
        "availability": "availability",
        "school": "school",
    }
    required = frozenset({"employee_number", "last_name", "first_name"})

    def prepare(self, rows: Sequence[Row]) -> None:
        super().prepare(rows)
        self.main_school, self.schools = _school_lookup(self)

    def initial(self) -> dict[str, Any]:
        return {"school": self.main_school}

    def clean_employee_number(self, value: str) -> str:
        if not re.fullmatch(r"[0-9A-Za-z-]{1,20}", value):
            raise ValidationError(
                _(
                    "le numéro d'employé ne peut contenir que des chiffres, des lettres sans "
                    "accent et des traits d'union (20 au plus). Valeur reçue : « %(value)s »."
                )
                % {"value": value}
            )
        return value

    def clean_email(self, value: str) -> str:
        return _clean_email(value)

    def clean_school(self, value: str) -> School:
        return _clean_school(self, value)

    def apply(self, plans: Sequence[Plan]) -> None:
        employee_bulk_save(
            new=[plan.instance for plan in plans if plan.created],
            changed=[(plan.instance, plan.fields) for plan in plans if not plan.created],
        )
