from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from portal.models import AuditEvent
from portal.services import audit_record
from students.imports import ImportRefused, import_file, importers


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # A property, so that the text is translated when asked for, not at import time.
        return _(
            "Importe un fichier CSV du registrariat (voir docs/import.md). Tout ou rien : "
            "une seule ligne erronée et rien n'est enregistré."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            help=_("Type de dossiers : %(kinds)s.") % {"kinds": ", ".join(importers())},
        )
        parser.add_argument(
            "file", type=Path, help=_("Fichier CSV encodé en UTF-8, ou classeur Excel (.xlsx).")
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Affiche les créations et les mises à jour sans rien enregistrer."),
        )

    def handle(
        self, *args: object, kind: str, file: Path, dry_run: bool, verbosity: int, **options: object
    ) -> None:
        try:
            report = import_file(
                kind=kind, path=file, dry_run=dry_run, details=dry_run or verbosity >= 2
            )
        except ImportRefused as refused:
            raise CommandError(
                "\n".join(
                    [
                        _("Fichier refusé : rien n'a été enregistré (%(count)d erreur(s)).")
                        % {"count": len(refused.errors)},
                        *refused.errors,
                    ]
                )
            ) from None
        if dry_run:
            self.stdout.write(_("Simulation (--dry-run) : rien n'a été enregistré."))
        else:
            audit_record(
                kind=AuditEvent.Kind.IMPORT,
                details={
                    "kind": kind,
                    "file": file.name,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
        if dry_run or verbosity >= 2:
            for line in report.iter_details():
                self.stdout.write(line)
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(report.summary))
