"""Produces (or corrects) the Relevé 8 and T2202 of a year, like the admin's "Produire les
relevés d'impôt": safe to run again (unchanged slips stay, changed ones are amended)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from certificates.tax_slips import tax_slips_generate
from portal.selectors import institution_current


class Command(BaseCommand):
    help = "Produit les relevés d'impôt (Relevé 8, T2202) d'une année."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args: Any, year: int, **options: Any) -> None:
        outcome = tax_slips_generate(
            request=None, year=year, institution=institution_current(), actor=None
        )
        self.stdout.write(
            f"Relevés {year} : {outcome.created} produit(s), {outcome.corrected} modifié(s), "
            f"{outcome.unchanged} inchangé(s)."
        )
        if outcome.waiting_for_sin:
            self.stdout.write("Relevé 8 en attente du NAS : " + ", ".join(outcome.waiting_for_sin))
