"""The registrar's admin lists at a college's size: the same number of queries for 10 rows as
for 100 (no query per row), and searches that find students' records through the students."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from billing.models import Invoice
from students.models import Enrolment
from tests.factories import make_invoice, make_student
from tests.students.factories_courses import (
    enrol,
    give_mark,
    make_course,
    make_evaluation,
    make_section,
    make_term,
)


@pytest.fixture
def admin_client(client, institution):
    client.force_login(
        User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")
    )
    return client


@pytest.fixture
def college(institution):
    """A section with an evaluation; `grow(n)` adds students enrolled, marked and invoiced."""
    term = make_term("AUT-2026")
    section = make_section(term, make_course("201-NYA-05"))
    evaluation = make_evaluation(section, "Examen 1")
    students = []

    def grow(count: int) -> None:
        for _n in range(count):
            number = len(students) + 1
            student = make_student(
                institution,
                matricule=f"{2026000 + number}",
                last_name="Tremblay" if number % 2 else "Côté",
                first_name=f"Élève{number}",
            )
            enrol(student, section)
            give_mark(evaluation, student, "15")
            make_invoice(student, number=f"FAC{number:08d}")
            students.append(student)

    return {"evaluation": evaluation, "grow": grow, "students": students}


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def queries(client, url: str, params: dict | None = None) -> tuple[int, str]:
    client.get(url, params or {})  # the first page of a session loads what later ones reuse
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries), text(response)


def test_an_evaluation_with_its_marks_costs_the_same_queries_for_10_and_100(admin_client, college):
    url = reverse("admin:students_evaluation_change", args=[college["evaluation"].pk])
    college["grow"](10)
    small, page = queries(admin_client, url)
    assert "Côté, Élève10 (2026010)" in page
    college["grow"](90)
    large, page = queries(admin_client, url)
    assert "Côté, Élève100 (2026100)" in page and "Tremblay, Élève1 (2026001)" in page
    assert large == small


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("students_enrolment", {}),
        ("students_enrolment", {"q": "Tremblay"}),
        ("students_student", {"q": "Côté"}),
        ("students_evaluation", {}),
        ("billing_invoice", {"solde": "unpaid"}),
        ("billing_invoice", {"solde": "overdue"}),
        ("billing_invoice", {"o": "-7"}),  # by balance, highest first
        ("billing_invoice", {"q": "tremblay"}),
        ("students_student", {"q": "cote"}),
        ("billing_payment", {}),
    ],
)
def test_admin_lists_cost_the_same_queries_for_10_and_100_rows(
    admin_client, college, model, params
):
    url = reverse(f"admin:{model}_changelist")
    college["grow"](10)
    small, _page = queries(admin_client, url, params)
    college["grow"](90)
    large, _page = queries(admin_client, url, params)
    assert large == small


def test_enrolments_are_searched_by_the_students_name_or_matricule_or_the_course(
    admin_client, college
):
    college["grow"](6)
    url = reverse("admin:students_enrolment_changelist")
    response = admin_client.get(url, {"q": "côté"})
    assert text(response).count("201-NYA-05") == 3  # the three Côté, one row each
    assert "Côté, Élève2 (2026002)" in text(response) and "Tremblay, Élève1 (2026001)" not in text(
        response
    )
    response = admin_client.get(url, {"q": "2026005"})
    assert "Tremblay, Élève5 (2026005)" in text(response) and "Côté, Élève2 (2026002)" not in text(
        response
    )
    # A prefix of the matricule finds every student it starts; the middle finds nothing.
    assert admin_client.get(url, {"q": "202600"}).context["cl"].result_count == 6
    assert admin_client.get(url, {"q": "6005"}).context["cl"].result_count == 0
    assert admin_client.get(url, {"q": "201-NYA"}).context["cl"].result_count == 6
    assert admin_client.get(url, {"q": "Côté Élève4"}).context["cl"].result_count == 1
    assert Enrolment.objects.count() == 6


def test_invoices_are_searched_by_number_prefix_or_student(admin_client, college):
    college["grow"](3)
    url = reverse("admin:billing_invoice_changelist")
    assert admin_client.get(url, {"q": "FAC00000002"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "tremblay"}).context["cl"].result_count == 2
    assert admin_client.get(url, {"solde": "unpaid"}).context["cl"].result_count == 3
    assert Invoice.objects.count() == 3


@pytest.mark.parametrize(
    ("model", "name"),
    [("students_student", "last_name"), ("students_enrolment", ""), ("billing_invoice", "")],
)
@pytest.mark.parametrize("word", ["belanger", "BÉLANGER", "langer", "Belanger Éloïse", "eloise"])
def test_names_are_found_without_their_accents(admin_client, institution, model, name, word):
    """On PostgreSQL through portail_fold and its trigram index, on SQLite through the same
    function in Python: the same answers."""
    belanger = make_student(
        institution, matricule="2026001", last_name="Bélanger", first_name="Éloïse"
    )
    make_student(institution, matricule="2026002", last_name="Belair", first_name="Louis")
    section = make_section(make_term("AUT-2026"), make_course("201-NYA-05"))
    enrol(belanger, section)
    make_invoice(belanger, number="FAC00000001")
    response = admin_client.get(reverse(f"admin:{model}_changelist"), {"q": word})
    assert response.context["cl"].result_count == 1
    assert "Bélanger" in text(response) and "Belair" not in text(response)


def test_the_matricule_is_searched_by_its_beginning(admin_client, institution):
    make_student(institution, matricule="2026001", last_name="Bélanger", first_name="Éloïse")
    make_student(institution, matricule="2027001", last_name="Belair", first_name="Louis")
    url = reverse("admin:students_student_changelist")
    assert admin_client.get(url, {"q": "2026"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "6001"}).context["cl"].result_count == 0
