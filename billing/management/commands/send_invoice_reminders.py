"""Daily: queues the reminders of open invoices due within --days days, and of overdue ones.
Each invoice gets at most one reminder of each kind per due date (see billing.reminders)."""

from billing.reminders import REMINDER_DAYS_BEFORE, invoice_reminders_queue
from portal.reminder_command import DueReminderCommand


class Command(DueReminderCommand):
    help = "Queues the emails reminding students of invoices coming due and overdue."
    what = "invoice"
    days_before = REMINDER_DAYS_BEFORE
    queue = staticmethod(invoice_reminders_queue)
