"""Renseignements fiscaux in the admin: the NAS is always masked; staff with the
"reveal_sin" permission may reveal it, one student at a time, on a separate page, which writes
a "Qui a consulté mon dossier" entry that the student sees."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.models import TaxProfile
from certificates.sin import SinKeyMissing, sin_decrypt, sin_format
from students.models import RecordAccess
from students.services import record_access_log

REVEAL_PERMISSION = "certificates.reveal_sin"


@admin.register(TaxProfile)
class TaxProfileAdmin(admin.ModelAdmin):
    list_display = ["student", "quebec_resident", "sin_shown"]
    list_filter = ["quebec_resident"]
    search_fields = ["student__matricule", "student__last_name"]
    list_select_related = ["student"]
    fields = ["student", "quebec_resident", "sin_shown", "reveal", "updated_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("NAS"))
    def sin_shown(self, obj: TaxProfile) -> str:
        return obj.sin_masked or "—"

    @admin.display(description=gettext_lazy("Révéler"))
    def reveal(self, obj: TaxProfile) -> str:
        if not obj.has_sin:
            return "—"
        url = reverse("admin:certificates_taxprofile_reveal", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Révéler le NAS (journalisé)"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<id:pk>/nas/",
                self.admin_site.admin_view(self.reveal_view),
                name="certificates_taxprofile_reveal",
            ),
            *super().get_urls(),
        ]

    def reveal_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET asks for confirmation; POST shows the number and logs who saw it."""
        if not request.user.has_perm(REVEAL_PERMISSION):
            raise PermissionDenied
        profile = get_object_or_404(TaxProfile.objects.select_related("student"), pk=pk)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "profile": profile,
            "title": _("Révéler le NAS"),
        }
        if request.method == "POST" and profile.has_sin:
            try:
                context["sin"] = sin_format(sin_decrypt(profile.sin_encrypted))
            except SinKeyMissing:
                context["error"] = _(
                    "Le NAS ne peut pas être déchiffré : la clé de chiffrement est absente ou "
                    "ne correspond pas."
                )
            else:
                record_access_log(
                    request=request,
                    students=[profile.student],
                    what=RecordAccess.What.SIN,
                    item=str(_("NAS révélé")),
                )
        return TemplateResponse(request, "admin/certificates/reveal_sin.html", context)
