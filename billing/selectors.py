"""Reads of the payment centre. Balances are computed in the database, one query for a whole
statement whatever its length."""

from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404
from django.utils import timezone

from billing.models import ZERO, Allocation, Invoice, InvoiceLine, Payment, Receipt
from students.models import Student

MONEY = DecimalField(max_digits=12, decimal_places=2)


def _sum(queryset: QuerySet) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.values("invoice").annotate(total=Sum("amount")).values("total")[:1],
            output_field=MONEY,
        ),
        Value(ZERO),
        output_field=MONEY,
    )


def invoices_with_balance(queryset: QuerySet | None = None) -> QuerySet:
    """Invoices annotated with total (fees kept), paid (approved payments) and balance."""
    queryset = Invoice.objects.all() if queryset is None else queryset
    total = _sum(InvoiceLine.objects.filter(invoice=OuterRef("pk"), removed=False))
    paid = _sum(
        Allocation.objects.filter(invoice=OuterRef("pk"), payment__status=Payment.Status.SUCCEEDED)
    )
    voluntary = Exists(InvoiceLine.objects.filter(invoice=OuterRef("pk"), voluntary=True))
    # Rounded in SQL: SQLite adds decimals as floats, and 10.05 + 25.10 - 35.15 is not 0 there.
    return queryset.annotate(
        total=Round(total, 2, output_field=MONEY),
        paid=Round(paid, 2, output_field=MONEY),
        has_voluntary=voluntary,
    ).annotate(balance=Round(F("total") - F("paid"), 2, output_field=MONEY))


def invoice_frozen(invoice: Invoice) -> bool:
    """Contributions stay as they are once a payment is approved or under way (an attempt
    whose time ran out does not count)."""
    return Allocation.objects.filter(
        Q(payment__status=Payment.Status.SUCCEEDED)
        | Q(payment__status=Payment.Status.PENDING, payment__expires_at__gt=timezone.now()),
        invoice=invoice,
    ).exists()


def invoices_open(student: Student) -> QuerySet:
    """The statement: the student's invoices still to pay, with their balance."""
    return (
        invoices_with_balance(Invoice.objects.filter(student=student, status=Invoice.Status.OPEN))
        .filter(balance__gt=0)
        .order_by("due_date", "number")
    )


def invoice_for_student(student: Student, number: str) -> Invoice:
    """404 alike for a missing invoice and another student's."""
    invoice = (
        invoices_with_balance(Invoice.objects.filter(student=student, number=number))
        .prefetch_related("lines")
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice


def balance_due(student: Student) -> Decimal:
    return sum((invoice.balance for invoice in invoices_open(student)), ZERO)


def has_overdue_balance(student: Student) -> bool:
    return invoices_open(student).filter(due_date__lt=timezone.localdate()).exists()


def payment_for_student(student: Student, reference: str) -> Payment:
    payment = Payment.objects.filter(student=student, reference=reference).first()
    if payment is None:
        raise Http404
    return payment


def receipt_for_student(student: Student, number: str) -> Receipt:
    receipt = (
        Receipt.objects.select_related("payment__student__school")
        .prefetch_related("payment__allocations__invoice")
        .filter(payment__student=student, number=number)
        .first()
    )
    if receipt is None:
        raise Http404
    return receipt
