"""Query budgets of every student module page, asserted together: each page issues at most 15
queries (the home page 10; the schedule, the marks, the final grades, the statement and the MIO
inbox 8, issue 17) for a student with 10 courses of 10 evaluations each, and exactly as many for
a student with 2 courses, on the first visit (which may record something, such as the
schedule's first retrieval) and on the next one."""

# The query_budget fixture is imported, and tests take it as an argument.
# ruff: noqa: F811

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Institution
from students.models import Program, Student, Term
from tests.accounts.test_login import student_login
from tests.accounts.test_query_budget import (  # noqa: F401 (query_budget is a fixture)
    TRANSACTION_CONTROL,
    query_budget,
)
from tests.conftest import PASSWORD
from tests.factories import activate, make_employee, make_student
from tests.students import factories_courses

BUDGET = 15
# Issue 17: the pages a student opens most.
PAGE_BUDGET = 7
# Issue 17: the home page in a warm process (session with its user, shared versions, the
# student's row with the balance, unread counts and reminder, the enrolments with meetings,
# new marks).
HOME_BUDGET = 5
EVALUATIONS = 10
CURRENT = "AUT-2026"
PAST = "HIV-2026"


@dataclass(frozen=True)
class Load:
    """A student's record and the course codes of their two terms."""

    student: Student
    current_codes: list[str]
    past_codes: list[str]


@pytest.fixture
def terms(db: None) -> dict[str, Term]:
    """The term under way, whatever day the tests run, and the one before it."""
    today = timezone.localdate()
    return {
        CURRENT: Term.objects.create(
            code=CURRENT,
            starts_on=today - datetime.timedelta(days=40),
            ends_on=today + datetime.timedelta(days=60),
        ),
        PAST: Term.objects.create(
            code=PAST,
            starts_on=today - datetime.timedelta(days=300),
            ends_on=today - datetime.timedelta(days=200),
        ),
    }


def student_with_courses(institution: Institution, terms: dict[str, Term], count: int) -> Load:
    """An activated student in a program, with `count` courses under way (each with its teacher,
    two weekly meetings and 10 evaluations, all marked) and `count` courses of last term (each
    with a final grade, a classmate's, and the group's IDGZ and IFGZ, so that every Cote R is
    computed), plus one course of the program still to do."""
    today = timezone.localdate()
    program = Program.objects.create(code=f"PRG-{count}", name=f"Programme {count}")
    student = make_student(institution, program=program, first_name=f"Élève{count}")
    activate(student, password=PASSWORD)
    classmate = make_student(institution, program=program, first_name=f"Camarade{count}")
    current_codes, past_codes = [], []
    for n in range(count):
        code = f"420-{count}{n:02d}-RE"
        current_codes.append(code)
        section = factories_courses.make_section(
            terms[CURRENT],
            factories_courses.make_course(
                code, f"Cours {count}-{n}", program=program, program_term=2
            ),
            teacher=make_employee(institution, last_name=f"Enseignant{count}-{n}"),
            meetings=[
                (1 + n % 5, "08:00", "10:00", f"A-{count}{n}"),
                (1 + (n + 2) % 5, "13:00", "15:00", f"B-{count}{n}"),
            ],
        )
        factories_courses.enrol(student, section)
        for e in range(EVALUATIONS):
            evaluation = factories_courses.make_evaluation(
                section,
                title=f"Travail {e}",
                weight=10,
                date=today - datetime.timedelta(days=30 - e),
                class_average="70",
            )
            factories_courses.give_mark(evaluation, student, 7 + e % 3, 10)
            factories_courses.give_mark(evaluation, classmate, 6, 10)

        code = f"360-{count}{n:02d}-RE"
        past_codes.append(code)
        section = factories_courses.make_section(
            terms[PAST],
            factories_courses.make_course(
                code, f"Ancien cours {count}-{n}", program=program, program_term=1
            ),
            idgz="1.0",
            ifgz="0.1",
        )
        factories_courses.enrol(student, section, final_grade=70 + n, absences=n)
        factories_courses.enrol(classmate, section, final_grade=62)
    factories_courses.make_course(f"999-{count}00-RE", "Stage", program=program, program_term=3)
    return Load(student, current_codes, past_codes)


def first_current(load: Load) -> list[str]:
    return [CURRENT, load.current_codes[0]]


# (url name, its arguments, budget, what the page shows: "current", "past" or both terms'
# course codes, or nothing to check). Every student module page of the menu.
PAGES: list[tuple[str, Callable[[Load], list[str]], int, str]] = [
    ("students:personal_file", lambda load: [], BUDGET, ""),
    ("students:schedule", lambda load: [], PAGE_BUDGET, "current"),
    ("students:schedule_print", lambda load: [CURRENT], BUDGET, "current"),
    ("students:schedule_ics", lambda load: [CURRENT], BUDGET, "current"),
    ("students:marks", lambda load: [], PAGE_BUDGET, "current"),
    ("students:course_marks", first_current, BUDGET, ""),
    ("students:final_grades", lambda load: [], PAGE_BUDGET, "past"),
    ("students:report_card_print", lambda load: [PAST], BUDGET, "past"),
    ("students:pathway", lambda load: [], BUDGET, "both"),
    ("students:directory", lambda load: [], BUDGET, "current"),
    ("portal:home", lambda load: [], HOME_BUDGET, "current"),
    ("billing:statement", lambda load: [], PAGE_BUDGET, ""),
    ("messaging:inbox", lambda load: [], PAGE_BUDGET, ""),
]


def counted(client: Client, url: str, budget: int, at_most) -> tuple[int, str]:
    """The queries of one GET (within the budget, or the assertion lists them) and the body."""
    with at_most(budget) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    # Read before the next request: Django empties the query log when a request starts.
    queries = [q for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    return len(queries), response.content.decode()


@pytest.mark.parametrize(
    ("name", "args", "budget", "shows"), PAGES, ids=[name for name, *_rest in PAGES]
)
def test_every_module_page_costs_the_same_with_2_or_10_courses_within_its_budget(
    client, institution, terms, query_budget, name, args, budget, shows
):
    counts: dict[tuple[int, str], int] = {}
    for count in (2, 10):
        load = student_with_courses(institution, terms, count)
        assert student_login(client, load.student.matricule).status_code == 302
        url = reverse(name, args=args(load))
        if name == "portal:home" and count == 2:
            # A warm process: the month's calendar is read once a day by each process, so a
            # home page seen before is what every visit but a process's first costs.
            client.get(url)
        for visit in ("first", "again"):
            counts[count, visit], text = counted(client, url, budget, query_budget)
        expected = {
            "current": load.current_codes,
            "past": load.past_codes,
            "both": load.current_codes + load.past_codes,
        }.get(shows, [])
        missing = [code for code in expected if code not in text]
        assert missing == [], f"{url} does not show {missing}: the page would measure nothing"
        if name == "students:course_marks":
            assert all(f"Travail {e}" in text for e in range(EVALUATIONS))
        client.post(reverse("accounts:logout"))
    assert counts[2, "first"] == counts[10, "first"], counts
    assert counts[2, "again"] == counts[10, "again"], counts
