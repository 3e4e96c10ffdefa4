"""`python manage.py import_marc FILE [--dry-run]`: the library's catalogue (library.marc)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from library.marc import import_marc
from portal.models import AuditEvent
from portal.services import audit_record
from students.imports import ImportRefused


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Importe les notices MARC 21 de la bibliothèque (.mrc ou MARCXML ; voir "
            "docs/library.md). Tout ou rien : une seule notice erronée et rien n'est enregistré."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("Fichier MARC 21 (.mrc) ou MARCXML (.xml)."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Affiche ce que le fichier créerait sans rien enregistrer."),
        )

    def handle(self, *args: object, file: Path, dry_run: bool, **options: object) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Fichier illisible : %(error)s") % {"error": error.strerror}
            ) from None
        try:
            report = import_marc(data=data, dry_run=dry_run)
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
                    "kind": "marc",
                    "file": file.name,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
        self.stdout.write(self.style.SUCCESS(report.summary))
