"""Daily: queues the reminders of loans due within --days days, and of overdue ones. Each loan
gets at most one reminder of each kind per due date (see library.reminders)."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from library.reminders import REMINDER_DAYS_BEFORE, loan_reminders_queue


class Command(BaseCommand):
    help = "Queues the emails reminding students of library loans coming due and overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=REMINDER_DAYS_BEFORE,
            help="Remind of loans due within this many days (default: %(default)s).",
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Act as if today were this date (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args: Any, days: int, date: datetime.date | None, **options: Any) -> None:
        today = date or timezone.localdate()
        count = loan_reminders_queue(today=today, days_before=days)
        self.stdout.write(f"{count} library reminder(s) queued for {today.isoformat()}.")
