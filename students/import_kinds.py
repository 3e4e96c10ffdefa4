"""The registrar's course records: `python manage.py import_csv KIND FILE [--dry-run]` with KIND
one of `courses`, `sections`, `enrolments`, `evaluations`, `marks`, `final_grades`.

The guarantees are those of the students import (students.imports): all-or-nothing, every error
with its line number, idempotent on each kind's natural key, nothing deleted that the file does
not name. Apart from `courses` (found by its code), a record is found by several columns:

- sections: (term, course_code, group); one row per weekly meeting, and the meetings of a section
  named in the file are replaced by the file's rows (kept in place where they pair up, so that a
  calendar sees the same events). An unknown term code of the form AUT-2026 is created.
- enrolments: (term, matricule, course_code): a student is in one group of a course in a term, so
  another group for a known enrolment moves the student to that group.
- evaluations: (term, course_code, group, title), the title compared without case.
- marks: (term, matricule, course_code, evaluation): the evaluation is found in the group the
  student is enrolled in.
- final_grades: (term, matricule, course_code): the enrolment's final grade and absences.

Every lookup (terms, courses, sections, students, employees, enrolments, evaluations, marks) is
loaded once in `prepare`, a few queries whatever the length of the file.
"""

import datetime
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from students.imports import (
    PREFETCH_CHUNK,
    Change,
    Importer,
    Plan,
    Row,
    RowInvalid,
    chunks,
    line_error,
    register,
    student_from_cell,
)
from students.models import (
    Course,
    Employee,
    Enrolment,
    Evaluation,
    Mark,
    Meeting,
    Program,
    Section,
    Student,
    Term,
)
from students.services import programs_create

# A term an import may create: its season and year.
TERM_RE = re.compile(r"(AUT|HIV|ETE)-(20[0-9]{2})")
# The dates given to a term the `sections` import creates ((month, day) of its start and end);
# staff adjust them in the admin (docs/import.md).
TERM_DATES = {
    "AUT": ((8, 20), (12, 20)),
    "HIV": ((1, 15), (5, 15)),
    "ETE": ((5, 20), (8, 10)),
}
COURSE_CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.-]*")
# Digits, then at most one decimal mark: the point, or the comma of a French spreadsheet.
NUMBER_RE = re.compile(r"([0-9]+)(?:[.,]([0-9]+))?")
TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::00)?")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SMALL_INT_MAX = 32767  # PositiveSmallIntegerField, on every backend


# --- Cells --------------------------------------------------------------------------------------


def _received(value: str) -> str:
    return _("Valeur reçue : « %(value)s ».") % {"value": value}


def _number(value: str, header: str, *, low: Decimal, high: Decimal, example: str) -> Decimal:
    """A decimal with at most 2 decimals, written with the point or the comma, in [low, high]."""
    negative = value.startswith("-")
    match = NUMBER_RE.fullmatch(value[1:] if negative else value)
    if match is None:
        raise ValidationError(
            _(
                "« %(name)s » doit être un nombre comme %(example)s (le point ou la virgule "
                "comme séparateur décimal)."
            )
            % {"name": header, "example": example}
            + " "
            + _received(value)
        )
    if len(match.group(2) or "") > 2:
        raise ValidationError(
            _("« %(name)s » a plus de 2 décimales.") % {"name": header} + " " + _received(value)
        )
    number = Decimal(value.replace(",", ".")).quantize(CENT)
    if not low <= number <= high:
        raise ValidationError(
            _("« %(name)s » doit être entre %(low)s et %(high)s.")
            % {"name": header, "low": low, "high": high}
            + " "
            + _received(value)
        )
    return number


def _integer(value: str, header: str, *, low: int, high: int) -> int:
    if not re.fullmatch(r"[0-9]+", value) or not low <= int(value) <= high:
        raise ValidationError(
            _("« %(name)s » doit être un nombre entier de %(low)d à %(high)d.")
            % {"name": header, "low": low, "high": high}
            + " "
            + _received(value)
        )
    return int(value)


def _date(value: str, header: str) -> datetime.date | None:
    if not value:
        return None
    if not DATE_RE.fullmatch(value):
        raise ValidationError(
            _("« %(name)s » doit être une date au format AAAA-MM-JJ.") % {"name": header}
            + " "
            + _received(value)
        )
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("la date %(value)s n'existe pas.") % {"value": value}) from None


def _time(value: str, header: str) -> datetime.time:
    match = TIME_RE.fullmatch(value)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValidationError(
            _("« %(name)s » doit être une heure au format HH:MM (ex. : 08:30, 13:15).")
            % {"name": header}
            + " "
            + _received(value)
        )
    return datetime.time(int(match.group(1)), int(match.group(2)))


def _text(value: str, header: str, limit: int) -> str:
    if len(value) > limit:
        raise ValidationError(
            _("« %(name)s » compte %(count)d caractères ; %(max)d au plus.")
            % {"name": header, "count": len(value), "max": limit}
        )
    return value


def _term_key(code: str) -> str:
    """A term code as files and records are compared: without case or accents (ÉTÉ-2027)."""
    decomposed = unicodedata.normalize("NFKD", code)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def term_dates(code: str) -> tuple[datetime.date, datetime.date]:
    """The dates of a term the `sections` import creates, from its code (AUT-2026 …)."""
    match = TERM_RE.fullmatch(code)
    if match is None:
        raise ValueError(f"Not a term code an import can create: {code!r}")
    (start_month, start_day), (end_month, end_day) = TERM_DATES[match.group(1)]
    year = int(match.group(2))
    return datetime.date(year, start_month, start_day), datetime.date(year, end_month, end_day)


def _hhmm(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def _show(value: Any) -> Any:
    """A value as an update names it (None stays None: the report shows « (vide) »)."""
    if isinstance(value, datetime.time):
        return _hhmm(value)
    return value


def _meeting_label(day: int, start: datetime.time, end: datetime.time, room: str) -> str:
    values = {
        "day": str(Meeting.Day(day).label).lower(),
        "start": _hhmm(start),
        "end": _hhmm(end),
        "room": room,
    }
    if room:
        return _("%(day)s %(start)s-%(end)s, local %(room)s") % values
    return _("%(day)s %(start)s-%(end)s") % values


def _cells(rows: Sequence[Row], header: str) -> list[str]:
    """The file's distinct non-empty cells of a column, in file order."""
    return list(dict.fromkeys(row.cells[header] for row in rows if row.cells.get(header)))


def _diff(record: models.Model, values: dict[str, Any]) -> list[Change]:
    """What setting `values` (model field → value) on `record` changes."""
    changes = []
    for name, new in values.items():
        model_field = record._meta.get_field(name)
        old = getattr(record, name)  # related records were loaded or assigned with the record
        if model_field.is_relation:
            same = (None if old is None else old.pk) == (None if new is None else new.pk)
        else:
            same = old == new
        if not same:
            if model_field.choices and not model_field.is_relation:
                names = dict(model_field.flatchoices)  # a day shows as its name
                old, new = names.get(old, old), names.get(new, new)
            changes.append(Change(name, str(model_field.verbose_name), _show(old), _show(new)))
    return changes


def _bulk_save(
    model: type[models.Model],
    *,
    new: Sequence[models.Model],
    changed: Sequence[tuple[models.Model, Sequence[str]]],
) -> None:
    """Validates then writes: inserts `new`, writes only the listed fields of `changed`.

    Foreign keys and uniqueness are left to the database (the importer resolved them from the
    records it loaded), so that validating thousands of rows costs no query.
    """
    names = [f.name for f in model._meta.concrete_fields]
    related = [f.name for f in model._meta.concrete_fields if f.is_relation]
    checks = [(instance, related) for instance in new] + [
        (instance, [name for name in names if name not in fields or name in related])
        for instance, fields in changed
    ]
    for instance, exclude in checks:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    model.objects.bulk_create(new, batch_size=PREFETCH_CHUNK)
    by_fields: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
    for instance, fields in changed:
        by_fields[tuple(sorted(set(fields)))].append(instance)
    for fields, instances in by_fields.items():
        model.objects.bulk_update(instances, fields, batch_size=PREFETCH_CHUNK)


@dataclass
class Target:
    """What a row of a multi-column kind is about (`Plan.instance`): a record and its name."""

    record: models.Model
    label: str

    def __str__(self) -> str:
        return self.label


# --- Courses ------------------------------------------------------------------------------------


@register
class CourseImporter(Importer):
    kind = "courses"
    model = Course
    key = "code"
    columns: ClassVar[dict[str, str]] = {
        "code": "code",
        "title": "title",
        "credits": "credits",
        "program": "program",
        "program_term": "program_term",
    }
    required = frozenset({"code", "title", "credits"})

    def prepare(self, rows: Sequence[Row]) -> None:
        # Codes are compared without case: 420-1b3-sj is the course 420-1B3-SJ.
        self.by_upper: dict[str, Course] = {}
        codes = [code.upper() for code in _cells(rows, "code")]
        for chunk in chunks(codes):
            queryset = (
                Course.objects.annotate(code_upper=Upper("code"))
                .filter(code_upper__in=chunk)
                .select_related("program")
            )
            for course in queryset:
                self.by_upper[course.code.upper()] = course
                self.existing[course.code] = course
        self.programs = {program.code.casefold(): program for program in Program.objects.all()}
        self.new_programs: dict[str, Program] = {}

    def clean_code(self, value: str) -> str:
        if not COURSE_CODE_RE.fullmatch(value):
            raise ValidationError(
                _(
                    "le code de cours ne peut contenir que des chiffres, des lettres sans accent, "
                    "des points et des traits d'union. Valeur reçue : « %(value)s »."
                )
                % {"value": value}
            )
        known = self.by_upper.get(value.upper())
        return known.code if known is not None else value.upper()

    def clean_credits(self, value: str) -> Decimal:
        credits = _number(value, "credits", low=Decimal(0), high=Decimal("99.99"), example="2.33")
        if credits == 0:
            raise ValidationError(
                _("« credits » doit être plus grand que 0.") + " " + _received(value)
            )
        return credits

    def clean_program(self, value: str) -> Program | None:
        if not value:
            return None
        key = value.casefold()
        program = self.programs.get(key) or self.new_programs.get(key)
        if program is None:
            # Created with the import, named after its code until staff rename it.
            program = self.new_programs[key] = Program(code=value, name=value)
        return program

    def clean_program_term(self, value: str) -> int | None:
        return _integer(value, "program_term", low=1, high=8) if value else None

    def apply(self, plans: Sequence[Plan]) -> None:
        created = {}
        if self.new_programs:
            created = programs_create(codes=[p.code for p in self.new_programs.values()])
        for plan in plans:
            program = plan.values.get("program")
            if program is not None and program.pk is None:
                plan.instance.program = created[program.code]
        _bulk_save(
            Course,
            new=[plan.instance for plan in plans if plan.created],
            changed=[(plan.instance, plan.fields) for plan in plans if not plan.created],
        )

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        return [
            (_("Programme à créer : %(code)s") if dry_run else _("Programme créé : %(code)s"))
            % {"code": program.code}
            + " "
            + _("(nommé d'après son code ; renommez-le dans l'administration).")
            for program in self.new_programs.values()
        ]


# --- Kinds found by several columns -------------------------------------------------------------


class RegistrarImporter(Importer):
    """A kind whose records are found by several columns (term, course_code, group, matricule).

    `columns` maps each header to the model field it fills, or to "" for a column that only
    finds the record. `clean_<header>` turns a cell into a value (a looked-up record for the
    term, the course, the student); `plan_row` finds the record and what the row changes.
    """

    key = ""
    create_terms: ClassVar[bool] = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: dict[Any, int] = {}  # type: ignore[assignment]
        self.terms: dict[str, Term] = {}
        self.new_terms: dict[str, Term] = {}
        self.courses: dict[str, Course] = {}
        self.sections: dict[tuple[str, str, str], Section] = {}
        self.sections_by_pk: dict[int, Section] = {}
        self.students: dict[str, Student] = {}
        self.employees: dict[str, Employee] = {}
        self.enrolments: dict[tuple[str, str, str], list[Enrolment]] = defaultdict(list)

    # Loading, once for the whole file

    def load_terms(self) -> None:
        self.terms = {_term_key(term.code): term for term in Term.objects.all()}

    def load_courses(self, rows: Sequence[Row]) -> None:
        codes = [code.upper() for code in _cells(rows, "course_code")]
        for chunk in chunks(codes):
            queryset = Course.objects.annotate(code_upper=Upper("code")).filter(
                code_upper__in=chunk
            )
            for course in queryset:
                self.courses[course.code.upper()] = course

    def _file_terms(self, rows: Sequence[Row]) -> list[Term]:
        keys = {_term_key(code) for code in _cells(rows, "term")}
        return [term for key, term in self.terms.items() if key in keys]

    def load_sections(self, rows: Sequence[Row], *, meetings: bool = False) -> None:
        """Every section of the file's courses in the file's terms (call after the two)."""
        terms, courses = self._file_terms(rows), list(self.courses.values())
        if not terms or not courses:
            return
        queryset = Section.objects.filter(term__in=terms, course__in=courses).select_related(
            "term", "course", "teacher"
        )
        if meetings:
            queryset = queryset.prefetch_related("meetings")
        for section in queryset:
            self.sections[_section_key(section.term, section.course, section.group)] = section
            self.sections_by_pk[section.pk] = section

    def load_students(self, rows: Sequence[Row]) -> None:
        for chunk in chunks(_cells(rows, "matricule")):
            for student in Student.objects.filter(matricule__in=chunk):
                self.students[student.matricule] = student

    def load_employees(self, rows: Sequence[Row], header: str) -> None:
        for chunk in chunks(_cells(rows, header)):
            for employee in Employee.objects.filter(employee_number__in=chunk):
                self.employees[employee.employee_number] = employee

    def load_enrolments(self, rows: Sequence[Row], *, with_marks: bool = False) -> None:
        """The file's students' enrolments in the loaded sections (call after the sections and
        the students)."""
        if not self.sections_by_pk or not self.students:
            return
        terms = {section.term_id for section in self.sections_by_pk.values()}
        courses = {section.course_id for section in self.sections_by_pk.values()}
        by_pk = {student.pk: student for student in self.students.values()}
        for chunk in chunks(list(by_pk)):
            queryset = Enrolment.objects.filter(
                student_id__in=chunk, section__term_id__in=terms, section__course_id__in=courses
            ).order_by("pk")
            if with_marks:
                marks = Mark.objects.filter(
                    student=OuterRef("student"), evaluation__section=OuterRef("section")
                )
                queryset = queryset.annotate(has_marks=Exists(marks))
            for enrolment in queryset:
                student = enrolment.student = by_pk[enrolment.student_id]
                section = enrolment.section = self.sections_by_pk[enrolment.section_id]
                key = (student.matricule, *_offering(section.term, section.course))
                self.enrolments[key].append(enrolment)

    # Cells shared by the kinds

    def clean_term(self, value: str) -> Term:
        key = _term_key(value)
        term = self.terms.get(key) or self.new_terms.get(key)
        if term is not None:
            return term
        if not self.create_terms:
            raise ValidationError(
                _(
                    "la session « %(value)s » n'existe pas. Importez d'abord les groupes-cours "
                    "(import_csv sections)."
                )
                % {"value": value}
            )
        if not TERM_RE.fullmatch(key):
            raise ValidationError(
                _(
                    "la session « %(value)s » n'existe pas et ne peut pas être créée : une "
                    "session s'écrit AUT-2026 (automne), HIV-2027 (hiver) ou ETE-2027 (été)."
                )
                % {"value": value}
            )
        starts_on, ends_on = term_dates(key)
        term = self.new_terms[key] = Term(code=key, starts_on=starts_on, ends_on=ends_on)
        return term

    def clean_course_code(self, value: str) -> Course:
        course = self.courses.get(value.upper())
        if course is None:
            raise ValidationError(
                _(
                    "aucun cours n'a le code « %(value)s ». Importez d'abord les cours "
                    "(import_csv courses)."
                )
                % {"value": value}
            )
        return course

    def clean_group(self, value: str) -> str:
        return _text(value, "group", Section._meta.get_field("group").max_length)

    def clean_matricule(self, value: str) -> Student:
        return student_from_cell(self.students, value, self.institution)

    # Rows

    def clean_cells(self, row: Row) -> tuple[dict[str, Any], list[str]]:
        """Each of the row's cells as a value (header → value), and the errors."""
        values: dict[str, Any] = {}
        errors: list[str] = []
        for header in self.columns:
            if header not in row.cells:
                continue
            cell = row.cells[header]
            if not cell and header in self.required:
                errors.append(
                    _("la cellule « %(name)s » est vide ; elle est obligatoire.") % {"name": header}
                )
                continue
            try:
                values[header] = getattr(self, f"clean_{header}")(cell)
            except ValidationError as error:
                errors.extend(error.messages)
        return values, errors

    def plan(self, row: Row) -> Plan:
        values, errors = self.clean_cells(row)
        if errors:
            raise RowInvalid(errors)
        try:
            return self.plan_row(row, values)
        except ValidationError as error:
            raise RowInvalid(error.messages) from None

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        """Finds the row's record; returns what the row does, or raises ValidationError."""
        raise NotImplementedError

    def once(self, key: Any, line: int, message: str, names: dict[str, Any]) -> None:
        """Raises when the record `key` was already named at an earlier line of the file;
        `message` says so with `names` and %(first)d, that line."""
        first = self.seen.setdefault(key, line)
        if first != line:
            raise ValidationError(message % {**names, "first": first})

    def section_for(self, term: Term, course: Course, group: str) -> Section:
        section = self.sections.get(_section_key(term, course, group))
        if section is not None:
            return section
        groups = sorted(
            known.group
            for key, known in self.sections.items()
            if key[:2] == _offering(term, course)
        )
        message = _(
            "le groupe %(group)s du cours %(course)s n'existe pas à la session %(term)s. "
            "Importez d'abord les groupes-cours (import_csv sections)."
        ) % {"group": group, "course": course.code, "term": term.code}
        if groups:
            message += " " + _("Groupes de ce cours à cette session : %(groups)s.") % {
                "groups": ", ".join(groups)
            }
        if group.isdigit() and any(
            known.isdigit() and known.lstrip("0") == group.lstrip("0") for known in groups
        ):
            message += " " + _(
                "Si Excel a retiré les zéros du début, mettez la colonne au format Texte."
            )
        raise ValidationError(message)

    def enrolment_for(self, student: Student, term: Term, course: Course) -> Enrolment:
        found = self.enrolments.get((student.matricule, *_offering(term, course)), [])
        names = {
            "matricule": student.matricule,
            "course": course.code,
            "term": term.code,
        }
        if not found:
            raise ValidationError(
                _(
                    "l'étudiant %(matricule)s n'est pas inscrit au cours %(course)s à la session "
                    "%(term)s. Importez d'abord les inscriptions (import_csv enrolments)."
                )
                % names
            )
        if len(found) > 1:
            raise ValidationError(_many_groups(found, names))
        return found[0]


def _offering(term: Term, course: Course) -> tuple[str, str]:
    """A course in a term, as the file's cells find it: what an enrolment's key adds the student
    to, and a section's the group."""
    return _term_key(term.code), course.code.upper()


def _section_key(term: Term, course: Course, group: str) -> tuple[str, str, str]:
    return (*_offering(term, course), group)


def _many_groups(found: Iterable[Enrolment], names: dict[str, str]) -> str:
    return _(
        "l'étudiant %(matricule)s est inscrit à plusieurs groupes du cours %(course)s à la "
        "session %(term)s (%(groups)s) ; corrigez ses inscriptions dans l'administration."
    ) % {**names, "groups": ", ".join(sorted(e.section.group for e in found))}


# --- Sections and their meetings ----------------------------------------------------------------


@dataclass
class SectionPlan:
    """What the file does to one section and its meetings."""

    section: Section
    created: bool
    first_line: int
    teacher_changed: bool = False
    new: list[Meeting] = field(default_factory=list)
    changed: list[Meeting] = field(default_factory=list)
    removed: list[Meeting] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return (
            self.created or self.teacher_changed or bool(self.new or self.changed or self.removed)
        )


@register
class SectionImporter(RegistrarImporter):
    kind = "sections"
    model = Meeting
    columns: ClassVar[dict[str, str]] = {
        "term": "",
        "course_code": "",
        "group": "",
        "teacher": "",
        "day": "day",
        "start": "start",
        "end": "end",
        "room": "room",
    }
    required = frozenset({"term", "course_code", "group", "day", "start", "end"})
    create_terms = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outcomes: dict[int, Plan | list[str]] = {}
        self.section_plans: dict[tuple[str, str, str], SectionPlan] = {}

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows, meetings=True)
        self.load_employees(rows, "teacher")
        self._plan_all(rows)

    # Cells

    def clean_teacher(self, value: str) -> Employee | None:
        if not value:
            return None
        employee = self.employees.get(value)
        if employee is None:
            raise ValidationError(
                _(
                    "aucun employé n'a le numéro « %(value)s ». Importez d'abord les employés "
                    "(import_csv employees)."
                )
                % {"value": value}
            )
        return employee

    def clean_day(self, value: str) -> int:
        if value not in {str(day) for day in Meeting.Day.values}:
            raise ValidationError(
                _("le jour doit être un chiffre de 1 (lundi) à 7 (dimanche).")
                + " "
                + _received(value)
            )
        return int(value)

    def clean_start(self, value: str) -> datetime.time:
        return _time(value, "start")

    def clean_end(self, value: str) -> datetime.time:
        return _time(value, "end")

    def clean_room(self, value: str) -> str:
        return _text(value, "room", Meeting._meta.get_field("room").max_length)

    # Rows: a section is known only from all of its rows, so every row is checked in `prepare`

    def plan(self, row: Row) -> Plan:
        outcome = self.outcomes[row.line]
        if isinstance(outcome, list):
            raise RowInvalid(outcome)
        return outcome

    def _plan_all(self, rows: Sequence[Row]) -> None:
        groups: dict[tuple[str, str, str], list[tuple[Row, dict[str, Any]]]] = {}
        errors: dict[int, list[str]] = {}
        for row in rows:
            values, errors[row.line] = self.clean_cells(row)
            start, end = values.get("start"), values.get("end")
            if start is not None and end is not None and start >= end:
                errors[row.line].append(
                    _("l'heure de fin %(end)s doit suivre l'heure de début %(start)s.")
                    % {"start": _hhmm(start), "end": _hhmm(end)}
                )
            if not all(header in values for header in ("term", "course_code", "group")):
                continue  # the row belongs to no section
            key = _section_key(values["term"], values["course_code"], values["group"])
            group = groups.setdefault(key, [])
            errors[row.line].extend(self._disagreements(group, row, values))
            group.append((row, values))
        for key, group in groups.items():
            if all(not errors[row.line] for row, _values in group):
                self._plan_section(key, group)
        for row in rows:
            if errors[row.line]:
                self.outcomes[row.line] = errors[row.line]
            # A valid row of a section refused on another of its rows has nothing to say.
            self.outcomes.setdefault(row.line, [])

    def _disagreements(
        self, group: list[tuple[Row, dict[str, Any]]], row: Row, values: dict[str, Any]
    ) -> list[str]:
        """The row's conflicts with the earlier rows of its section."""
        if not group:
            return []
        errors = []
        first, _first_values = group[0]
        label = _section_label(values["term"], values["course_code"], values["group"])
        before, now = first.cells.get("teacher", ""), row.cells.get("teacher", "")
        if before != now:
            errors.append(
                _(
                    "le groupe-cours %(section)s a « teacher » = « %(before)s » à la ligne "
                    "%(first)d, mais « %(now)s » ici ; les lignes d'un même groupe-cours doivent "
                    "concorder."
                )
                % {"section": label, "before": before, "first": first.line, "now": now}
            )
        if not all(name in values for name in ("day", "start", "end")):
            return errors
        for other, other_values in group:
            if not all(name in other_values for name in ("day", "start", "end")):
                continue
            if (
                other_values["day"] == values["day"]
                and other_values["start"] < values["end"]
                and values["start"] < other_values["end"]
            ):
                errors.append(
                    _(
                        "la plage %(meeting)s du groupe-cours %(section)s chevauche celle de la "
                        "ligne %(first)d."
                    )
                    % {
                        "meeting": _meeting_label(
                            values["day"], values["start"], values["end"], ""
                        ),
                        "section": label,
                        "first": other.line,
                    }
                )
                break
        return errors

    def _plan_section(
        self, key: tuple[str, str, str], group: list[tuple[Row, dict[str, Any]]]
    ) -> None:
        first_row, first = group[0]
        existing = self.sections.get(key)
        teacher_given = "teacher" in first
        if existing is None:
            section = Section(
                term=first["term"],
                course=first["course_code"],
                group=first["group"],
                teacher=first.get("teacher"),
            )
            plan = SectionPlan(section, created=True, first_line=first_row.line)
            old: list[Meeting] = []
        else:
            section = existing
            plan = SectionPlan(section, created=False, first_line=first_row.line)
            old = list(existing.meetings.all())
        self.section_plans[key] = plan

        section_changes: list[Change] = []
        if existing is not None and teacher_given:
            section_changes = _diff(existing, {"teacher": first["teacher"]})
            plan.teacher_changed = bool(section_changes)
            section.teacher = first["teacher"]

        rows = [values for _row, values in group]
        pairs = _pair_meetings(old, rows)
        row_plans: list[Plan] = []
        for position, (row, values) in enumerate(group):
            meeting = pairs.get(position)
            fields = {"day": values["day"], "start": values["start"], "end": values["end"]}
            if "room" in values:
                fields["room"] = values["room"]
            if meeting is None:
                meeting = Meeting(section=section, **{"room": "", **fields})
                plan.new.append(meeting)
                introduce = position == 0 and (plan.created or plan.teacher_changed)
                label = _meeting_in(section, meeting, with_teacher=introduce)
                row_plans.append(Plan(row.line, Target(meeting, label), True, values))
                continue
            label = _meeting_in(section, meeting)  # as it was: the changes say what becomes
            changes = _diff(meeting, fields)
            for name, value in fields.items():
                setattr(meeting, name, value)
            if changes:
                plan.changed.append(meeting)
            row_plans.append(Plan(row.line, Target(meeting, label), False, values, changes))
        paired = {meeting.pk for meeting in pairs.values()}
        plan.removed = [meeting for meeting in old if meeting.pk not in paired]
        section_changes += [
            Change(
                "meetings",
                _("plage retirée"),
                _meeting_label(meeting.day, meeting.start, meeting.end, meeting.room),
                None,
            )
            for meeting in plan.removed
        ]
        if section_changes:
            # On the first row that updates: a section's rows outnumber its removed meetings
            # only when some row is new, and then its teacher is named in that row's label.
            updating = next((p for p in row_plans if not p.created), None)
            if updating is not None:
                updating.changes[:0] = section_changes
        for row_plan in row_plans:
            self.outcomes[row_plan.line] = row_plan

    # Writing

    def apply(self, plans: Sequence[Plan]) -> None:
        changed = [plan for plan in self.section_plans.values() if plan.changes]
        for term in self.new_terms.values():  # each one has a new section: all are written
            term.full_clean(validate_unique=False)
            term.save()  # a few a year: one by one, and every backend gives back the key
        _bulk_save(
            Section,
            new=[plan.section for plan in changed if plan.created],
            changed=[(plan.section, ["teacher"]) for plan in changed if plan.teacher_changed],
        )
        removed = [meeting.pk for plan in changed for meeting in plan.removed]
        for chunk in chunks(removed):
            Meeting.objects.filter(pk__in=chunk).delete()
        _bulk_save(
            Meeting,
            new=[meeting for plan in changed for meeting in plan.new],
            changed=[
                (meeting, ["day", "start", "end", "room"])
                for plan in changed
                for meeting in plan.changed
            ],
        )

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        notes = [
            (
                _("Session à créer : %(code)s, du %(start)s au %(end)s")
                if dry_run
                else _("Session créée : %(code)s, du %(start)s au %(end)s")
            )
            % {"code": term.code, "start": term.starts_on, "end": term.ends_on}
            + " "
            + _("(dates d'après son code ; ajustez-les dans l'administration).")
            for term in self.new_terms.values()
        ]
        created = sum(plan.created for plan in self.section_plans.values())
        updated = sum(not plan.created and plan.changes for plan in self.section_plans.values())
        counts = {
            "created": created,
            "updated": updated,
            "unchanged": len(self.section_plans) - created - updated,
        }
        summary = (
            _(
                "Groupes-cours : %(created)d à créer, %(updated)d à modifier, "
                "%(unchanged)d inchangé(s)."
            )
            if dry_run
            else _(
                "Groupes-cours : %(created)d créé(s), %(updated)d modifié(s), "
                "%(unchanged)d inchangé(s)."
            )
        )
        return [*notes, summary % counts]


def _section_label(term: Term, course: Course, group: str) -> str:
    return _("%(term)s %(course)s gr. %(group)s") % {
        "term": term.code,
        "course": course.code,
        "group": group,
    }


def _meeting_in(section: Section, meeting: Meeting, *, with_teacher: bool = False) -> str:
    values = {
        "section": _section_label(section.term, section.course, section.group),
        "meeting": _meeting_label(meeting.day, meeting.start, meeting.end, meeting.room),
        "teacher": section.teacher if section.teacher is not None else _("aucun"),
    }
    if with_teacher:
        return _("%(section)s (enseignant : %(teacher)s) : %(meeting)s") % values
    return _("%(section)s : %(meeting)s") % values


def _pair_meetings(old: list[Meeting], rows: list[dict[str, Any]]) -> dict[int, Meeting]:
    """Which existing meeting each row is (by its position in the section's rows): the same
    meeting first, then one on the same day at the same start, then one on the same day, then
    any left; a row paired with none is a new meeting. Pairing keeps a meeting's identity (the
    calendar export's events) when its hours or its room change."""
    free = sorted(old, key=lambda meeting: (meeting.day, meeting.start, meeting.pk))
    pairs: dict[int, Meeting] = {}

    def same(meeting: Meeting, values: dict[str, Any]) -> bool:
        return (meeting.day, meeting.start, meeting.end) == (
            values["day"],
            values["start"],
            values["end"],
        ) and values.get("room", meeting.room) == meeting.room

    tests = [
        same,
        lambda meeting, values: (meeting.day, meeting.start) == (values["day"], values["start"]),
        lambda meeting, values: meeting.day == values["day"],
        lambda meeting, values: True,
    ]
    for test in tests:
        for position, values in enumerate(rows):
            if position in pairs:
                continue
            match = next((meeting for meeting in free if test(meeting, values)), None)
            if match is not None:
                pairs[position] = match
                free.remove(match)
    return pairs


# --- Enrolments ---------------------------------------------------------------------------------


@register
class EnrolmentImporter(RegistrarImporter):
    kind = "enrolments"
    model = Enrolment
    columns: ClassVar[dict[str, str]] = {
        "term": "",
        "matricule": "student",
        "course_code": "",
        "group": "section",
    }
    required = frozenset(columns)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.moves: list[tuple[int, Enrolment, str]] = []  # (line, enrolment, old group)

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows)
        self.load_students(rows)
        self.load_enrolments(rows, with_marks=True)

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        term, course, student = values["term"], values["course_code"], values["matricule"]
        section = self.section_for(term, course, values["group"])
        names = {"matricule": student.matricule, "course": course.code, "term": term.code}
        self.once(
            (student.matricule, *_offering(term, course)),
            row.line,
            _(
                "l'inscription de l'étudiant %(matricule)s au cours %(course)s à la session "
                "%(term)s figure déjà à la ligne %(first)d."
            ),
            names,
        )
        found = self.enrolments.get((student.matricule, *_offering(term, course)), [])
        same = next((e for e in found if e.section_id == section.pk), None)
        if same is not None:
            return Plan(row.line, Target(same, str(same)), False, {"section": section})
        if not found:
            enrolment = Enrolment(student=student, section=section)
            return Plan(row.line, Target(enrolment, str(enrolment)), True, {"section": section})
        if len(found) > 1:
            raise ValidationError(_many_groups(found, names))
        enrolment = found[0]
        label, old_group = str(enrolment), enrolment.section.group
        change = Change("section", _("groupe"), old_group, section.group)
        enrolment.section = section
        if enrolment.has_marks:  # type: ignore[attr-defined]
            self.moves.append((row.line, enrolment, old_group))
        return Plan(row.line, Target(enrolment, label), False, {"section": section}, [change])

    def apply(self, plans: Sequence[Plan]) -> None:
        _bulk_save(
            Enrolment,
            new=[plan.instance.record for plan in plans if plan.created],
            changed=[(plan.instance.record, ["section"]) for plan in plans if not plan.created],
        )

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        return [
            line_error(
                line,
                _(
                    "attention, l'étudiant %(matricule)s change de groupe en %(course)s "
                    "(%(old)s → %(new)s) ; ses notes d'évaluation du groupe %(old)s y restent."
                )
                % {
                    "matricule": enrolment.student.matricule,
                    "course": enrolment.section.course.code,
                    "old": old,
                    "new": enrolment.section.group,
                },
            )
            for line, enrolment, old in self.moves
        ]


# --- Evaluations --------------------------------------------------------------------------------


def _evaluations_by_section(sections: Iterable[Section]) -> dict[int, dict[str, Evaluation]]:
    """The sections' evaluations, by section and by title without case."""
    by_section: dict[int, dict[str, Evaluation]] = defaultdict(dict)
    sections = {section.pk: section for section in sections}
    for chunk in chunks(list(sections)):
        for evaluation in Evaluation.objects.filter(section_id__in=chunk).order_by("pk"):
            evaluation.section = sections[evaluation.section_id]
            by_section[evaluation.section_id].setdefault(evaluation.title.casefold(), evaluation)
    return by_section


@register
class EvaluationImporter(RegistrarImporter):
    kind = "evaluations"
    model = Evaluation
    columns: ClassVar[dict[str, str]] = {
        "term": "",
        "course_code": "",
        "group": "",
        "title": "title",
        "weight": "weight",
        "date": "date",
        "class_average": "class_average",
    }
    required = frozenset({"term", "course_code", "group", "title", "weight"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Per section: the line of its first row, and its evaluations as the file leaves them.
        self.first_lines: dict[int, int] = {}
        self.named: dict[int, dict[str, Decimal]] = defaultdict(dict)

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows)
        self.evaluations = _evaluations_by_section(self.sections.values())

    def clean_title(self, value: str) -> str:
        return _text(value, "title", Evaluation._meta.get_field("title").max_length)

    def clean_weight(self, value: str) -> Decimal:
        return _number(value, "weight", low=Decimal(0), high=HUNDRED, example="25 ou 12.5")

    def clean_date(self, value: str) -> datetime.date | None:
        return _date(value, "date")

    def clean_class_average(self, value: str) -> Decimal | None:
        if not value:
            return None
        return _number(value, "class_average", low=Decimal(0), high=HUNDRED, example="72.5")

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        section = self.section_for(values["term"], values["course_code"], values["group"])
        title = values["title"]
        self.once(
            (section.pk, title.casefold()),
            row.line,
            _(
                "l'évaluation « %(title)s » du groupe-cours %(section)s figure déjà à la ligne "
                "%(first)d."
            ),
            {"title": title, "section": section},
        )
        fields = {
            self.columns[header]: value for header, value in values.items() if self.columns[header]
        }
        self.first_lines.setdefault(section.pk, row.line)
        self.named[section.pk][title.casefold()] = values["weight"]
        existing = self.evaluations.get(section.pk, {}).get(title.casefold())
        if existing is None:
            evaluation = Evaluation(section=section, **fields)
            return Plan(row.line, Target(evaluation, str(evaluation)), True, values)
        label = str(existing)
        changes = _diff(existing, fields)
        for name, value in fields.items():
            setattr(existing, name, value)
        return Plan(row.line, Target(existing, label), False, values, changes)

    def apply(self, plans: Sequence[Plan]) -> None:
        _bulk_save(
            Evaluation,
            new=[plan.instance.record for plan in plans if plan.created],
            changed=[(plan.instance.record, plan.fields) for plan in plans if not plan.created],
        )

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        notes = []
        for section_pk, line in self.first_lines.items():
            named = self.named[section_pk]
            others = [
                evaluation.weight
                for key, evaluation in self.evaluations.get(section_pk, {}).items()
                if key not in named
            ]
            total = sum(named.values(), Decimal(0)) + sum(others, Decimal(0))
            if total > HUNDRED:
                notes.append(
                    line_error(
                        line,
                        _(
                            "attention, les évaluations du groupe-cours %(section)s totalisent "
                            "%(total)s %% (plus de 100 %%)."
                        )
                        % {"section": self.sections_by_pk[section_pk], "total": total},
                    )
                )
        return notes


# --- Marks --------------------------------------------------------------------------------------


@register
class MarkImporter(RegistrarImporter):
    kind = "marks"
    model = Mark
    columns: ClassVar[dict[str, str]] = {
        "term": "",
        "matricule": "",
        "course_code": "",
        "evaluation": "",
        "mark": "mark",
        "max_mark": "max_mark",
    }
    required = frozenset(columns)

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows)
        self.load_students(rows)
        self.load_enrolments(rows)
        self.evaluations = _evaluations_by_section(self.sections.values())
        self.marks: dict[tuple[int, int], Mark] = {}
        evaluations = {
            evaluation.pk: evaluation
            for by_title in self.evaluations.values()
            for evaluation in by_title.values()
        }
        students = {student.pk: student for student in self.students.values()}
        if not evaluations:
            return
        for chunk in chunks(list(students)):
            for mark in Mark.objects.filter(
                student_id__in=chunk, evaluation_id__in=list(evaluations)
            ):
                mark.student = students[mark.student_id]
                mark.evaluation = evaluations[mark.evaluation_id]
                self.marks[(mark.evaluation_id, mark.student_id)] = mark

    def clean_evaluation(self, value: str) -> str:
        return value

    def clean_mark(self, value: str) -> Decimal:
        return _number(value, "mark", low=Decimal(0), high=Decimal("9999.99"), example="17.5")

    def clean_max_mark(self, value: str) -> Decimal:
        maximum = _number(value, "max_mark", low=Decimal(0), high=Decimal("9999.99"), example="20")
        if maximum == 0:
            raise ValidationError(
                _("« max_mark » doit être plus grand que 0.") + " " + _received(value)
            )
        return maximum

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        term, course, student = values["term"], values["course_code"], values["matricule"]
        errors = []
        if values["mark"] > values["max_mark"]:
            errors.append(
                _("la note %(mark)s dépasse le maximum %(max)s (« max_mark »).")
                % {"mark": values["mark"], "max": values["max_mark"]}
            )
        try:
            evaluation = self._evaluation(student, term, course, values["evaluation"])
        except ValidationError as error:
            errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        self.once(
            (evaluation.pk, student.pk),
            row.line,
            _(
                "la note de l'étudiant %(matricule)s à l'évaluation « %(title)s » du cours "
                "%(course)s figure déjà à la ligne %(first)d."
            ),
            {"matricule": student.matricule, "title": evaluation.title, "course": course.code},
        )
        fields = {"mark": values["mark"], "max_mark": values["max_mark"]}
        label = _("%(student)s — %(evaluation)s") % {
            "student": student,
            "evaluation": evaluation,
        }
        existing = self.marks.get((evaluation.pk, student.pk))
        if existing is None:
            mark = Mark(evaluation=evaluation, student=student, **fields)
            return Plan(row.line, Target(mark, label), True, values)
        changes = _diff(existing, fields)
        for name, value in fields.items():
            setattr(existing, name, value)
        return Plan(row.line, Target(existing, label), False, values, changes)

    def _evaluation(self, student: Student, term: Term, course: Course, title: str) -> Evaluation:
        section = self.enrolment_for(student, term, course).section
        by_title = self.evaluations.get(section.pk, {})
        evaluation = by_title.get(title.casefold())
        if evaluation is not None:
            return evaluation
        if not by_title:
            raise ValidationError(
                _(
                    "le groupe-cours %(section)s n'a encore aucune évaluation. Importez d'abord "
                    "les évaluations (import_csv evaluations)."
                )
                % {"section": section}
            )
        raise ValidationError(
            _(
                "le groupe-cours %(section)s n'a pas d'évaluation « %(title)s ». Évaluations de "
                "ce groupe : %(titles)s."
            )
            % {
                "section": section,
                "title": title,
                "titles": ", ".join(evaluation.title for evaluation in by_title.values()),
            }
        )

    def apply(self, plans: Sequence[Plan]) -> None:
        _bulk_save(
            Mark,
            new=[plan.instance.record for plan in plans if plan.created],
            changed=[(plan.instance.record, plan.fields) for plan in plans if not plan.created],
        )


# --- Final grades -------------------------------------------------------------------------------


@register
class FinalGradeImporter(RegistrarImporter):
    kind = "final_grades"
    model = Enrolment
    columns: ClassVar[dict[str, str]] = {
        "term": "",
        "matricule": "",
        "course_code": "",
        "grade": "final_grade",
        "absences": "absences",
        "lateness": "lateness",
    }
    required = frozenset({"term", "matricule", "course_code", "grade"})

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows)
        self.load_students(rows)
        self.load_enrolments(rows)

    def clean_grade(self, value: str) -> Decimal:
        return _number(value, "grade", low=Decimal(0), high=HUNDRED, example="78 ou 78.5")

    def clean_absences(self, value: str) -> int:
        return _integer(value, "absences", low=0, high=SMALL_INT_MAX) if value else 0

    def clean_lateness(self, value: str) -> int:
        return _integer(value, "lateness", low=0, high=SMALL_INT_MAX) if value else 0

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        term, course, student = values["term"], values["course_code"], values["matricule"]
        enrolment = self.enrolment_for(student, term, course)
        self.once(
            enrolment.pk,
            row.line,
            _(
                "la note finale de l'étudiant %(matricule)s au cours %(course)s à la session "
                "%(term)s figure déjà à la ligne %(first)d."
            ),
            {"matricule": student.matricule, "course": course.code, "term": term.code},
        )
        fields = {
            self.columns[header]: value for header, value in values.items() if self.columns[header]
        }
        changes = _diff(enrolment, fields)
        for name, value in fields.items():
            setattr(enrolment, name, value)
        return Plan(row.line, Target(enrolment, str(enrolment)), False, values, changes)

    def apply(self, plans: Sequence[Plan]) -> None:
        _bulk_save(
            Enrolment,
            new=[],
            changed=[(plan.instance.record, plan.fields) for plan in plans],
        )
