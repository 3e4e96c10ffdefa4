"""Grille de cheminement and Annuaire des enseignants, through HTTP: statuses, what remains,
the search that forgives accents and capitals, pages, the student's own data only, disabled
modules and query budgets."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from students.models import Student
from tests.accounts.test_login import student_login
from tests.accounts.test_query_budget import TRANSACTION_CONTROL
from tests.conftest import PASSWORD
from tests.factories import activate, make_employee
from tests.students.factories_courses import (
    enrol,
    make_course,
    make_program,
    make_section,
    make_term,
)

PATHWAY = reverse("students:pathway")
DIRECTORY = reverse("students:directory")
BUDGET = 15


def page(response) -> str:
    return response.content.decode()


def statuses(response) -> dict[str, str]:
    return dict(re.findall(r'data-course="([^"]+)" data-status="([^"]+)"', page(response)))


def counted_get(client, url: str, **params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    queries = [q for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    return response, len(queries)


@pytest.fixture
def terms(db):
    return {
        "past": make_term("HIV-2026", days_ago=150),
        "older": make_term("AUT-2025", days_ago=330),
        "current": make_term("AUT-2026", current=True),
        "next": make_term("HIV-2027"),
    }


@pytest.fixture
def pathway(bob, charlie, terms):
    """Bob's program of seven courses over two sessions, and what he did with them."""
    program = make_program()
    student = Student.objects.get(user=bob)
    student.program = program
    student.save()
    courses = {
        code: make_course(code, title=title, credits=credits, program=program, program_term=n)
        for code, title, credits, n in [
            ("420-1A4", "Introduction à la programmation", "2.66", 1),
            ("420-1B3", "Systèmes d'exploitation", "2.00", 1),
            ("201-1M3", "Mathématiques", "2.00", 1),
            ("601-101", "Écriture et littérature", "2.33", 1),
            ("420-2A4", "Programmation orientée objet", "2.66", 2),
            ("420-2B4", "Bases de données", "2.66", 2),
            ("420-2C3", "Développement Web", "2.00", 2),
        ]
    }
    courses["360-C01"] = make_course("360-C01", title="Astronomie", credits="2.00")

    def take(code: str, term: str, grade: str | None = None, who: Student = student):
        section = courses[code].sections.filter(term=terms[term]).first() or make_section(
            terms[term], courses[code]
        )
        enrol(who, section, final_grade=grade)

    take("420-1A4", "past", "75")  # réussi
    take("420-1B3", "past", "52")  # échoué
    take("201-1M3", "older", "40")  # échoué, then réussi
    take("201-1M3", "past", "71")
    take("601-101", "past", "48")  # échoué, retaken this term: en cours
    take("601-101", "current")
    take("420-2A4", "current")  # en cours
    take("420-2C3", "next")  # à faire, already enrolled next term
    take("360-C01", "current")  # outside the program
    # Charlie passed what Bob has still to do: none of it shows on Bob's grid.
    other = Student.objects.get(user=charlie)
    take("420-2B4", "past", "90", who=other)
    take("420-1B3", "current", "88", who=other)
    return courses


def test_the_grid_gives_each_course_its_status(client, pathway):
    student_login(client, "2026102")
    response = client.get(PATHWAY)
    assert response.status_code == 200
    text = page(response)
    assert "Grille de cheminement" in text and "Techniques de l&#x27;informatique" in text
    assert "Session 1" in text and "Session 2" in text
    assert statuses(response) == {
        "420-1A4": "passed",
        "420-1B3": "failed",
        "201-1M3": "passed",
        "601-101": "in_progress",
        "420-2A4": "in_progress",
        "420-2B4": "to_do",
        "420-2C3": "to_do",
        "360-C01": "in_progress",
    }
    for label in ("réussi", "échoué", "en cours", "à faire"):
        assert f">{label}</span>" in text
    assert "note finale 71" in text  # the grade that counts, not the failure before it
    assert "inscrit en HIV-2027" in text
    assert "Cours suivis hors de votre programme" in text
    # The course outside the program comes after the grid, not in a session of it.
    assert text.index("Cours suivis hors") < text.index('data-course="360-C01"')


def test_what_remains_counts_courses_and_credits_of_the_program_only(client, pathway):
    student_login(client, "2026102")
    text = page(client.get(PATHWAY))
    # 7 courses, 16.31 units; réussis: 420-1A4 (2.66) and 201-1M3 (2.00).
    assert re.search(r'data-testid="remaining-courses">5 \(dont 2 en cours\)', text)
    assert re.search(
        r'data-testid="remaining-credits">11,65 sur 16,31 \(dont 4,99 en cours\)', text
    )
    assert "2 sur 7" in text and "4,66 sur 16,31" in text


def test_a_student_without_a_program_gets_a_clear_message(client, bob, terms):
    course = make_course("999-ZZZ", title="Cours libre")
    enrol(Student.objects.get(user=bob), make_section(terms["current"], course))
    student_login(client, "2026102")
    text = page(client.get(PATHWAY))
    assert "Aucun programme n'est inscrit à votre dossier" in text
    assert "Cours suivis" in text and "999-ZZZ" in text


@pytest.fixture
def teachers(institution, terms):
    course = make_course("420-7B4", title="Bases de données")
    math = make_course("201-7M3", title="Mathématiques discrètes")
    etienne = make_employee(
        institution,
        last_name="Côté-Larivière",
        first_name="Étienne",
        department="Informatique",
        office="D-3114",
        phone_extension="2422",
        email="e.cote@cegep.example",
        availability="mercredi 15 h à 17 h",
    )
    isabelle = make_employee(
        institution, last_name="Bergeron", first_name="Isabelle", department="Mathématiques"
    )
    make_section(terms["current"], course, teacher=etienne)
    make_section(terms["current"], course, group="02", teacher=etienne)
    make_section(terms["past"], math, teacher=isabelle)  # teaches nothing this term
    # Registrar's office: not a teacher. Retired: taught nearly a year and a half ago, only.
    make_employee(institution, last_name="Lapointe", first_name="Marc", department="Registrariat")
    retired = make_employee(institution, last_name="Ancien", first_name="Paul", department="Info")
    old_term = make_term("AUT-2024", days_ago=500)
    make_section(old_term, math, teacher=retired)
    return {"etienne": etienne, "isabelle": isabelle}


def names(response) -> list[str]:
    return re.findall(r'<h2 class="h6 mb-1">([^<]+)<', page(response))


def test_the_directory_lists_teachers_with_their_details_and_courses(client, bob, teachers):
    student_login(client, "2026102")
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    text = page(response)
    assert names(response) == ["Bergeron, Isabelle", "Côté-Larivière, Étienne"]
    for detail in ("Informatique", "D-3114", "2422", "mercredi 15 h à 17 h"):
        assert detail in text
    assert '<a href="mailto:e.cote@cegep.example">e.cote@cegep.example</a>' in text
    assert "Cours donnés (AUT-2026)" in text
    assert "420-7B4 Bases de données" in text and "gr. 01, 02" in text
    assert "aucun cours cette session" in text  # Isabelle
    assert "Lapointe" not in text and "Ancien" not in text
    assert "qui en ont donné un au cours de la dernière année" in text  # who is listed, said


@pytest.mark.parametrize(
    "query, expected",
    [
        ("cote", ["Côté-Larivière, Étienne"]),
        ("ÉTIENNE", ["Côté-Larivière, Étienne"]),
        ("COTÉ-lariviere", ["Côté-Larivière, Étienne"]),
        ("mathematiques", ["Bergeron, Isabelle"]),
        ("bases de DONNÉES", ["Côté-Larivière, Étienne"]),
        ("420-7b4", ["Côté-Larivière, Étienne"]),
        ("etienne informatique", ["Côté-Larivière, Étienne"]),
        ("  ", ["Bergeron, Isabelle", "Côté-Larivière, Étienne"]),
        ("Registrariat", []),
        ("isabelle informatique", []),
    ],
)
def test_the_search_forgives_accents_and_capitals(client, bob, teachers, query, expected):
    student_login(client, "2026102")
    response = client.get(DIRECTORY, {"q": query})
    assert names(response) == expected
    if not expected:
        assert "Aucun enseignant ne correspond à votre recherche." in page(response)


def test_the_students_own_teachers_are_marked(client, bob, charlie, teachers, terms):
    section = teachers["etienne"].sections.get(group="01")
    enrol(Student.objects.get(user=charlie), section)
    student_login(client, "2026102")
    assert "votre enseignant cette session" not in page(client.get(DIRECTORY))
    enrol(Student.objects.get(user=bob), section)
    assert page(client.get(DIRECTORY)).count("votre enseignant cette session") == 1


def test_more_than_fifty_teachers_are_paged_and_the_search_is_kept(client, bob, institution, terms):
    course = make_course("420-9Z9", title="Stage")
    for n in range(55):
        teacher = make_employee(institution, last_name=f"Prof{n:02d}", first_name="Ana")
        make_section(terms["current"], course, group=f"{n:02d}", teacher=teacher)
    student_login(client, "2026102")
    first = client.get(DIRECTORY, {"q": "ana"})
    assert len(names(first)) == 50 and "55 enseignants trouvés" in page(first)
    assert 'href="?q=ana&amp;page=2"' in page(first)
    second = client.get(DIRECTORY, {"q": "ana", "page": 2})
    assert names(second) == [f"Prof{n}, Ana" for n in range(50, 55)]


@pytest.mark.parametrize("url", [PATHWAY, DIRECTORY])
def test_disabled_modules_answer_404_and_others_cannot_see(client, bob, institution, url):
    student_login(client, "2026102")
    assert client.get(url).status_code == 200
    institution.enabled_modules = [
        m for m in institution.enabled_modules if m not in ("pathway", "directory")
    ]
    institution.save()
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_employees_have_no_grid_nor_student_directory(client, institution, teachers):
    activate(teachers["etienne"], password=PASSWORD)
    client.force_login(teachers["etienne"].user)
    assert client.get(PATHWAY).status_code == 404
    assert client.get(DIRECTORY).status_code == 404


def test_pages_stay_within_the_query_budget(client, pathway, teachers, institution):
    student_login(client, "2026102")
    for url, params in ((PATHWAY, {}), (DIRECTORY, {}), (DIRECTORY, {"q": "cote"})):
        response, count = counted_get(client, url, **params)
        assert response.status_code == 200
        assert 0 < count <= BUDGET, (url, count)
