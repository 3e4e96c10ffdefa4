"""`import_csv final_grades`: the enrolment's final grade, with its absences and lateness,
found by (term, matricule, course_code)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import cells, register
from students.imports.engine import BATCH_ROWS, Plan
from students.imports.reading import Row
from students.imports.registrar import (
    RegistrarImporter,
    Target,
    bulk_save,
    diff,
)
from students.models import Enrolment


@register
class FinalGradeImporter(RegistrarImporter):
    kind = "final_grades"
    label = gettext_lazy("Notes finales")
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
    batch_rows = BATCH_ROWS

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows)
        self.load_students(rows)
        self.load_enrolments(rows)

    def repeated_row(self) -> str:
        return _(
            "la note finale de l'étudiant %(matricule)s au cours %(course)s à la session "
            "%(term)s figure déjà à la ligne %(first)d."
        )

    def clean_grade(self, value: str) -> Decimal:
        return cells.decimal(
            value, "grade", low=Decimal(0), high=cells.HUNDRED, example="78 ou 78.5"
        )

    def clean_absences(self, value: str) -> int:
        return cells.integer(value, "absences", low=0, high=cells.SMALL_INT_MAX) if value else 0

    def clean_lateness(self, value: str) -> int:
        return cells.integer(value, "lateness", low=0, high=cells.SMALL_INT_MAX) if value else 0

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        term, course, student = values["term"], values["course_code"], values["matricule"]
        enrolment = self.enrolment_for(student, term, course)
        self.once(
            enrolment.pk,
            row.line,
            self.repeated_row,
            {"matricule": student.matricule, "course": course.code, "term": term.code},
        )
        fields = {
            self.columns[header]: value for header, value in values.items() if self.columns[header]
        }
        changes = diff(enrolment, fields)
        for name, value in fields.items():
            setattr(enrolment, name, value)
        return Plan(row.line, Target(enrolment, enrolment.__str__), False, values, changes)

    def apply(self, plans: Sequence[Plan]) -> None:
        bulk_save(
            Enrolment,
            new=[],
            changed=[(plan.instance.record, plan.fields) for plan in plans],
        )
