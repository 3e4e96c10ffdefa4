"""The payment centre's background work: the receipt emailed with its PDF (drawn by the worker,
not during the payment's request) and the reminders of invoices coming due."""

import base64
import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import translation

from billing.models import Invoice, InvoiceReminder, Receipt
from billing.receipts import receipt_pdf
from billing.selectors import invoices_with_balance
from portal.emails import email_send
from portal.selectors import institution_current
from portal.tasks import retried_task
from students.selectors import student_email


@retried_task()
def receipt_email_deliver(*, receipt_id: int, email: str, language: str) -> None:
    """Draws the receipt's PDF and queues the email that carries it."""
    receipt = Receipt.objects.select_related("payment__student__school", "payment__payer").get(
        pk=receipt_id
    )
    institution = institution_current()
    with translation.override(language):
        pdf = receipt_pdf(receipt, institution, None)
    email_send(
        to=email,
        template="receipt",
        context={"receipt": receipt, "payment": receipt.payment},
        language=language,
        institution=institution,
        attachments=[(f"{receipt.number}.pdf", base64.b64encode(pdf).decode(), "application/pdf")],
    )


@retried_task()
def invoice_reminder_send(*, invoice_id: int, kind: str, today: str) -> str:
    """One reminder about one invoice, recorded then emailed (after commit) to the student's
    address; nothing when the invoice was paid or moved meanwhile, or was already reminded."""
    day = datetime.date.fromisoformat(today)
    with transaction.atomic():
        invoice = (
            invoices_with_balance(Invoice.objects.filter(pk=invoice_id))
            .select_related("student__user")
            .first()
        )
        if invoice is None or invoice.status != Invoice.Status.OPEN or invoice.balance <= 0:
            return "paid"
        if (kind == InvoiceReminder.Kind.OVERDUE) != (invoice.due_date < day):
            return "moved"
        student = invoice.student
        email = student_email(student)
        if not email:
            return "no email"
        _reminder, created = InvoiceReminder.objects.get_or_create(
            invoice=invoice, kind=kind, due_date=invoice.due_date, defaults={"email": email}
        )
        if not created:
            return "already sent"
        email_send(
            to=email,
            template="invoice_reminder",
            context={
                "invoice": invoice,
                "student": student,
                "overdue": kind == InvoiceReminder.Kind.OVERDUE,
                "statement_path": reverse("billing:statement"),
            },
        )
    return "sent"
