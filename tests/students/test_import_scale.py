"""Imports at a college's size: the file is read as a stream and checked and written in batches,
so that memory stays flat as the file grows, while every guarantee of docs/import.md holds
across batches (all or nothing, every error with its line, "already at line N", the dry run)."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.selectors import school_main
from students.imports.enrolments import EnrolmentImporter
from students.imports.final_grades import FinalGradeImporter
from students.imports.marks import MarkImporter
from students.models import Enrolment, Evaluation, Mark, Student
from tests.students.factories_courses import make_course, make_section, make_term
from tests.students.import_memory import import_peak

HEADER = ["term", "matricule", "course_code", "evaluation", "mark", "max_mark"]


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 3 rows, so that a short file crosses several of them."""
    for importer in (MarkImporter, EnrolmentImporter, FinalGradeImporter):
        monkeypatch.setattr(importer, "batch_rows", 3)


def build(institution, students: int, evaluations: int):
    """A section of `students` enrolled students with `evaluations` evaluations."""
    term = make_term("AUT-2026")
    section = make_section(term, make_course("201-NYA-05"))
    school = school_main(institution)
    records = Student.objects.bulk_create(
        Student(
            matricule=f"{2026000 + n}",
            last_name="Tremblay",
            first_name=f"Élève{n}",
            code_permanent=f"TREE{n:08d}",
            birthdate=datetime.date(2006, 3, 5),
            school=school,
        )
        for n in range(1, students + 1)
    )
    Enrolment.objects.bulk_create(Enrolment(student=s, section=section) for s in records)
    Evaluation.objects.bulk_create(
        Evaluation(section=section, title=f"Travail {n}", weight=Decimal(1))
        for n in range(1, evaluations + 1)
    )
    return [s.matricule for s in records], [f"Travail {n}" for n in range(1, evaluations + 1)]


def marks_file(path: Path, matricules, titles, *, last: list[str] | None = None) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for title in titles:
        for matricule in matricules:
            writer.writerow(["AUT-2026", matricule, "201-NYA-05", title, "15.5", "20"])
    if last:
        writer.writerow(last)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def peak_of_import(path: Path) -> int:
    peak, report = import_peak("marks", path)
    assert report.created > 0
    return peak


def test_peak_memory_does_not_grow_with_the_file(institution, tmp_path, monkeypatch):
    # Batches of 250 rows (5,000 in production), so that small files cross many of them.
    monkeypatch.setattr(MarkImporter, "batch_rows", 250)
    matricules, titles = build(institution, 100, 50)
    small = marks_file(tmp_path / "small.csv", matricules, titles[:10])  # 1,000 marks
    large = marks_file(tmp_path / "large.csv", matricules, titles[10:])  # 4,000 more
    small_peak = peak_of_import(small)
    large_peak = peak_of_import(large)
    assert Mark.objects.count() == 5_000
    # Four times the rows, far less than four times the memory (the old engine: 2.8 KB a row
    # for the whole file); what grows is only the keys already seen, a few dozen bytes a row.
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
    # A no-op re-import of every mark stays as low.
    both = tmp_path / "both.csv"
    marks_file(both, matricules, titles)
    assert peak_of_import_unchanged(both) < 2.5 * small_peak


def peak_of_import_unchanged(path: Path) -> int:
    peak, report = import_peak("marks", path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5_000)
    return peak


def test_an_error_on_the_last_line_leaves_nothing_written(institution, tmp_path):
    matricules, titles = build(institution, 100, 61)  # 6,000 marks (two batches), then one
    path = marks_file(
        tmp_path / "marks.csv",
        matricules,
        titles[:60],
        last=["AUT-2026", matricules[0], "201-NYA-05", "Travail 61", "21", "20"],
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "marks", str(path), stdout=io.StringIO())
    message = str(refused.value)
    assert message == (
        "Fichier refusé : rien n'a été enregistré (1 erreur(s)).\n"
        "Ligne 6002 : la note 21.00 dépasse le maximum 20.00 (« max_mark »)."
    )
    assert Mark.objects.count() == 0


def test_guarantees_hold_across_batches(institution, tmp_path, small_batches):
    matricules, titles = build(institution, 4, 2)
    path = marks_file(tmp_path / "marks.csv", matricules, titles)
    out = io.StringIO()
    call_command("import_csv", "marks", str(path), "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Simulation (--dry-run) : rien n'a été enregistré."
    assert (
        lines[1] == "Ligne 2 : création de Tremblay, Élève1 (2026001) — "
        "AUT-2026 201-NYA-05 gr. 01 — Travail 1"
    )
    assert len(lines) == 1 + 8 + 1 and lines[-1] == "8 création(s), 0 mise(s) à jour, 0 inchangé(s)"
    assert Mark.objects.count() == 0
    call_command("import_csv", "marks", str(path), stdout=io.StringIO())
    assert Mark.objects.count() == 8
    # A change in the last batch only, named with its line by -v 2.
    rows = path.read_text().splitlines()
    rows[-1] = rows[-1].replace(",15.5,", ",12,")
    path.write_text("\n".join(rows) + "\n")
    out = io.StringIO()
    call_command("import_csv", "marks", str(path), "-v", "2", stdout=out)
    assert (
        "Ligne 9 : mise à jour de Tremblay, Élève4 (2026004) — AUT-2026 201-NYA-05 gr. 01 — "
        "Travail 2 : note « 15.50 » → « 12.00 »" in out.getvalue()
    )
    assert out.getvalue().splitlines()[-1] == "0 création(s), 1 mise(s) à jour, 7 inchangé(s)"
    assert Mark.objects.filter(mark=Decimal("12")).count() == 1


def test_a_repeated_enrolment_in_a_later_batch_is_named_with_its_first_line(
    institution, tmp_path, small_batches
):
    matricules, _titles = build(institution, 5, 0)
    Enrolment.objects.all().delete()
    rows = [["AUT-2026", m, "201-NYA-05", "01"] for m in matricules] + [
        ["AUT-2026", matricules[1], "201-NYA-05", "01"]
    ]
    path = tmp_path / "enrolments.csv"
    path.write_text(
        "term,matricule,course_code,group\n" + "\n".join(",".join(r) for r in rows) + "\n"
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "enrolments", str(path), stdout=io.StringIO())
    assert (
        "Ligne 7 : l'inscription de l'étudiant 2026002 au cours 201-NYA-05 à la session "
        "AUT-2026 figure déjà à la ligne 3." in str(refused.value)
    )
    assert Enrolment.objects.count() == 0


# --- Invoices: an invoice's lines span several rows ---------------------------------------------


def invoices_file(path: Path, matricules, first: int, count: int, *, lines: int = 3) -> Path:
    """`count` invoices numbered from `first`, each of `lines` rows, for the students in turn."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(INVOICE_HEADER)
    for n in range(first, first + count):
        matricule = matricules[n % len(matricules)]
        for position in range(lines):
            writer.writerow(
                [
                    *(matricule, "AUT-2026", f"FAC{n:08d}", "Droits de scolarité", "2026-09-15"),
                    *(f"Frais {position}", f"{100 + position}.00", "non"),
                ]
            )
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


INVOICE_HEADER = [
    "matricule",
    "session",
    "invoice_number",
    "description",
    "due_date",
    "line_description",
    "amount",
    "voluntary",
]


def peak_of(kind: str, path: Path) -> int:
    return import_peak(kind, path)[0]


def test_invoices_peak_memory_does_not_grow_with_the_file(institution, tmp_path, monkeypatch):
    from billing.imports.invoices import InvoiceImporter
    from billing.models import Invoice, InvoiceLine

    # Batches of about 300 rows (5,000 in production), so that small files cross many of them.
    monkeypatch.setattr(InvoiceImporter, "batch_rows", 300)
    matricules, _titles = build(institution, 100, 1)
    small = invoices_file(tmp_path / "small.csv", matricules, 1, 400)  # 1,200 rows
    large = invoices_file(tmp_path / "large.csv", matricules, 10_001, 1_600)  # 4,800 rows
    small_peak = peak_of("invoices", small)
    large_peak = peak_of("invoices", large)
    assert Invoice.objects.count() == 2_000 and InvoiceLine.objects.count() == 6_000
    # Four times the rows, not four times the memory.
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
    assert Invoice.objects.get(number="FAC00011600").stored_balance == Decimal("303.00")


def test_an_invoice_is_never_cut_between_two_batches(institution, tmp_path, monkeypatch):
    from billing.imports.invoices import InvoiceImporter
    from billing.models import Invoice

    monkeypatch.setattr(InvoiceImporter, "batch_rows", 4)  # 3 lines an invoice: cut after 6
    matricules, _titles = build(institution, 3, 1)
    path = invoices_file(tmp_path / "invoices.csv", matricules, 1, 5)
    out = io.StringIO()
    call_command("import_csv", "invoices", str(path), stdout=out)
    assert "Factures : 5 créée(s), 0 modifiée(s), 0 inchangée(s)." in out.getvalue()
    assert [invoice.lines.count() for invoice in Invoice.objects.order_by("number")] == [3] * 5
    # The same file again: nothing to do, counted over every batch.
    out = io.StringIO()
    call_command("import_csv", "invoices", str(path), stdout=out)
    assert "Factures : 0 créée(s), 0 modifiée(s), 5 inchangée(s)." in out.getvalue()


def test_an_invoice_split_across_batches_is_refused_whole(institution, tmp_path, monkeypatch):
    from billing.imports.invoices import InvoiceImporter
    from billing.models import Invoice

    monkeypatch.setattr(InvoiceImporter, "batch_rows", 4)
    matricules, _titles = build(institution, 3, 1)
    path = invoices_file(tmp_path / "invoices.csv", matricules, 1, 3)
    with path.open("a", encoding="utf-8") as file:  # a fourth line of the first invoice, last
        file.write(
            f"{matricules[1]},AUT-2026,FAC00000001,Droits de scolarité,2026-09-15,"
            "Frais 3,103.00,non\n"
        )
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "invoices", str(path), stdout=io.StringIO())
    assert str(refused.value).splitlines()[1:] == [
        "Ligne 11 : la facture FAC00000001 figure déjà plus haut (ligne 2) : dans un fichier de "
        "plus de 5000 lignes, les lignes d'une même facture doivent se suivre. Triez le fichier "
        "par numéro de facture."
    ]
    assert not Invoice.objects.exists()  # all or nothing: the first batches were rolled back
