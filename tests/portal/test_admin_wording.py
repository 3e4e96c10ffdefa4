"""The admin in the registrar's language: every field of the portal's models has a French name
(an English column header such as "Student" cannot reach the admin), and amounts read "325,00 $"
in French and "$325.00" in English."""

from decimal import Decimal

from django.apps import apps
from django.contrib import admin
from django.utils.functional import Promise
from django.utils.translation import override

from billing.admin import amount_display
from billing.models import Allocation
from portal.admin_a11y import TabularInline

OURS = {
    "accounts",
    "billing",
    "certificates",
    "library",
    "messaging",
    "parents",
    "portal",
    "registration",
    "students",
}


def test_every_field_has_a_translated_name() -> None:
    # Django names a field without verbose_name after its attribute, in English ("student").
    unnamed = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in OURS
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and not field.auto_created
        and not field.primary_key
        and not isinstance(field.verbose_name, Promise)
    ]
    assert unnamed == []


def test_every_tabular_inline_names_its_fields() -> None:
    inlines = [
        inline
        for model_admin in admin.site._registry.values()
        if model_admin.model._meta.app_label in OURS
        for inline in model_admin.inlines
        if issubclass(inline, admin.TabularInline)
    ]
    assert inlines and all(issubclass(inline, TabularInline) for inline in inlines)


def test_admin_amounts_in_both_languages() -> None:
    row = Allocation(amount=Decimal("1325.5"))
    with override("fr"):
        assert amount_display(row) == "1\N{NO-BREAK SPACE}325,50\N{NO-BREAK SPACE}$"
    with override("en"):
        assert amount_display(row) == "$1,325.50"
