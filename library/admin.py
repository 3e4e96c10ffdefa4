"""The library in the admin: records and copies, loans, holds, the loan rules, and a desk
("Comptoir de prêt") to check copies out and in for a library without its own system.

The desk and the check-in action need the permission to change loans; the loans import
(`import_csv loans`) is offered above the loans list.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library.models import Copy, Hold, Loan, LoanReminder, LoanRule, Record
from library.services import LibraryRefused, loan_checkin, loan_checkout, record_save
from portal.admin_a11y import TabularInline
from portal.templatetags.portal_format import format_when
from students.admin_imports import ImportableAdmin
from students.models import Student


class CopyInline(TabularInline):
    model = Copy
    extra = 0
    fields = ["barcode", "location", "call_number"]


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ["title", "authors", "year", "document_type", "language", "control_number"]
    list_filter = ["document_type", "language"]
    search_fields = ["title", "authors", "control_number", "isbn", "copies__barcode"]
    readonly_fields = ["updated_at"]
    inlines = [CopyInline]
    list_per_page = 50

    def save_model(self, request: HttpRequest, obj: Record, form: Any, change: bool) -> None:
        record_save(record=obj)


class DeskForm(forms.Form):
    barcode = forms.CharField(label=gettext_lazy("Code-barres de l'exemplaire"), max_length=50)
    matricule = forms.CharField(
        label=gettext_lazy("Matricule de l'emprunteur"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Pour un prêt seulement ; laissez vide pour un retour."),
    )


@admin.register(Copy)
class CopyAdmin(admin.ModelAdmin):
    list_display = ["barcode", "record", "location", "call_number"]
    search_fields = ["barcode", "record__title"]
    list_select_related = ["record"]
    autocomplete_fields = ["record"]
    change_list_template = "admin/library/copy/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        desk = path("comptoir/", self.admin_site.admin_view(self.desk), name="library_desk")
        return [desk, *super().get_urls()]

    def desk(self, request: HttpRequest) -> HttpResponse:
        """Check-out (barcode and matricule) and check-in (barcode alone) at the desk."""
        if not request.user.has_perm("library.change_loan"):
            raise PermissionDenied
        form = DeskForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            _desk_act(request, form.cleaned_data["barcode"], form.cleaned_data["matricule"])
            return redirect("admin:library_desk")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Comptoir de prêt"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/library/desk.html", context)


def _desk_act(request: HttpRequest, barcode: str, matricule: str) -> None:
    copy = Copy.objects.select_related("record").filter(barcode=barcode.strip()).first()
    if copy is None:
        messages.error(
            request,
            _("Aucun exemplaire n'a le code-barres « %(barcode)s ».") % {"barcode": barcode},
        )
        return
    try:
        if matricule:
            student = Student.objects.filter(matricule=matricule.strip()).first()
            if student is None:
                messages.error(
                    request,
                    _("Aucun étudiant n'a le matricule « %(matricule)s ».")
                    % {"matricule": matricule},
                )
                return
            loan = loan_checkout(copy=copy, student=student, actor=request.user)
            messages.success(
                request,
                _("« %(title)s » prêté à %(name)s jusqu'au %(date)s.")
                % {
                    "title": copy.record.title,
                    "name": f"{student.first_name} {student.last_name}",
                    "date": format_when(loan.due_on),
                },
            )
        else:
            hold = loan_checkin(copy=copy, actor=request.user)
            message = _("Retour de « %(title)s » enregistré.") % {"title": copy.record.title}
            if hold is not None:
                message += " " + _(
                    "Mettez-le de côté pour %(name)s (%(matricule)s), avisé par courriel."
                ) % {
                    "name": f"{hold.student.first_name} {hold.student.last_name}",
                    "matricule": hold.student.matricule,
                }
            messages.success(request, message)
    except LibraryRefused as refused:
        messages.error(request, str(refused))


@admin.register(Loan)
class LoanAdmin(ImportableAdmin):
    list_display = ["copy", "student", "loaned_on", "due_on", "returned_on", "renewals"]
    list_filter = ["returned_on", "due_on"]
    search_fields = ["copy__barcode", "copy__record__title", "student__matricule"]
    list_select_related = ["copy__record", "student"]
    autocomplete_fields = ["copy"]
    raw_id_fields = ["student"]
    date_hierarchy = "due_on"
    actions = ["check_in"]

    @admin.action(description=gettext_lazy("Enregistrer le retour des prêts choisis"))
    def check_in(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not request.user.has_perm("library.change_loan"):
            raise PermissionDenied
        returned = 0
        for loan in queryset.filter(returned_on__isnull=True).select_related("copy"):
            loan_checkin(copy=loan.copy, actor=request.user)
            returned += 1
        messages.success(request, _("%(count)d retour(s) enregistré(s).") % {"count": returned})


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ["record", "student", "status", "placed_at", "copy", "pickup_by"]
    list_filter = ["status"]
    search_fields = ["record__title", "student__matricule", "copy__barcode"]
    list_select_related = ["record", "student", "copy"]
    raw_id_fields = ["record", "student", "copy", "placed_by"]


@admin.register(LoanRule)
class LoanRuleAdmin(admin.ModelAdmin):
    list_display = ["document_type", "loan_days", "max_renewals", "overdue_limit_days"]


@admin.register(LoanReminder)
class LoanReminderAdmin(admin.ModelAdmin):
    list_display = ["loan", "kind", "due_on", "email", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["loan__copy__record", "loan__student"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
