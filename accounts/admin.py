from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import FirstUseFlow, Passkey, SecretQuestion, TOTPDevice, User
from accounts.services import profile as account_services
from accounts.services.common import THROTTLE, throttle_key
from accounts.services.second_factor import second_factor_reset
from accounts.views.common import locked_message
from portal.http import client_ip
from portal.models import AuditEvent
from portal.services import audit_record
from portal.throttle import throttle_check, throttle_clear, throttle_fail
from students.admin import StudentAdmin
from students.admin_access import RecordAccessMixin
from students.models import RecordAccess, Student


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login counts failures like every other login: 5 per username in 15 minutes,
    20 per address in a minute."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        key = throttle_key(User.Audience.STAFF, username)
        ip = client_ip(self.request)
        locked = throttle_check(THROTTLE, key=key, ip=ip)
        if locked:
            audit_record(
                kind=AuditEvent.Kind.LOGIN_FAILED,
                request=self.request,
                identifier=key,
                details={"reason": f"locked_{locked.value}", "admin": True},
            )
            raise forms.ValidationError(locked_message(locked), code="locked")
        try:
            data = super().clean()
        except forms.ValidationError:
            locked = throttle_fail(THROTTLE, key=key, ip=ip)
            audit_record(
                kind=AuditEvent.Kind.LOGIN_FAILED,
                request=self.request,
                identifier=key,
                details={"admin": True},
            )
            if locked:
                audit_record(
                    kind=AuditEvent.Kind.LOCKOUT,
                    request=self.request,
                    identifier=key,
                    details={"scope": locked},
                )
                raise forms.ValidationError(locked_message(locked), code="locked") from None
            raise
        throttle_clear(THROTTLE, key=key)
        # The login itself (and its audit row) waits for the second step: see
        # accounts.views.admin_login.
        return data


admin.site.login_form = ThrottledAdminAuthenticationForm


def _for_each(request: HttpRequest, users: Any, service: Any, message: str) -> None:
    count = 0
    for user in users:
        service(request=request, actor=request.user, user=user)
        count += 1
    messages.success(request, message % {"count": count})


@admin.action(
    description=_("Déverrouiller (annuler le blocage après trop d'essais)"), permissions=["change"]
)
def unlock(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _for_each(
        request,
        queryset,
        account_services.account_unlock,
        _("%(count)d compte(s) déverrouillé(s)."),
    )


@admin.action(description=_("Réinitialiser la première utilisation"), permissions=["change"])
def reset_first_use(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _for_each(
        request,
        queryset,
        account_services.first_use_reset,
        _("%(count)d compte(s) devront refaire leur première utilisation."),
    )


@admin.action(description=_("Désactiver (ferme ses sessions)"), permissions=["change"])
def disable(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _for_each(
        request, queryset, account_services.account_disable, _("%(count)d compte(s) désactivé(s).")
    )


@admin.action(
    description=_("Réinitialiser la double authentification (identité vérifiée)"),
    permissions=["change"],
)
def reset_second_factor(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    """For a person who lost their phone and their recovery codes, once the registrar has
    checked who they are (in person, or by a call back to the number on file)."""
    _for_each(
        request,
        queryset,
        second_factor_reset,
        _("%(count)d compte(s) : double authentification réinitialisée, personne avisée."),
    )


@admin.register(User)
class PortalUserAdmin(RecordAccessMixin, UserAdmin):
    """Staff never see or choose a student's password or answers: they unlock, disable, or
    send the student back to first use. Opening a student's account is a consultation of
    their file."""

    access_what = RecordAccess.What.ACCOUNT

    def access_students(self, obj: User) -> QuerySet[Student]:
        return Student.objects.filter(user=obj).only("pk", "user_id")

    def access_item(self, obj: User) -> str:
        return ""

    list_display = [
        "username",
        "audience",
        "identifier",
        "last_name",
        "first_name",
        "is_active",
        "second_factor",
        "activated_at",
        "last_login",
    ]
    list_filter = ["audience", "is_active", "is_staff"]
    search_fields = ["username", "identifier", "first_name", "last_name", "email"]
    actions = [unlock, reset_first_use, reset_second_factor, disable]
    readonly_fields = ["activated_at", "last_login", "date_joined"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_totp=Exists(
                    TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)
                ),
                has_passkey=Exists(Passkey.objects.filter(user=OuterRef("pk"))),
            )
        )

    @admin.display(boolean=True, description=_("double authentification"))
    def second_factor(self, obj: User) -> bool:
        return bool(getattr(obj, "has_totp", False) or getattr(obj, "has_passkey", False))

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            return super().get_fieldsets(request, obj)
        fieldsets = [
            (None, {"fields": ["username", "audience", "identifier"]}),
            (_("Informations personnelles"), {"fields": ["first_name", "last_name", "email"]}),
            (_("Accès"), {"fields": ["is_active", "activated_at", "last_login", "date_joined"]}),
        ]
        if obj.audience == User.Audience.STAFF:
            # Staff accounts keep Django's password form and permissions.
            fieldsets[0] = (None, {"fields": ["username", "password", "audience"]})
            fieldsets.append(
                (
                    _("Permissions"),
                    {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]},
                )
            )
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.audience != User.Audience.STAFF:
            # These come from the registrar's record and first use, not from the admin.
            fields += ["username", "audience", "identifier"]
        return fields

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """Staff choose no password but their own kind's: students, employees and parents set
        theirs through first use or a reset link."""
        user = self.get_object(request, unquote(id))
        if user is not None and user.audience != User.Audience.STAFF:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            account_services.account_disable(request=request, actor=request.user, user=obj)


@admin.register(SecretQuestion)
class SecretQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "text_en", "is_active", "position"]
    list_editable = ["is_active", "position"]
    search_fields = ["text", "text_en"]


@admin.register(FirstUseFlow)
class FirstUseFlowAdmin(admin.ModelAdmin):
    """Read-only: staff see who is in the middle of a first use, never a code or an answer."""

    list_display = ["student", "created_at", "expires_at", "completed_at"]
    fields = [
        "student",
        "steps",
        "position",
        "code_attempts",
        "created_at",
        "expires_at",
        "completed_at",
    ]
    readonly_fields = fields
    list_select_related = ["student"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _on_records(service: Any, message: str) -> Any:
    """An action on registrar records (students) that applies to their accounts."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        users = [record.user for record in queryset.select_related("user") if record.user]
        _for_each(request, users, service, message)

    action.__name__ = f"account_{service.__name__}"
    return action


# The registrar thinks in students: the account actions are on the student list too. The
# students app knows nothing of accounts, so they are added here.
admin.site.unregister(Student)


@admin.register(Student)
class StudentWithAccountAdmin(StudentAdmin):
    actions = [
        admin.action(description=_("Déverrouiller le compte"), permissions=["account"])(
            _on_records(account_services.account_unlock, _("%(count)d compte(s) déverrouillé(s)."))
        ),
        admin.action(
            description=_("Réinitialiser la première utilisation"), permissions=["account"]
        )(
            _on_records(
                account_services.first_use_reset,
                _("%(count)d compte(s) devront refaire leur première utilisation."),
            )
        ),
        admin.action(
            description=_("Réinitialiser la double authentification (identité vérifiée)"),
            permissions=["account"],
        )(
            _on_records(
                second_factor_reset,
                _("%(count)d compte(s) : double authentification réinitialisée, personne avisée."),
            )
        ),
    ]

    def has_account_permission(self, request: HttpRequest) -> bool:
        """The account actions change users, not students: they need that right."""
        return request.user.has_perm("accounts.change_user")
