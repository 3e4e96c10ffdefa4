"""`python manage.py check_balances [--fix]`: compares every invoice's stored balance (what the
admin's "À payer" filter reads) with the balance computed from its lines and approved payments.

Prints each invoice that drifted (number, stored, computed) and how many; exits with status 1
when some drifted and were left as they are, so that a scheduled run is noticed. `--fix` stores
the computed balance (in one transaction) and exits 0. Drift means that some write changed an
invoice's lines or payments without going through billing's services or an import: find it.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from billing.balances import invoice_balances_refresh, invoices_drifted

SHOWN = 50  # invoices listed by number; the count covers them all


class Command(BaseCommand):
    help = "Compares the invoices' stored balances with their lines and payments (--fix repairs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--fix", action="store_true", help="store the computed balance of each one drifted"
        )

    def handle(self, *args: Any, fix: bool = False, **options: Any) -> None:
        with transaction.atomic():
            drifted = list(
                invoices_drifted().values_list("pk", "number", "stored_balance", "computed")
            )
            for _pk, number, stored, computed in drifted[:SHOWN]:
                self.stdout.write(f"{number}: stored {stored:.2f}, computed {computed:.2f}")
            if len(drifted) > SHOWN:
                self.stdout.write(f"... and {len(drifted) - SHOWN} more")
            if not drifted:
                self.stdout.write("Every invoice's stored balance is right.")
                return
            if fix:
                fixed = invoice_balances_refresh(pk for pk, *_rest in drifted)
                self.stdout.write(f"{fixed} invoice balance(s) fixed.")
                return
        raise CommandError(
            f"{len(drifted)} invoice balance(s) differ from their lines and payments; "
            "run with --fix to store the computed ones."
        )
