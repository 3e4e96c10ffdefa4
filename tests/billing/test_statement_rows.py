"""The statement's rows (`billing.selectors.statement_invoices`, two plain queries) are the
invoices `invoices_open` gives, with the same balances, in the same order: partial and full
payments, removed and voluntary contributions, cents that add up to zero in floats, a
cancelled invoice, another student's invoices."""

from decimal import Decimal

from django.utils import timezone

from billing import selectors
from billing.balances import invoice_balances_refresh
from billing.models import Invoice, InvoiceLine
from tests.billing.test_statement import counter_payment, student_of
from tests.factories import make_invoice


def as_rows(invoices) -> list[tuple]:
    today = timezone.localdate()
    return [
        (
            i.number,
            i.session,
            i.description,
            i.due_date,
            Decimal(i.balance).quantize(Decimal("0.01")),
            bool(i.has_voluntary),
            i.due_date < today,
        )
        for i in invoices
    ]


def test_statement_rows_match_the_open_invoices_with_their_balance(bob, charlie):
    student = student_of(bob)
    cents = make_invoice(
        student, lines=(("A", "10.05", False), ("B", "25.10", False)), due_in_days=5
    )
    counter_payment(bob, cents, amount="35.15")  # paid: 10.05 + 25.10 - 35.15 is 0
    partial = make_invoice(
        student,
        lines=(("Droits", "275.00", False), ("Association", "12.50", True)),
        due_in_days=-3,
    )
    counter_payment(bob, partial, amount="100.00")
    removed = make_invoice(
        student, lines=(("Droits", "50.00", False), ("Fondation", "5.00", True)), due_in_days=9
    )
    InvoiceLine.objects.filter(invoice=removed, voluntary=True).update(removed=True)
    invoice_balances_refresh([removed.pk])  # a direct write: the stored balance follows
    make_invoice(student, number="FAC77777777", due_in_days=9)  # same date: by number
    cancelled = make_invoice(student, due_in_days=1)
    Invoice.objects.filter(pk=cancelled.pk).update(status=Invoice.Status.CANCELLED)
    make_invoice(student_of(charlie), due_in_days=2)

    rows = selectors.statement_invoices(student)
    assert as_rows(rows) == as_rows(selectors.invoices_open(student))
    assert [row.number for row in rows] == [partial.number, removed.number, "FAC77777777"]
    assert rows[0].balance == Decimal("187.50") and rows[0].is_overdue and rows[0].has_voluntary
    by_number = {row.number: row for row in rows}
    assert by_number[removed.number].balance == Decimal("50.00")
    assert by_number[removed.number].has_voluntary  # the star stays once removed
    assert not by_number["FAC77777777"].has_voluntary


def test_a_student_without_invoices_has_no_rows(bob):
    assert selectors.statement_invoices(student_of(bob)) == []


def test_an_invoice_paid_in_full_leaves_the_statement(bob):
    invoice = make_invoice(student_of(bob), due_in_days=10)
    assert [row.number for row in selectors.statement_invoices(student_of(bob))] == [invoice.number]
    counter_payment(bob, invoice)
    assert selectors.statement_invoices(student_of(bob)) == []
