"""`send_invoice_reminders`: an email when an invoice comes due and when it is overdue, once per
invoice, kind and due date, never for what is paid or for a parent's store order."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import Invoice, InvoiceReminder
from portal.templatetags.portal_format import format_when
from tests.factories import make_invoice


@pytest.fixture
def student(bob):
    bob.email = "bob@etudiant.example"
    bob.save(update_fields=["email"])
    return bob.student


def remind(commit, **options):
    with commit():
        call_command("send_invoice_reminders", stdout=None, **options)


def test_an_invoice_coming_due_is_reminded_once(commit, student):
    invoice = make_invoice(student, due_in_days=5, lines=(("Droits", "275.00", False),))
    make_invoice(student, due_in_days=30)  # not yet: outside the 7 days

    remind(commit)
    remind(commit)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@etudiant.example"]
    due = format_when(invoice.due_date)
    assert f"la facture {invoice.number} est à payer d'ici le {due}" in message.subject
    assert "a un solde de 275,00 $ à payer au plus tard le" in message.body
    assert "http://127.0.0.1:8000/paiement/" in message.body
    reminder = InvoiceReminder.objects.get()
    assert (reminder.invoice, reminder.kind, reminder.due_date) == (
        invoice,
        InvoiceReminder.Kind.DUE_SOON,
        invoice.due_date,
    )


def test_an_overdue_invoice_gets_its_own_reminder_then_none(commit, student):
    invoice = make_invoice(student, due_in_days=2)
    remind(commit)
    later = timezone.localdate() + datetime.timedelta(days=3)
    remind(commit, date=later)
    remind(commit, date=later + datetime.timedelta(days=1))

    assert len(mail.outbox) == 2
    assert f"la facture {invoice.number} est en souffrance" in mail.outbox[1].subject
    assert "est passée" in mail.outbox[1].body
    assert set(InvoiceReminder.objects.values_list("kind", flat=True)) == {"due_soon", "overdue"}


def test_a_new_due_date_earns_a_new_reminder(commit, student):
    invoice = make_invoice(student, due_in_days=3)
    remind(commit)
    Invoice.objects.filter(pk=invoice.pk).update(
        due_date=invoice.due_date + datetime.timedelta(days=2)
    )
    remind(commit)
    assert len(mail.outbox) == 2


def test_paid_cancelled_and_store_invoices_get_no_reminder(commit, student):
    paid = make_invoice(student, due_in_days=-3)
    Invoice.objects.filter(pk=paid.pk).update(status=Invoice.Status.PAID)
    cancelled = make_invoice(student, due_in_days=2)
    Invoice.objects.filter(pk=cancelled.pk).update(status=Invoice.Status.CANCELLED)
    nothing_due = make_invoice(student, due_in_days=2, lines=(("Cotisation", "0.00", False),))
    assert nothing_due

    remind(commit)

    assert mail.outbox == []
    assert not InvoiceReminder.objects.exists()


def test_a_student_without_email_is_skipped_and_reminded_once_an_address_exists(commit, bob):
    make_invoice(bob.student, due_in_days=1)
    remind(commit)
    assert mail.outbox == []

    bob.student.email = "bob.maison@example.org"
    bob.student.save(update_fields=["email"])
    remind(commit)
    assert [message.to for message in mail.outbox] == [["bob.maison@example.org"]]


def test_staff_who_may_see_reminders_find_them_in_the_admin(client, commit, student):
    invoice = make_invoice(student, due_in_days=1)
    remind(commit)
    staff = User.objects.create_user("percepteur", password="Percepteur-2026", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_invoicereminder"))
    client.force_login(staff)

    listing = client.get(reverse("admin:billing_invoicereminder_changelist"))

    assert listing.status_code == 200
    assert invoice.number in listing.text
    assert "bob@etudiant.example" in listing.text
    assert "Ajouter" not in listing.text
