"""`python manage.py demo`: a demo institution with people, invoices... to try every flow
(the README lists them). Each app adds its part through portal.demo; running it again only adds
what is missing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from portal.demo import demo_run
from portal.presets import PRESET_NAMES
from portal.services import institution_load_preset


class Command(BaseCommand):
    help = "Loads a demo institution (cstj by default) and demo people, and prints them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", choices=PRESET_NAMES, default="cstj")

    @transaction.atomic
    def handle(self, *args: object, preset: str, **options: object) -> None:
        institution = institution_load_preset(name=preset)
        self.stdout.write(self.style.SUCCESS(f"Demo loaded: {institution.name} ({preset})"))
        for line in demo_run(institution):
            self.stdout.write(line)
        folder = settings.MAILERS["default"].get("OPTIONS", {}).get("file_path")
        if folder:
            self.stdout.write(f"\nEmails are written to {folder}/.")
