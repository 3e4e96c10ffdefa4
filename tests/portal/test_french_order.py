"""Names sort the French way on both databases (portal.collation): accents and case count only
between names otherwise equal, so "bélair" < "Bélanger" < "Bouchard" < "Éthier" < "Ewart"."""

import re

from django.urls import reverse

from messaging.selectors import staff_recipients_for_student
from portal.collation import name_key
from students.models import Employee, Student
from tests.factories import activate, make_employee, make_student

SHUFFLED = ["Ewart", "Bouchard", "Éthier", "bélair", "Bélanger", "ébert", "Eddy"]
FRENCH = ["bélair", "Bélanger", "Bouchard", "ébert", "Eddy", "Éthier", "Ewart"]


def test_the_python_key():
    assert sorted(SHUFFLED, key=name_key) == FRENCH


def test_students_and_employees_in_the_database(institution):
    for name in SHUFFLED:
        make_student(institution, last_name=name, first_name="Léa")
        make_employee(institution, last_name=name, first_name="Marc")
    assert [s.last_name for s in Student.objects.all()] == FRENCH
    assert [e.last_name for e in Employee.objects.all()] == FRENCH
    # The first names break a tie the same way.
    make_student(institution, last_name="Ewart", first_name="élodie")
    make_student(institution, last_name="Ewart", first_name="Eve")
    ewarts = [s.first_name for s in Student.objects.filter(last_name="Ewart")]
    assert ewarts == ["élodie", "Eve", "Léa"]


def test_the_mio_recipients(institution, alice):
    for name in SHUFFLED:
        activate(make_employee(institution, last_name=name, first_name="Marc"), password="x")
    names = [user.last_name for user in staff_recipients_for_student(alice)]
    assert names == FRENCH


def test_the_admin_students_list(admin_client, institution):
    for name in SHUFFLED:
        make_student(institution, last_name=name, first_name="Léa")
    page = admin_client.get(reverse("admin:students_student_changelist")).content.decode()
    shown = [name for name in re.findall(r"(\w+), Léa", page) if name in SHUFFLED]
    order = list(dict.fromkeys(shown))
    assert order == FRENCH
