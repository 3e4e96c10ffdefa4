"""`import_csv evaluations`: a section's evaluations, found by (term, course_code, group,
title), the title compared without case. Checked and written in batches that never cut a
section's rows in two (its weights are added up together): past a batch, a section's rows must
follow each other."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import cells, register
from students.imports.engine import BATCH_ROWS, Plan, line_error
from students.imports.reading import Row
from students.imports.registrar import (
    RegistrarImporter,
    Target,
    bulk_save,
    diff,
    evaluations_by_section,
)
from students.models import (
    Evaluation,
)


@register
class EvaluationImporter(RegistrarImporter):
    kind = "evaluations"
    label = gettext_lazy("Évaluations")
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
    # Checked and written in batches (memory flat in the file's size), never cutting a section's
    # rows in two: a batch ends where the next row names another section.
    batch_rows = BATCH_ROWS
    batch_by = ("term", "course_code", "group")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Per section of the batch: the line of its first row, and its evaluations as the file
        # leaves them; across batches, the sections of the batches done (pk → first line).
        self.first_lines: dict[int, int] = {}
        self.named: dict[int, dict[str, Decimal]] = defaultdict(dict)
        self.done: dict[int, int] = {}

    def batch_key(self, row: Row) -> Any:
        return cells.section_key(row.cells)

    def start_batch(self) -> None:
        super().start_batch()
        self.done.update(self.first_lines)
        self.first_lines = {}
        self.named = defaultdict(dict)
        # A title repeated in a section of an earlier batch is refused by `done` first: the
        # keys seen need not span the file.
        self.seen = {}

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows)
        # Only the evaluations of the batch's sections (the others are not compared).
        named = {self.batch_key(row) for row in rows}
        self.evaluations = evaluations_by_section(
            self.sections[key] for key in named if key in self.sections
        )

    def clean_title(self, value: str) -> str:
        return cells.text(value, "title", Evaluation._meta.get_field("title").max_length)

    def clean_weight(self, value: str) -> Decimal:
        return cells.decimal(
            value, "weight", low=Decimal(0), high=cells.HUNDRED, example="25 ou 12.5"
        )

    def clean_date(self, value: str) -> datetime.date | None:
        return cells.date(value, "date")

    def clean_class_average(self, value: str) -> Decimal | None:
        if not value:
            return None
        return cells.decimal(
            value, "class_average", low=Decimal(0), high=cells.HUNDRED, example="72.5"
        )

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        section = self.section_for(values["term"], values["course_code"], values["group"])
        title = values["title"]
        first = self.done.get(section.pk)
        if first is not None:
            # Only in a file longer than a batch: the section's evaluations were written (and
            # their weights added up) with the rows seen.
            raise ValidationError(
                _(
                    "le groupe-cours %(section)s figure déjà plus haut (ligne %(first)d) : dans "
                    "un fichier de plus de %(rows)d lignes, les évaluations d'un même "
                    "groupe-cours doivent se suivre. Triez le fichier par session, cours et "
                    "groupe."
                )
                % {"section": section, "first": first, "rows": BATCH_ROWS}
            )
        self.once(
            (section.pk, title.casefold()),
            row.line,
            _(
                "l'évaluation « %(title)s » du groupe-cours %(section)s figure déjà à la ligne "
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
            return Plan(row.line, Target(evaluation, evaluation.__str__), True, values)
        label = str(existing) if self.details else ""  # before the title changes
        changes = diff(existing, fields)
        for name, value in fields.items():
            setattr(existing, name, value)
        return Plan(row.line, Target(existing, label), False, values, changes)

    def apply(self, plans: Sequence[Plan]) -> None:
        bulk_save(
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
            if total > cells.HUNDRED:
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
