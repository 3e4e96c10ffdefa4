"""The registrar's side: each term's calendar (choice window, confirmation deadline, late
fee), the elective lists, the course choices and their history, the enrolment confirmations,
the late fees; the placement (`Placer les étudiants`), the unconfirmed students' list and its
CSV export. Confirmation numbers are looked up in portal's "Numéros de confirmation"."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin_a11y import TabularInline
from portal.csv_export import csv_response
from registration.change_services import schedule_change_cancel
from registration.models import (
    ChosenCourse,
    CourseChoice,
    ElectiveList,
    EnrolmentConfirmation,
    LateFee,
    ScheduleChange,
    ScheduleChangeLine,
    TermRegistration,
)
from registration.placement import placement_run
from registration.selectors import unconfirmed_students
from students.admin_imports import ImportableAdmin


@admin.register(TermRegistration)
class TermRegistrationAdmin(ImportableAdmin):
    list_display = [
        "term",
        "choice_opens",
        "choice_closes",
        "confirmation_deadline",
        "late_fee",
        "placed_at",
        "change_opens",
        "change_closes",
        "change_fee",
    ]
    list_select_related = ["term"]
    readonly_fields = ["placed_at"]
    actions = ["place_dry_run", "place_students", "export_unconfirmed"]
    change_form_template = "admin/registration/termregistration/change_form.html"

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A new term's fees start from the institution's (portal's Institution admin).
        initial = super().get_changeform_initial_data(request)
        institution = getattr(request, "institution", None)
        if institution is not None:
            initial.setdefault("late_fee", institution.enrolment_late_fee)
            initial.setdefault("change_fee", institution.schedule_change_fee)
        return initial

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<id:pk>/non-confirmes/",
                self.admin_site.admin_view(self.unconfirmed_view),
                name="registration_termregistration_unconfirmed",
            ),
            *super().get_urls(),
        ]

    def unconfirmed_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        registration = get_object_or_404(TermRegistration.objects.select_related("term"), pk=pk)
        students = unconfirmed_students(registration=registration)
        if request.GET.get("format") == "csv":
            return _unconfirmed_csv([registration])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Étudiants qui n'ont pas confirmé : %(term)s")
            % {"term": registration.term.code},
            "registration": registration,
            "students": students,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/registration/unconfirmed.html", context)

    @admin.action(description=gettext_lazy("Simuler le placement (rien n'est enregistré)"))
    def place_dry_run(self, request: HttpRequest, queryset: QuerySet[TermRegistration]) -> None:
        self._place(request, queryset, dry_run=True)

    @admin.action(
        description=gettext_lazy("Placer les étudiants dans les groupes"),
        permissions=["change"],
    )
    def place_students(self, request: HttpRequest, queryset: QuerySet[TermRegistration]) -> None:
        self._place(request, queryset, dry_run=False)

    def _place(
        self, request: HttpRequest, queryset: QuerySet[TermRegistration], *, dry_run: bool
    ) -> None:
        for registration in queryset.select_related("term"):
            report = placement_run(registration=registration, dry_run=dry_run, actor=request.user)
            self.message_user(
                request, f"{registration.term.code} : {report.summary()}", messages.SUCCESS
            )
            missed = [line for line in report.lines() if line.startswith("   ")]
            if missed:
                self.message_user(
                    request,
                    _(
                        "%(count)d cours non placé(s) ; le détail : "
                        "manage.py place_students %(term)s --dry-run"
                    )
                    % {"count": len(missed), "term": registration.term.code},
                    messages.WARNING,
                )

    @admin.action(description=gettext_lazy("Exporter les étudiants non confirmés (CSV)"))
    def export_unconfirmed(
        self, request: HttpRequest, queryset: QuerySet[TermRegistration]
    ) -> HttpResponse:
        return _unconfirmed_csv(list(queryset.select_related("term")))


def _unconfirmed_csv(registrations: list[TermRegistration]) -> HttpResponse:
    rows = [
        [
            registration.term.code,
            student.matricule,
            student.last_name,
            student.first_name,
            student.email,
            student.program.code if student.program else "",
        ]
        for registration in registrations
        for student in unconfirmed_students(registration=registration)
    ]
    return csv_response(
        filename="non-confirmes.csv",
        header=["session", "matricule", "nom", "prénom", "courriel", "programme"],
        rows=rows,
    )


@admin.register(ElectiveList)
class ElectiveListAdmin(ImportableAdmin):
    list_display = ["name", "term", "code", "size"]
    list_filter = ["term"]
    search_fields = ["name", "code"]
    filter_horizontal = ["courses"]


class ChosenCourseInline(TabularInline):
    model = ChosenCourse
    extra = 0
    fields = ["course", "elective_list", "rank"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CourseChoice)
class CourseChoiceAdmin(admin.ModelAdmin):
    list_display = ["student", "term", "confirmation", "submitted_at", "replaced_at"]
    list_filter = ["term"]
    search_fields = ["student__matricule", "student__last_name", "confirmation__number"]
    list_select_related = ["student", "term", "confirmation"]
    readonly_fields = ["student", "term", "confirmation", "submitted_at", "replaced_at"]
    inlines = [ChosenCourseInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(EnrolmentConfirmation)
class EnrolmentConfirmationAdmin(admin.ModelAdmin):
    list_display = ["student", "term", "confirmation", "confirmed_at", "late"]
    list_filter = ["term", "late"]
    search_fields = ["student__matricule", "student__last_name", "confirmation__number"]
    list_select_related = ["student", "term", "confirmation"]
    readonly_fields = ["student", "term", "confirmation", "confirmed_at", "late"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(LateFee)
class LateFeeAdmin(admin.ModelAdmin):
    list_display = ["student", "term", "amount", "invoice_number", "charged_at"]
    list_filter = ["term"]
    search_fields = ["student__matricule", "student__last_name", "invoice_number"]
    list_select_related = ["student", "term"]
    readonly_fields = ["student", "term", "amount", "invoice_number", "charged_at", "charged_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ScheduleChangeLineInline(TabularInline):
    model = ScheduleChangeLine
    extra = 0
    fields = ["previous", "new"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScheduleChange)
class ScheduleChangeAdmin(admin.ModelAdmin):
    """The schedule changes of each term; "Annuler" puts the previous sections back where
    places allow and cancels or refunds the fee (registration.change_services)."""

    list_display = [
        "student",
        "term",
        "confirmation",
        "confirmed_at",
        "status",
        "fee_amount",
        "fee_outcome",
    ]
    list_filter = ["term", "status", "fee_outcome"]
    search_fields = ["student__matricule", "student__last_name", "confirmation__number"]
    list_select_related = ["student", "term", "confirmation"]
    readonly_fields = [
        "student",
        "term",
        "confirmation",
        "fee_invoice",
        "fee_amount",
        "status",
        "confirmed_at",
        "cancelled_at",
        "cancelled_by",
        "fee_outcome",
        "cancel_note",
    ]
    inlines = [ScheduleChangeLineInline]
    actions = ["cancel_changes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(
        description=gettext_lazy("Annuler les modifications d'horaire sélectionnées"),
        permissions=["change"],
    )
    def cancel_changes(self, request: HttpRequest, queryset: QuerySet[ScheduleChange]) -> None:
        outcomes = dict(ScheduleChange.FeeOutcome.choices)
        for change in queryset.select_related("student", "confirmation"):
            if change.status != ScheduleChange.Status.CONFIRMED:
                self.message_user(
                    request,
                    _("%(number)s : déjà annulée, rien n'a changé.")
                    % {"number": change.confirmation.number},
                    messages.WARNING,
                )
                continue
            report = schedule_change_cancel(request=request, change=change, actor=request.user)
            text = _("%(number)s (%(student)s) annulée.") % {
                "number": change.confirmation.number,
                "student": change.student,
            }
            if report.restored:
                text += " " + _("Groupes rétablis : %(list)s.") % {
                    "list": ", ".join(report.restored)
                }
            if report.fee_outcome:
                text += " " + _("Frais : %(outcome)s.") % {"outcome": outcomes[report.fee_outcome]}
            self.message_user(request, text, messages.SUCCESS)
            if report.not_restored:
                self.message_user(
                    request,
                    _("%(number)s : groupes non rétablis : %(list)s.")
                    % {
                        "number": change.confirmation.number,
                        "list": ", ".join(report.not_restored),
                    },
                    messages.WARNING,
                )
