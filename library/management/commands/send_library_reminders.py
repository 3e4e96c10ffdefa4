"""Daily: queues the reminders of loans due within --days days, and of overdue ones. Each loan
gets at most one reminder of each kind per due date (see library.reminders)."""

from library.reminders import REMINDER_DAYS_BEFORE, loan_reminders_queue
from portal.reminder_command import DueReminderCommand


class Command(DueReminderCommand):
    help = "Queues the emails reminding students of library loans coming due and overdue."
    what = "library"
    days_before = REMINDER_DAYS_BEFORE
    queue = staticmethod(loan_reminders_queue)
