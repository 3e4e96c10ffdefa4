"""The demo's students are plausible for the cégep: of cégep age, in a DEC program, and living
where their postal code says (the README's first-use table shows those postal codes)."""

import datetime

from accounts.demo import CITIES, PEOPLE, demo_people
from students.models import Student


def test_every_demo_student_lives_where_the_postal_code_says(institution):
    demo_people(institution)
    students = list(Student.objects.select_related("program"))
    assert len(students) == len(PEOPLE)
    for student in students:
        city, area_code = CITIES[student.postal_code[:3]]
        assert student.address.endswith(f", {city} (Québec)"), student.address
        assert student.phone.startswith(f"{area_code} "), student.phone
        assert student.program is not None and student.program.code == "420.B0"
        assert student.grade == ""
    saint_jerome = [s for s in students if s.address.endswith(", Saint-Jérôme (Québec)")]
    assert {s.postal_code[:3] for s in saint_jerome} == {"J7Y", "J7Z"}


def test_the_demo_students_are_of_cegep_age():
    for _last, first, _sex, born, *_rest in PEOPLE:
        birthdate = datetime.date.fromisoformat(born)
        # Started cégep at 17 on 30 September, between 2022 and 2024.
        started = birthdate.year + 17 + ((birthdate.month, birthdate.day) > (9, 30))
        assert 2022 <= started <= 2024, first
