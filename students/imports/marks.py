"""`import_csv marks`: a student's mark at an evaluation, found by (term, matricule,
course_code, evaluation): the evaluation is found in the group the student is enrolled in."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import cells, register
from students.imports.engine import BATCH_ROWS, Plan, chunks
from students.imports.reading import Row
from students.imports.registrar import (
    RegistrarImporter,
    Target,
    bulk_save,
    diff,
    evaluations_by_section,
)
from students.models import Course, Evaluation, Mark, Student, Term


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

    def start_batch(self) -> None:
        super().start_batch()
        self.evaluations = {}
        self.marks = {}

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows)
        self.load_students(rows)
        self.load_enrolments(rows)
        # Only the sections where the batch's students are enrolled, and only their marks.
        enrolled = {
            enrolment.section_id for found in self.enrolments.values() for enrolment in found
        }
        self.evaluations = evaluations_by_section(
            self.sections_by_pk[pk] for pk in enrolled if pk in self.sections_by_pk
        )
        self.marks: dict[int, Mark] = {}
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
                self.marks[mark_key(mark.evaluation_id, mark.student_id)] = mark

    def clean_evaluation(self, value: str) -> str:
        return value

    def clean_mark(self, value: str) -> Decimal:
        return cells.decimal(value, "mark", low=Decimal(0), high=Decimal("9999.99"), example="17.5")

    def clean_max_mark(self, value: str) -> Decimal:
        maximum = cells.decimal(
            value, "max_mark", low=Decimal(0), high=Decimal("9999.99"), example="20"
        )
        if maximum == 0:
            raise ValidationError(
                _("« max_mark » doit être plus grand que 0.") + " " + cells.received(value)
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
        key = mark_key(evaluation.pk, student.pk)
        self.once(
            key,
            row.line,
            _(
                "la note de l'étudiant %(matricule)s à l'évaluation « %(title)s » du cours "
                "%(course)s figure déjà à la ligne %(first)d."
            ),
            {"matricule": student.matricule, "title": evaluation.title, "course": course.code},
        )
        fields = {"mark": values["mark"], "max_mark": values["max_mark"]}

        def label() -> str:
            return _("%(student)s — %(evaluation)s") % {
                "student": student,
                "evaluation": evaluation,
            }

        existing = self.marks.get(key)
        if existing is None:
            mark = Mark(evaluation=evaluation, student=student, **fields)
            return Plan(row.line, Target(mark, label), True, values)
        changes = diff(existing, fields)
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
        bulk_save(
            Mark,
            new=[plan.instance.record for plan in plans if plan.created],
            changed=[(plan.instance.record, plan.fields) for plan in plans if not plan.created],
        )


def mark_key(evaluation_pk: int, student_pk: int) -> int:
    """A mark's key as one number: the file's keys are kept until its end (`seen`), a million
    of them for a college's marks, and one int costs a third of a tuple of two."""
    return evaluation_pk << 32 | student_pk
