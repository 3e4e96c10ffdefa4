from django.core.management.base import BaseCommand, CommandParser

from portal.presets import PRESET_NAMES
from portal.services import institution_load_preset


class Command(BaseCommand):
    help = "Loads one of the institution presets, or switches the deployment to it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("preset", choices=PRESET_NAMES)

    def handle(self, *args: object, preset: str, **options: object) -> None:
        institution = institution_load_preset(name=preset)
        schools = ", ".join(school.name for school in institution.schools.all())
        self.stdout.write(
            self.style.SUCCESS(f"{institution.name} ({preset}) loaded; schools: {schools}")
        )
