"""Admin widgets for long inlines: an evaluation's form lists every student's mark."""

from typing import Any

from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.http import HttpRequest

from portal.admin_a11y import TabularInline
from students.models import Mark, Student


class LabelledAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose selected record is named from `labels` (pk → label, loaded once
    for the whole page) instead of one query per row; a record missing from `labels` (a row
    sent back with another student) is looked up as Django does."""

    def __init__(self, *args: Any, labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels = labels

    def optgroups(self, name: str, value: list[Any], attr: Any = None) -> list[Any]:
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if any(choice not in self.labels for choice in selected):
            return super().optgroups(name, value, attr)
        default: tuple[None, list[Any], int] = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for choice in selected[:1] if not self.allow_multiple_selected else selected:
            index = len(default[1])
            default[1].append(
                self.create_option(name, choice, self.labels[choice], set(selected), index)
            )
        return [default]


class MarkInline(TabularInline):
    """The marks of an evaluation, in a constant number of queries whatever their count: the
    marks with their student and evaluation, and the students' names once for the widgets."""

    model = Mark
    extra = 0
    fields = ["student", "mark", "max_mark"]
    autocomplete_fields = ["student"]
    LABELS = "_portal_mark_labels"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Mark]:
        return super().get_queryset(request).select_related("student", "evaluation")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        labels: dict[str, str] = {}
        if obj is not None and obj.pk:
            students = Student.objects.filter(marks__evaluation=obj)
            labels = {str(student.pk): str(student) for student in students}
        # Per request, never on the admin (shared by every request).
        setattr(request, self.LABELS, labels)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "student":
            kwargs["widget"] = LabelledAutocompleteSelect(
                db_field,
                self.admin_site,
                using=kwargs.get("using"),
                labels=getattr(request, self.LABELS, {}),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
