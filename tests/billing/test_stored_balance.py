"""The invoices' stored balance (`Invoice.stored_balance`, what the admin's "À payer" reads):
each billing flow leaves it equal to the balance computed from the lines and approved payments.

Every test of the suite ends with that check too (tests/conftest.py, `_stored_balances_hold`),
so the other modules' flows (the school store's checkout, an attestation's fee, a late
confirmation's fee, Stripe's webhook) are guarded where they are tested; the flows below are
walked here one after the other, checking after each step.
"""

# Fixtures shared with test_statement.py are imported, and tests take them as arguments.
# ruff: noqa: F811

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from billing import services
from billing.balances import invoice_balances_refresh, invoices_drifted
from billing.models import Invoice, InvoiceLine, Payment
from billing.selectors import invoices_with_balance
from tests.billing.test_billing_admin import INVOICES, cancel, record_payment
from tests.billing.test_demo_provider import card, demo_url
from tests.billing.test_import_invoices import line, run, write_csv
from tests.billing.test_statement import (  # noqa: F401 (fixtures)
    activities,
    bob_client,
    pay_start,
    student_of,
    tuition,
)
from tests.factories import make_student


def stored(invoice: Invoice) -> Decimal:
    """The stored balance, after checking that it is the computed one."""
    row = invoices_with_balance(Invoice.objects.filter(pk=invoice.pk)).get()
    assert row.stored_balance == row.balance, (row.number, row.stored_balance, row.balance)
    return row.stored_balance


def unpaid(admin_client) -> set[str]:
    response = admin_client.get(INVOICES, {"solde": "unpaid"})
    return {invoice.number for invoice in response.context["cl"].result_list}


def test_every_flow_keeps_the_stored_balance(admin_client, bob_client, bob, tuition, activities):
    assert stored(tuition) == Decimal("350.00") and stored(activities) == Decimal("40.00")
    assert unpaid(admin_client) == {tuition.number, activities.number}

    # The student removes the voluntary contribution, then puts it back.
    contribution = tuition.lines.get(voluntary=True)
    details = reverse("billing:invoice", args=[tuition.number])
    bob_client.post(details, {"line": contribution.pk, "action": "remove"})
    assert stored(tuition) == Decimal("275.00")
    bob_client.post(details, {"line": contribution.pk, "action": "keep"})
    assert stored(tuition) == Decimal("350.00")

    # A part paid at the counter.
    record_payment(admin_client, tuition, method=Payment.Provider.CASH, amount="100.00")
    assert stored(tuition) == Decimal("250.00")
    assert unpaid(admin_client) == {tuition.number, activities.number}

    # The rest by card online (the demo processor's form).
    payment = pay_start(bob_client, tuition)
    assert stored(tuition) == Decimal("250.00")  # a pending attempt pays nothing yet
    bob_client.post(demo_url(payment), card())
    assert stored(tuition) == Decimal("0.00")
    assert unpaid(admin_client) == {activities.number}

    # Refunded in the admin: the invoice owes that part again.
    cancel(admin_client, Payment.objects.get(pk=payment.pk), "Erreur de facturation")
    assert stored(tuition) == Decimal("250.00")
    assert Invoice.objects.get(pk=tuition.pk).status == Invoice.Status.OPEN
    assert unpaid(admin_client) == {tuition.number, activities.number}

    # An attempt that fails changes nothing.
    failed = pay_start(bob_client, activities)
    bob_client.post(demo_url(failed), card("4000 0000 0000 0002"))
    assert stored(activities) == Decimal("40.00")

    # Cancelled: its balance stays what it owes, but it is no longer "À payer".
    services.invoice_cancel(request=None, actor=None, invoice=activities, reason="annulée")
    assert stored(activities) == Decimal("40.00")
    assert unpaid(admin_client) == {tuition.number}


def test_a_fee_charged_by_another_module(bob):
    """The late confirmation fee and the schedule change fee go through invoice_fee_charge."""
    invoice = services.invoice_fee_charge(
        student=student_of(bob),
        session="AUT-2026",
        description="Frais de confirmation tardive",
        amount=Decimal("25.00"),
        due_date=datetime.date(2026, 9, 1),
    )
    assert stored(invoice) == Decimal("25.00")


def test_the_admin_form_s_lines_update_the_balance(admin_client, tuition):
    url = reverse("admin:billing_invoice_change", args=[tuition.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        "student": tuition.student_id,
        "number": tuition.number,
        "session": tuition.session,
        "description": tuition.description,
        "due_date": tuition.due_date.isoformat(),
        "status": tuition.status,
        "lines-TOTAL_FORMS": "4",
        "lines-INITIAL_FORMS": "3",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "allocations-TOTAL_FORMS": "0",
        "allocations-INITIAL_FORMS": "0",
        "allocations-MIN_NUM_FORMS": "0",
        "allocations-MAX_NUM_FORMS": "1000",
    }
    assert form.instance == tuition
    for index, fee in enumerate(tuition.lines.order_by("position")):
        data |= {
            f"lines-{index}-id": fee.pk,
            f"lines-{index}-invoice": tuition.pk,
            f"lines-{index}-description": fee.description,
            f"lines-{index}-amount": "200.00" if index == 0 else fee.amount,
            f"lines-{index}-voluntary": "on" if fee.voluntary else "",
            f"lines-{index}-position": fee.position,
        }
    data |= {
        "lines-3-invoice": tuition.pk,
        "lines-3-description": "Stationnement",
        "lines-3-amount": "60.00",
        "lines-3-position": "3",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert stored(tuition) == Decimal("435.00")  # 200 + 100 + 75 + 60


def test_the_invoices_import_stores_the_balance(tmp_path, institution):
    make_student(institution, matricule="2026201", last_name="Côté", first_name="Étienne")
    path = write_csv(
        tmp_path / "factures.csv",
        [line("FAC-1", "Droits", "175.00"), line("FAC-1", "Association", "25.00", "oui")],
    )
    run(path)
    assert stored(Invoice.objects.get(number="FAC-1")) == Decimal("200.00")
    write_csv(path, [line("FAC-1", "Droits", "180.00"), line("FAC-1", "Association", "25.00")])
    run(path)
    assert stored(Invoice.objects.get(number="FAC-1")) == Decimal("205.00")


def test_check_balances_reports_and_fixes_drift(tuition):
    out = io.StringIO()
    call_command("check_balances", stdout=out)
    assert "Every invoice's stored balance is right." in out.getvalue()

    # A write that bypassed the services: the lines changed, the stored balance did not.
    InvoiceLine.objects.filter(invoice=tuition).update(amount=Decimal("10.00"))
    with pytest.raises(CommandError, match="1 invoice balance"):
        call_command("check_balances", stdout=out)
    assert f"{tuition.number}: stored 350.00, computed 30.00" in out.getvalue()

    out = io.StringIO()
    call_command("check_balances", "--fix", stdout=out)
    assert "1 invoice balance(s) fixed." in out.getvalue()
    assert not invoices_drifted().exists()
    assert stored(tuition) == Decimal("30.00")
    assert invoice_balances_refresh([tuition.pk]) == 0  # nothing left to change


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_leave_the_stored_balance_right(bob, tuition):
    """Two counter payments of one invoice committed at the same moment, from two
    connections: each refresh sees the other's payment once it is committed."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises every writer anyway")
    student = student_of(bob)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def pay(amount: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.payment_record_in_person(
                request=None,
                actor=None,
                student=student,
                invoices=[tuition],
                method=Payment.Provider.CASH,
                amount=Decimal(amount),
            )
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(amount,)) for amount in ("100.00", "50.00")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 2
    assert stored(tuition) == Decimal("200.00")
