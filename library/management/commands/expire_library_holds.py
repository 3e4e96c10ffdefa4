"""Daily: ends the library holds whose pickup deadline has passed (the institution's
"délai pour emprunter un document mis de côté"); each copy goes to the next student in its
queue, who is emailed. The work runs as a background task."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from library.tasks import library_holds_expire


class Command(BaseCommand):
    help = "Queues the expiry of library holds not picked up by their deadline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Act as if today were this date (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args: Any, date: datetime.date | None, **options: Any) -> None:
        today = date or timezone.localdate()
        library_holds_expire.enqueue(today=today.isoformat())
        self.stdout.write(f"Expiry of library holds queued for {today.isoformat()}.")
