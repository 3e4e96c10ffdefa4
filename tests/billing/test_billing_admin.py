"""The registrar's side of the payment centre, in the admin: payments made at the counter,
cancelling and refunding with a reason, the unpaid and overdue filters, the CSV export."""

# Fixtures shared with test_statement.py are imported, and tests take them as arguments.
# ruff: noqa: F811

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from billing.models import Allocation, Invoice, Payment, Receipt
from portal.models import AuditEvent
from tests.accounts.test_first_use import page
from tests.billing.test_demo_provider import card, demo_url
from tests.billing.test_statement import (  # noqa: F401 (fixtures)
    activities,
    balance_shown,
    bob_client,
    charlies,
    counter_payment,
    pay_start,
    student_of,
    tuition,
    visible,
)
from tests.factories import make_invoice

INVOICES = reverse("admin:billing_invoice_changelist")
REFUSED_AMOUNT = "Montant refusé : il doit être positif et ne pas dépasser le solde."


def record_payment(admin_client: Client, *invoices: Invoice, **form: str):
    """The action's second step: the form confirmed with a method and an amount."""
    return admin_client.post(
        INVOICES,
        {
            "action": "record_payment",
            "_selected_action": [invoice.pk for invoice in invoices],
            "confirm": "1",
            **form,
        },
    )


def cancel(admin_client: Client, payment: Payment, reason: str):
    return admin_client.post(
        reverse("admin:billing_payment_cancel", args=[payment.pk]), {"reason": reason}
    )


def statuses(*invoices: Invoice) -> list[str]:
    return [Invoice.objects.get(pk=invoice.pk).status for invoice in invoices]


def test_the_invoice_list_offers_both_actions(admin_client, tuition):
    text = page(admin_client.get(INVOICES))
    assert '<option value="record_payment">Enregistrer un paiement en personne</option>' in text
    assert '<option value="export_csv">Exporter en CSV</option>' in text
    assert "350,00 $" in text


@pytest.mark.exact_spaces
def test_the_admin_groups_the_thousands_in_both_languages(admin_client, bob):
    make_invoice(
        student_of(bob),
        number="FAC00000900",
        lines=(("Droits de scolarité à temps partiel", "1234.50", False),),
        due_in_days=20,
    )
    assert (
        "1\N{NO-BREAK SPACE}234,50\N{NO-BREAK SPACE}$"
        in admin_client.get(INVOICES).content.decode()
    )
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "$1,234.50" in admin_client.get(INVOICES).content.decode()
    invoice = Invoice.objects.get(number="FAC00000900")
    response = admin_client.post(
        INVOICES, {"action": "record_payment", "_selected_action": [invoice.pk]}
    )
    assert "$1,234.50" in response.content.decode()


# --- Payments at the counter ----------------------------------------------------------------


def test_the_action_first_asks_for_the_method_and_amount(admin_client, tuition, activities):
    response = admin_client.post(
        INVOICES,
        {"action": "record_payment", "_selected_action": [tuition.pk, activities.pk]},
    )
    assert response.status_code == 200
    text = page(response)
    assert "Enregistrer un paiement en personne" in text
    assert "FAC00000397" in text and "FAC00000398" in text
    for method in ("Comptant", "Carte de débit", "Chèque certifié", "Carte de crédit au comptoir"):
        assert method in text
    assert "Montant reçu" in text
    assert not Payment.objects.exists()


@pytest.mark.parametrize("method", ["cash", "debit", "cheque", "card"])
def test_recording_a_payment_at_the_counter(
    admin_client, admin_user, bob, bob_client, tuition, activities, method
):
    response = record_payment(admin_client, tuition, activities, method=method, amount="")
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.provider == method
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.amount == Decimal("390.00")
    assert payment.recorded_by == admin_user
    assert payment.student == student_of(bob)
    receipt = Receipt.objects.get(payment=payment)
    assert receipt.number.startswith("REC")
    assert statuses(tuition, activities) == [Invoice.Status.PAID, Invoice.Status.PAID]
    message = f"Paiement {payment.reference} enregistré ; relevé {receipt.number}."
    assert message in page(admin_client.get(response["Location"]))

    event = AuditEvent.objects.get(kind="billing.payment_recorded")
    assert event.actor == admin_user
    assert event.subject == bob
    assert event.details == {
        "payment": payment.reference,
        "amount": "390.00",
        "method": method,
        "receipt": receipt.number,
    }
    # The student sees a zero balance and the counter's receipt.
    assert balance_shown(bob_client) == "0,00"
    text = visible(bob_client.get(reverse("billing:receipt", args=[receipt.number])))
    assert "Montant 390,00 $" in text
    assert f"Carte {payment.get_provider_display()}" in text


def test_a_partial_payment_goes_to_the_earliest_due_invoice_first(admin_client, bob, bob_client):
    later = make_invoice(student_of(bob), number="FAC00000600", due_in_days=60)
    sooner = make_invoice(
        student_of(bob),
        number="FAC00000601",
        lines=(("Frais de retard", "25.00", False),),
        due_in_days=5,
    )
    response = record_payment(admin_client, later, sooner, method="cash", amount="100.00")
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.amount == Decimal("100.00")
    assert {a.invoice.number: a.amount for a in payment.allocations.all()} == {
        "FAC00000601": Decimal("25.00"),
        "FAC00000600": Decimal("75.00"),
    }
    assert statuses(sooner, later) == [Invoice.Status.PAID, Invoice.Status.OPEN]
    assert balance_shown(bob_client) == "200,00"


@pytest.mark.parametrize("amount", ["350.01", "1000.00", "0.00", "-5.00"])
def test_an_amount_over_the_balance_or_not_positive_is_refused(admin_client, tuition, amount):
    response = record_payment(admin_client, tuition, method="cash", amount=amount)
    assert response.status_code == 302
    assert REFUSED_AMOUNT in page(admin_client.get(response["Location"]))
    assert not Payment.objects.exists()
    assert statuses(tuition) == [Invoice.Status.OPEN]
    assert not AuditEvent.objects.filter(kind="billing.payment_recorded").exists()


def test_an_unknown_method_is_refused(admin_client, tuition):
    response = record_payment(admin_client, tuition, method="stripe", amount="")
    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_one_student_at_a_time(admin_client, tuition, charlies):
    response = record_payment(admin_client, tuition, charlies, method="cash", amount="")
    assert "Choisissez les factures d'un seul étudiant." in page(
        admin_client.get(response["Location"])
    )
    assert not Payment.objects.exists()


def test_staff_only(client, bob, tuition):
    client.force_login(bob)
    record_payment(client, tuition, method="cash", amount="")
    assert not Payment.objects.exists()


# --- Cancelling and refunding ---------------------------------------------------------------


def test_cancelling_a_pending_payment(admin_client, admin_user, bob, bob_client, tuition):
    pending = pay_start(bob_client, tuition)
    url = reverse("admin:billing_payment_cancel", args=[pending.pk])
    text = page(admin_client.get(url))
    assert "Ce paiement en cours sera annulé." in text
    response = cancel(admin_client, pending, "Abandonné au comptoir")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:billing_payment_change", args=[pending.pk])
    pending = Payment.objects.get(pk=pending.pk)
    assert pending.status == Payment.Status.CANCELLED
    assert pending.reason == "Abandonné au comptoir"
    assert f"Paiement {pending.reference} : Annulé." in page(admin_client.get(response["Location"]))
    event = AuditEvent.objects.get(kind="billing.payment_cancelled")
    assert event.actor == admin_user
    assert event.subject == bob
    assert event.details["reason"] == "Abandonné au comptoir"
    # The card form no longer takes the cancelled attempt.
    bob_client.post(demo_url(pending), card())
    assert Payment.objects.get(pk=pending.pk).status == Payment.Status.CANCELLED
    assert statuses(tuition) == [Invoice.Status.OPEN]


def test_refunding_an_approved_payment_opens_its_invoices_again(
    admin_client, admin_user, bob, bob_client, tuition, activities
):
    payment = pay_start(bob_client, tuition, activities)
    bob_client.post(demo_url(payment), card())
    assert balance_shown(bob_client) == "0,00"
    text = page(admin_client.get(reverse("admin:billing_payment_cancel", args=[payment.pk])))
    assert "Ce paiement approuvé sera remboursé" in text

    cancel(admin_client, payment, "Erreur de facturation")
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.status == Payment.Status.REFUNDED
    assert payment.reason == "Erreur de facturation"
    assert statuses(tuition, activities) == [Invoice.Status.OPEN, Invoice.Status.OPEN]
    assert balance_shown(bob_client) == "390,00"
    event = AuditEvent.objects.get(kind="billing.payment_refunded")
    assert event.actor == admin_user
    assert event.subject == bob
    assert event.details == {
        "payment": payment.reference,
        "amount": "390.00",
        "reason": "Erreur de facturation",
    }


def test_refunding_a_counter_payment(admin_client, bob, tuition):
    payment = counter_payment(bob, tuition)
    cancel(admin_client, payment, "Chèque sans provision")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.REFUNDED
    assert statuses(tuition) == [Invoice.Status.OPEN]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(admin_client, bob, tuition, reason):
    payment = counter_payment(bob, tuition)
    response = cancel(admin_client, payment, reason)
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page(response)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert statuses(tuition) == [Invoice.Status.PAID]
    assert not AuditEvent.objects.filter(kind="billing.payment_refunded").exists()


def test_a_payment_is_refunded_once(admin_client, bob, tuition):
    payment = counter_payment(bob, tuition)
    cancel(admin_client, payment, "Erreur")
    response = cancel(admin_client, payment, "Encore")
    assert "Ce paiement ne peut être ni annulé ni remboursé." in page(
        admin_client.get(response["Location"])
    )
    assert Payment.objects.get(pk=payment.pk).reason == "Erreur"
    assert AuditEvent.objects.filter(kind="billing.payment_refunded").count() == 1


def test_refunding_one_of_two_payments_leaves_the_invoice_partly_paid(
    admin_client, bob, bob_client, tuition
):
    first = counter_payment(bob, tuition, amount="100.00")
    counter_payment(bob, tuition)
    assert statuses(tuition) == [Invoice.Status.PAID]
    cancel(admin_client, first, "Erreur de saisie")
    assert statuses(tuition) == [Invoice.Status.OPEN]
    assert balance_shown(bob_client) == "100,00"


def test_cancelling_a_stale_attempt_does_not_reopen_an_invoice_paid_otherwise(
    admin_client, bob, bob_client, tuition
):
    # The student gave up on the card form and paid at the counter; staff clean up the attempt.
    stale = pay_start(bob_client, tuition)
    counter_payment(bob, tuition)
    cancel(admin_client, stale, "Payé au comptoir")
    assert Payment.objects.get(pk=stale.pk).status == Payment.Status.CANCELLED
    assert statuses(tuition) == [Invoice.Status.PAID]


# --- Filters and export ---------------------------------------------------------------------


@pytest.fixture
def ledger(bob, charlie):
    """An invoice in every state: to pay, overdue, partly paid, paid."""
    upcoming = make_invoice(student_of(bob), number="FAC00000701", due_in_days=10)
    overdue = make_invoice(student_of(charlie), number="FAC00000702", due_in_days=-5)
    partly = make_invoice(student_of(bob), number="FAC00000703", due_in_days=-1)
    paid = make_invoice(student_of(bob), number="FAC00000704", due_in_days=-30)
    counter_payment(bob, partly, amount="100.00")
    counter_payment(bob, paid)
    return {"upcoming": upcoming, "overdue": overdue, "partly": partly, "paid": paid}


def listed(admin_client: Client, **params: str) -> set[str]:
    text = page(admin_client.get(INVOICES, params))
    return {number for number in ("701", "702", "703", "704") if f"FAC00000{number}" in text}


def test_filters_unpaid_and_overdue(admin_client, ledger):
    assert listed(admin_client) == {"701", "702", "703", "704"}
    assert listed(admin_client, solde="unpaid") == {"701", "702", "703"}
    assert listed(admin_client, solde="overdue") == {"702", "703"}
    text = page(admin_client.get(INVOICES, {"solde": "overdue"}))
    assert "En souffrance" in text
    assert "175,00 $" in text  # what is left of FAC00000703


def test_csv_export_keeps_accents(admin_client, ledger):
    pks = [invoice.pk for invoice in ledger.values()]
    response = admin_client.post(INVOICES, {"action": "export_csv", "_selected_action": pks})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="factures.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
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
    ]
    by_number = {row[4]: row for row in rows[1:]}
    assert set(by_number) == {"FAC00000701", "FAC00000702", "FAC00000703", "FAC00000704"}
    overdue = by_number["FAC00000702"]
    assert overdue[:3] == ["2026103", "Côté", "Charlie"]
    assert overdue[5] == "Droits de scolarité"
    assert overdue[6] == ledger["overdue"].due_date.isoformat()
    assert overdue[7:] == ["275.00", "0.00", "275.00", "open"]
    assert by_number["FAC00000703"][7:] == ["275.00", "100.00", "175.00", "open"]
    assert by_number["FAC00000704"][7:] == ["275.00", "275.00", "0.00", "paid"]


def test_allocations_show_on_the_invoice_page(admin_client, bob, tuition):
    payment = counter_payment(bob, tuition)
    text = page(admin_client.get(reverse("admin:billing_invoice_change", args=[tuition.pk])))
    assert payment.reference in text
    assert Allocation.objects.filter(invoice=tuition).count() == 1
