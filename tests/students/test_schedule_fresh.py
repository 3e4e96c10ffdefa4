"""The schedule page's body is rendered once for what it shows (students.views.schedule's
memo): whatever the registrar changes shows on the very next request, and no student ever
gets another's body."""

# Fixtures shared with test_schedule.py are imported, and tests take them as arguments.
# ruff: noqa: F811

import pytest

from students.models import Meeting
from students.views import schedule as schedule_views
from tests.accounts.test_first_use import page
from tests.accounts.test_login import student_login
from tests.students.test_schedule import (  # noqa: F401 (fixtures)
    autumn,
    bob_client,
    bob_courses,
    grid_of,
    schedule_url,
    winter,
)


@pytest.fixture(autouse=True)
def empty_memo():
    schedule_views._bodies.clear()
    yield
    schedule_views._bodies.clear()


def test_the_second_visit_reuses_the_body_and_shows_the_same_page(bob_client, bob_courses):
    first = page(bob_client.get(schedule_url()))
    assert len(schedule_views._bodies) == 1
    again = page(bob_client.get(schedule_url()))
    assert len(schedule_views._bodies) == 1
    assert grid_of(again) == grid_of(first)


def test_a_new_meeting_a_room_and_a_teacher_show_on_the_next_request(bob_client, bob_courses):
    calculus, programming = bob_courses
    assert "Z-777" not in page(bob_client.get(schedule_url()))
    Meeting.objects.create(section=programming, day=5, start="14:00", end="16:00", room="Z-777")
    text = page(bob_client.get(schedule_url()))
    assert "Z-777" in grid_of(text) and "Vendredi" in grid_of(text)

    Meeting.objects.filter(room="B-101").update(room="B-999")
    text = page(bob_client.get(schedule_url()))
    assert "B-999" in text and "B-101" not in text

    calculus.teacher.last_name = "Tremblay"
    calculus.teacher.save()
    assert "Isabelle Tremblay" in page(bob_client.get(schedule_url()))

    programming.course.title = "Programmation objet"
    programming.course.save()
    assert "Programmation objet" in page(bob_client.get(schedule_url()))

    Meeting.objects.filter(room="Z-777").delete()
    assert "Z-777" not in page(bob_client.get(schedule_url()))


def test_a_dropped_course_leaves_the_page_on_the_next_request(bob_client, bob_courses):
    calculus, _programming = bob_courses
    assert "201-NYA-05" in page(bob_client.get(schedule_url()))
    calculus.enrolments.all().delete()
    text = page(bob_client.get(schedule_url()))
    assert "201-NYA-05" not in text and "420-1A5-TH" in text


def test_two_students_never_share_a_body(client, bob, charlie, bob_courses):
    student_login(client, "2026102")
    assert "201-NYA-05" in page(client.get(schedule_url()))
    client.logout()
    student_login(client, charlie.student.matricule)
    text = page(client.get(schedule_url()))
    assert "340-101-MQ" in text and "201-NYA-05" not in text


def test_english_gets_its_own_body(bob_client, bob_courses):
    assert "Lundi" in grid_of(page(bob_client.get(schedule_url())))
    bob_client.cookies["django_language"] = "en"
    english = page(bob_client.get(schedule_url()))
    assert "Monday" in grid_of(english) and "Lundi" not in grid_of(english)
