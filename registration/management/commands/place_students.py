"""`python manage.py place_students TERM [--dry-run] [--seed TEXT]`: turns the term's course
choices into enrolments (registration.placement), all or nothing, and prints who got what."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registration.models import TermRegistration
from registration.placement import placement_run


class Command(BaseCommand):
    help = "Place les étudiants dans les groupes-cours d'après leur choix de cours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("term", help="Code de la session, ex. : HIV-2027")
        parser.add_argument("--dry-run", action="store_true", help="N'enregistre rien.")
        parser.add_argument(
            "--seed",
            default="",
            help="Graine du tirage au sort (par défaut : le code de la session).",
        )
        parser.add_argument("--quiet", action="store_true", help="Le résumé seulement.")

    def handle(self, *args: Any, **options: Any) -> None:
        registration = (
            TermRegistration.objects.select_related("term")
            .filter(term__code__iexact=options["term"])
            .first()
        )
        if registration is None:
            raise CommandError(
                f"Aucun calendrier d'inscription pour la session « {options['term']} »."
            )
        report = placement_run(
            registration=registration, dry_run=options["dry_run"], seed=options["seed"]
        )
        if not options["quiet"]:
            for line in report.lines():
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(report.summary()))
