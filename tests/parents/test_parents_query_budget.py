"""Query budgets of the parent's pages: the home page costs at most 5 queries and exactly as
many for 1 child as for 4 (each with courses under way, meetings and final grades); a child's
page costs at most 7, exactly as many with 2 courses as with 8."""

# The query_budget fixture is imported, and tests take it as an argument.
# ruff: noqa: F811

import itertools

import pytest
from django.test import Client

from accounts.models import User
from portal.models import Institution
from students.models import Student, Term
from tests.accounts.test_query_budget import (  # noqa: F401 (query_budget is a fixture)
    TRANSACTION_CONTROL,
    query_budget,
)
from tests.factories import make_employee, make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent
from tests.parents.test_children import CURRENT, HOME, PAST, child_url, terms  # noqa: F401
from tests.students.factories_courses import enrol, make_course, make_section

# Issue 17: whatever the number of children or courses. The home page: the session with its
# user, versions, the children, their enrolments; a child's page: the same three, the child's
# enrolments, the term's meetings, who read the (minor) child's file.
HOME_BUDGET = 4
CHILD_BUDGET = 6
_codes = itertools.count(1)


def child_with_courses(
    institution: Institution, terms: dict[str, Term], *, email: str, name: str, courses: int
) -> Student:
    """A child of the parent with `email`: `courses` courses under way (a teacher, two weekly
    meetings, absences and lateness) and `courses` courses of last term with a final grade,
    one in three failed."""
    schools = list(institution.schools.order_by("pk"))
    child = make_student(
        institution,
        first_name=name,
        birthdate=birthday_years_ago(12),
        school=schools[len(name) % len(schools)],
        grade="7e année",
    )
    for n in range(courses):
        code = f"K{next(_codes):04d}"
        section = make_section(
            terms[CURRENT],
            make_course(f"{code}-C", f"Cours {code}", credits="1"),
            teacher=make_employee(institution, last_name=f"Enseignant {code}"),
            meetings=[
                (1 + n % 5, "08:30", "09:45", f"A-{n}"),
                (1 + (n + 2) % 5, "13:00", "14:15", f"B-{n}"),
            ],
        )
        enrol(child, section, absences=n, lateness=n % 2)
        past = make_section(terms[PAST], make_course(f"{code}-P", f"Ancien {code}", credits="1"))
        enrol(child, past, final_grade=45 if n % 3 == 0 else 70 + n)
    make_guardian(child, email=email)
    return child


def counted(client: Client, url: str, budget: int, at_most) -> tuple[int, str]:
    with at_most(budget) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    queries = [q for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    return len(queries), response.content.decode()


def logged_in(client: Client, parent: User) -> Client:
    client.force_login(parent)
    client.get(HOME)  # the first page after login may write the session's activity
    return client


@pytest.fixture
def families(cepeo, terms) -> dict[int, tuple[User, list[Student]]]:
    """A parent with 1 child and a parent with 4."""
    found = {}
    for size in (1, 4):
        email = f"parent{size}@example.com"
        children = [
            child_with_courses(cepeo, terms, email=email, name=f"Enfant{size}x{n}", courses=4)
            for n in range(size)
        ]
        found[size] = (make_parent(email), children)
    return found


def test_home_costs_the_same_with_1_or_4_children_within_its_budget(client, families, query_budget):
    counts = {}
    for size, (parent, children) in families.items():
        logged_in(client, parent)
        for visit in ("first", "again"):
            counts[size, visit], text = counted(client, HOME, HOME_BUDGET, query_budget)
        assert text.count('data-testid="child-card"') == size
        for child in children:
            assert child.full_name in text
        # The measured page shows what it reads: each child's attendance and credits.
        assert "crédits accumulés" in text and "heures d'absence" in text
        client.logout()
    assert counts[1, "first"] == counts[4, "first"], counts
    assert counts[1, "again"] == counts[4, "again"], counts


def test_child_page_costs_the_same_with_2_or_8_courses_within_its_budget(
    client, cepeo, terms, query_budget
):
    counts = {}
    for courses in (2, 8):
        email = f"parent-c{courses}@example.com"
        child = child_with_courses(
            cepeo, terms, email=email, name=f"Cours{courses}", courses=courses
        )
        # A sibling, so that the switcher is on the page.
        child_with_courses(cepeo, terms, email=email, name=f"Frere{courses}", courses=1)
        logged_in(client, make_parent(email))
        url = child_url(child)
        counts[courses], text = counted(client, url, CHILD_BUDGET, query_budget)
        counted(client, url + f"?session={PAST}", CHILD_BUDGET, query_budget)
        assert text.count('data-testid="meeting"') == 2 * courses
        assert "child-switcher" in text
        assert "Enseignant" in text
        client.logout()
    assert counts[2] == counts[8], counts
