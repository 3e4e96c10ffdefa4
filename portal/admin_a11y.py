"""Pieces of the admin that Django leaves short of WCAG 2.1 AA, shared by every app's admin.

- `TabularInline`: Django names a tabular inline's columns in `<th>`s only, so a screen reader
  reads each row's fields without a name; each field gets the column's name (`aria-label`).
- `ValuesFilter`: a list filter of a text field's values without the empty value, which Django
  would show as a link with no text.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import capfirst


class TabularInline(admin.TabularInline):
    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form: Any, index: int | None) -> None:
                super().add_fields(form, index)  # the row's own fields, then "Supprimer"
                for field in form.fields.values():
                    if field.label:
                        field.widget.attrs.setdefault("aria-label", capfirst(field.label))

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet


class ValuesFilter(admin.AllValuesFieldListFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lookup_choices = [value for value in self.lookup_choices if value != ""]
