"""`import_csv students`: the students (or members), found by their matricule."""

import datetime
import re
from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import School
from portal.normalize import normalize_postal_code
from students import code_permanent
from students.imports import cells, register
from students.imports.engine import Importer, Plan, line_error
from students.imports.reading import Row
from students.models import Program, Student
from students.services import student_bulk_save

# Letters Canada Post uses: never D, F, I, O, Q, U; W and Z never first.
POSTAL_CODE_RE = re.compile(
    r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][0-9][ABCEGHJ-NPRSTV-Z][0-9]"
)


@register
class StudentImporter(Importer):
    kind = "students"
    label = gettext_lazy("Étudiants")
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
        self.schools = cells.Schools(self.institution)
        self.programs = cells.Programs()

    def initial(self) -> dict[str, Any]:
        return {"school": self.schools.main}

    def clean_matricule(self, value: str) -> str:
        return cells.matricule(value, self.institution)

    def clean_code_permanent(self, value: str) -> str:
        return code_permanent.clean_code_permanent(value) if value else ""

    def clean_birthdate(self, value: str) -> datetime.date | None:
        birthdate = cells.date(value, "birthdate", subject=_("la date de naissance"))
        if birthdate is not None and birthdate > timezone.localdate():
            raise ValidationError(
                _("la date de naissance %(value)s est dans le futur.") % {"value": value}
            )
        return birthdate

    def clean_sex(self, value: str) -> str:
        sex = value.upper()
        if sex not in {"", *Student.Sex.values}:
            raise ValidationError(
                _("le sexe doit être F, M, X ou vide. Valeur reçue : « %(value)s ».")
                % {"value": value}
            )
        return sex

    def clean_email(self, value: str) -> str:
        return cells.email(value)

    def clean_postal_code(self, value: str) -> str:
        if not value:
            return ""
        compact = normalize_postal_code(value)
        if not POSTAL_CODE_RE.fullmatch(compact):
            raise ValidationError(
                _("le code postal doit avoir la forme A1A 1A1. Valeur reçue : « %(value)s ».")
                % {"value": value}
            )
        return f"{compact[:3]} {compact[3:]}"

    def clean_program(self, value: str) -> Program | None:
        return self.programs.clean(value)

    def clean_school(self, value: str) -> School:
        return self.schools.clean(value)

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
        self.programs.save([plan.instance for plan in plans])
        student_bulk_save(
            new=[plan.instance for plan in plans if plan.created],
            changed=[(plan.instance, plan.fields) for plan in plans if not plan.created],
        )

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        notes = self.programs.notes(dry_run=dry_run)
        if self.institution.uses_code_permanent:
            notes.extend(
                line_error(
                    plan.line,
                    _(
                        "attention, aucun code permanent : cet étudiant ne pourra pas faire sa "
                        "première utilisation."
                    ),
                )
                for plan in plans
                if not plan.instance.code_permanent
            )
        return notes
