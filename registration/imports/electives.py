"""`import_csv elective_lists`: the lists of courses students rank (cours complémentaires,
éducation physique), one row per course of a list, found by (term, list). The courses of a
list named in the file become the file's rows (a course left out is removed from the list);
`name` and `size` (how many ranks a student gives, 6 in seed 001) must agree on a list's
rows."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration.models import ElectiveList
from students.imports import cells, register
from students.imports.engine import Change, Plan, RowInvalid
from students.imports.reading import Row
from students.imports.registrar import RegistrarImporter, Target


@dataclass
class ListPlan:
    elective_list: ElectiveList
    created: bool
    changed_fields: list[str] = field(default_factory=list)
    course_ids: set[int] = field(default_factory=set)
    old_ids: set[int] = field(default_factory=set)


@register
class ElectiveListImporter(RegistrarImporter):
    kind = "elective_lists"
    label = gettext_lazy("Listes de cours au choix")
    model = ElectiveList
    columns: ClassVar[dict[str, str]] = {
        "term": "",
        "list": "",
        "name": "",
        "size": "",
        "course_code": "",
    }
    required = frozenset({"term", "list", "name", "size", "course_code"})

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.lists = {
            (elective_list.term_id, elective_list.code): elective_list
            for elective_list in ElectiveList.objects.prefetch_related("courses")
        }
        self.list_plans: dict[tuple[int, str], ListPlan] = {}
        self.first_row: dict[tuple[int, str], tuple[int, dict[str, Any]]] = {}

    def clean_list(self, value: str) -> str:
        code = value.strip().lower()
        if not code.replace("-", "").replace("_", "").isalnum() or len(code) > 30:
            raise ValidationError(
                _("« list » : un code court, lettres, chiffres et traits d'union.")
                + " "
                + cells.received(value)
            )
        return code

    def clean_name(self, value: str) -> str:
        return cells.text(value, "name", ElectiveList._meta.get_field("name").max_length)

    def clean_size(self, value: str) -> int:
        return cells.integer(value, "size", low=1, high=30)

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        term, code, course = values["term"], values["list"], values["course_code"]
        key = (term.pk, code)
        first = self.first_row.setdefault(key, (row.line, values))
        errors = []
        for header in ("name", "size"):
            if first[1][header] != values[header]:
                errors.append(
                    _(
                        "la liste %(list)s a « %(header)s » = « %(before)s » à la ligne "
                        "%(first)d, mais « %(now)s » ici."
                    )
                    % {
                        "list": code,
                        "header": header,
                        "before": first[1][header],
                        "first": first[0],
                        "now": values[header],
                    }
                )
        plan = self.list_plans.get(key)
        if plan is not None and course.pk in plan.course_ids:
            errors.append(
                _("le cours %(course)s figure déjà dans la liste %(list)s.")
                % {"course": course.code, "list": code}
            )
        if errors:
            raise RowInvalid(errors)
        changes: list[Change] = []
        created = False
        if plan is None:
            existing = self.lists.get(key)
            if existing is None:
                existing = ElectiveList(
                    term=term, code=code, name=values["name"], size=values["size"]
                )
                plan = ListPlan(existing, created=True)
                created = True
            else:
                plan = ListPlan(existing, created=False)
                plan.old_ids = {c.pk for c in existing.courses.all()}
                for name in ("name", "size"):
                    if getattr(existing, name) != values[name]:
                        changes.append(Change(name, name, getattr(existing, name), values[name]))
                        plan.changed_fields.append(name)
                        setattr(existing, name, values[name])
            self.list_plans[key] = plan
        plan.course_ids.add(course.pk)
        if not plan.created and course.pk not in plan.old_ids:
            changes.append(Change("courses", _("cours ajouté"), None, course.code))
        label = _("%(term)s, liste %(list)s : %(course)s") % {
            "term": term.code,
            "list": code,
            "course": course.code,
        }
        return Plan(
            row.line, Target(plan.elective_list, label), created or plan.created, values, changes
        )

    def removed(self, plans: Sequence[Plan]) -> int:
        return sum(len(p.old_ids - p.course_ids) for p in self.list_plans.values())

    def apply(self, plans: Sequence[Plan]) -> None:
        for plan in self.list_plans.values():
            if plan.created or plan.changed_fields:
                plan.elective_list.full_clean(validate_unique=False, validate_constraints=False)
                plan.elective_list.save()
            if plan.created or plan.course_ids != plan.old_ids:
                plan.elective_list.courses.set(plan.course_ids)
