"""`import_csv marks`: a student's mark at an evaluation, found by (term, matricule,
course_code, evaluation): the evaluation is found in the group the student is enrolled in."""

import functools
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import cells, register
from students.imports.engine import BATCH_ROWS, PREFETCH_CHUNK, Plan, Report, chunks
from students.imports.reading import Row
from students.imports.registrar import (
    RegistrarImporter,
    Target,
    diff,
    evaluations_by_section,
    offering,
)
from students.models import Course, Enrolment, Evaluation, Mark, Student, Term


class NewMark(NamedTuple):
    """A mark to create, as the four values COPY writes: no model instance per row (building a
    Mark and setting its two related records was a third of a first import's time)."""

    evaluation_id: int
    student_id: int
    mark: Decimal
    max_mark: Decimal


class Enrolled(NamedTuple):
    """What the marks need of an enrolment: its section (read as two ids, not a record)."""

    section: Any


@register
class MarkImporter(RegistrarImporter):
    kind = "marks"
    label = gettext_lazy("Notes d'évaluation")
    admin_model = Evaluation  # marks are edited with their evaluation
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
    batch_rows = BATCH_ROWS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.staged: list[NewMark] = []  # this batch's marks, for the staging table
        self.staging_table = False  # created by the first batch written
        self.staging: bool | None = None  # see `use_staging`

    def use_staging(self, rows: Sequence[Row]) -> bool:
        """Whether the file's marks are compared with the stored ones in SQL (a staging table,
        `finish`) rather than loaded and compared batch by batch: on PostgreSQL, for a real
        import whose per-row lines no one reads (without `--dry-run` nor `-v 2`), of a file
        longer than one batch (a short file costs fewer statements the other way). Decided by
        the first batch."""
        if self.staging is None:
            self.staging = (
                connection.vendor == "postgresql"
                and not self.dry_run
                and not self.details
                and len(rows) >= (self.batch_rows or 0)
            )
        return self.staging

    def start_batch(self) -> None:
        super().start_batch()
        self.evaluations = {}
        self.marks = {}
        self.staged = []

    def prepare(self, rows: Sequence[Row]) -> None:
        self.use_staging(rows)
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows)
        self.load_students(rows)
        self.load_enrolments(rows)
        # Only the sections where the batch's students are enrolled, and only their marks.
        enrolled = {
            enrolment.section.pk for found in self.enrolments.values() for enrolment in found
        }
        self.evaluations = evaluations_by_section(
            self.sections_by_pk[pk] for pk in enrolled if pk in self.sections_by_pk
        )
        # A mark known by its key: (pk, mark, max_mark); a record is built only to change it.
        self.marks: dict[int, tuple[int, Decimal, Decimal]] = {}
        titles = {title.casefold() for title in self.cells_of(rows, "evaluation")}
        evaluations = [
            evaluation.pk
            for by_title in self.evaluations.values()
            for title, evaluation in by_title.items()
            if title in titles
        ]
        students = [student.pk for student in self.students.values()]
        if not evaluations or self.staging:
            return
        for chunk in chunks(students):
            for pk, evaluation, student, mark, max_mark in Mark.objects.filter(
                student_id__in=chunk, evaluation_id__in=evaluations
            ).values_list("pk", "evaluation_id", "student_id", "mark", "max_mark"):
                self.marks[mark_key(evaluation, student)] = (pk, mark, max_mark)

    def load_enrolments(self, rows: Sequence[Row], *, with_marks: bool = False) -> None:
        """The batch's students' sections in the file's courses, as (student, section) ids: a
        mark needs its student's section only, never the enrolment's record."""
        if not self.sections_by_pk or not self.students:
            return
        terms = [term.pk for term in self._file_terms(rows)]
        courses = [course.pk for course in self._file_courses(rows)]
        by_pk = {student.pk: student for student in self.students.values()}
        offerings: dict[int, tuple[str, str]] = {}
        self.enrolments = defaultdict(list)
        for chunk in chunks(list(by_pk)):
            pairs = (
                Enrolment.objects.filter(
                    student_id__in=chunk,
                    section__term_id__in=terms,
                    section__course_id__in=courses,
                )
                .order_by("pk")
                .values_list("student_id", "section_id")
            )
            for student_pk, section_pk in pairs:
                section = self.sections_by_pk[section_pk]
                found = offerings.get(section_pk)
                if found is None:
                    found = offerings[section_pk] = offering(section.term, section.course)
                self.enrolments[(by_pk[student_pk].matricule, *found)].append(Enrolled(section))

    def clean_evaluation(self, value: str) -> str:
        return value

    def clean_mark(self, value: str) -> Decimal:
        return _number(value, "mark", "17.5")

    def clean_max_mark(self, value: str) -> Decimal:
        maximum = _number(value, "max_mark", "20")
        if maximum == 0:
            raise ValidationError(
                _("« max_mark » doit être plus grand que 0.") + " " + cells.received(value)
            )
        return maximum

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        term, course, student = values["term"], values["course_code"], values["matricule"]
        mark, max_mark = values["mark"], values["max_mark"]
        errors = []
        if mark > max_mark:
            errors.append(
                _("la note %(mark)s dépasse le maximum %(max)s (« max_mark »).")
                % {"mark": mark, "max": max_mark}
            )
        try:
            evaluation = self._evaluation(student, term, course, values["evaluation"])
        except ValidationError as error:
            errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        # `.id`, not `.pk` (a property): this runs once a mark, a million times for a college.
        evaluation_id, student_id = evaluation.id, student.id
        key = mark_key(evaluation_id, student_id)
        if self.seen.setdefault(key, row.line) != row.line:
            self.once(
                key,
                row.line,
                REPEATED,
                {"matricule": student.matricule, "title": evaluation.title, "course": course.code},
            )

        if self.staging:
            # Compared with the stored mark in SQL at the end (`finish`): counted unchanged
            # until then, without a plan of its own.
            self.staged.append(NewMark(evaluation_id, student_id, mark, max_mark))
            return STAGED

        def label() -> str:
            return _("%(student)s — %(evaluation)s") % {
                "student": student,
                "evaluation": evaluation,
            }

        existing = self.marks.get(key)
        if existing is None:
            new = NewMark(evaluation_id, student_id, mark, max_mark)
            return Plan(row.line, Target(new, label), True, values)  # type: ignore[arg-type]
        pk, old_mark, old_max = existing
        if old_mark == mark and old_max == max_mark:
            # Unchanged, the most common row of a weekly sync: no record is built for it.
            return Plan(row.line, Target(None, label), False, values)  # type: ignore[arg-type]
        record = Mark(
            pk=pk, evaluation=evaluation, student=student, mark=old_mark, max_mark=old_max
        )
        record._state.adding = False
        fields = {"mark": mark, "max_mark": max_mark}
        changes = diff(record, fields)
        for name, value in fields.items():
            setattr(record, name, value)
        return Plan(row.line, Target(record, label), False, values, changes)

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
                "le groupe-cours %(section)s n'a pas d'évaluation « %(title)s ». Évaluations de "
                "ce groupe : %(titles)s."
            )
            % {
                "section": section,
                "title": title,
                "titles": ", ".join(evaluation.title for evaluation in by_title.values()),
            }
        )

    def apply(self, plans: Sequence[Plan]) -> None:
        if self.staging:
            self._stage()
            return
        # The cells were checked by `cells.decimal` (at most 2 decimals, 0 to 9999.99: what the
        # fields hold) and the keys resolved from loaded records: no full_clean per mark.
        new = [plan.instance.record for plan in plans if plan.created]
        if connection.vendor == "postgresql":
            _copy(new)  # PostgreSQL's COPY: a third of bulk_create's time for a million marks
        else:
            Mark.objects.bulk_create(
                (Mark(**values._asdict()) for values in new), batch_size=PREFETCH_CHUNK
            )
        changed = [plan.instance.record for plan in plans if not plan.created]
        if changed:
            Mark.objects.bulk_update(changed, ["mark", "max_mark"], batch_size=PREFETCH_CHUNK)

    def _stage(self) -> None:
        """Copies the batch's marks into the import's staging table (a temporary table of the
        transaction, created by the first batch)."""
        with connection.cursor() as cursor:
            if not self.staging_table:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {STAGING} (evaluation_id integer NOT NULL, "
                    "student_id integer NOT NULL, mark numeric(6, 2) NOT NULL, "
                    "max_mark numeric(6, 2) NOT NULL) ON COMMIT DROP"
                )
                self.staging_table = True
            with cursor.copy(
                f"COPY {STAGING} (evaluation_id, student_id, mark, max_mark) FROM STDIN"
            ) as copy:
                for mark in self.staged:
                    copy.write_row(mark)
        self.staged = []

    def finish(self, report: Report) -> None:
        """Writes the staged marks in two set-based statements, once every row was checked:
        the stored marks that differ are updated, the new ones inserted; the counts are the
        statements' row counts (a file's key is unique in it: a repeated one was refused)."""
        if not self.staging_table:
            return
        table = Mark._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {STAGING}")  # a temporary table has no statistics
            cursor.execute(
                f'UPDATE "{table}" AS stored SET mark = staged.mark, max_mark = staged.max_mark '  # noqa: S608
                f"FROM {STAGING} AS staged WHERE stored.evaluation_id = staged.evaluation_id "
                "AND stored.student_id = staged.student_id AND (stored.mark, stored.max_mark) "
                "IS DISTINCT FROM (staged.mark, staged.max_mark)"
            )
            updated = cursor.rowcount
            cursor.execute(
                f'INSERT INTO "{table}" (evaluation_id, student_id, mark, max_mark, created_at) '  # noqa: S608
                f"SELECT evaluation_id, student_id, mark, max_mark, %s FROM {STAGING} "
                "ON CONFLICT (evaluation_id, student_id) DO NOTHING",
                [timezone.now()],
            )
            created = cursor.rowcount
            cursor.execute(f"DROP TABLE {STAGING}")
        self.staging_table = False
        report.created += created
        report.updated += updated
        report.unchanged -= created + updated


STAGING = "portail_import_marks"
# What `plan_row` returns for a staged mark: `Report.count` counts it unchanged, `apply` gets
# none of them (the report is corrected by `finish`).
STAGED = Plan(0, Target(None, ""), False, {})  # type: ignore[arg-type]


def _copy(marks: Sequence[NewMark]) -> None:
    """Inserts new marks with COPY (inside the import's transaction), as bulk_create would:
    the same columns, `created_at` now."""
    if not marks:
        return
    now = timezone.now()
    table = Mark._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f'COPY "{table}" (evaluation_id, student_id, mark, max_mark, created_at) FROM STDIN'
        ) as copy,
    ):
        for mark in marks:
            copy.write_row((*mark, now))


def mark_key(evaluation_pk: int, student_pk: int) -> int:
    """A mark's key as one number: the file's keys are kept until its end (`seen`), a million
    of them for a college's marks, and one int costs a third of a tuple of two."""
    return evaluation_pk << 32 | student_pk


REPEATED = gettext_lazy(
    "la note de l'étudiant %(matricule)s à l'évaluation « %(title)s » du cours "
    "%(course)s figure déjà à la ligne %(first)d."
)


@functools.lru_cache(maxsize=4096)
def _number(value: str, header: str, example: str) -> Decimal:
    """A mark or a maximum (cached: a file of marks holds few distinct numbers)."""
    return cells.decimal(value, header, low=Decimal(0), high=Decimal("9999.99"), example=example)
