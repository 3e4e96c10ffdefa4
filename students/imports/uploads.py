"""Imports from the admin: a file is sent once, kept on the server (MEDIA_ROOT/imports/, under a
random name, with its SHA-256), checked by a dry run, then imported for real on confirmation by
the same engine as `import_csv`, all-or-nothing, and audited."""

import hashlib
import secrets
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal.models import AuditEvent
from portal.services import audit_record
from students.imports import ImportRefused, Report, import_file
from students.models import ImportFile

XLSX_SUFFIX = ".xlsx"


def import_upload_store(*, kind: str, upload: UploadedFile, actor: Any) -> ImportFile:
    """Keeps `upload` for a dry run and a confirmation. The person's earlier files that were
    never confirmed are deleted: one pending file per person."""
    for earlier in ImportFile.objects.filter(uploaded_by=actor):
        import_upload_discard(upload=earlier)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    suffix = XLSX_SUFFIX if (upload.name or "").lower().endswith(XLSX_SUFFIX) else ".csv"
    record = ImportFile(
        kind=kind,
        name=(upload.name or "")[:255],
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    record.file.save(f"{secrets.token_hex(16)}{suffix}", upload, save=False)
    record.save()
    return record


def import_upload_check(*, upload: ImportFile) -> Report:
    """The dry run of a kept file: what it would create, update and remove; raises
    ImportRefused with every error."""
    return import_file(kind=upload.kind, data=_content(upload), dry_run=True)


@transaction.atomic
def import_upload_confirm(*, upload: ImportFile, actor: Any, request: HttpRequest) -> Report:
    """Imports a kept file for real (all or nothing), writes the audit row with its SHA-256,
    its kind and its counts, and deletes the file once the import is committed."""
    data = _content(upload)
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        raise ImportRefused(
            [_("Le fichier conservé a changé depuis la simulation ; envoyez-le de nouveau.")]
        )
    report = import_file(kind=upload.kind, data=data, details=False)
    audit_record(
        kind=AuditEvent.Kind.IMPORT_ADMIN,
        request=request,
        actor=actor,
        details={
            "kind": upload.kind,
            "file": upload.name,
            "sha256": upload.sha256,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "removed": report.removed,
        },
    )
    upload.delete()
    transaction.on_commit(lambda: upload.file.delete(save=False))
    return report


def import_upload_discard(*, upload: ImportFile) -> None:
    """Forgets a kept file (refused, cancelled, or replaced by another)."""
    upload.file.delete(save=False)
    upload.delete()


def _content(upload: ImportFile) -> bytes:
    try:
        with upload.file.open("rb") as stored:
            return stored.read()
    except OSError:
        raise ImportRefused(
            [_("Le fichier envoyé n'est plus sur le serveur ; envoyez-le de nouveau.")]
        ) from None
