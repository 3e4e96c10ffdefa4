"""`manage.py import_csv loans`: the library system's open loans, fed nightly."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from library.models import Loan
from students.models import Student
from tests.library.factories import make_record

HEADER = "barcode,matricule,loaned_on,due_on\n"


def run_import(tmp_path, text: str, *options: str) -> str:
    path = tmp_path / "loans.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_csv", "loans", str(path), *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def copies(db):
    record = make_record("Électricité", control="e1", copies=2)
    return list(record.copies.order_by("barcode"))


def test_loans_are_created_then_unchanged(tmp_path, bob, charlie, copies):
    text = HEADER + "e1-1,2026102,2026-11-20,2026-12-11\ne1-2,2026103,2026-11-21,2026-12-12\n"

    assert "2 création(s)" in run_import(tmp_path, text)
    again = run_import(tmp_path, text)

    assert "0 création(s), 0 mise(s) à jour, 2 inchangé(s)" in again
    loan = Loan.objects.get(copy__barcode="e1-1")
    assert loan.student == Student.objects.get(matricule="2026102")
    assert loan.due_on == datetime.date(2026, 12, 11) and loan.returned_on is None


def test_a_new_due_date_updates_and_a_new_borrower_closes_the_old_loan(
    tmp_path, bob, charlie, copies
):
    run_import(tmp_path, HEADER + "e1-1,2026102,2026-11-20,2026-12-11\n")

    updated = run_import(tmp_path, HEADER + "e1-1,2026102,2026-11-20,2026-12-31\n")
    assert "1 mise(s) à jour" in updated
    assert Loan.objects.get().due_on == datetime.date(2026, 12, 31)

    moved = run_import(tmp_path, HEADER + "e1-1,2026103,2026-12-02,2026-12-23\n")
    assert "1 prêt(s) précédent(s) clos" in moved
    old, new = Loan.objects.order_by("pk")
    assert old.returned_on == datetime.date(2026, 12, 2)
    assert new.student.matricule == "2026103" and new.returned_on is None


def test_errors_are_reported_by_line_and_nothing_is_written(tmp_path, bob, copies):
    text = (
        HEADER
        + "e1-1,2026102,2026-11-20,2026-12-11\n"
        + "zz-9,2026102,2026-11-20,2026-12-11\n"
        + "e1-2,9999999,2026-11-20,2026-12-11\n"
        + "e1-1,2026102,2026-11-20,2026-11-01\n"
    )

    with pytest.raises(CommandError) as refused:
        run_import(tmp_path, text)

    message = str(refused.value)
    assert "Ligne 3 : aucun exemplaire n'a le code-barres « zz-9 »" in message
    assert "Ligne 4 : aucun étudiant n'a le matricule « 9999999 »" in message
    assert "Ligne 5 : l'exemplaire e1-1 figure déjà à la ligne 2." in message
    assert "Ligne 5 : la date de retour précède la date du prêt." in message
    assert not Loan.objects.exists()
