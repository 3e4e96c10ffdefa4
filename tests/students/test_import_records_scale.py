"""`evaluations` and `enrolments` at a college's size (issue 18): checked and written in batches,
so that peak memory stays flat as the file grows, with every guarantee of docs/import.md across
batches (all or nothing, every error with its line, the dry run, the notes)."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.selectors import school_main
from students.imports.enrolments import EnrolmentImporter
from students.imports.evaluations import EvaluationImporter
from students.models import Enrolment, Evaluation, Section, Student
from tests.students.factories_courses import make_course, make_section, make_term
from tests.students.import_memory import import_peak

EVALUATIONS = "term,course_code,group,title,weight,date,class_average"


# --- Evaluations ---------------------------------------------------------------------------------


def sections(count: int) -> None:
    term = make_term("AUT-2026")
    course = make_course("201-NYA-05")
    Section.objects.bulk_create(
        Section(term=term, course=course, group=f"{n:05d}") for n in range(count)
    )


def evaluations_file(path: Path, groups: range, *, per_group: int = 4, last: str = "") -> Path:
    """`per_group` evaluations of 20 % for each group, the rows of a group together."""
    lines = [EVALUATIONS]
    for n in groups:
        lines.extend(
            f"AUT-2026,201-NYA-05,{n:05d},Travail {t},20,2026-10-0{t + 1},"
            for t in range(per_group)
        )
    if last:
        lines.append(last)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_evaluations_peak_memory_does_not_grow_with_the_file(institution, tmp_path, monkeypatch):
    monkeypatch.setattr(EvaluationImporter, "batch_rows", 250)
    sections(1250)
    small = evaluations_file(tmp_path / "small.csv", range(250))  # 1,000 rows
    large = evaluations_file(tmp_path / "large.csv", range(250, 1250))  # 4,000 rows
    small_peak, report = import_peak("evaluations", small)
    assert report.created == 1000
    large_peak, report = import_peak("evaluations", large)
    assert report.created == 4000
    assert Evaluation.objects.count() == 5000
    # Four times the rows, far less than four times the memory (the whole file was read at once:
    # 410 MB for 100,470 evaluations); what grows is the sections done (two ints each).
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
    # A no-op re-import of the large file stays as low.
    unchanged_peak, report = import_peak("evaluations", large)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4000)
    assert unchanged_peak < 2 * small_peak, (small_peak, unchanged_peak)


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 3 rows (a group's 2 evaluations are never cut: batches of 4)."""
    monkeypatch.setattr(EvaluationImporter, "batch_rows", 3)
    monkeypatch.setattr(EnrolmentImporter, "batch_rows", 3)


def test_evaluations_an_error_on_the_last_line_leaves_nothing_written(institution, tmp_path):
    sections(1600)
    path = evaluations_file(  # 6,400 rows (two batches of 5,000), then a wrong one
        tmp_path / "evaluations.csv",
        range(1600),
        last="AUT-2026,201-NYA-05,00000,Examen final,120,,",
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "evaluations", str(path), stdout=io.StringIO())
    message = str(refused.value).replace("\xa0", " ")
    assert message.splitlines()[0] == "Fichier refusé : rien n'a été enregistré (1 erreur(s))."
    assert message.splitlines()[1].startswith("Ligne 6402 : « weight »")
    assert not Evaluation.objects.exists()


def test_evaluations_guarantees_hold_across_batches(institution, tmp_path, small_batches):
    sections(3)
    path = evaluations_file(tmp_path / "evaluations.csv", range(3), per_group=2)
    out = io.StringIO()
    call_command("import_csv", "evaluations", str(path), "--dry-run", stdout=out)
    lines = out.getvalue().replace("\xa0", " ").splitlines()
    assert lines[0] == "Simulation (--dry-run) : rien n'a été enregistré."
    assert lines[1] == "Ligne 2 : création de AUT-2026 201-NYA-05 gr. 00000 — Travail 0"
    assert lines[-1] == "6 création(s), 0 mise(s) à jour, 0 inchangé(s)"
    assert not Evaluation.objects.exists()
    call_command("import_csv", "evaluations", str(path), stdout=io.StringIO())
    assert Evaluation.objects.count() == 6
    # A change in the last batch, named with its line by -v 2; a weight past 100 % noted at
    # the first line of its section, whatever its batch.
    rows = path.read_text().splitlines()
    rows[-1] = rows[-1].replace(",20,", ",90,")
    path.write_text("\n".join(rows) + "\n")
    out = io.StringIO()
    call_command("import_csv", "evaluations", str(path), "-v", "2", stdout=out)
    lines = out.getvalue().replace("\xa0", " ").splitlines()
    assert (
        "Ligne 7 : mise à jour de AUT-2026 201-NYA-05 gr. 00002 — Travail 1 : "
        "pondération (%) « 20.00 » → « 90.00 »"
    ) in lines
    assert (
        "Ligne 6 : attention, les évaluations du groupe-cours AUT-2026 201-NYA-05 gr. 00002 "
        "totalisent 110.00 % (plus de 100 %)."
    ) in lines
    assert lines[-1] == "0 création(s), 1 mise(s) à jour, 5 inchangé(s)"


def test_evaluations_of_a_section_must_follow_each_other_past_a_batch(
    institution, tmp_path, small_batches
):
    sections(3)
    path = evaluations_file(
        tmp_path / "evaluations.csv",
        range(3),
        per_group=2,
        last="AUT-2026,201-NYA-05,00000,Examen final,20,,",  # group 00000 again, line 8
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "evaluations", str(path), stdout=io.StringIO())
    assert str(refused.value).replace("\xa0", " ").splitlines()[1:] == [
        "Ligne 8 : le groupe-cours AUT-2026 201-NYA-05 gr. 00000 figure déjà plus haut "
        "(ligne 2) : dans un fichier de plus de 5000 lignes, les évaluations d'un même "
        "groupe-cours doivent se suivre. Triez le fichier par session, cours et groupe."
    ]
    assert not Evaluation.objects.exists()  # all or nothing: the first batches rolled back


def test_evaluations_a_repeated_title_within_a_batch_is_named_with_its_line(
    institution, tmp_path, small_batches
):
    sections(2)
    path = evaluations_file(tmp_path / "evaluations.csv", range(2), per_group=3)
    rows = path.read_text().splitlines()
    rows[-1] = rows[-1].replace("Travail 2", "TRAVAIL 0")
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "evaluations", str(path), stdout=io.StringIO())
    assert str(refused.value).replace("\xa0", " ").splitlines()[1:] == [
        "Ligne 7 : l'évaluation « TRAVAIL 0 » du groupe-cours AUT-2026 201-NYA-05 gr. 00001 "
        "figure déjà à la ligne 5."
    ]
    assert not Evaluation.objects.exists()


# --- Enrolments ----------------------------------------------------------------------------------


def college(institution, students: int, courses: int) -> list[str]:
    """`students` students and `courses` courses of one section each, in AUT-2026."""
    term = make_term("AUT-2026")
    for n in range(courses):
        make_section(term, make_course(f"201-N{n:02d}-05"))
    school = school_main(institution)
    Student.objects.bulk_create(
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
    return [f"{2026000 + n}" for n in range(1, students + 1)]


def enrolments_file(path: Path, matricules, courses: range) -> Path:
    lines = ["term,matricule,course_code,group"]
    for n in courses:
        lines.extend(f"AUT-2026,{m},201-N{n:02d}-05,01" for m in matricules)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_enrolments_peak_memory_does_not_grow_with_the_file(institution, tmp_path, monkeypatch):
    monkeypatch.setattr(EnrolmentImporter, "batch_rows", 250)
    matricules = college(institution, 1000, 5)
    small = enrolments_file(tmp_path / "small.csv", matricules, range(1))  # 1,000 rows
    large = enrolments_file(tmp_path / "large.csv", matricules, range(1, 5))  # 4,000 rows
    import_peak("enrolments", large, dry_run=True)  # what is loaded once a process, before both
    small_peak, report = import_peak("enrolments", small)
    assert report.created == 1000
    large_peak, report = import_peak("enrolments", large)
    assert report.created == 4000
    assert Enrolment.objects.count() == 5000
    # Four times the rows, far less than four times the memory; what grows is the keys seen for
    # "already at line N", one int and its line a row: about 93 bytes a row (a tuple of the
    # three cells kept with its strings: 225).
    assert large_peak < 1.6 * small_peak, (small_peak, large_peak)
    assert (large_peak - small_peak) / 3000 < 150, (small_peak, large_peak)


def test_enrolments_are_not_validated_one_by_one(institution, tmp_path, monkeypatch):
    matricules = college(institution, 3, 2)
    path = enrolments_file(tmp_path / "enrolments.csv", matricules, range(2))

    def refuse(*args, **kwargs):
        raise AssertionError("full_clean per enrolment")

    monkeypatch.setattr(Enrolment, "full_clean", refuse)
    call_command("import_csv", "enrolments", str(path), stdout=io.StringIO())
    assert Enrolment.objects.count() == 6
    assert set(Enrolment.objects.values_list("final_grade", "absences", "lateness")) == {
        (None, 0, 0)
    }


def test_enrolments_an_error_on_the_last_line_leaves_nothing_written(
    institution, tmp_path, small_batches
):
    matricules = college(institution, 4, 2)
    path = enrolments_file(tmp_path / "enrolments.csv", matricules, range(2))
    with path.open("a", encoding="utf-8") as file:
        file.write(f"AUT-2026,{matricules[2]},201-N01-05,01\n")  # line 10, as line 8
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "enrolments", str(path), stdout=io.StringIO())
    assert str(refused.value).replace("\xa0", " ").splitlines()[1:] == [
        "Ligne 10 : l'inscription de l'étudiant 2026003 au cours 201-N01-05 à la session "
        "AUT-2026 figure déjà à la ligne 8."
    ]
    assert not Enrolment.objects.exists()
