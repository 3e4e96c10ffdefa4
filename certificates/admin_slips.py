"""Relevés d'impôt in the admin: listed per year and kind, read-only; "Produire les relevés"
generates (or corrects) a year's slips."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.models import TaxSlip
from certificates.sin import sin_mask
from certificates.tax_slips import tax_slips_generate


class GenerateForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Année d'imposition"), min_value=2000, max_value=2100
    )


@admin.register(TaxSlip)
class TaxSlipAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "student",
        "year",
        "kind",
        "eligible_fees",
        "months_full_time",
        "months_part_time",
        "status",
    ]
    list_filter = ["year", "kind"]
    search_fields = ["number", "student__matricule", "student__last_name"]
    list_select_related = ["student", "replaced_by"]
    fields = [
        "number",
        "student",
        "year",
        "kind",
        "eligible_fees",
        "months_full_time",
        "months_part_time",
        "periods",
        "sin_shown",
        "replaces",
        "issued_at",
        "issued_by",
    ]
    readonly_fields = fields
    change_list_template = "admin/certificates/taxslip_change_list.html"

    @admin.display(description=gettext_lazy("NAS"))
    def sin_shown(self, obj: TaxSlip) -> str:
        return sin_mask(obj.sin_last3) or "—"

    @admin.display(description=gettext_lazy("état"))
    def status(self, obj: TaxSlip) -> str:
        if hasattr(obj, "replaced_by"):
            return _("remplacé par %(number)s") % {"number": obj.replaced_by.number}
        return _("modifié") if obj.replaces_id else _("original")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        return [
            path(
                "produire/",
                self.admin_site.admin_view(self.generate_view),
                name="certificates_taxslip_generate",
            ),
            *super().get_urls(),
        ]

    def generate_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("certificates.add_taxslip"):
            raise PermissionDenied
        form = GenerateForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
        if request.method == "POST" and form.is_valid():
            year = form.cleaned_data["year"]
            outcome = tax_slips_generate(
                request=request, year=year, institution=request.institution, actor=request.user
            )
            messages.success(
                request,
                _(
                    "Relevés %(year)s : %(created)s produit(s), %(corrected)s modifié(s), "
                    "%(unchanged)s inchangé(s)."
                )
                % {
                    "year": year,
                    "created": outcome.created,
                    "corrected": outcome.corrected,
                    "unchanged": outcome.unchanged,
                },
            )
            if outcome.waiting_for_sin:
                messages.warning(
                    request,
                    _("Relevé 8 en attente du NAS (résidents du Québec sans NAS) : %(list)s")
                    % {"list": ", ".join(outcome.waiting_for_sin)},
                )
            return redirect(f"../?year__exact={year}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Produire les relevés d'impôt"),
        }
        return TemplateResponse(request, "admin/certificates/taxslip_generate.html", context)
