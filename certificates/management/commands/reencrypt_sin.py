"""Re-encrypts every stored NAS with the first key of PORTAL_FIELD_KEYS (key rotation):
put the new key first, run this, then remove the old key. Prints counts, never a number."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from certificates.models import TaxProfile
from certificates.sin import SinKeyMissing, sin_rotate


class Command(BaseCommand):
    help = "Rechiffre les NAS avec la première clé de PORTAL_FIELD_KEYS (rotation des clés)."

    def handle(self, *args: Any, **options: Any) -> None:
        done = 0
        with transaction.atomic():
            rows = TaxProfile.objects.select_for_update().exclude(sin_encrypted="")
            for profile in rows.only("pk", "sin_encrypted").order_by("pk"):
                try:
                    token = sin_rotate(profile.sin_encrypted)
                except SinKeyMissing as error:
                    raise CommandError(
                        "Un NAS ne peut être déchiffré avec aucune des clés de "
                        f"PORTAL_FIELD_KEYS (fiche {profile.pk}). Rien n'a été modifié."
                    ) from error
                TaxProfile.objects.filter(pk=profile.pk).update(sin_encrypted=token)
                done += 1
        self.stdout.write(f"{done} NAS rechiffré(s) avec la première clé.")
