"""Bob's record for the attestation tests: a current term with four courses (full time by
the number of courses) and a past term with one 45-hour course (part time)."""

import datetime
import html
import re

import pytest
from django.test import Client

from students.models import Student, Term
from tests.accounts.test_login import student_login
from tests.students.factories_courses import (
    enrol,
    make_course,
    make_program,
    make_section,
    make_term,
)


@pytest.fixture
def bob_record(bob) -> Student:
    student = Student.objects.get(matricule="2026102")
    student.program = make_program()
    student.birthdate = datetime.date(2005, 9, 17)
    student.save(update_fields=["program", "birthdate"])
    return student


@pytest.fixture
def current(bob_record) -> Term:
    term = make_term("AUT-2026", current=True)
    for n in range(4):
        enrol(
            bob_record, make_section(term, make_course(), meetings=[(n + 1, "08:00", "10:00", "")])
        )
    return term


@pytest.fixture
def past(bob_record) -> Term:
    term = make_term("HIV-2026", days_ago=200)
    # 3 hours a week × 17 whole weeks (121 days) = 51 hours, one course: part time.
    enrol(bob_record, make_section(term, make_course(), meetings=[(2, "13:00", "16:00", "")]))
    return term


@pytest.fixture
def bob_client(client: Client, bob) -> Client:
    student_login(client, "2026102")
    return client


def text(response) -> str:
    """What the person reads, tags removed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
