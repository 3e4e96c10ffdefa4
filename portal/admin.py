from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin_a11y import TabularInline
from portal.confirmations import confirmation_number_normalize
from portal.models import AuditEvent, Confirmation, Institution, School
from portal.modules import MODULE_CHOICES

admin.site.site_header = _("Portail — administration")
admin.site.site_title = _("Portail")
admin.site.index_title = _("Registrariat")
# The side menu of every model would take 276 px of a 1280 px screen from the lists: the
# students' list would scroll sideways before "Compte activé". The index and the breadcrumbs
# lead everywhere it did.
admin.site.enable_nav_sidebar = False


class InstitutionForm(forms.ModelForm):
    enabled_modules = forms.MultipleChoiceField(
        label=_("Modules activés"),
        choices=MODULE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Les modules non cochés paraissent en gris, « présentement désactivé »."),
    )

    class Meta:
        model = Institution
        exclude: list[str] = []


class SchoolInline(TabularInline):
    model = School
    extra = 0
    fields = ["code", "name", "is_main", "email", "phone", "address", "offers_store"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    form = InstitutionForm
    inlines = [SchoolInline]
    list_display = ["name", "preset", "identifier_name", "identifier_length"]
    readonly_fields = ["preset"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "preset", "address", "phone", "email"]}),
        (
            _("Identifiant et première utilisation"),
            {
                "fields": [
                    "identifier_name",
                    "identifier_length",
                    "first_use_proofs",
                    "captcha_enabled",
                    "emailed_code_enabled",
                    "first_use_collects_email",
                    "secret_question_count",
                ]
            },
        ),
        (
            _("Politique de mot de passe"),
            {
                "fields": [
                    "password_min_length",
                    "password_max_length",
                    "password_min_letters",
                    "password_min_digits",
                    "password_min_uppercase",
                    "password_charset",
                    "password_trailing_digits",
                ]
            },
        ),
        (_("Sessions et modules"), {"fields": ["session_idle_minutes", "enabled_modules"]}),
        (
            _("Double authentification"),
            {
                "fields": [
                    "second_factor_staff",
                    "second_factor_employees",
                    "second_factor_students",
                    "second_factor_parents",
                ]
            },
        ),
        (
            _("Centre de paiement"),
            {"fields": ["payment_confirm_contact", "restrict_on_overdue"]},
        ),
        (_("Bibliothèque et Repères"), {"fields": ["library_pickup_days", "career_info_url"]}),
        (
            _("Attestation de fréquentation"),
            {"fields": ["attestation_fee", "full_time_min_courses", "full_time_min_hours"]},
        ),
        (_("Relevés d'impôt"), {"fields": ["tax_slips_month", "tax_slips_day"]}),
        (
            _("Confirmation d'inscription"),
            {"fields": ["enrolment_confirmation_dates", "enrolment_late_fee"]},
        ),
        (_("Modification d'horaire"), {"fields": ["schedule_change_fee"]}),
        (
            _("Portail des parents"),
            {
                "fields": ["parent_portal_enabled", "parent_access_until_age", "diploma_credits"],
                "description": _(
                    "Les parents inscrits au dossier d'un enfant (import_csv guardians) créent "
                    "leur compte avec leur courriel. Les écoles qui offrent les « Services en "
                    "ligne » se cochent plus bas, dans la liste des écoles."
                ),
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One institution per deployment.
        return not Institution.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "identifier", "subject", "actor", "ip_address"]
    list_filter = ["kind", "created_at"]
    search_fields = ["identifier", "subject__username", "actor__username", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["subject", "actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Confirmation)
class ConfirmationAdmin(admin.ModelAdmin):
    """Look a confirmation number up, as a person reads it out (dashes and case optional)."""

    list_display = ["number", "kind", "identifier", "summary", "created_at"]
    list_filter = ["kind"]
    search_fields = ["number", "identifier", "user__username"]
    readonly_fields = ["number", "kind", "user", "identifier", "summary", "created_at"]

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        return super().get_search_results(
            request, queryset, confirmation_number_normalize(search_term)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
