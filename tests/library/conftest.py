import pytest
from django.test import Client

from portal.models import Institution
from students.models import Student
from tests.accounts.test_login import student_login


@pytest.fixture
def bob_client(client: Client, bob) -> Client:
    student_login(client, "2026102")
    return client


@pytest.fixture
def bob_student(bob) -> Student:
    return Student.objects.get(user=bob)


@pytest.fixture
def charlie_student(charlie) -> Student:
    return Student.objects.get(user=charlie)


@pytest.fixture
def library_on(institution: Institution) -> Institution:
    institution.enabled_modules = [*institution.enabled_modules, "library"]
    institution.save()
    return institution
