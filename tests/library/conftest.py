import pytest
from django.test import Client

from portal.models import Institution
from students.models import Student
from tests.accounts.test_login import student_login


@pytest.fixture
def bob_client(client: Client, bob) -> Client:
    student_login(client, "2026102")
    return client


def _with_email(user, address: str) -> Student:
    user.email = address
    user.save(update_fields=["email"])
    return Student.objects.select_related("user").get(user=user)


@pytest.fixture
def bob_student(bob) -> Student:
    return _with_email(bob, "bob@etudiant.example")


@pytest.fixture
def charlie_student(charlie) -> Student:
    return _with_email(charlie, "charlie@etudiant.example")


@pytest.fixture
def library_on(institution: Institution) -> Institution:
    institution.enabled_modules = [*institution.enabled_modules, "library"]
    institution.save()
    return institution
