"""`manage.py import_marc`: binary and MARCXML records, MARC-8 and UTF-8 accents, copies from
the holdings, idempotent on 001, all-or-nothing with numbered errors, --dry-run."""

import io

import pytest
from django.core.management import CommandError, call_command

from library.models import Copy, Record
from portal.models import AuditEvent
from tests.library.marc_files import marc8, marc_file, marc_record, marcxml_file


def run_import(tmp_path, data: bytes, *options: str, name: str = "catalogue.mrc") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_marc", str(path), *options, stdout=out)
    return out.getvalue()


def catalogue() -> bytes:
    return marc_file(
        marc_record(
            "ocm0001",
            "Électricité et magnétisme",
            authors=("Côté, Hélène", "Lévesque, Marc"),
            subjects=("Électromagnétisme", "Physique"),
            copies=(("31234000001", "Bibliothèque — 2e étage"), ("31234000002", "Réserve")),
            isbn="978-2-7613-1234-5 (broché)",
            call_number="QC 518 C68",
            year="2019",
        ),
        marc_record(
            "ocm0002",
            "Histoire du Québec",
            subjects=("Québec (Province) -- Histoire",),
            language="fre",
            year="2005",
            copies=(("31234000003", "Bibliothèque"),),
        ),
    )


def test_binary_utf8_records_and_their_copies(db, tmp_path):
    output = run_import(tmp_path, catalogue())

    assert "2 notice(s) créée(s)" in output and "3 exemplaire(s) créé(s)" in output
    record = Record.objects.get(control_number="ocm0001")
    assert record.title == "Électricité et magnétisme"
    assert record.author_list == ["Côté, Hélène", "Lévesque, Marc"]
    assert record.subject_list == ["Électromagnétisme", "Physique"]
    assert record.isbn == "9782761312345"
    assert record.call_number == "QC 518 C68"
    assert (record.year, record.language, record.document_type) == (2019, "fre", "book")
    assert record.title_folded == "electricite et magnetisme"
    copies = {copy.barcode: copy for copy in record.copies.all()}
    assert copies["31234000001"].location == "Bibliothèque — 2e étage"
    assert copies["31234000002"].call_number == "QC 518 C68"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, details__kind="marc").exists()


def test_marc8_record_with_accents(db, tmp_path):
    data = marc_file(
        marc_record(
            "m8-1",
            marc8("Électricité générale"),
            authors=(marc8("Côté, Hélène"),),
            subjects=(marc8("Électricité"),),
            marc8=True,
        )
    )
    assert data[9:10] == b" "  # the leader says MARC-8

    run_import(tmp_path, data)

    record = Record.objects.get(control_number="m8-1")
    assert record.title == "Électricité générale"
    assert record.authors == "Côté, Hélène"
    assert record.subjects == "Électricité"


def test_marcxml_file(db, tmp_path):
    data = marcxml_file(
        marc_record("x-1", "Poésie québécoise", copies=(("X-100", "Salle 2"),), leader_type="am")
    )

    output = run_import(tmp_path, data, name="catalogue.xml")

    assert "1 notice(s) créée(s)" in output
    assert Record.objects.get(control_number="x-1").title == "Poésie québécoise"
    assert Copy.objects.get(barcode="X-100").location == "Salle 2"


def test_reimport_is_unchanged_and_an_edit_updates(db, tmp_path):
    run_import(tmp_path, catalogue())

    again = run_import(tmp_path, catalogue())

    assert "0 notice(s) créée(s), 0 mise(s) à jour, 2 inchangée(s)" in again
    assert "0 exemplaire(s) créé(s), 0 mis à jour" in again
    assert Record.objects.count() == 2 and Copy.objects.count() == 3

    edited = marc_file(marc_record("ocm0002", "Histoire du Québec contemporain", year="2005"))
    output = run_import(tmp_path, edited)
    assert "1 mise(s) à jour" in output
    record = Record.objects.get(control_number="ocm0002")
    assert record.title == "Histoire du Québec contemporain"
    assert record.copies.count() == 1  # a copy the file no longer lists is left alone


def test_broken_records_refuse_the_whole_file_with_their_numbers(db, tmp_path):
    data = marc_file(
        marc_record("ok-1", "Un bon livre"),
        marc_record("no-title", None),
        marc_record(None, "Sans numéro"),
        marc_record("ok-1", "Le même numéro"),
    )

    with pytest.raises(CommandError) as refused:
        run_import(tmp_path, data)

    message = str(refused.value)
    assert "rien n'a été enregistré (3 erreur(s))" in message
    assert "Notice 2 (001 no-title) : le champ 245 (titre) est absent ou vide." in message
    assert "Notice 3 : le champ 001 (numéro de contrôle) est absent ou vide." in message
    assert "Notice 4 (001 ok-1) : le numéro de contrôle figure déjà à la notice 1." in message
    assert not Record.objects.exists()


def test_truncated_binary_record_is_reported_by_number(db, tmp_path):
    good = marc_file(marc_record("ok-1", "Un bon livre"))
    broken = marc_file(marc_record("ok-2", "Coupé"))[:-20]

    with pytest.raises(CommandError) as refused:
        run_import(tmp_path, good + broken)

    assert "Notice 2 : illisible" in str(refused.value)
    assert not Record.objects.exists()


def test_a_barcode_of_another_record_is_refused(db, tmp_path):
    run_import(tmp_path, catalogue())
    data = marc_file(marc_record("ocm0009", "Autre", copies=(("31234000001", "Bibliothèque"),)))

    with pytest.raises(CommandError) as refused:
        run_import(tmp_path, data)

    assert "l'exemplaire 31234000001 appartient déjà à la notice ocm0001" in str(refused.value)
    assert not Record.objects.filter(control_number="ocm0009").exists()


def test_dry_run_writes_nothing(db, tmp_path):
    output = run_import(tmp_path, catalogue(), "--dry-run")

    assert "Simulation (--dry-run)" in output and "2 notice(s) créée(s)" in output
    assert not Record.objects.exists() and not Copy.objects.exists()


def test_not_a_marc_file(db, tmp_path):
    with pytest.raises(CommandError) as refused:
        run_import(tmp_path, b"<collection><record>", name="bad.xml")
    assert "Fichier MARCXML illisible" in str(refused.value)
