"""The marks compared with the stored ones in SQL: on PostgreSQL, a real import without
`--dry-run` nor `-v 2` copies the checked marks into a staging table and writes them in two
set-based statements at the end; the counts come from those statements. The guarantees are
those of the other path (all or nothing, every error with its line, the counts)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from students.imports import import_file
from students.imports.marks import MarkImporter
from students.models import Enrolment, Mark
from tests.students.test_import_scale import build, marks_file


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(MarkImporter, "batch_rows", 3)


def test_a_second_import_counts_what_changed(institution, tmp_path, small_batches):
    matricules, titles = build(institution, 4, 2)
    path = marks_file(tmp_path / "marks.csv", matricules, titles[:1])
    report = import_file(kind="marks", path=path, details=False)
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    # One mark changed (in the second batch), one evaluation more: 4 new marks.
    path = marks_file(tmp_path / "marks.csv", matricules, titles)
    rows = path.read_text().splitlines()
    rows[4] = rows[4].replace(",15.5,", ",12,")
    path.write_text("\n".join(rows) + "\n")
    with CaptureQueriesContext(connection) as queries:
        report = import_file(kind="marks", path=path, details=False)
    assert (report.created, report.updated, report.unchanged) == (4, 1, 3)
    assert Mark.objects.count() == 8
    changed = Mark.objects.get(student__matricule=matricules[3], evaluation__title=titles[0])
    assert str(changed.mark) == "12.00"
    if connection.vendor == "postgresql":
        # Compared in SQL: no batch reads the stored marks.
        reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
        assert not [sql for sql in reads if 'FROM "students_mark"' in sql], reads
    # And once more: nothing to do.
    report = import_file(kind="marks", path=path, details=False)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 8)


def test_an_error_after_staged_batches_writes_nothing(institution, tmp_path, small_batches):
    matricules, titles = build(institution, 4, 3)
    path = marks_file(
        tmp_path / "marks.csv",
        matricules,
        titles[:2],
        last=["AUT-2026", matricules[0], "201-NYA-05", "Travail 1", "14", "20"],
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "marks", str(path), stdout=io.StringIO())
    assert str(refused.value).replace("\xa0", " ").splitlines()[1:] == [
        "Ligne 10 : la note de l'étudiant 2026001 à l'évaluation « Travail 1 » du cours "
        "201-NYA-05 figure déjà à la ligne 2."
    ]
    assert Mark.objects.count() == 0
    # The same connection imports again (the refused import's staging table is gone).
    path = marks_file(tmp_path / "marks.csv", matricules, titles)
    out = io.StringIO()
    call_command("import_csv", "marks", str(path), stdout=out)
    summary = out.getvalue().replace("\xa0", " ").splitlines()[-1]
    assert summary == "12 création(s), 0 mise(s) à jour, 0 inchangé(s)"
    assert Mark.objects.count() == 12


def test_many_final_grades_are_written_in_one_update(institution, tmp_path):
    """Past 500 records, the changed fields go through a temporary table on PostgreSQL (one
    UPDATE), instead of bulk_update's CASE per record; the values are the same."""
    matricules, _titles = build(institution, 700, 0)
    path = tmp_path / "final_grades.csv"
    lines = ["term,matricule,course_code,grade,absences,lateness"]
    lines += [
        f"AUT-2026,{m},201-NYA-05,{60 + n % 40},{n % 7},{n % 3}" for n, m in enumerate(matricules)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with CaptureQueriesContext(connection) as queries:
        report = import_file(kind="final_grades", path=path, details=False)
    assert (report.created, report.updated, report.unchanged) == (0, 700, 0)
    written = {
        e.student.matricule: (str(e.final_grade), e.absences, e.lateness)
        for e in Enrolment.objects.select_related("student")
    }
    assert written[matricules[0]] == ("60.00", 0, 0)
    assert written[matricules[699]] == (f"{60 + 699 % 40}.00", 699 % 7, 699 % 3)
    assert len(written) == 700
    if connection.vendor == "postgresql":
        updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        assert len(updates) == 1 and "CASE" not in updates[0], updates
    report = import_file(kind="final_grades", path=path, details=False)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 700)
