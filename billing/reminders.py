"""Reminders of invoices coming due and overdue (`manage.py send_invoice_reminders`, daily).

The job only picks the invoices and queues one task each; the task (billing.tasks) checks the
invoice again, records the reminder and queues the email, in one transaction. The record's
uniqueness (invoice, kind, due date) is what guarantees "once": a second run, a retry or a
second server finds it and sends nothing. School-store orders a parent left unpaid get none.
"""

import datetime

from django.db.models import Exists, OuterRef, QuerySet

from billing.models import Invoice, InvoiceReminder
from billing.selectors import invoices_with_balance

REMINDER_DAYS_BEFORE = 7


def _unreminded(queryset: QuerySet, kind: str) -> QuerySet:
    sent = InvoiceReminder.objects.filter(
        invoice=OuterRef("pk"), kind=kind, due_date=OuterRef("due_date")
    )
    return queryset.filter(~Exists(sent))


def invoices_to_remind(*, today: datetime.date, days_before: int) -> list[tuple[int, str]]:
    """(invoice id, kind) of the open registrar invoices with a balance that have had no
    reminder of that kind for their current due date."""
    unpaid = invoices_with_balance(
        Invoice.objects.filter(status=Invoice.Status.OPEN, store_order__isnull=True)
    ).filter(balance__gt=0)
    due_soon = _unreminded(
        unpaid.filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days_before)),
        InvoiceReminder.Kind.DUE_SOON,
    )
    overdue = _unreminded(unpaid.filter(due_date__lt=today), InvoiceReminder.Kind.OVERDUE)
    return [
        *(
            (pk, InvoiceReminder.Kind.DUE_SOON.value)
            for pk in due_soon.values_list("pk", flat=True)
        ),
        *((pk, InvoiceReminder.Kind.OVERDUE.value) for pk in overdue.values_list("pk", flat=True)),
    ]


def invoice_reminders_queue(*, today: datetime.date, days_before: int) -> int:
    """Queues one reminder task per invoice to remind; returns how many."""
    from billing.tasks import invoice_reminder_send

    chosen = invoices_to_remind(today=today, days_before=days_before)
    for invoice_id, kind in chosen:
        invoice_reminder_send.enqueue(invoice_id=invoice_id, kind=kind, today=today.isoformat())
    return len(chosen)
