"""`import_csv courses | sections | enrolments | evaluations | marks | final_grades`: the course
records, with the guarantees of the students import (tests/students/test_import_csv.py)."""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.selectors import institution_current
from students.imports.cells import term_dates
from students.models import (
    Course,
    Employee,
    Enrolment,
    Evaluation,
    Mark,
    Meeting,
    Program,
    Section,
    Student,
    Term,
)
from tests.factories import make_employee, make_student

DOC = Path(__file__).resolve().parents[2] / "docs" / "import.md"


def write_csv(
    path: Path,
    headers: list[str],
    rows: list[list[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(path: Path, kind: str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_csv", kind, str(path), *args, stdout=out)
    return out.getvalue()


def refused(path: Path, kind: str, *args: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        run(path, kind, *args)
    return str(excinfo.value)


def error_lines(message: str) -> list[str]:
    return [line.split(" : ")[0] for line in message.splitlines()[1:]]


COURSE_HEADERS = ["code", "title", "credits", "program", "program_term"]
SECTION_HEADERS = ["term", "course_code", "group", "teacher", "day", "start", "end", "room"]
ENROLMENT_HEADERS = ["term", "matricule", "course_code", "group"]
EVALUATION_HEADERS = ["term", "course_code", "group", "title", "weight", "date", "class_average"]
MARK_HEADERS = ["term", "matricule", "course_code", "evaluation", "mark", "max_mark"]
GRADE_HEADERS = ["term", "matricule", "course_code", "grade", "absences", "lateness"]


@pytest.fixture
def people(institution):
    """Three students and two teachers, as `import_csv students` and `employees` leave them."""
    students = {
        matricule: make_student(institution, matricule=matricule, last_name=last, first_name=first)
        for matricule, last, first in [
            ("2026201", "Côté", "Étienne"),
            ("2026202", "Nguyễn", "Thị Hoa"),
            ("2026203", "D'Amour", "Zoé"),
        ]
    }
    teachers = {
        number: make_employee(institution, employee_number=number, last_name=last, first_name=f)
        for number, last, f in [("50001", "Bergeron", "Isabelle"), ("50002", "Lévesque", "Luc")]
    }
    return {"students": students, "teachers": teachers}


@pytest.fixture
def courses(people):
    return {
        code: Course.objects.create(code=code, title=title, credits=Decimal(credits))
        for code, title, credits in [
            ("201-NYA-05", "Calcul différentiel", "2.33"),
            ("601-101-MQ", "Écriture et littérature", "2.33"),
        ]
    }


@pytest.fixture
def sections(courses, people):
    """AUT-2026: 201-NYA-05 groups 01 and 02, 601-101-MQ group 01, with their meetings."""
    term = Term.objects.create(
        code="AUT-2026", starts_on=datetime.date(2026, 8, 20), ends_on=datetime.date(2026, 12, 20)
    )
    teacher = people["teachers"]["50001"]
    made = {}
    for code, group, meetings in [
        ("201-NYA-05", "01", [(1, "08:00", "10:00", "B-204"), (3, "10:00", "12:00", "B-204")]),
        ("201-NYA-05", "02", [(2, "13:00", "15:00", "B-210")]),
        ("601-101-MQ", "01", [(4, "08:00", "11:00", "A-110")]),
    ]:
        section = Section.objects.create(
            term=term, course=courses[code], group=group, teacher=teacher
        )
        for day, start, end, room in meetings:
            Meeting.objects.create(
                section=section,
                day=day,
                start=datetime.time.fromisoformat(start),
                end=datetime.time.fromisoformat(end),
                room=room,
            )
        made[(code, group)] = section
    return made


@pytest.fixture
def enrolled(sections, people):
    """Étienne and Thị Hoa in 201-NYA-05 gr. 01, Zoé in gr. 02; Étienne in 601-101-MQ gr. 01."""
    students = people["students"]
    pairs = [
        ("2026201", ("201-NYA-05", "01")),
        ("2026202", ("201-NYA-05", "01")),
        ("2026203", ("201-NYA-05", "02")),
        ("2026201", ("601-101-MQ", "01")),
    ]
    return [
        Enrolment.objects.create(student=students[matricule], section=sections[key])
        for matricule, key in pairs
    ]


@pytest.fixture
def evaluated(enrolled, sections):
    """201-NYA-05 gr. 01: Examen 1 (30 %), TP 1 (20 %); gr. 02: Examen 1 (40 %)."""
    made = {}
    for key, title, weight in [
        (("201-NYA-05", "01"), "Examen 1", "30"),
        (("201-NYA-05", "01"), "TP 1", "20"),
        (("201-NYA-05", "02"), "Examen 1", "40"),
    ]:
        made[(key[1], title)] = Evaluation.objects.create(
            section=sections[key], title=title, weight=Decimal(weight)
        )
    return made


# --- Every kind: the registration, the documentation -----------------------------------------


def test_every_kind_is_registered(institution, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["code"], [["X"]])

    message = refused(path, "grades")

    assert (
        "Types possibles : attendance, choice_windows, courses, elective_lists, employees, "
        "enrolments, evaluations, final_grades, guardians, invoices, loans, marks, sections, "
        "students." in message
    )


def _doc_section(title: str) -> str:
    return DOC.read_text(encoding="utf-8").split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _examples(section: str) -> list[str]:
    return re.findall(r"~~~csv\n(.*?)~~~", section, flags=re.DOTALL)


def _outputs(section: str) -> list[str]:
    return re.findall(r"```text\n(.*?)```", section, flags=re.DOTALL)


def test_the_examples_in_the_documentation_import_in_order(people, tmp_path):
    # The students and the teachers the examples name, as the earlier examples create them.
    Employee.objects.filter(employee_number="50002").update(first_name="François")

    def example(title: str, position: int = 0) -> Path:
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.csv"
        path.write_text(_examples(_doc_section(title))[position], encoding="utf-8")
        return path

    courses = example("Cours (`courses`)")
    assert "4 création(s), 0 mise(s) à jour, 0 inchangé(s)" in run(courses, "courses")
    semicolons = example("Cours (`courses`)", 1)
    assert "0 création(s), 0 mise(s) à jour, 1 inchangé(s)" in run(semicolons, "courses")
    assert Course.objects.get(code="420-1B3-SJ").program.code == "420.B0"

    title = "Groupes-cours et horaires (`sections`)"
    sections = example(title)
    created, updated = _outputs(_doc_section(title))
    # The documentation shows the output with ordinary spaces.
    assert run(sections, "sections", "--dry-run").replace("\N{NO-BREAK SPACE}", " ") == created
    assert "Session créée : AUT-2026" in run(sections, "sections")
    assert "0 création(s), 0 mise(s) à jour, 4 inchangé(s)" in run(sections, "sections")
    # The later file the documentation describes: Wednesday in B-300, group 02 to 50002.
    later = sections.read_text(encoding="utf-8").splitlines(keepends=True)
    later[2] = later[2].replace("B-204", "B-300")
    later[3] = later[3].replace("50001", "50002")
    (tmp_path / "later.csv").write_text("".join(later), encoding="utf-8")
    assert (
        run(tmp_path / "later.csv", "sections", "--dry-run").replace("\N{NO-BREAK SPACE}", " ")
        == updated
    )

    enrolments = example("Inscriptions aux groupes (`enrolments`)")
    assert "4 création(s), 0 mise(s) à jour, 0 inchangé(s)" in run(enrolments, "enrolments")
    evaluations = example("Évaluations (`evaluations`)")
    output = run(evaluations, "evaluations")
    assert "4 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    assert "attention" not in output
    marks = example("Notes d'évaluation (`marks`)")
    assert "4 création(s), 0 mise(s) à jour, 0 inchangé(s)" in run(marks, "marks")
    grades = example("Notes finales et absences (`final_grades`)")
    assert "0 création(s), 4 mise(s) à jour, 0 inchangé(s)" in run(grades, "final_grades")
    assert "0 création(s), 0 mise(s) à jour, 4 inchangé(s)" in run(grades, "final_grades")
    enrolment = Enrolment.objects.get(
        student__matricule="2026202", section__course__code="201-NYA-05"
    )
    assert (enrolment.final_grade, enrolment.absences, enrolment.lateness) == (58, 6, 3)


def test_the_term_dates_are_those_the_documentation_gives(institution):
    section = _doc_section("Groupes-cours et horaires (`sections`)")
    assert term_dates("AUT-2026") == (datetime.date(2026, 8, 20), datetime.date(2026, 12, 20))
    assert term_dates("HIV-2027") == (datetime.date(2027, 1, 15), datetime.date(2027, 5, 15))
    assert term_dates("ETE-2027") == (datetime.date(2027, 5, 20), datetime.date(2027, 8, 10))
    for text in ["20 août au 20 décembre", "15 janvier au 15 mai", "20 mai au 10 août"]:
        assert text in section


# --- courses ----------------------------------------------------------------------------------


def test_courses_are_created_with_their_program(institution, tmp_path):
    Program.objects.create(code="200.B0", name="Sciences de la nature")
    rows = [
        ["201-NYA-05", "Calcul différentiel", "2,33", "200.b0", "1"],
        ["601-101-MQ", "Écriture et littérature", "2.33", "", ""],
        ["420-1b3-sj", "Programmation d'interfaces", "2.66", "420.B0", "3"],
    ]
    path = write_csv(tmp_path / "cours.csv", COURSE_HEADERS, rows, delimiter=";")

    output = run(path, "courses")

    assert "3 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    assert "Programme créé : 420.B0" in output
    calculus = Course.objects.get(code="201-NYA-05")
    assert (calculus.credits, calculus.program.code, calculus.program_term) == (
        Decimal("2.33"),
        "200.B0",
        1,
    )
    writing = Course.objects.get(code="601-101-MQ")
    assert (writing.title, writing.program, writing.program_term) == (
        "Écriture et littérature",
        None,
        None,
    )
    # Codes are kept in capitals, and found again without case.
    assert Course.objects.get(code="420-1B3-SJ").program.name == "420.B0"


def test_courses_a_second_run_changes_nothing_and_an_update_is_named(institution, tmp_path):
    rows = [["201-NYA-05", "Calcul différentiel", "2.33", "", "1"]]
    path = write_csv(tmp_path / "cours.csv", COURSE_HEADERS, rows)
    run(path, "courses")

    assert "0 création(s), 0 mise(s) à jour, 1 inchangé(s)" in run(path, "courses")
    lower = write_csv(tmp_path / "b.csv", COURSE_HEADERS, [["201-nya-05", "Calcul I", "3", "", ""]])
    output = run(lower, "courses", "--dry-run")

    assert "Ligne 2 : mise à jour de 201-NYA-05 Calcul I : " in output
    assert "titre « Calcul différentiel » → « Calcul I »" in output
    assert "unités (pondération) « 2.33 » → « 3.00 »" in output
    assert "session de la grille « 1 » → « (vide) »" in output
    assert Course.objects.get().title == "Calcul différentiel"
    assert "0 création(s), 1 mise(s) à jour" in run(lower, "courses")
    course = Course.objects.get()
    assert (course.code, course.title, course.credits, course.program_term) == (
        "201-NYA-05",
        "Calcul I",
        Decimal("3.00"),
        None,
    )


def test_courses_dry_run_writes_nothing(institution, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", COURSE_HEADERS, [["201-NYA-05", "Calcul", "2.33", "X", ""]]
    )

    output = run(path, "courses", "--dry-run")

    assert "Ligne 2 : création de 201-NYA-05 Calcul" in output
    assert "Programme à créer : X" in output
    assert not Course.objects.exists()
    assert not Program.objects.exists()


def test_courses_every_bad_row_is_reported(institution, tmp_path):
    rows = [
        ["201-NYA-05", "Calcul", "2.33", "", ""],
        ["201-NYB-05", "Calcul intégral", "deux", "", ""],
        ["201 NYC", "", "2.333", "", "9"],
        ["201-nya-05", "Calcul", "2.33", "", ""],
        ["201-NYD-05", "Algèbre", "0", "", "0"],
    ]

    message = refused(write_csv(tmp_path / "c.csv", COURSE_HEADERS, rows), "courses")

    assert "« credits » doit être un nombre comme 2.33" in message
    assert "Ligne 4 : le code de cours ne peut contenir que des chiffres" in message
    assert "Ligne 4 : la cellule « title » est vide ; elle est obligatoire." in message
    assert "Ligne 4 : « credits » a plus de 2 décimales." in message
    assert "Ligne 4 : « program_term » doit être un nombre entier de 1 à 8." in message
    assert "Ligne 5 : le code 201-NYA-05 figure déjà à la ligne 2." in message
    assert "Ligne 6 : « credits » doit être plus grand que 0." in message
    assert error_lines(message) == [f"Ligne {n}" for n in (3, 4, 4, 4, 4, 5, 6, 6)]
    assert not Course.objects.exists()


# --- sections ---------------------------------------------------------------------------------


def test_sections_one_row_per_meeting_make_one_section_and_create_its_term(
    courses, people, tmp_path
):
    rows = [
        ["AUT-2026", "201-NYA-05", "01", "50001", "1", "08:00", "10:00", "B-204"],
        ["AUT-2026", "201-NYA-05", "01", "50001", "3", "10:00", "12:00", "B-204"],
        ["aut-2026", "201-nya-05", "02", "", "2", "8:30", "10:30", ""],
        ["HIV-2027", "601-101-MQ", "01", "50002", "5", "13:00", "16:00", "Salle Côté"],
        ["été-2027", "601-101-MQ", "01", "", "1", "09:00", "12:00:00", ""],
    ]
    path = write_csv(tmp_path / "groupes.csv", SECTION_HEADERS, rows)

    output = run(path, "sections")

    assert "5 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    assert "Groupes-cours : 4 créé(s), 0 modifié(s), 0 inchangé(s)." in output
    assert "Session créée : AUT-2026, du 20 août 2026 au 20 décembre 2026" in output
    terms = {term.code: (term.starts_on, term.ends_on) for term in Term.objects.all()}
    assert terms == {
        "AUT-2026": (datetime.date(2026, 8, 20), datetime.date(2026, 12, 20)),
        "HIV-2027": (datetime.date(2027, 1, 15), datetime.date(2027, 5, 15)),
        "ETE-2027": (datetime.date(2027, 5, 20), datetime.date(2027, 8, 10)),
    }
    first = Section.objects.get(term__code="AUT-2026", course__code="201-NYA-05", group="01")
    assert first.teacher.employee_number == "50001"
    assert [(m.day, m.start, m.end, m.room) for m in first.meetings.order_by("day")] == [
        (1, datetime.time(8), datetime.time(10), "B-204"),
        (3, datetime.time(10), datetime.time(12), "B-204"),
    ]
    second = Section.objects.get(group="02")
    assert second.teacher is None
    assert second.meetings.get().start == datetime.time(8, 30)
    assert Meeting.objects.get(room="Salle Côté").section.term.code == "HIV-2027"
    assert Meeting.objects.get(section__term__code="ETE-2027").end == datetime.time(12)


def test_sections_a_second_run_changes_nothing(courses, people, tmp_path):
    rows = [
        ["AUT-2026", "201-NYA-05", "01", "50001", "1", "08:00", "10:00", "B-204"],
        ["AUT-2026", "201-NYA-05", "01", "50001", "3", "10:00", "12:00", "B-204"],
    ]
    path = write_csv(tmp_path / "groupes.csv", SECTION_HEADERS, rows)
    run(path, "sections")
    meetings = set(Meeting.objects.values_list("pk", flat=True))

    output = run(path, "sections")

    assert "0 création(s), 0 mise(s) à jour, 2 inchangé(s)" in output
    assert "Groupes-cours : 0 créé(s), 0 modifié(s), 1 inchangé(s)." in output
    assert "Session" not in output
    assert set(Meeting.objects.values_list("pk", flat=True)) == meetings
    assert Term.objects.count() == 1


def test_sections_meetings_are_replaced_by_the_files(sections, people, tmp_path):
    monday, wednesday = sections[("201-NYA-05", "01")].meetings.order_by("day")
    # Monday changes room, Wednesday is gone; the teacher changes.
    rows = [["AUT-2026", "201-NYA-05", "01", "50002", "1", "08:00", "10:00", "B-300"]]
    path = write_csv(tmp_path / "groupes.csv", SECTION_HEADERS, rows)

    output = run(path, "sections", "--dry-run")

    assert (
        "Ligne 2 : mise à jour de AUT-2026 201-NYA-05 gr. 01 : lundi 08:00-10:00, local B-204 : "
        "enseignant « Bergeron, Isabelle (50001) » → « Lévesque, Luc (50002) » ; "
        "plage retirée « mercredi 10:00-12:00, local B-204 » → « (vide) » ; "
        "local « B-204 » → « B-300 »"
    ) in output
    assert "0 création(s), 1 mise(s) à jour, 0 inchangé(s)" in output
    assert "Groupes-cours : 0 à créer, 1 à modifier, 0 inchangé(s)." in output
    assert not Meeting.objects.filter(room="B-300").exists()

    run(path, "sections")

    section = Section.objects.get(pk=sections[("201-NYA-05", "01")].pk)
    assert section.teacher.employee_number == "50002"
    # Monday is the same meeting (the calendar's event), its room changed; Wednesday is gone.
    assert [(m.pk, m.day, m.room) for m in section.meetings.all()] == [(monday.pk, 1, "B-300")]
    assert not Meeting.objects.filter(pk=wednesday.pk).exists()
    # The sections the file does not name keep their meetings.
    assert sections[("201-NYA-05", "02")].meetings.count() == 1
    assert "0 création(s), 0 mise(s) à jour, 1 inchangé(s)" in run(path, "sections")

    # Meetings added; a meeting that moves keeps its identity.
    rows = [
        ["AUT-2026", "201-NYA-05", "01", "50002", "2", "08:00", "10:00", "B-300"],
        ["AUT-2026", "201-NYA-05", "01", "50002", "5", "13:00", "15:00", "B-300"],
        ["AUT-2026", "201-NYA-05", "01", "50002", "4", "13:00", "15:00", "B-300"],
    ]
    output = run(write_csv(tmp_path / "b.csv", SECTION_HEADERS, rows), "sections", "-v", "2")

    assert (
        "Ligne 2 : mise à jour de AUT-2026 201-NYA-05 gr. 01 : lundi 08:00-10:00, local B-300 : "
        "jour « Lundi » → « Mardi »"
    ) in output
    assert "Ligne 3 : création de AUT-2026 201-NYA-05 gr. 01 : vendredi 13:00-15:00" in output
    assert "Ligne 4 : création de AUT-2026 201-NYA-05 gr. 01 : jeudi 13:00-15:00" in output
    assert "2 création(s), 1 mise(s) à jour, 0 inchangé(s)" in output
    days = [(m.day, m.pk == monday.pk) for m in section.meetings.order_by("day")]
    assert days == [(2, True), (4, False), (5, False)]


def test_sections_without_the_teacher_and_room_columns_keep_them(sections, tmp_path):
    headers = ["term", "course_code", "group", "day", "start", "end"]
    rows = [["AUT-2026", "201-NYA-05", "02", "2", "13:00", "16:00"]]

    output = run(write_csv(tmp_path / "g.csv", headers, rows), "sections", "-v", "2")

    assert "0 création(s), 1 mise(s) à jour, 0 inchangé(s)" in output
    section = Section.objects.get(pk=sections[("201-NYA-05", "02")].pk)
    assert section.teacher.employee_number == "50001"
    meeting = section.meetings.get()
    assert (meeting.end, meeting.room) == (datetime.time(16), "B-210")


def test_sections_dry_run_writes_nothing(courses, people, tmp_path):
    rows = [["HIV-2027", "201-NYA-05", "01", "50001", "1", "08:00", "10:00", "B-204"]]
    path = write_csv(tmp_path / "groupes.csv", SECTION_HEADERS, rows)

    output = run(path, "sections", "--dry-run")

    assert (
        "Ligne 2 : création de HIV-2027 201-NYA-05 gr. 01 (enseignant : Bergeron, Isabelle "
        "(50001)) : lundi 08:00-10:00, local B-204"
    ) in output
    assert "Session à créer : HIV-2027, du 15 janvier 2027 au 15 mai 2027" in output
    assert not Term.objects.exists()
    assert not Section.objects.exists()
    assert not Meeting.objects.exists()


def test_sections_every_bad_row_is_reported(courses, people, tmp_path):
    rows = [
        ["AUT-2026", "201-NYA-05", "01", "50001", "1", "08:00", "10:00", "B-204"],
        ["Automne 2026", "201-NYA-05", "01", "", "1", "08:00", "10:00", ""],
        ["AUT-2026", "999-XXX-99", "01", "59999", "8", "8h", "25:00", ""],
        ["AUT-2026", "201-NYA-05", "02", "", "2", "10:00", "09:00", ""],
        ["AUT-2026", "201-NYA-05", "01", "50002", "3", "10:00", "12:00", ""],
        ["AUT-2026", "201-NYA-05", "01", "50001", "1", "09:00", "11:00", ""],
        ["AUT-2026", "201-NYA-05", "0123456789X", "", "1", "08:00", "10:00", ""],
        ["AUT-2026", "201-NYA-05", "03", "", "", "08:00", "10:00", ""],
    ]

    message = refused(write_csv(tmp_path / "g.csv", SECTION_HEADERS, rows), "sections")

    assert "Ligne 3 : la session « Automne 2026 » n'existe pas et ne peut pas être créée" in message
    assert "Ligne 4 : aucun cours n'a le code « 999-XXX-99 ». Importez d'abord les cours" in message
    assert "Ligne 4 : aucun employé n'a le numéro « 59999 »." in message
    assert "Ligne 4 : le jour doit être un chiffre de 1 (lundi) à 7 (dimanche)." in message
    assert "Ligne 4 : « start » doit être une heure au format HH:MM" in message
    assert "Valeur reçue : « 25:00 »." in message
    assert "Ligne 5 : l'heure de fin 09:00 doit suivre l'heure de début 10:00." in message
    assert (
        "Ligne 6 : le groupe-cours AUT-2026 201-NYA-05 gr. 01 a « teacher » = « 50001 » à la "
        "ligne 2, mais « 50002 » ici" in message
    )
    assert (
        "Ligne 7 : la plage lundi 09:00-11:00 du groupe-cours AUT-2026 201-NYA-05 gr. 01 "
        "chevauche celle de la ligne 2." in message
    )
    assert "Ligne 8 : « group » compte 11 caractères ; 10 au plus." in message
    assert "Ligne 9 : la cellule « day » est vide ; elle est obligatoire." in message
    assert error_lines(message) == [
        "Ligne 3",
        *["Ligne 4"] * 5,
        "Ligne 5",
        "Ligne 6",
        "Ligne 7",
        "Ligne 8",
        "Ligne 9",
    ]
    assert not Term.objects.exists()
    assert not Section.objects.exists()


# --- enrolments -------------------------------------------------------------------------------


def test_enrolments_are_created_then_unchanged(sections, tmp_path):
    rows = [
        ["AUT-2026", "2026201", "201-NYA-05", "01"],
        ["AUT-2026", "2026202", "201-nya-05", "02"],
        ["aut-2026", "2026201", "601-101-MQ", "01"],
    ]
    path = write_csv(tmp_path / "inscriptions.csv", ENROLMENT_HEADERS, rows, delimiter=";")

    dry = run(path, "enrolments", "--dry-run")
    assert "Ligne 2 : création de Côté, Étienne (2026201) — AUT-2026 201-NYA-05 gr. 01" in dry
    assert not Enrolment.objects.exists()
    output = run(path, "enrolments")

    assert "3 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    enrolments = Enrolment.objects.values_list(
        "student__matricule", "section__course__code", "section__group"
    )
    assert set(enrolments) == {
        ("2026201", "201-NYA-05", "01"),
        ("2026202", "201-NYA-05", "02"),
        ("2026201", "601-101-MQ", "01"),
    }
    assert "0 création(s), 0 mise(s) à jour, 3 inchangé(s)" in run(path, "enrolments")


def test_enrolments_another_group_moves_the_student(evaluated, enrolled, sections, tmp_path):
    thi_hoa = Enrolment.objects.get(student__matricule="2026202")
    Mark.objects.create(
        evaluation=evaluated[("01", "Examen 1")],
        student=thi_hoa.student,
        mark=Decimal(15),
        max_mark=Decimal(20),
    )
    rows = [["AUT-2026", "2026202", "201-NYA-05", "02"]]
    path = write_csv(tmp_path / "inscriptions.csv", ENROLMENT_HEADERS, rows)

    output = run(path, "enrolments", "--dry-run")

    assert (
        "Ligne 2 : mise à jour de Nguyễn, Thị Hoa (2026202) — AUT-2026 201-NYA-05 gr. 01 : "
        "groupe « 01 » → « 02 »"
    ) in output
    assert (
        "Ligne 2 : attention, l'étudiant 2026202 change de groupe en 201-NYA-05 (01 → 02) ; "
        "ses notes d'évaluation du groupe 01 y restent."
    ) in output
    run(path, "enrolments")
    thi_hoa.refresh_from_db()
    assert thi_hoa.section == sections[("201-NYA-05", "02")]
    assert Enrolment.objects.count() == len(enrolled)


def test_enrolments_need_the_section_and_the_student(sections, tmp_path):
    rows = [
        ["AUT-2026", "2026201", "201-NYA-05", "1"],
        ["HIV-2027", "2026201", "201-NYA-05", "01"],
        ["AUT-2026", "2026299", "201-NYA-05", "01"],
        ["AUT-2026", "2026202", "201-NYA-05", "01"],
        ["AUT-2026", "2026202", "201-NYA-05", "02"],
        ["AUT-2026", "202620", "601-101-MQ", ""],
    ]

    message = refused(write_csv(tmp_path / "i.csv", ENROLMENT_HEADERS, rows), "enrolments")

    assert (
        "Ligne 2 : le groupe 1 du cours 201-NYA-05 n'existe pas à la session AUT-2026. Importez "
        "d'abord les groupes-cours (import_csv sections). Groupes de ce cours à cette session : "
        "01, 02. Si Excel a retiré les zéros du début, mettez la colonne au format Texte."
    ) in message
    assert "Ligne 3 : la session « HIV-2027 » n'existe pas." in message
    assert "Ligne 4 : aucun étudiant n'a le matricule « 2026299 »." in message
    assert (
        "Ligne 6 : l'inscription de l'étudiant 2026202 au cours 201-NYA-05 à la session "
        "AUT-2026 figure déjà à la ligne 5."
    ) in message
    assert "Ligne 7 : aucun étudiant n'a le matricule « 202620 »." in message
    assert "Ligne 7 : la cellule « group » est vide ; elle est obligatoire." in message
    assert error_lines(message) == [
        "Ligne 2",
        "Ligne 3",
        "Ligne 4",
        "Ligne 6",
        "Ligne 7",
        "Ligne 7",
    ]
    assert not Enrolment.objects.exists()


# --- evaluations ------------------------------------------------------------------------------


def test_evaluations_are_created_updated_and_unchanged(sections, tmp_path):
    rows = [
        ["AUT-2026", "201-NYA-05", "01", "Examen 1", "30", "2026-10-08", ""],
        ["AUT-2026", "201-NYA-05", "01", "Travail pratique « Dérivées »", "12,5", "", ""],
        ["AUT-2026", "201-NYA-05", "02", "Examen 1", "30", "2026-10-09", "71.25"],
    ]
    path = write_csv(tmp_path / "evaluations.csv", EVALUATION_HEADERS, rows)

    output = run(path, "evaluations")

    assert "3 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    exam = Evaluation.objects.get(section=sections[("201-NYA-05", "01")], title="Examen 1")
    assert (exam.weight, exam.date, exam.class_average) == (
        Decimal("30.00"),
        datetime.date(2026, 10, 8),
        None,
    )
    practical = Evaluation.objects.get(title="Travail pratique « Dérivées »")
    assert (practical.weight, practical.date) == (Decimal("12.50"), None)
    assert Evaluation.objects.get(section__group="02").class_average == Decimal("71.25")
    assert "0 création(s), 0 mise(s) à jour, 3 inchangé(s)" in run(path, "evaluations")

    # The title is found without case; the class average is released.
    later = [["AUT-2026", "201-NYA-05", "01", "examen 1", "35", "2026-10-08", "68"]]
    output = run(write_csv(tmp_path / "b.csv", EVALUATION_HEADERS, later), "evaluations", "-v2")

    assert (
        "Ligne 2 : mise à jour de AUT-2026 201-NYA-05 gr. 01 — Examen 1 : titre « Examen 1 » → "
        "« examen 1 » ; pondération (%) « 30.00 » → « 35.00 » ; moyenne du groupe (%) "
        "« (vide) » → « 68.00 »"
    ) in output
    exam.refresh_from_db()
    assert (exam.title, exam.weight, exam.class_average) == ("examen 1", 35, Decimal(68))
    assert Evaluation.objects.count() == 3


def test_evaluations_weights_over_100_are_a_warning(evaluated, tmp_path):
    # Examen 1 (30 %) and TP 1 (20 %) exist in group 01; the file adds 60 %: 110 %.
    rows = [["AUT-2026", "201-NYA-05", "01", "Examen final", "60", "", ""]]
    path = write_csv(tmp_path / "e.csv", EVALUATION_HEADERS, rows)

    output = run(path, "evaluations")

    assert (
        "Ligne 2 : attention, les évaluations du groupe-cours AUT-2026 201-NYA-05 gr. 01 "
        "totalisent 110.00 % (plus de 100 %)."
    ) in output
    assert "1 création(s)" in output
    assert Evaluation.objects.filter(section__group="01").count() == 3
    # Lowering an existing weight in the same file counts, not its old weight.
    rows.append(["AUT-2026", "201-NYA-05", "01", "TP 1", "10", "", ""])
    output = run(write_csv(tmp_path / "f.csv", EVALUATION_HEADERS, rows), "evaluations")
    assert "attention" not in output


def test_evaluations_dry_run_writes_nothing(sections, tmp_path):
    rows = [["AUT-2026", "201-NYA-05", "01", "Examen 1", "30", "", ""]]

    output = run(
        write_csv(tmp_path / "e.csv", EVALUATION_HEADERS, rows), "evaluations", "--dry-run"
    )

    assert "Ligne 2 : création de AUT-2026 201-NYA-05 gr. 01 — Examen 1" in output
    assert not Evaluation.objects.exists()


def test_evaluations_every_bad_row_is_reported(sections, tmp_path):
    rows = [
        ["AUT-2026", "201-NYA-05", "01", "Examen 1", "30", "2026-10-08", ""],
        ["AUT-2026", "201-NYA-05", "09", "Examen 1", "30", "", ""],
        ["AUT-2026", "201-NYA-05", "01", "Examen 2", "120", "08/10/2026", "101"],
        ["AUT-2026", "201-NYA-05", "01", "EXAMEN 1", "30", "2026-02-30", ""],
        ["AUT-2026", "201-NYA-05", "01", "", "-5", "", ""],
    ]

    message = refused(write_csv(tmp_path / "e.csv", EVALUATION_HEADERS, rows), "evaluations")

    assert (
        "Ligne 3 : le groupe 09 du cours 201-NYA-05 n'existe pas à la session AUT-2026." in message
    )
    assert "Ligne 4 : « weight » doit être entre 0 et 100. Valeur reçue : « 120 »." in message
    assert "Ligne 4 : « date » doit être une date au format AAAA-MM-JJ." in message
    assert "Ligne 4 : « class_average » doit être entre 0 et 100." in message
    assert "Ligne 5 : la date 2026-02-30 n'existe pas." in message
    assert "Ligne 6 : la cellule « title » est vide ; elle est obligatoire." in message
    assert "Ligne 6 : « weight » doit être entre 0 et 100. Valeur reçue : « -5 »." in message
    assert error_lines(message) == [
        "Ligne 3",
        "Ligne 4",
        "Ligne 4",
        "Ligne 4",
        "Ligne 5",
        "Ligne 6",
        "Ligne 6",
    ]
    assert not Evaluation.objects.exists()


def test_evaluations_the_same_title_twice_in_a_section_is_an_error(sections, tmp_path):
    rows = [
        ["AUT-2026", "201-NYA-05", "01", "Examen 1", "30", "", ""],
        ["AUT-2026", "201-NYA-05", "02", "Examen 1", "30", "", ""],
        ["AUT-2026", "201-NYA-05", "01", "examen 1", "35", "", ""],
    ]

    message = refused(write_csv(tmp_path / "e.csv", EVALUATION_HEADERS, rows), "evaluations")

    assert (
        "Ligne 4 : l'évaluation « examen 1 » du groupe-cours AUT-2026 201-NYA-05 gr. 01 figure "
        "déjà à la ligne 2."
    ) in message


# --- marks ------------------------------------------------------------------------------------


def test_marks_are_created_updated_and_unchanged(evaluated, tmp_path):
    rows = [
        ["AUT-2026", "2026201", "201-NYA-05", "Examen 1", "17,5", "20"],
        ["AUT-2026", "2026202", "201-NYA-05", "examen 1", "12", "20"],
        ["AUT-2026", "2026201", "201-NYA-05", "TP 1", "9", "10"],
        # Zoé is in group 02: its own Examen 1.
        ["AUT-2026", "2026203", "201-NYA-05", "Examen 1", "80", "100"],
    ]
    path = write_csv(tmp_path / "notes.csv", MARK_HEADERS, rows, delimiter=";")

    dry = run(path, "marks", "--dry-run")
    assert (
        "Ligne 2 : création de Côté, Étienne (2026201) — AUT-2026 201-NYA-05 gr. 01 — Examen 1"
        in dry
    )
    assert not Mark.objects.exists()
    output = run(path, "marks")

    assert "4 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    etienne = Mark.objects.get(student__matricule="2026201", evaluation__title="Examen 1")
    assert (etienne.mark, etienne.max_mark) == (Decimal("17.50"), Decimal("20.00"))
    zoe = Mark.objects.get(student__matricule="2026203")
    assert zoe.evaluation == evaluated[("02", "Examen 1")]
    assert "0 création(s), 0 mise(s) à jour, 4 inchangé(s)" in run(path, "marks")

    rows[0][4] = "18"
    output = run(write_csv(tmp_path / "b.csv", MARK_HEADERS, rows), "marks", "--dry-run")
    assert (
        "Ligne 2 : mise à jour de Côté, Étienne (2026201) — AUT-2026 201-NYA-05 gr. 01 — "
        "Examen 1 : note « 17.50 » → « 18.00 »"
    ) in output
    assert "0 création(s), 1 mise(s) à jour, 3 inchangé(s)" in output
    run(write_csv(tmp_path / "b.csv", MARK_HEADERS, rows), "marks")
    etienne.refresh_from_db()
    assert etienne.mark == 18


def test_marks_every_bad_row_is_reported(evaluated, tmp_path):
    rows = [
        ["AUT-2026", "2026201", "201-NYA-05", "Examen 1", "21", "20"],
        ["AUT-2026", "2026203", "601-101-MQ", "Examen 1", "15", "20"],
        ["AUT-2026", "2026201", "201-NYA-05", "Examen 3", "15", "20"],
        ["AUT-2026", "2026201", "601-101-MQ", "Dissertation", "15", "20"],
        ["AUT-2026", "2026202", "201-NYA-05", "TP 1", "5", "0"],
        ["AUT-2026", "2026202", "201-NYA-05", "TP 1", "-1", "10"],
        ["AUT-2026", "2026202", "201-NYA-05", "Examen 1", "15", "20"],
        ["AUT-2026", "2026202", "201-NYA-05", "EXAMEN 1", "16", "20"],
    ]

    message = refused(write_csv(tmp_path / "n.csv", MARK_HEADERS, rows), "marks")

    assert "Ligne 2 : la note 21.00 dépasse le maximum 20.00 (« max_mark »)." in message
    assert (
        "Ligne 3 : l'étudiant 2026203 n'est pas inscrit au cours 601-101-MQ à la session "
        "AUT-2026. Importez d'abord les inscriptions (import_csv enrolments)."
    ) in message
    assert (
        "Ligne 4 : le groupe-cours AUT-2026 201-NYA-05 gr. 01 n'a pas d'évaluation « Examen 3 ». "
        "Évaluations de ce groupe : Examen 1, TP 1."
    ) in message
    assert (
        "Ligne 5 : le groupe-cours AUT-2026 601-101-MQ gr. 01 n'a encore aucune évaluation."
    ) in message
    assert "Ligne 6 : « max_mark » doit être plus grand que 0." in message
    assert "Ligne 7 : « mark » doit être entre 0 et 9999.99." in message
    assert (
        "Ligne 9 : la note de l'étudiant 2026202 à l'évaluation « Examen 1 » du cours "
        "201-NYA-05 figure déjà à la ligne 8."
    ) in message
    assert error_lines(message) == [f"Ligne {n}" for n in (2, 3, 4, 5, 6, 7, 9)]
    assert not Mark.objects.exists()


# --- final_grades -----------------------------------------------------------------------------


def test_final_grades_update_the_enrolment(enrolled, tmp_path):
    rows = [
        ["AUT-2026", "2026201", "201-NYA-05", "78,5", "4", "1"],
        ["AUT-2026", "2026202", "201-NYA-05", "92", "0", ""],
        ["AUT-2026", "2026201", "601-101-MQ", "55", "", ""],
    ]
    path = write_csv(tmp_path / "finales.csv", GRADE_HEADERS, rows, delimiter=";")

    dry = run(path, "final_grades", "--dry-run")
    assert (
        "Ligne 2 : mise à jour de Côté, Étienne (2026201) — AUT-2026 201-NYA-05 gr. 01 : "
        "note finale « (vide) » → « 78.50 » ; absences (heures) « 0 » → « 4 » ; "
        "retards « 0 » → « 1 »"
    ) in dry
    assert "0 création(s), 3 mise(s) à jour, 0 inchangé(s)" in dry
    assert not Enrolment.objects.filter(final_grade__isnull=False).exists()
    run(path, "final_grades")

    etienne = Enrolment.objects.get(
        student__matricule="2026201", section__group="01", section__course__code="201-NYA-05"
    )
    assert (etienne.final_grade, etienne.absences, etienne.lateness) == (Decimal("78.50"), 4, 1)
    assert Enrolment.objects.get(student__matricule="2026202").final_grade == 92
    assert "0 création(s), 0 mise(s) à jour, 3 inchangé(s)" in run(path, "final_grades")

    # Without the absences column, the absences stay.
    headers = ["term", "matricule", "course_code", "grade"]
    later = [["AUT-2026", "2026201", "201-NYA-05", "80"]]
    run(write_csv(tmp_path / "b.csv", headers, later), "final_grades")
    etienne.refresh_from_db()
    assert (etienne.final_grade, etienne.absences, etienne.lateness) == (80, 4, 1)


def test_final_grades_every_bad_row_is_reported(enrolled, tmp_path):
    rows = [
        ["AUT-2026", "2026203", "601-101-MQ", "70", "0", "0"],
        ["AUT-2026", "2026201", "201-NYA-05", "101", "-2", "x"],
        ["AUT-2026", "2026202", "201-NYA-05", "", "2", "0"],
        ["AUT-2026", "2026202", "201-NYA-05", "75", "2", "0"],
        ["AUT-2026", "2026202", "201-nya-05", "76", "2", "0"],
    ]

    message = refused(write_csv(tmp_path / "f.csv", GRADE_HEADERS, rows), "final_grades")

    assert "Ligne 2 : l'étudiant 2026203 n'est pas inscrit au cours 601-101-MQ" in message
    assert "Ligne 3 : « grade » doit être entre 0 et 100. Valeur reçue : « 101 »." in message
    assert "Ligne 3 : « absences » doit être un nombre entier de 0 à 32767." in message
    assert "Ligne 3 : « lateness » doit être un nombre entier de 0 à 32767." in message
    assert "Ligne 4 : la cellule « grade » est vide ; elle est obligatoire." in message
    assert (
        "Ligne 6 : la note finale de l'étudiant 2026202 au cours 201-NYA-05 à la session "
        "AUT-2026 figure déjà à la ligne 5."
    ) in message
    assert error_lines(message) == [f"Ligne {n}" for n in (2, 3, 3, 3, 4, 6)]
    assert not Enrolment.objects.filter(final_grade__isnull=False).exists()


# --- employees: the availability hours ------------------------------------------------------


def test_employees_availability_is_imported(institution, tmp_path):
    headers = ["employee_number", "last_name", "first_name", "availability"]
    rows = [["50001", "Bergeron", "Isabelle", "mardi 13 h à 15 h, jeudi 10 h à 12 h"]]

    output = run(write_csv(tmp_path / "e.csv", headers, rows), "employees")

    assert "1 création(s)" in output
    assert Employee.objects.get().availability == "mardi 13 h à 15 h, jeudi 10 h à 12 h"


# --- Queries: a few per file, whatever its length --------------------------------------------


@pytest.fixture
def many(sections, people):
    """60 more students enrolled in 201-NYA-05 gr. 01 of AUT-2026 (Examen 1), 60 more courses."""
    section = sections[("201-NYA-05", "01")]
    Evaluation.objects.create(section=section, title="Examen 1", weight=Decimal(30))
    Program.objects.create(code="410.B0", name="Techniques de comptabilité et de gestion")
    students = Student.objects.bulk_create(
        Student(
            matricule=f"{2027000 + n}",
            last_name="Tremblay",
            first_name="Éloïse",
            birthdate=datetime.date(2006, 3, 5),
            school=people["students"]["2026201"].school,
        )
        for n in range(60)
    )
    Enrolment.objects.bulk_create(Enrolment(student=s, section=section) for s in students)
    Course.objects.bulk_create(
        Course(code=f"420-{n:03d}-SJ", title="Cours", credits=Decimal("2.33")) for n in range(60)
    )
    return [student.matricule for student in students]


def _rows(kind: str, matricules: list[str], start: int, count: int) -> tuple[list, list]:
    numbers = range(start, start + count)
    if kind == "courses":
        return COURSE_HEADERS, [
            [f"410-{n:03d}-SJ", "Cours", "2.33", "410.B0", "1"] for n in numbers
        ]
    if kind == "sections":
        return SECTION_HEADERS, [
            ["AUT-2026", f"420-{n:03d}-SJ", "01", "50001", str(day), "08:00", "10:00", "B-204"]
            for n in numbers
            for day in (1, 3)
        ][:count]
    if kind == "enrolments":
        return ENROLMENT_HEADERS, [["AUT-2026", matricules[n], "601-101-MQ", "01"] for n in numbers]
    if kind == "evaluations":
        return EVALUATION_HEADERS, [
            ["AUT-2026", "201-NYA-05", "01", f"Quiz {n}", "1", "2026-10-01", "70"] for n in numbers
        ]
    if kind == "marks":
        return MARK_HEADERS, [
            ["AUT-2026", matricules[n], "201-NYA-05", "Examen 1", "15", "20"] for n in numbers
        ]
    return GRADE_HEADERS, [
        ["AUT-2026", matricules[n], "201-NYA-05", "75", "2", "0"] for n in numbers
    ]


@pytest.mark.parametrize(
    "kind", ["courses", "sections", "enrolments", "evaluations", "marks", "final_grades"]
)
def test_lookups_do_not_grow_with_the_number_of_rows(
    kind, many, tmp_path, django_assert_max_num_queries
):
    institution_current()  # a warm process: the institution's row is kept between runs
    for dry_run in ((), ("--dry-run",)):
        with CaptureQueriesContext(connection) as ten:
            run(write_csv(tmp_path / "ten.csv", *_rows(kind, many, 0, 10)), kind, *dry_run)
        with CaptureQueriesContext(connection) as fifty, django_assert_max_num_queries(14):
            run(write_csv(tmp_path / "fifty.csv", *_rows(kind, many, 10, 50)), kind, *dry_run)
        assert len(fifty) == len(ten), (kind, dry_run)


def test_headers_are_checked_as_for_the_students(courses, tmp_path):
    headers = ["term", "course_code", "group", "day", "start", "salle"]
    rows = [["AUT-2026", "201-NYA-05", "01", "1", "08:00", "B-204"]]

    message = refused(write_csv(tmp_path / "g.csv", headers, rows), "sections")

    assert "Ligne 1 : colonne obligatoire manquante : « end »." in message
    assert (
        "Ligne 1 : colonne inconnue : « salle ». Colonnes permises : term, course_code, group, "
        "teacher, day, start, end, room, capacity." in message
    )
    assert not Term.objects.exists()


def test_a_french_excel_file_with_bom_is_read(sections, tmp_path):
    rows = [["AUT-2026", "2026201", "201-NYA-05", "01"]]
    path = write_csv(
        tmp_path / "i.csv", ENROLMENT_HEADERS, rows, delimiter=";", encoding="utf-8-sig"
    )

    assert "1 création(s)" in run(path, "enrolments")
