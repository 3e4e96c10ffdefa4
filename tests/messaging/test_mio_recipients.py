"""Whom a student may write to (issue 15): every teacher of their current sections, and the
offices by their name, never a login."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from messaging.models import MessageRecipient, Office
from students.models import Employee, Student


@pytest.fixture
def demo(demo_loaded, db):
    """The demo, loaded once for the module (tests/conftest.py)."""


def options(response) -> list[str]:
    return re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]+)</option>", response.content.decode())


def test_the_demo_student_sees_every_teacher_and_the_offices(client, demo):
    student = Student.objects.get(matricule="2026001")
    teachers = Employee.objects.filter(sections__enrolments__student=student).distinct()
    assert teachers.count() == 4
    client.force_login(student.user)
    page = client.get(reverse("messaging:compose"))
    shown = options(page)
    for teacher in teachers:
        assert f"{teacher.first_name} {teacher.last_name}" in shown
    assert "Registrariat" in shown and "Aide financière" in shown
    # No login name anywhere in the list.
    assert not any(name in ("registraire",) or name.startswith("employee:") for name in shown)
    html = page.content.decode()
    assert "Mes enseignants" in html and "Services" in html


def test_a_message_to_an_office_reaches_each_member(client, demo):
    student = Student.objects.get(matricule="2026001")
    office = Office.objects.get(name="Registrariat")
    client.force_login(student.user)
    response = client.post(
        reverse("messaging:compose"),
        {"recipient": f"o{office.pk}", "subject": "Attestation", "body": "Bonjour."},
    )
    assert response.status_code == 302
    received = set(
        MessageRecipient.objects.filter(message__subject="Attestation").values_list(
            "user__username", flat=True
        )
    )
    assert received == {"registraire", "employee:10057"}


def test_in_english_the_office_has_its_english_name(client, demo):
    student = Student.objects.get(matricule="2026001")
    client.force_login(student.user)
    page = client.get(reverse("messaging:compose"), HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("messaging:compose"))
    assert "Registrar's Office" in page.content.decode().replace("&#x27;", "'")


def test_an_account_known_only_by_its_login_is_not_listed(client, alice, institution):
    User.objects.create_user("guichet", is_staff=True, audience=User.Audience.STAFF)
    from tests.factories import activate

    user = activate(alice, password="Motdepasse-2026")
    client.force_login(user)
    assert "guichet" not in client.get(reverse("messaging:compose")).content.decode()
