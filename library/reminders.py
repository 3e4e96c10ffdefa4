"""Reminders of loans coming due and overdue (`manage.py send_library_reminders`, daily).

As for invoices (billing.reminders): the job only picks the loans and queues one task each;
the task (library.tasks) checks the loan again, records the reminder and queues the email in
one transaction. The record's uniqueness (loan, kind, due date) is what guarantees "once": a
second run, a retry or a second server finds it and sends nothing; a renewed loan (a new due
date) is reminded again.
"""

import datetime

from django.db.models import Exists, OuterRef, QuerySet

from library.models import Loan, LoanReminder

REMINDER_DAYS_BEFORE = 3


def _unreminded(queryset: QuerySet, kind: str) -> QuerySet:
    sent = LoanReminder.objects.filter(loan=OuterRef("pk"), kind=kind, due_on=OuterRef("due_on"))
    return queryset.filter(~Exists(sent))


def loans_to_remind(*, today: datetime.date, days_before: int) -> list[tuple[int, str]]:
    """(loan id, kind) of the open loans due within `days_before` days or overdue that have
    had no reminder of that kind for their current due date."""
    open_loans = Loan.objects.filter(returned_on__isnull=True)
    due_soon = _unreminded(
        open_loans.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days_before)),
        LoanReminder.Kind.DUE_SOON,
    )
    overdue = _unreminded(open_loans.filter(due_on__lt=today), LoanReminder.Kind.OVERDUE)
    return [
        *((pk, LoanReminder.Kind.DUE_SOON.value) for pk in due_soon.values_list("pk", flat=True)),
        *((pk, LoanReminder.Kind.OVERDUE.value) for pk in overdue.values_list("pk", flat=True)),
    ]


def loan_reminders_queue(*, today: datetime.date, days_before: int) -> int:
    """Queues one reminder task per loan to remind; returns how many."""
    from library.tasks import loan_reminder_send

    chosen = loans_to_remind(today=today, days_before=days_before)
    for loan_id, kind in chosen:
        loan_reminder_send.enqueue(loan_id=loan_id, kind=kind, today=today.isoformat())
    return len(chosen)
