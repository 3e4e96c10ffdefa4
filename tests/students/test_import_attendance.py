"""`import_csv attendance`: absences and lateness per course while the term runs, without a final
grade; the student and the parent see them at once."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from students.models import Enrolment
from tests.factories import make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent
from tests.students.factories_courses import enrol, make_course, make_section, make_term
from tests.students.test_results import MARKS, row_of, student_of

HEADERS = "term,matricule,course_code,absences,lateness\n"


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_csv", "attendance", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path: Path) -> str:
    with pytest.raises(CommandError) as excinfo:
        run(path)
    return str(excinfo.value)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "assiduite.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def term(db):
    return make_term("AUT-2026", current=True)


@pytest.fixture
def chemistry(institution, term, bob, charlie):
    section = make_section(term, make_course("202-NYA-05", "Chimie générale"), group="02")
    return {
        "bob": enrol(student_of(bob), section, absences=1),
        "charlie": enrol(student_of(charlie), section),
    }


def attendance(enrolment: Enrolment) -> tuple[int, int, object]:
    enrolment.refresh_from_db()
    return enrolment.absences, enrolment.lateness, enrolment.final_grade


def test_the_import_sets_absences_and_lateness_without_a_final_grade(
    tmp_path, bob, charlie, chemistry
):
    path = write(
        tmp_path,
        HEADERS + "AUT-2026,2026102,202-NYA-05,4,2\naut-2026,2026103,202-nya-05,0,1\n",
    )

    simulated = run(path, "--dry-run")

    assert "Simulation (--dry-run) : rien n'a été enregistré." in simulated
    assert "Ligne 2 : mise à jour de" in simulated
    assert "absences (heures) « 1 » → « 4 »" in simulated
    assert attendance(chemistry["bob"]) == (1, 0, None)

    assert "0 création(s), 2 mise(s) à jour, 0 inchangé(s)" in run(path)
    assert attendance(chemistry["bob"]) == (4, 2, None)
    assert attendance(chemistry["charlie"]) == (0, 1, None)
    # Idempotent: the same file again changes nothing.
    assert "0 création(s), 0 mise(s) à jour, 2 inchangé(s)" in run(path)


def test_a_column_left_out_is_left_alone(tmp_path, bob, chemistry):
    Enrolment.objects.filter(pk=chemistry["bob"].pk).update(lateness=5)
    path = write(tmp_path, "term,matricule,course_code,absences\nAUT-2026,2026102,202-NYA-05,6\n")

    run(path)

    assert attendance(chemistry["bob"]) == (6, 5, None)


def test_errors_name_their_lines_and_nothing_is_written(tmp_path, bob, charlie, chemistry):
    path = write(
        tmp_path,
        HEADERS
        + "AUT-2026,2026102,202-NYA-05,4,2\n"
        + "AUT-2026,2026103,202-NYA-05,-1,x\n"
        + "AUT-2026,2026999,202-NYA-05,1,0\n"
        + "AUT-2026,2026102,202-NYA-05,5,0\n"
        + "HIV-2030,2026102,202-NYA-05,1,0\n",
    )

    message = refused(path)

    assert "Ligne 3 : « absences » doit être un nombre entier de 0 à 32767." in message
    assert "Ligne 3 : « lateness » doit être un nombre entier de 0 à 32767." in message
    assert "Ligne 4 : aucun étudiant n'a le matricule « 2026999 »." in message
    assert (
        "Ligne 5 : l'assiduité de l'étudiant 2026102 au cours 202-NYA-05 à la session AUT-2026 "
        "figure déjà à la ligne 2." in message
    )
    assert "Ligne 6 : la session « HIV-2030 » n'existe pas." in message
    assert attendance(chemistry["bob"]) == (1, 0, None)


def test_a_file_without_absences_nor_lateness_is_refused(tmp_path, bob, chemistry):
    path = write(tmp_path, "term,matricule,course_code\nAUT-2026,2026102,202-NYA-05\n")

    assert "Ligne 1 : le fichier doit avoir la colonne « absences », « lateness » ou les deux." in (
        refused(path)
    )


def test_a_student_not_enrolled_is_refused(tmp_path, institution, bob, chemistry):
    make_student(institution, matricule="2026150")
    path = write(tmp_path, HEADERS + "AUT-2026,2026150,202-NYA-05,1,0\n")

    assert "Ligne 2 : l'étudiant 2026150 n'est pas inscrit au cours 202-NYA-05" in refused(path)


def test_the_student_sees_the_imported_absences_during_the_term(client, tmp_path, bob, chemistry):
    run(write(tmp_path, HEADERS + "AUT-2026,2026102,202-NYA-05,7,2\n"))

    client.force_login(bob)
    response = client.get(MARKS)

    assert response.status_code == 200
    assert row_of(response, "202-NYA-05").endswith(" 7")


def test_the_parent_sees_the_imported_attendance_on_the_childs_page(client, tmp_path, load_preset):
    cepeo = load_preset("cepeo")
    child = make_student(
        cepeo, first_name="Léa", last_name="Testtest", birthdate=birthday_years_ago(15)
    )
    term = make_term("AUT-2026", current=True)
    enrol(child, make_section(term, make_course("MPM2D", "Mathématiques", credits="1")))
    enrol(child, make_section(term, make_course("ENG2D", "English", credits="1")), absences=2)
    make_guardian(child)
    parent = make_parent()
    path = write(
        tmp_path,
        HEADERS
        + f"AUT-2026,{child.matricule},MPM2D,3,1\n"
        + f"AUT-2026,{child.matricule},ENG2D,2,4\n",
    )
    run(path)

    client.force_login(parent)
    response = client.get(reverse("parents:child", args=[child.pk]))

    assert response.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "MPM2D Mathématiques 3 1" in text
    assert "ENG2D English 2 4" in text
    assert "Total 5 5" in text


def test_the_example_in_the_documentation_imports(tmp_path, institution):
    doc = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    section = doc.split("## Absences et retards en cours de session (`attendance`)", 1)[1]
    [example] = re.findall(r"~~~csv\n(.*?)~~~", section.split("\n## ", 1)[0], flags=re.DOTALL)
    term = make_term("AUT-2026", current=True)
    calculus = make_section(term, make_course("201-NYA-05"))
    writing = make_section(term, make_course("601-101-MQ"))
    etienne = make_student(institution, matricule="2026201")
    hoa = make_student(institution, matricule="2026202")
    for student, section in [(etienne, calculus), (etienne, writing), (hoa, calculus)]:
        enrol(student, section)

    assert "0 création(s), 2 mise(s) à jour, 1 inchangé(s)" in run(write(tmp_path, example))
    assert sorted(Enrolment.objects.values_list("absences", "lateness")) == [(0, 0), (2, 0), (4, 1)]
