"""`import_csv attendance`: absences (in hours) and lateness per course while the term runs,
found by (term, matricule, course_code), without a final grade. They are the enrolment's own
`absences` and `lateness`, which the student's results pages and the parent's child page show,
and which the `final_grades` import sets again at the end of the term."""

from collections.abc import Sequence
from typing import ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import register
from students.imports.final_grades import FinalGradeImporter


@register
class AttendanceImporter(FinalGradeImporter):
    kind = "attendance"
    label = gettext_lazy("Assiduité (absences et retards)")
    columns: ClassVar[dict[str, str]] = {
        "term": "",
        "matricule": "",
        "course_code": "",
        "absences": "absences",
        "lateness": "lateness",
    }
    required = frozenset({"term", "matricule", "course_code"})

    def check_headers(self, headers: Sequence[str]) -> list[tuple[int, str]]:
        errors = super().check_headers(headers)
        if "absences" not in headers and "lateness" not in headers:
            errors.append(
                (1, _("le fichier doit avoir la colonne « absences », « lateness » ou les deux."))
            )
        return errors

    def repeated_row(self) -> str:
        return _(
            "l'assiduité de l'étudiant %(matricule)s au cours %(course)s à la session "
            "%(term)s figure déjà à la ligne %(first)d."
        )
