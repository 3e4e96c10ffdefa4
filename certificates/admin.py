"""Attestations in the admin: listed per term and student, read-only; staff revoke one by
giving a reason (attestation_revoke audits it)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from certificates import admin_slips, admin_tax  # noqa: F401 (register their admins)
from certificates.codes import code_display
from certificates.models import Attestation
from certificates.services import AttestationError, attestation_revoke


class AttestationAdminForm(forms.ModelForm):
    revoke_reason = forms.CharField(
        label=_("Révoquer : motif"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Inscrire un motif et enregistrer révoque l'attestation : son code ne sera plus "
            "reconnu comme valide. La révocation est journalisée."
        ),
    )

    class Meta:
        model = Attestation
        fields: list[str] = []


@admin.register(Attestation)
class AttestationAdmin(admin.ModelAdmin):
    form = AttestationAdminForm
    list_display = ["student", "term", "purpose", "full_time", "issued_at", "revoked_at"]
    list_filter = ["term", "purpose", "full_time"]
    search_fields = ["student__matricule", "student__last_name", "code"]
    list_select_related = ["student", "term"]
    raw_id_fields = ["student"]
    readonly_fields = [
        "student",
        "term",
        "purpose",
        "language",
        "shown_code",
        "fee",
        "invoice",
        "full_time",
        "courses",
        "hours",
        "requested_at",
        "issued_at",
        "revoked_at",
        "revoked_reason",
        "revoked_by",
    ]
    fields = [*readonly_fields, "revoke_reason"]

    @admin.display(description=_("code de vérification"))
    def shown_code(self, obj: Attestation) -> str:
        return code_display(obj.code)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Attestation, form: Any, change: bool) -> None:
        reason = form.cleaned_data.get("revoke_reason", "")
        if reason and obj.revoked_at is None:
            try:
                attestation_revoke(
                    request=request, attestation=obj, reason=reason, actor=request.user
                )
            except AttestationError as error:
                messages.error(request, str(error))
