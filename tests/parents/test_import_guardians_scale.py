"""`guardians` at a college's size: checked and written in batches that never cut a child's rows
in two, so that memory stays flat in the file's size, with the guarantees of the whole file
(every error with its line, the removals of each child, the closing counts)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parents.imports import GuardianImporter
from parents.models import Guardian
from portal.selectors import school_main
from students.models import Student
from tests.students.import_memory import import_peak

HEADER = "matricule,last_name,first_name,email,can_view"


def children(institution, count: int) -> list[str]:
    school = school_main(institution)
    records = Student.objects.bulk_create(
        Student(
            matricule=f"{2026000 + n}",
            last_name="Tremblay",
            first_name=f"Élève{n}",
            code_permanent=f"TREE{n:08d}",
            birthdate=datetime.date(2012, 3, 5),
            school=school,
        )
        for n in range(1, count + 1)
    )
    return [student.matricule for student in records]


def guardians_file(path, matricules, *, parents: int = 2, skip: int | None = None):
    """`parents` guardians for each child (two rows per child by default)."""
    lines = [HEADER]
    for matricule in matricules:
        for n in range(parents):
            if n == skip:
                continue
            lines.append(f"{matricule},Tremblay,Parent{n},p{n}.{matricule}@exemple.ca,oui")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def peak_of_import(path) -> int:
    peak, report = import_peak("guardians", path)
    assert report.created > 0
    return peak


def test_peak_memory_does_not_grow_with_the_file(institution, tmp_path, monkeypatch):
    monkeypatch.setattr(GuardianImporter, "batch_rows", 500)
    matricules = children(institution, 2500)
    small = guardians_file(tmp_path / "small.csv", matricules[:500])  # 1,000 rows
    large = guardians_file(tmp_path / "large.csv", matricules[500:])  # 4,000 rows
    small_peak = peak_of_import(small)
    large_peak = peak_of_import(large)
    assert Guardian.objects.count() == 5000
    # Four times the rows, far less than four times the memory: what grows is the keys
    # already seen (a matricule and an email each).
    assert large_peak < 2 * small_peak, (small_peak, large_peak)


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(GuardianImporter, "batch_rows", 3)


def test_batches_never_cut_a_child_and_remove_per_child(institution, tmp_path, small_batches):
    matricules = children(institution, 4)
    path = guardians_file(tmp_path / "guardians.csv", matricules, parents=3)  # 12 rows
    out = io.StringIO()
    call_command("import_csv", "guardians", str(path), stdout=out)
    assert out.getvalue().splitlines()[-1].replace("\xa0", " ") == (
        "12 création(s), 0 mise(s) à jour, 0 inchangé(s)"
    )
    # Each child loses its second parent: every batch removes its own children's.
    path = guardians_file(tmp_path / "guardians.csv", matricules, parents=3, skip=1)
    out = io.StringIO()
    call_command("import_csv", "guardians", str(path), stdout=out)
    lines = out.getvalue().replace("\xa0", " ").splitlines()
    removals = [line for line in lines if "retrait de" in line]
    assert [line.split(" : ")[0] for line in removals] == [
        "Ligne 2",
        "Ligne 4",
        "Ligne 6",
        "Ligne 8",
    ]
    assert lines[-1] == "0 création(s), 0 mise(s) à jour, 8 inchangé(s)"
    assert Guardian.objects.count() == 8
    assert not Guardian.objects.filter(email__startswith="p1.").exists()


def test_the_rows_of_a_child_must_follow_each_other_past_a_batch(
    institution, tmp_path, small_batches
):
    matricules = children(institution, 3)
    path = guardians_file(tmp_path / "guardians.csv", matricules)
    rows = path.read_text().splitlines()
    rows.append(f"{matricules[0]},Tremblay,Tuteur,tuteur@exemple.ca,oui")  # line 8
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "guardians", str(path), stdout=io.StringIO())
    assert str(refused.value).replace("\xa0", " ").splitlines()[1:] == [
        "Ligne 8 : l'enfant 2026001 figure déjà plus haut (ligne 2) : dans un fichier de plus "
        "de 5000 lignes, les lignes d'un même enfant doivent se suivre. Triez le fichier par "
        "matricule."
    ]
    assert not Guardian.objects.exists()
