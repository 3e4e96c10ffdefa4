"""Ma page d'accueil for a student: what is new since the last visit (marks, final grades)
and the term's courses at a glance; only the student's own, within the query budget."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from students.home import next_meeting
from students.models import Student
from tests.accounts.test_login import student_login
from tests.accounts.test_query_budget import TRANSACTION_CONTROL
from tests.factories import make_employee
from tests.students.factories_courses import (
    enrol,
    give_mark,
    make_course,
    make_evaluation,
    make_section,
    make_term,
)

HOME = reverse("portal:home")
# The home page in a warm process with every panel, whatever the number of courses (issue
# 17): the session with its user, the shared versions (portal/versions.py), the student's row,
# the enrolments with their meetings and the new marks.
HOME_BUDGET = 5


def page(response) -> str:
    return response.content.decode()


def news(client) -> str:
    text = page(client.get(HOME))
    match = re.search(r'<section[^>]*data-testid="home-news">(.*?)</section>', text, re.S)
    return match.group(1) if match else ""


def courses(client) -> str:
    text = page(client.get(HOME))
    match = re.search(r'<section[^>]*data-testid="home-courses">(.*?)</section>', text, re.S)
    return match.group(1) if match else ""


def ago(**delta: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


@pytest.fixture
def term(db):
    return make_term("AUT-2026", current=True)


@pytest.fixture
def section(bob, charlie, term, institution):
    """Bob's and Charlie's Bases de données, Wednesdays in D-2124."""
    teacher = make_employee(institution, last_name="Nadeau", first_name="Sophie")
    section = make_section(
        term,
        make_course("420-2B4-TH", title="Bases de données"),
        teacher=teacher,
        meetings=((3, "13:00", "15:00", "D-2124"),),
    )
    for user in (bob, charlie):
        enrol(Student.objects.get(user=user), section)
    return section


def test_new_marks_since_the_last_visit_and_never_another_students(client, bob, charlie, section):
    bob_record, charlie_record = (Student.objects.get(user=u) for u in (bob, charlie))
    seen = make_evaluation(section, "Travail pratique 1")
    fresh = make_evaluation(section, "Examen de mi-session")
    secret = make_evaluation(section, "Reprise de Charlie")
    give_mark(seen, bob_record, "15", "20", created_at=ago(days=5))
    give_mark(fresh, bob_record, "42", "50", created_at=ago(days=1))
    give_mark(secret, charlie_record, "11", "20", created_at=ago(hours=1))
    User.objects.filter(pk=bob.pk).update(last_login=ago(days=3))

    student_login(client, "2026102")
    text = news(client)
    assert "Depuis votre dernière visite" in text
    assert "Examen de mi-session : 42/50 (84 %)" in text
    assert "Travail pratique 1" not in text  # entered before the last visit
    assert "Reprise de Charlie" not in text and "11/20" not in text
    link = reverse("students:course_marks", args=["AUT-2026", "420-2B4-TH"])
    assert f'href="{link}"' in text


def test_the_previous_visit_is_the_previous_login_not_the_current_one(client, bob, section):
    record = Student.objects.get(user=bob)
    give_mark(make_evaluation(section, "Quiz 1"), record, created_at=ago(hours=2))
    User.objects.filter(pk=bob.pk).update(last_login=ago(days=1))
    student_login(client, "2026102")
    assert "Quiz 1" in news(client)
    assert "Quiz 1" in news(client)  # still new for the whole session

    client.post(reverse("accounts:logout"))
    give_mark(make_evaluation(section, "Quiz 2"), record)  # entered between the two visits
    student_login(client, "2026102")
    text = news(client)
    assert "Quiz 2" in text
    assert "Quiz 1" not in text  # seen during the previous visit

    client.post(reverse("accounts:logout"))
    student_login(client, "2026102")
    assert "Aucune nouvelle note depuis votre dernière visite." in news(client)


def test_without_a_previous_visit_new_means_the_last_two_weeks(client, bob, section):
    record = Student.objects.get(user=bob)
    give_mark(make_evaluation(section, "Quiz 1"), record, created_at=ago(days=20))
    give_mark(make_evaluation(section, "Quiz 2"), record, created_at=ago(days=10))
    assert User.objects.get(pk=bob.pk).last_login is None
    student_login(client, "2026102")
    text = news(client)
    assert "Nouveautés des 14 derniers jours" in text
    assert "Quiz 2" in text and "Quiz 1" not in text


def test_recent_final_grades_are_news_and_old_ones_are_not(client, bob, charlie, section):
    record = Student.objects.get(user=bob)
    recent = make_term("HIV-2026", days_ago=20)
    old = make_term("AUT-2025", days_ago=200)
    enrol(
        record,
        make_section(recent, make_course("420-1A4", title="Programmation 1")),
        final_grade="84",
    )
    enrol(
        record, make_section(old, make_course("201-1M3", title="Mathématiques")), final_grade="77"
    )
    other = make_section(recent, make_course("601-101", title="Littérature"))
    enrol(Student.objects.get(user=charlie), other, final_grade="55")
    student_login(client, "2026102")
    text = news(client)
    assert "Session HIV-2026" in text and "420-1A4 Programmation 1 : 84" in text
    assert "201-1M3" not in text and "Littérature" not in text
    assert reverse("students:final_grades_term", args=["HIV-2026"]) in text


def test_disabled_result_modules_leave_their_news_out(client, bob, section, institution):
    give_mark(make_evaluation(section, "Quiz 1"), Student.objects.get(user=bob))
    institution.enabled_modules = [
        m for m in institution.enabled_modules if m not in ("marks", "final_grades")
    ]
    institution.save()
    student_login(client, "2026102")
    assert 'data-testid="home-news"' not in page(client.get(HOME))
    assert "420-2B4-TH" in courses(client)  # the courses at a glance stay


def test_the_terms_courses_at_a_glance(client, bob, charlie, section, term):
    other = make_section(
        term,
        make_course("999-XYZ", title="Cours de Charlie"),
        meetings=((1, "08:00", "10:00", "Z-999"),),
    )
    enrol(Student.objects.get(user=charlie), other)
    student_login(client, "2026102")
    text = courses(client)
    assert "Mes cours — session AUT-2026" in text
    assert "420-2B4-TH</span> Bases de données" in text
    assert "<td>01</td>" in text and "D-2124" in text and "mercredi" in text
    assert "999-XYZ" not in text and "Z-999" not in text


def test_the_next_class_is_the_first_one_ahead(db):
    term = make_term(starts_on=datetime.date(2026, 8, 20), ends_on=datetime.date(2026, 12, 20))
    section = make_section(
        term,
        make_course(),
        meetings=((1, "08:00", "10:00", "A"), (3, "13:00", "15:00", "B")),
    )
    tz = timezone.get_current_timezone()

    def at(day: int, hour: int) -> tuple[datetime.date, str] | None:
        now = datetime.datetime(2026, 11, day, hour, tzinfo=tz)  # 16 is a Monday
        found = next_meeting(section, now=now, term=term)
        return (found.date, found.meeting.room) if found else None

    assert at(16, 7) == (datetime.date(2026, 11, 16), "A")  # later today
    assert at(16, 11) == (datetime.date(2026, 11, 18), "B")  # today's is over: Wednesday
    assert at(19, 9) == (datetime.date(2026, 11, 23), "A")  # Thursday: next Monday
    late = datetime.datetime(2026, 12, 17, 9, tzinfo=tz)  # after the last class of the term
    assert next_meeting(section, now=late, term=term) is None
    early = datetime.datetime(2026, 8, 1, 9, tzinfo=tz)  # before the term: its first week
    assert next_meeting(section, now=early, term=term).date == datetime.date(2026, 8, 24)


def test_an_upcoming_term_shows_before_it_starts(client, bob):
    upcoming = make_term("HIV-2027")
    enrol(
        Student.objects.get(user=bob),
        make_section(upcoming, make_course("420-3A4"), meetings=((2, "08:00", "10:00", "D-1"),)),
    )
    student_login(client, "2026102")
    text = courses(client)
    assert "Mes cours — session HIV-2027" in text and "La session commence le" in text


def test_past_terms_are_not_at_a_glance(client, bob):
    past = make_term("HIV-2026", days_ago=30)
    enrol(Student.objects.get(user=bob), make_section(past, make_course("420-1A4")))
    student_login(client, "2026102")
    assert 'data-testid="home-courses"' not in page(client.get(HOME))


def test_only_old_terms_still_show_the_news_and_a_new_mark_on_them(client, bob):
    """The home page reads only the recent terms' enrolments; a student whose terms are all
    long over still has the news panel (and a mark entered since on an old course)."""
    old = make_term("HIV-2025", days_ago=400)
    section = make_section(old, make_course("420-1A4", title="Programmation"))
    enrol(Student.objects.get(user=bob), section)
    student_login(client, "2026102")
    assert "Aucune nouvelle note pour le moment." in news(client)
    give_mark(make_evaluation(section, "Reprise", weight="10"), Student.objects.get(user=bob))
    text = news(client)
    assert "420-1A4 Programmation" in text and "Reprise" in text


def test_a_final_grade_of_a_term_over_for_long_is_not_news(client, bob, term):
    record = Student.objects.get(user=bob)
    enrol(record, make_section(make_term("HIV-2025", days_ago=200), make_course("420-1A4")))
    record.enrolments.update(final_grade=81)
    student_login(client, "2026102")
    text = news(client)
    assert "420-1A4" not in text and "Notes finales" not in text


def _load_term(student: Student, term, *, courses: int, evaluations: int = 10) -> None:
    for n in range(courses):
        section = make_section(
            term,
            make_course(f"420-{n}Q{courses}-TH", title=f"Cours {n}"),
            meetings=(
                (1 + n % 5, "08:00", "10:00", f"D-{n}"),
                (1 + (n + 2) % 5, "13:00", "15:00", ""),
            ),
        )
        enrol(student, section)
        for e in range(evaluations):
            give_mark(make_evaluation(section, f"Évaluation {e}", weight="10"), student)


def _home_queries(client, identifier: str) -> tuple[str, list[str]]:
    student_login(client, identifier)
    # A warm process, as in production: what is kept between requests for everyone (the
    # calendar, the news, the services menu) was read by an earlier visit.
    client.get(HOME)
    with CaptureQueriesContext(connection) as context:
        response = client.get(HOME)
    assert response.status_code == 200
    # Read before the next request: Django empties the query log when a request starts.
    sql = [q["sql"] for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    client.post(reverse("accounts:logout"))
    return page(response), sql


def test_the_home_page_stays_within_its_query_budget(client, bob, charlie, term):
    """8 courses of 10 marked evaluations, or 2: the same queries, within the budget."""
    for user, count in ((bob, 8), (charlie, 2)):
        record = Student.objects.get(user=user)
        _load_term(record, term, courses=count)
        finished = make_section(make_term(days_ago=20), make_course(f"420-OLD{count}"))
        enrol(record, finished, final_grade="80")
    many, many_sql = _home_queries(client, "2026102")
    few, few_sql = _home_queries(client, "2026103")
    for text, count in ((many, 8), (few, 2)):
        assert text.count("nouveau</span>") == 10  # the ten latest new marks
        assert f"420-OLD{count}" in text
        assert text.count("<td>01</td>") == count
    assert 0 < len(many_sql) <= HOME_BUDGET, "\n".join(many_sql)
    assert len(many_sql) == len(few_sql)
