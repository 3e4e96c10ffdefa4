"""`import_csv employees`: the employees and teachers, found by their employee number."""

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import School
from students.imports import cells, register
from students.imports.engine import Importer, Plan
from students.imports.reading import Row
from students.models import Employee
from students.services import employee_bulk_save


@register
class EmployeeImporter(Importer):
    kind = "employees"
    label = gettext_lazy("Employés et enseignants")
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
        self.schools = cells.Schools(self.institution)

    def initial(self) -> dict[str, Any]:
        return {"school": self.schools.main}

    def clean_employee_number(self, value: str) -> str:
        if not re.fullmatch(r"[0-9A-Za-z-]{1,20}", value):
            raise ValidationError(
                _(
                    "le numéro d'employé ne peut contenir que des chiffres, des lettres sans "
                    "accent et des traits d'union (20 au plus). Valeur reçue : « %(value)s »."
                )
                % {"value": value}
            )
        return value

    def clean_email(self, value: str) -> str:
        return cells.email(value)

    def clean_school(self, value: str) -> School:
        return self.schools.clean(value)

    def apply(self, plans: Sequence[Plan]) -> None:
        employee_bulk_save(
            new=[plan.instance for plan in plans if plan.created],
            changed=[(plan.instance, plan.fields) for plan in plans if not plan.created],
        )
