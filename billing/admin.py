from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.balances import invoice_balances_refresh
from billing.models import Allocation, Invoice, InvoiceLine, InvoiceReminder, Payment, Receipt
from billing.selectors import invoices_with_balance
from portal.admin_a11y import TabularInline
from portal.csv_export import csv_response
from portal.templatetags.portal_format import money
from students.admin_access import RecordAccessMixin
from students.admin_imports import ImportableAdmin
from students.admin_search import StudentSearchMixin
from students.models import RecordAccess, Student


class OverdueFilter(admin.SimpleListFilter):
    title = _("solde")
    parameter_name = "solde"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("unpaid", _("À payer")), ("overdue", _("En souffrance"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        # The stored balance, on the partial index invoice_unpaid_order (status and balance
        # written exactly as its condition, so that PostgreSQL picks it).
        if self.value() == "unpaid":
            return queryset.filter(status=Invoice.Status.OPEN, stored_balance__gt=0)
        if self.value() == "overdue":
            return queryset.filter(
                status=Invoice.Status.OPEN,
                stored_balance__gt=0,
                due_date__lt=timezone.localdate(),
            )
        return queryset


class InvoiceLineInline(TabularInline):
    model = InvoiceLine
    extra = 0
    fields = ["description", "amount", "voluntary", "removed", "tax_eligible", "position"]


@admin.display(description=_("montant"))
def amount_display(row: Allocation | Payment) -> str:
    """An amount as the registrar's language writes it: "325,00 $", "$325.00"."""
    return money(row.amount)


class AllocationInline(TabularInline):
    model = Allocation
    extra = 0
    fields = ["payment", amount_display]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description=_("Exporter en CSV"))
def export_csv(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
    return csv_response(
        filename="factures.csv",
        header=[
            "matricule",
            "last_name",
            "first_name",
            "session",
            "invoice_number",
            "description",
            "due_date",
            "total",
            "paid",
            "balance",
            "status",
        ],
        rows=(
            [
                invoice.student.matricule,
                invoice.student.last_name,
                invoice.student.first_name,
                invoice.session,
                invoice.number,
                invoice.description,
                invoice.due_date.isoformat(),
                f"{invoice.total:.2f}",
                f"{invoice.paid:.2f}",
                f"{invoice.balance:.2f}",
                invoice.status,
            ]
            for invoice in invoices_with_balance(queryset.select_related("student"))
        ),
    )


class InPersonPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Mode de paiement"),
        choices=[
            (value, label)
            for value, label in Payment.Provider.choices
            if value in Payment.IN_PERSON
        ],
    )
    amount = forms.DecimalField(
        label=_("Montant reçu"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("Vide : le solde complet des factures choisies."),
    )


@admin.register(Invoice)
class InvoiceAdmin(StudentSearchMixin, RecordAccessMixin, ImportableAdmin):
    access_what = RecordAccess.What.INVOICE
    list_display = [
        "number",
        "student",
        "session",
        "description",
        "due_date",
        "status",
        "balance_display",
    ]
    list_filter = [OverdueFilter, "status", "session"]
    # A student (see StudentSearchMixin) or the start of an invoice number.
    search_fields = ["^number", "^student__matricule", "student__last_name", "student__first_name"]
    list_select_related = ["student"]
    autocomplete_fields = ["student"]
    show_full_result_count = False

    def own_search(self, word: str) -> Q:
        return Q(number__istartswith=word)

    inlines = [InvoiceLineInline, AllocationInline]
    actions = [export_csv, "record_payment"]

    @admin.display(description=_("solde"), ordering="stored_balance")
    def balance_display(self, invoice: Invoice) -> str:
        return money(invoice.stored_balance)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Lines added, changed or deleted here: the invoice's stored balance follows."""
        super().save_related(request, form, formsets, change)
        invoice_balances_refresh([form.instance.pk])

    def has_record_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_payment")

    @admin.action(description=_("Enregistrer un paiement en personne"), permissions=["record"])
    def record_payment(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        invoices = list(invoices_with_balance(queryset.select_related("student")))
        students = {invoice.student_id for invoice in invoices}
        if len(students) != 1:
            self.message_user(
                request, _("Choisissez les factures d'un seul étudiant."), messages.ERROR
            )
            return None
        form = InPersonPaymentForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            try:
                payment = services.payment_record_in_person(
                    request=request,
                    actor=request.user,
                    student=Student.objects.get(pk=students.pop()),
                    invoices=invoices,
                    method=form.cleaned_data["method"],
                    amount=form.cleaned_data["amount"],
                )
            except services.PaymentError:
                self.message_user(
                    request,
                    _("Montant refusé : il doit être positif et ne pas dépasser le solde."),
                    messages.ERROR,
                )
                return None
            self.message_user(
                request,
                _("Paiement %(reference)s enregistré ; relevé %(receipt)s.")
                % {"reference": payment.reference, "receipt": payment.receipt.number},
            )
            return None
        return render(
            request,
            "admin/billing/record_payment.html",
            {
                **self.admin_site.each_context(request),
                "invoices": invoices,
                "form": form,
                "title": _("Enregistrer un paiement en personne"),
                "opts": self.model._meta,
            },
        )


class PaymentAllocationInline(TabularInline):
    model = Allocation
    extra = 0
    fields = ["invoice", amount_display]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


@admin.register(Payment)
class PaymentAdmin(StudentSearchMixin, RecordAccessMixin, admin.ModelAdmin):
    access_what = RecordAccess.What.PAYMENT

    def access_item(self, obj: Payment) -> str:
        return obj.reference

    list_display = [
        "reference",
        "student",
        amount_display,
        "provider",
        "status",
        "created_at",
        "completed_at",
    ]
    list_filter = ["status", "provider", "created_at"]
    search_fields = [
        "^reference",
        "^student__matricule",
        "student__last_name",
        "provider_session_id",
    ]
    list_select_related = ["student"]
    show_full_result_count = False

    def own_search(self, word: str) -> Q:
        return Q(reference__istartswith=word) | Q(provider_session_id=word)

    # Everything read only; the amount as the registrar's language writes it.
    fields = readonly_fields = [
        "cancel_link",
        *[
            amount_display if field.name == "amount" else field.name
            for field in Payment._meta.fields
        ],
    ]
    inlines = [PaymentAllocationInline]

    @admin.display(description=_("annuler ou rembourser"))
    def cancel_link(self, payment: Payment) -> str:
        if payment.status not in (Payment.Status.PENDING, Payment.Status.SUCCEEDED):
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:billing_payment_cancel", args=[payment.pk]),
            _("Annuler ou rembourser…"),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/annuler/",
                self.admin_site.admin_view(self.cancel_view),
                name="billing_payment_cancel",
            ),
            *super().get_urls(),
        ]

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Cancel (pending) or refund (approved), with a reason; audited."""
        payment = get_object_or_404(Payment.objects.select_related("student"), pk=pk)
        if not request.user.has_perm("billing.change_payment"):
            raise PermissionDenied
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.payment_cancel(
                    request=request,
                    actor=request.user,
                    payment=payment,
                    reason=form.cleaned_data["reason"],
                )
            except services.PaymentError:
                self.message_user(
                    request, _("Ce paiement ne peut être ni annulé ni remboursé."), messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("Paiement %(reference)s : %(status)s.")
                    % {
                        "reference": payment.reference,
                        "status": Payment.objects.get(pk=pk).get_status_display(),
                    },
                )
            return redirect(reverse("admin:billing_payment_change", args=[pk]))
        return render(
            request,
            "admin/billing/cancel_payment.html",
            {
                **self.admin_site.each_context(request),
                "payment": payment,
                "form": form,
                "title": _("Annuler ou rembourser un paiement"),
                "opts": self.model._meta,
            },
        )


@admin.register(Receipt)
class ReceiptAdmin(RecordAccessMixin, admin.ModelAdmin):
    access_what = RecordAccess.What.RECEIPT

    def access_students(self, obj: Receipt) -> list[Student]:
        return [obj.payment.student] if obj.payment.student_id else []

    list_display = ["number", "payment", "issued_at"]
    search_fields = ["number", "payment__reference", "payment__student__matricule"]
    list_select_related = ["payment"]
    readonly_fields = ["number", "payment", "issued_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(InvoiceReminder)
class InvoiceReminderAdmin(admin.ModelAdmin):
    """What `send_invoice_reminders` sent: read only, the job alone writes here."""

    list_display = ["invoice", "kind", "due_date", "email", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["invoice__number", "invoice__student__matricule", "email"]
    list_select_related = ["invoice"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
