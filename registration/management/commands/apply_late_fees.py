"""`python manage.py apply_late_fees TERM`: after the confirmation deadline, charges the late
fee once to every student enrolled in the term who has not confirmed (running it again
charges nobody twice). Meant for a scheduled job the day after the deadline."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.templatetags.portal_format import format_when
from registration.models import TermRegistration
from registration.services import late_fees_apply


class Command(BaseCommand):
    help = "Facture les frais de retard aux étudiants qui n'ont pas confirmé leur inscription."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("term", help="Code de la session, ex. : AUT-2026")

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
        if not registration.confirmation_late():
            raise CommandError(
                f"La date limite ({format_when(registration.confirmation_deadline)}) "
                "n'est pas passée."
            )
        charged = late_fees_apply(registration=registration)
        for fee in charged:
            self.stdout.write(f"{fee.student.matricule} {fee.amount} $ ({fee.invoice_number})")
        self.stdout.write(self.style.SUCCESS(f"{len(charged)} étudiant(s) facturé(s)."))
