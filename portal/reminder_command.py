"""The shape every daily reminder job shares (invoices, library loans): `--days` ahead and
`--date` to act as if today were another day; the app says what it queues."""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone


class DueReminderCommand(BaseCommand):
    """Subclasses set `what` (the word before "reminder(s)" in the output: "invoice"),
    `days_before` (the default of --days) and `queue`, a function (today, days_before) -> the
    number of reminders queued."""

    what: str
    days_before: int
    queue: Callable[..., int]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=self.days_before,
            help="Remind of what falls due within this many days (default: %(default)s).",
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Act as if today were this date (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args: Any, days: int, date: datetime.date | None, **options: Any) -> None:
        today = date or timezone.localdate()
        count = type(self).queue(today=today, days_before=days)
        self.stdout.write(f"{count} {self.what} reminder(s) queued for {today.isoformat()}.")
