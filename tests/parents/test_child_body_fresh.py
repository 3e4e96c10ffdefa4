"""The child's page keeps its schedule, attendance and credits sections rendered per process
(parents.views.children.child_detail_body), keyed on every value they print: each write below
shows on the very next request, and two children never share a body."""

from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from parents.views import children as children_views
from students.models import Course, Enrolment, Meeting, Section
from tests.accounts.test_first_use import page
from tests.factories import make_employee
from tests.parents.test_children import (
    CURRENT,
    PAST,
    Family,
    child_url,
    make_family,
    make_terms,
    part,
)
from tests.students.factories_courses import enrol, make_course, make_section


@pytest.fixture
def family(cepeo) -> Family:
    return make_family(cepeo, make_terms())


@pytest.fixture
def parent_client(client: Client, family: Family) -> Client:
    client.force_login(family.parent)
    return client


@pytest.fixture(autouse=True)
def empty_memo():
    children_views._bodies.clear()
    yield
    children_views._bodies.clear()


def child_page(client: Client, student) -> str:
    response = client.get(child_url(student))
    assert response.status_code == 200
    return page(response)


def test_the_body_is_kept_between_two_requests(parent_client, family):
    first = child_page(parent_client, family.lea)
    assert len(children_views._bodies) == 1
    second = child_page(parent_client, family.lea)
    for testid in ("schedule", "attendance", "passed-courses", "in-progress-courses"):
        assert part(second, testid) == part(first, testid)
    assert len(children_views._bodies) == 1


def test_a_new_room_shows_on_the_next_request(parent_client, family):
    assert "B-204" in part(child_page(parent_client, family.lea), "schedule")
    Meeting.objects.filter(room="B-204").update(room="C-999")
    schedule = part(child_page(parent_client, family.lea), "schedule")
    assert "C-999" in schedule and "B-204" not in schedule


def test_a_new_meeting_shows_on_the_next_request(parent_client, family):
    child_page(parent_client, family.lea)
    section = Section.objects.get(course__code="ENG2D")
    Meeting.objects.create(section=section, day=4, start=time(15), end=time(16), room="Z-42")
    assert "Z-42" in part(child_page(parent_client, family.lea), "schedule")


def test_a_new_teacher_and_course_title_show_on_the_next_request(parent_client, family, cepeo):
    child_page(parent_client, family.lea)
    teacher = make_employee(cepeo, last_name="Nouvelle", first_name="Ada")
    Section.objects.filter(course__code="ENG2D").update(teacher=teacher)
    Course.objects.filter(code="MPM2D").update(title="Mathématiques appliquées")
    text = child_page(parent_client, family.lea)
    assert "Ada Nouvelle" in part(text, "schedule")
    assert "Mathématiques appliquées" in text
    assert "Mathématiques principes" not in text


def test_new_absences_show_on_the_next_request(parent_client, family):
    child_page(parent_client, family.lea)
    Enrolment.objects.filter(student=family.lea, section__course__code="MPM2D").update(
        absences=7, lateness=4
    )
    attendance = part(child_page(parent_client, family.lea), "attendance")
    assert ">7<" in attendance and ">4<" in attendance
    assert ">9<" in attendance  # the total: 7 + 2


def test_a_new_final_grade_shows_in_the_credits_on_the_next_request(parent_client, family):
    assert "3 crédits accumulés" in child_page(parent_client, family.lea)
    Enrolment.objects.filter(student=family.lea, section__course__code="SNC1D").update(
        final_grade=80
    )
    text = child_page(parent_client, family.lea)
    assert "4 crédits accumulés" in text
    assert 'data-course="SNC1D"' in part(text, "passed-courses")


def test_a_new_enrolment_shows_on_the_next_request(parent_client, family):
    child_page(parent_client, family.lea)
    enrol(
        family.lea,
        make_section(family.terms[PAST], make_course("GLC2O", "Orientation", credits="0.5")),
        final_grade=90,
    )
    text = child_page(parent_client, family.lea)
    assert "3,5 crédits accumulés" in text
    assert "GLC2O" in part(text, "passed-courses")


def test_two_children_never_share_a_body(parent_client, family):
    lea = child_page(parent_client, family.lea)
    noah = child_page(parent_client, family.noah)
    assert "MPM2D" in lea and "MPM2D" not in noah
    assert "AVI1O" in noah and "AVI1O" not in lea
    assert len(children_views._bodies) == 2


def test_the_language_is_part_of_the_key(parent_client, family):
    french = child_page(parent_client, family.lea)
    parent_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = child_page(parent_client, family.lea)
    assert "Horaire" in part(french, "schedule")
    assert "Horaire" not in part(english, "schedule")
    assert len(children_views._bodies) == 2
    assert CURRENT in part(english, "schedule")
