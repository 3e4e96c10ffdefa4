"""Reads of the payment centre. Balances are computed in the database, one query for a whole
statement whatever its length."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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
from portal.prepared import prepared
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


def _total_and_paid() -> tuple[Subquery, Subquery]:
    """An invoice's fees kept and its approved payments, as expressions on the invoice's row."""
    total = _sum(InvoiceLine.objects.filter(invoice=OuterRef("pk"), removed=False))
    paid = _sum(
        Allocation.objects.filter(invoice=OuterRef("pk"), payment__status=Payment.Status.SUCCEEDED)
    )
    return total, paid


def balance_expression() -> Round:
    """An invoice's balance computed from its lines and payments: what `stored_balance` must
    equal (billing.balances keeps it so, and `check_balances` verifies it)."""
    total, paid = _total_and_paid()
    return Round(total - paid, 2, output_field=MONEY)


def invoices_with_balance(queryset: QuerySet | None = None) -> QuerySet:
    """Invoices annotated with total (fees kept), paid (approved payments) and balance."""
    queryset = Invoice.objects.all() if queryset is None else queryset
    total, paid = _total_and_paid()
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


@dataclass(frozen=True)
class StatementInvoice:
    """An invoice as the statement shows it."""

    number: str
    session: str
    description: str
    due_date: datetime.date
    balance: Decimal
    has_voluntary: bool
    is_overdue: bool


def statement_payments(student: Student) -> list[Payment]:
    """The statement's latest payments (ten, succeeded) with their receipts, in SQL compiled
    once per process (portal/prepared.py)."""
    return prepared(
        "statement-payments",
        lambda values: (
            Payment.objects.filter(student_id=values["student"], status=Payment.Status.SUCCEEDED)
            .select_related("receipt")[:10]
        ),
        {"student": student.pk},
    )


def statement_invoices(student: Student) -> list[StatementInvoice]:
    """The statement's rows, as `invoices_open` gives them (open, a balance left, by due date
    then number), in two plain queries: the open invoices' lines, summed here exactly, and
    what approved payments put on them, summed by the database. Both of one shape, their SQL
    compiled once per process (portal/prepared.py)."""
    lines = prepared(
        "statement-lines",
        lambda values: (
            InvoiceLine.objects.filter(
                invoice__student_id=values["student"], invoice__status=Invoice.Status.OPEN
            )
            .order_by("invoice__due_date", "invoice__number")
            .values_list(
                "invoice_id",
                "invoice__number",
                "invoice__session",
                "invoice__description",
                "invoice__due_date",
                "amount",
                "voluntary",
                "removed",
            )
        ),
        {"student": student.pk},
    )
    invoices: dict[int, list] = {}
    for pk, number, session, description, due_date, amount, voluntary, removed in lines:
        row = invoices.get(pk)
        if row is None:
            row = invoices[pk] = [number, session, description, due_date, ZERO, False]
        if not removed:
            row[4] += amount
        row[5] = row[5] or voluntary
    if not invoices:
        return []
    # What approved payments put on the student's open invoices (those without lines too,
    # which the loop below never reads).
    paid = dict(
        prepared(
            "statement-paid",
            lambda values: (
                Allocation.objects.filter(
                    invoice__student_id=values["student"],
                    invoice__status=Invoice.Status.OPEN,
                    payment__status=Payment.Status.SUCCEEDED,
                )
                .order_by()
                .values("invoice_id")
                .annotate(paid=Sum("amount"))
                .values_list("invoice_id", "paid")
            ),
            {"student": student.pk},
        )
    )
    today = timezone.localdate()
    found = []
    for pk, (number, session, description, due_date, total, voluntary) in invoices.items():
        # Rounded: SQLite sums decimals as floats (see invoices_with_balance).
        balance = total - round(paid.get(pk) or ZERO, 2)
        if balance > 0:
            found.append(
                StatementInvoice(
                    number, session, description, due_date, balance, voluntary, due_date < today
                )
            )
    return found


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


def _open_balances(**filters: Any) -> QuerySet:
    """The open invoices still owing something, by their stored balance (decision 0013)."""
    return Invoice.objects.filter(status=Invoice.Status.OPEN, stored_balance__gt=0, **filters)


def balance_due_expression() -> Subquery:
    """The student's balance due (the sum of their open invoices' stored balances), as a
    scalar subquery on the student's row (`OuterRef("pk")`): the home page reads it with the
    student (students.home.student_row_extra)."""
    return Subquery(
        _open_balances(student=OuterRef("pk"))
        .order_by()
        .values("student")
        .annotate(due=Sum("stored_balance"))
        .values("due")[:1],
        output_field=Invoice._meta.get_field("stored_balance"),
    )


def overdue_expression(today: datetime.date) -> Exists:
    """Whether the student (`OuterRef("pk")`) owes on a registrar invoice past its due date
    (see `has_overdue_balance`), as an EXISTS on the student's row."""
    return Exists(
        _open_balances(
            student=OuterRef("pk"),
            due_date__lt=today,
            store_order__isnull=True,
        )
    )


def balance_amount(total: Decimal | None) -> Decimal:
    return ZERO if total is None else Decimal(total).quantize(ZERO)


def balance_due(student: Student) -> Decimal:
    """The sum of the open invoices' balances: one aggregate of their stored balance, which
    every write that changes an invoice's lines or payments refreshes in its transaction
    (billing.balances). The statement (/paiement/) still computes each invoice's balance."""
    total = _open_balances(student=student).aggregate(due=Sum("stored_balance"))["due"]
    return balance_amount(total)


def has_overdue_balance(student: Student) -> bool:
    """An overdue registrar invoice. A school-store order a parent left unpaid never restricts
    the child's portal (the parents' app links it as `store_order`). Reads the stored balance:
    one indexed query."""
    return _open_balances(
        student=student, due_date__lt=timezone.localdate(), store_order__isnull=True
    ).exists()


def payments_of_student(student: Student) -> QuerySet[Payment]:
    """A student's payments: every payment of their invoices, whoever made it."""
    return Payment.objects.filter(student=student)


# Who decides which students a payer may still reach: the app that knows them (the parents'
# portal registers its access rule), so that billing imports no app above it. Unlinking a
# child, or the child coming of age, then ends the parent's access to its payments too.
PayerReach = Callable[[Any, Any], QuerySet]
_PAYER_REACH: list[PayerReach] = []


def payer_reach_register(reach: PayerReach) -> PayerReach:
    """Registers `reach(user, institution)`: the students whose payments the payer may see."""
    _PAYER_REACH.append(reach)
    return reach


def payments_of_payer(user: object, institution: object) -> QuerySet[Payment]:
    """The payments a person made for someone else (a parent in the school store), for the
    students they may still reach; none when no app says who they may reach."""
    if not _PAYER_REACH:
        return Payment.objects.none()
    payments = Payment.objects.filter(payer=user)
    for reach in _PAYER_REACH:
        payments = payments.filter(student__in=reach(user, institution))
    return payments


def payment_for(scope: QuerySet[Payment], reference: str) -> Payment:
    """One payment of the scope, or 404 alike for a missing one and one outside it."""
    payment = scope.filter(reference=reference).first()
    if payment is None:
        raise Http404
    return payment


def receipt_for(scope: QuerySet[Payment], number: str) -> Receipt:
    """The receipt of one payment of the scope, or 404 alike for missing and not yours."""
    receipt = (
        Receipt.objects.select_related("payment__student__school", "payment__payer")
        .prefetch_related("payment__allocations__invoice")
        .filter(payment__in=scope.values("pk"), number=number)
        .first()
    )
    if receipt is None:
        raise Http404
    return receipt


def receipts_by_invoice(payer: object, invoice_ids: list[int]) -> dict[int, Receipt]:
    """The receipt of the approved payment this payer made for each of these invoices (the
    latest, should there be more than one), keyed by invoice id: one query."""
    found: dict[int, Receipt] = {}
    allocations = (
        Allocation.objects.filter(
            invoice_id__in=invoice_ids,
            payment__payer=payer,
            payment__status=Payment.Status.SUCCEEDED,
        )
        .select_related("payment__receipt")
        .order_by("payment__completed_at")
    )
    for allocation in allocations:
        receipt = getattr(allocation.payment, "receipt", None)
        if receipt is not None:
            found[allocation.invoice_id] = receipt
    return found
