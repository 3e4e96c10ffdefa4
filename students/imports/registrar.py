"""The base of the course records' kinds, found by several columns (term, course_code, group,
matricule) rather than one key: `sections`, `enrolments`, `evaluations`, `marks`,
`final_grades` and `attendance` (`courses`, found by its code, is a plain Importer).

The guarantees are those of every import (students.imports.engine): all-or-nothing, every error
with its line number, idempotent on each kind's natural key, nothing deleted that the file does
not name. Every lookup (terms, courses, sections, students, employees, enrolments) is loaded once
in `prepare`, a few queries whatever the length of the file.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from students.imports import cells
from students.imports.engine import PREFETCH_CHUNK, Change, Importer, Plan, RowInvalid, chunks
from students.imports.reading import Row
from students.models import Course, Employee, Enrolment, Evaluation, Mark, Section, Student, Term


def hhmm(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def _show(value: Any) -> Any:
    """A value as an update names it (None stays None: the report shows « (vide) »)."""
    if isinstance(value, datetime.time):
        return hhmm(value)
    return value


def cells_of(rows: Sequence[Row], header: str) -> list[str]:
    """The file's distinct non-empty cells of a column, in file order."""
    return list(dict.fromkeys(row.cells[header] for row in rows if row.cells.get(header)))


def diff(record: models.Model, values: dict[str, Any]) -> list[Change]:
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


def bulk_save(
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
    if connection.vendor == "postgresql" and len(changed) > PREFETCH_CHUNK:
        # One UPDATE of every field some record changes: the others are written with the
        # value they were loaded with.
        every = sorted({name for _instance, fields in changed for name in fields})
        update_fields(model, [instance for instance, _fields in changed], every)
        return
    by_fields: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
    for instance, fields in changed:
        by_fields[tuple(sorted(set(fields)))].append(instance)
    for fields, instances in by_fields.items():
        update_fields(model, instances, fields)


def update_fields(
    model: type[models.Model], instances: Sequence[models.Model], fields: Sequence[str]
) -> None:
    """Writes `fields` of `instances` (saved records). On PostgreSQL, past a few hundred, in one
    set-based UPDATE from a temporary table filled by COPY: `bulk_update` builds a CASE of one
    WHEN per record and field (500 at a time), which cost 97 % of a first `final_grades` import
    (35,000 rows: 94 s of 116 under the profiler). Otherwise with `bulk_update`."""
    if connection.vendor != "postgresql" or len(instances) <= PREFETCH_CHUNK:
        model.objects.bulk_update(instances, fields, batch_size=PREFETCH_CHUNK)
        return
    table = model._meta.db_table
    pk = model._meta.pk
    columns = [model._meta.get_field(name) for name in fields]
    names = ", ".join(f'"{column.column}"' for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMPORARY TABLE {UPDATES} ON COMMIT DROP AS SELECT "{pk.column}", {names} '  # noqa: S608
            f'FROM "{table}" WITH NO DATA'
        )
        with cursor.copy(f'COPY {UPDATES} ("{pk.column}", {names}) FROM STDIN') as copy:
            for instance in instances:
                copy.write_row(
                    (
                        instance.pk,
                        *(
                            column.get_db_prep_save(getattr(instance, column.attname), connection)
                            for column in columns
                        ),
                    )
                )
        assignments = ", ".join(
            f'"{column.column}" = changed."{column.column}"' for column in columns
        )
        cursor.execute(
            f'UPDATE "{table}" AS stored SET {assignments} FROM {UPDATES} AS changed '  # noqa: S608
            f'WHERE stored."{pk.column}" = changed."{pk.column}"'
        )
        cursor.execute(f"DROP TABLE {UPDATES}")


UPDATES = "portail_import_updates"


@dataclass
class Target:
    """What a row of a multi-column kind is about (`Plan.instance`): a record and its name, or
    a function that names it (called only when the report's details are printed)."""

    record: models.Model
    label: str | Callable[[], str]

    def __str__(self) -> str:
        return self.label if isinstance(self.label, str) else self.label()


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

    def start_batch(self) -> None:
        # The sessions, courses and sections are bounded by the college, not by the file: they
        # are kept (and loaded only for the courses a batch adds); the students and their
        # enrolments are loaded again for the next batch's rows.
        super().start_batch()
        self._cells = {}
        self.students = {}
        self.employees = {}
        self.enrolments = defaultdict(list)

    def cells_of(self, rows: Sequence[Row], header: str) -> list[str]:
        """`cells_of` for the batch being loaded, read once per column (the loaders ask for
        the same columns several times)."""
        cache: dict[tuple[int, str], list[str]] = self.__dict__.setdefault("_cells", {})
        key = (id(rows), header)
        found = cache.get(key)
        if found is None:
            found = cache[key] = cells_of(rows, header)
        return found

    # Loading, once for the whole file (or once per batch, for a kind with `batch_rows`)

    def load_terms(self) -> None:
        self.terms = {cells.term_key(term.code): term for term in Term.objects.all()}

    def load_courses(self, rows: Sequence[Row]) -> None:
        codes = [
            code.upper()
            for code in self.cells_of(rows, "course_code")
            if code.upper() not in self.courses
        ]
        for chunk in chunks(codes):
            queryset = Course.objects.annotate(code_upper=Upper("code")).filter(
                code_upper__in=chunk
            )
            for course in queryset:
                self.courses[course.code.upper()] = course

    def _file_terms(self, rows: Sequence[Row]) -> list[Term]:
        keys = {cells.term_key(code) for code in self.cells_of(rows, "term")}
        return [term for key, term in self.terms.items() if key in keys]

    def load_sections(
        self, rows: Sequence[Row], *, meetings: bool = False, named: bool = False
    ) -> None:
        """Every section of the file's courses in the file's terms (call after the two); with
        `named`, only those of the groups the rows name (a batch of the sections' kind, which
        needs no other: a course may have hundreds of groups)."""
        terms, courses = self._file_terms(rows), self._file_courses(rows)
        # A kind read in batches loads each course's sections once, sharing one record of its
        # term and course between them.
        loaded = self.__dict__.setdefault("_offerings", set())
        courses = [c for c in courses if any((t.pk, c.pk) not in loaded for t in terms)]
        if not terms or not courses:
            return
        queryset = Section.objects.filter(term__in=terms, course__in=courses)
        if named:
            queryset = queryset.filter(group__in=self.cells_of(rows, "group"))
        if self.batch_rows is None:
            queryset = queryset.select_related("term", "course", "teacher")
        elif meetings:
            queryset = queryset.select_related("teacher")  # the sections' kind names them
        if meetings:
            queryset = queryset.prefetch_related("meetings")
        terms_by_pk = {term.pk: term for term in terms}
        courses_by_pk = {course.pk: course for course in courses}
        for section in queryset:
            if self.batch_rows is not None:
                section.term = terms_by_pk[section.term_id]
                section.course = courses_by_pk[section.course_id]
            self.sections[section_key(section.term, section.course, section.group)] = section
            self.sections_by_pk[section.pk] = section
        loaded.update((term.pk, course.pk) for term in terms for course in courses)

    def _file_courses(self, rows: Sequence[Row]) -> list[Course]:
        codes = {code.upper() for code in self.cells_of(rows, "course_code")}
        return [course for code, course in self.courses.items() if code in codes]

    def load_students(self, rows: Sequence[Row]) -> None:
        for chunk in chunks(self.cells_of(rows, "matricule")):
            # What the kinds read of a student (keys, name, program, school, account); another
            # field is still read when asked for, with a query.
            queryset = Student.objects.filter(matricule__in=chunk).only(
                "pk",
                "matricule",
                "last_name",
                "first_name",
                "email",
                "program_id",
                "school_id",
                "grade",
                "user_id",
            )
            for student in queryset:
                self.students[student.matricule] = student

    def load_employees(self, rows: Sequence[Row], header: str) -> None:
        for chunk in chunks(self.cells_of(rows, header)):
            for employee in Employee.objects.filter(employee_number__in=chunk):
                self.employees[employee.employee_number] = employee

    def load_enrolments(self, rows: Sequence[Row], *, with_marks: bool = False) -> None:
        """The file's students' enrolments in the loaded sections (call after the sections and
        the students)."""
        if not self.sections_by_pk or not self.students:
            return
        terms = {term.pk for term in self._file_terms(rows)}
        courses = {course.pk for course in self._file_courses(rows)}
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
                key = (student.matricule, *offering(section.term, section.course))
                self.enrolments[key].append(enrolment)

    # Cells shared by the kinds

    def clean_term(self, value: str) -> Term:
        key = cells.term_key(value)
        term = self.terms.get(key) or self.new_terms.get(key)
        if term is not None:
            return term
        if not self.create_terms:
            raise ValidationError(
                _(
                    "la session « %(value)s » n'existe pas. Importez d'abord les groupes-cours "
                    "(import_csv sections)."
                )
                % {"value": value}
            )
        if not cells.TERM_RE.fullmatch(key):
            raise ValidationError(
                _(
                    "la session « %(value)s » n'existe pas et ne peut pas être créée : une "
                    "session s'écrit AUT-2026 (automne), HIV-2027 (hiver) ou ETE-2027 (été)."
                )
                % {"value": value}
            )
        starts_on, ends_on = cells.term_dates(key)
        term = self.new_terms[key] = Term(code=key, starts_on=starts_on, ends_on=ends_on)
        return term

    def clean_course_code(self, value: str) -> Course:
        course = self.courses.get(value.upper())
        if course is None:
            raise ValidationError(
                _(
                    "aucun cours n'a le code « %(value)s ». Importez d'abord les cours "
                    "(import_csv courses)."
                )
                % {"value": value}
            )
        return course

    def clean_group(self, value: str) -> str:
        return cells.text(value, "group", Section._meta.get_field("group").max_length)

    def clean_matricule(self, value: str) -> Student:
        return cells.student(self.students, value, self.institution)

    # Rows

    def clean_cells(self, row: Row) -> tuple[dict[str, Any], list[str]]:
        """Each of the row's cells as a value (header → value), and the errors."""
        values: dict[str, Any] = {}
        errors: list[str] = []
        cells_ = row.cells
        for header, clean in self.cleaners():
            if header not in cells_:
                continue
            cell = cells_[header]
            if not cell and header in self.required:
                errors.append(
                    _("la cellule « %(name)s » est vide ; elle est obligatoire.") % {"name": header}
                )
                continue
            try:
                values[header] = clean(cell)
            except ValidationError as error:
                errors.extend(error.messages)
        return values, errors

    def cleaners(self) -> list[tuple[str, Callable[[str], Any]]]:
        """Each column with its `clean_<header>` method, looked up once per import."""
        if getattr(self, "_cleaners", None) is None:
            self._cleaners = [(header, getattr(self, f"clean_{header}")) for header in self.columns]
        return self._cleaners

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

    def once(
        self, key: Any, line: int, message: str | Callable[[], str], names: dict[str, Any]
    ) -> None:
        """Raises when the record `key` was already named at an earlier line of the file;
        `message` (or the function that returns it, called only then) says so with `names` and
        %(first)d, that line."""
        first = self.seen.setdefault(key, line)
        if first != line:
            text = message() if callable(message) else message
            raise ValidationError(text % {**names, "first": first})

    def section_for(self, term: Term, course: Course, group: str) -> Section:
        section = self.sections.get(section_key(term, course, group))
        if section is not None:
            return section
        groups = sorted(
            known.group for key, known in self.sections.items() if key[:2] == offering(term, course)
        )
        message = _(
            "le groupe %(group)s du cours %(course)s n'existe pas à la session %(term)s. "
            "Importez d'abord les groupes-cours (import_csv sections)."
        ) % {"group": group, "course": course.code, "term": term.code}
        if groups:
            message += " " + _("Groupes de ce cours à cette session : %(groups)s.") % {
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
        found = self.enrolments.get((student.matricule, *offering(term, course)), [])
        if len(found) == 1:
            return found[0]
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
            raise ValidationError(many_groups(found, names))
        return found[0]


def offering(term: Term, course: Course) -> tuple[str, str]:
    """A course in a term, as the file's cells find it: what an enrolment's key adds the student
    to, and a section's the group."""
    return cells.term_key(term.code), course.code.upper()


def section_key(term: Term, course: Course, group: str) -> tuple[str, str, str]:
    return (*offering(term, course), group)


def many_groups(found: Iterable[Enrolment], names: dict[str, str]) -> str:
    return _(
        "l'étudiant %(matricule)s est inscrit à plusieurs groupes du cours %(course)s à la "
        "session %(term)s (%(groups)s) ; corrigez ses inscriptions dans l'administration."
    ) % {**names, "groups": ", ".join(sorted(e.section.group for e in found))}


def evaluations_by_section(sections: Iterable[Section]) -> dict[int, dict[str, Evaluation]]:
    """The sections' evaluations, by section and by title without case."""
    by_section: dict[int, dict[str, Evaluation]] = defaultdict(dict)
    sections = {section.pk: section for section in sections}
    for chunk in chunks(list(sections)):
        for evaluation in Evaluation.objects.filter(section_id__in=chunk).order_by("pk"):
            evaluation.section = sections[evaluation.section_id]
            by_section[evaluation.section_id].setdefault(evaluation.title.casefold(), evaluation)
    return by_section
