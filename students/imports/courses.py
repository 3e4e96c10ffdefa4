"""`import_csv courses`: the course catalogue, found by its code (compared without case); an
unknown program code is created with the import."""

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import cells, register
from students.imports.engine import Importer, Plan, chunks
from students.imports.reading import Row
from students.imports.registrar import bulk_save, cells_of
from students.models import Course, Program

COURSE_CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.-]*")


@register
class CourseImporter(Importer):
    kind = "courses"
    label = gettext_lazy("Cours")
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
        codes = [code.upper() for code in cells_of(rows, "code")]
        for chunk in chunks(codes):
            queryset = (
                Course.objects.annotate(code_upper=Upper("code"))
                .filter(code_upper__in=chunk)
                .select_related("program")
            )
            for course in queryset:
                self.by_upper[course.code.upper()] = course
                self.existing[course.code] = course
        self.programs = cells.Programs()

    def clean_code(self, value: str) -> str:
        if not COURSE_CODE_RE.fullmatch(value):
            raise ValidationError(
                _(
                    "le code de cours ne peut contenir que des chiffres, des lettres sans accent, "
                    "des points et des traits d'union. Valeur reçue : « %(value)s »."
                )
                % {"value": value}
            )
        known = self.by_upper.get(value.upper())
        return known.code if known is not None else value.upper()

    def clean_credits(self, value: str) -> Decimal:
        credits = cells.decimal(
            value, "credits", low=Decimal(0), high=Decimal("99.99"), example="2.33"
        )
        if credits == 0:
            raise ValidationError(
                _("« credits » doit être plus grand que 0.") + " " + cells.received(value)
            )
        return credits

    def clean_program(self, value: str) -> Program | None:
        return self.programs.clean(value)

    def clean_program_term(self, value: str) -> int | None:
        return cells.integer(value, "program_term", low=1, high=8) if value else None

    def apply(self, plans: Sequence[Plan]) -> None:
        self.programs.save([plan.instance for plan in plans])
        bulk_save(
            Course,
            new=[plan.instance for plan in plans if plan.created],
            changed=[(plan.instance, plan.fields) for plan in plans if not plan.created],
        )

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        return self.programs.notes(dry_run=dry_run)
