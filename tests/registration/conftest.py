"""Bob's next term: a program whose grid he is half-way through (one course passed, one
failed last term), the next term's sections and an elective list to rank, and its course
choice window open now. Charlie studies elsewhere in the grid."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from registration.models import ElectiveList, TermRegistration
from students.models import Course, Program, Student, Term
from tests.students.factories_courses import (
    enrol,
    make_course,
    make_program,
    make_section,
    make_term,
)


@dataclass
class Grid:
    program: Program
    past: Term
    upcoming: Term
    passed: Course  # session 1, passed last term: never proposed
    failed: Course  # session 1, failed last term: proposed again
    second: list[Course]  # session 2: proposed
    later: Course  # session 3: may be added
    electives: ElectiveList
    registration: TermRegistration


def bob_student(bob: User) -> Student:
    return Student.objects.get(user=bob)


@pytest.fixture
def grid(bob: User) -> Grid:
    program = make_program()
    student = bob_student(bob)
    student.program = program
    student.save(update_fields=["program"])
    past = make_term("AUT-2025", days_ago=30)
    upcoming = make_term("HIV-2027")
    passed = make_course(
        "420-1A4-TH", "Introduction à la programmation", program=program, program_term=1
    )
    failed = make_course("201-1M3-TH", "Mathématiques appliquées", program=program, program_term=1)
    second = [
        make_course("420-2A4-TH", "Programmation orientée objet", program=program, program_term=2),
        make_course("420-2B4-TH", "Bases de données", program=program, program_term=2),
    ]
    later = make_course("420-3A4-TH", "Structures de données", program=program, program_term=3)
    enrol(student, make_section(past, passed), final_grade=82)
    enrol(student, make_section(past, failed), final_grade=41)
    for course in [passed, failed, *second, later]:
        make_section(upcoming, course, capacity=30)
    electives = ElectiveList.objects.create(
        term=upcoming, code="complementaires", name="Cours complémentaires", size=2
    )
    for code, title in [
        ("360-C01-TH", "Astronomie"),
        ("360-C02-TH", "Espagnol"),
        ("360-C03-TH", "Cinéma"),
    ]:
        course = make_course(code, title)
        make_section(upcoming, course, capacity=30)
        electives.courses.add(course)
    now = timezone.now()
    registration = TermRegistration.objects.create(
        term=upcoming,
        choice_opens=now - datetime.timedelta(days=1),
        choice_closes=now + datetime.timedelta(days=7),
        confirmation_deadline=upcoming.starts_on + datetime.timedelta(days=20),
        late_fee=Decimal("25.00"),
    )
    return Grid(program, past, upcoming, passed, failed, second, later, electives, registration)


def elective(grid: Grid, code: str) -> Course:
    return grid.electives.courses.get(code=code)
