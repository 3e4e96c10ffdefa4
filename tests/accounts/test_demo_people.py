"""The demo's students are plausible for their institution: at the cégep of cégep age, in a DEC
program, and living where their postal code says (the README's first-use table shows those
postal codes); at a school board (`cepeo`), pupils in 9e to 12e année of their grade's age,
taking their grade's Ontario courses."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from freezegun import freeze_time

from accounts.demo import CITIES, PEOPLE, SCHOOL_BOARD_PEOPLE, city_for, demo_people
from students.demo import demo_terms
from students.models import Course, Enrolment, Meeting, Program, Section, Student


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


# --- At a school board (`--preset cepeo`) ----------------------------------------------------

ONTARIO_COURSE = re.compile(r"[A-Z]{3}([1-4])[A-Z]")


def grade_of(student: Student) -> int:
    return int(student.grade.removesuffix("e année"))


@pytest.mark.parametrize("today", ["2026-12-01", "2027-03-20", "2027-08-25"])
def test_at_the_school_board_the_students_are_pupils_of_the_age_of_their_grade(load_preset, today):
    """Ontario: 9e année in the fall of the year one turns 14; pupils of a Rockland school
    living around it, in no program, with no Quebec code permanent."""
    cepeo = load_preset("cepeo")
    with freeze_time(f"{today} 12:00:00"):
        demo_people(cepeo)
    day = datetime.date.fromisoformat(today)
    school_year = day.year if day.month >= 7 else day.year - 1
    students = list(Student.objects.select_related("program", "school"))
    assert len(students) == len(SCHOOL_BOARD_PEOPLE)
    assert {grade_of(student) for student in students} == {9, 10, 11, 12}
    for student in students:
        # The year one turns 14 + the grades since the 9e année.
        assert school_year - student.birthdate.year == 14 + grade_of(student) - 9, student
        assert student.program is None and student.code_permanent == ""
        city, area_code = city_for(student.postal_code, school_board=True)
        assert student.postal_code.startswith("K")
        assert student.address.endswith(f", {city} (Ontario)"), student.address
        assert student.phone.startswith(f"{area_code} "), student.phone
        assert student.school.code == "carrefour-jeunesse"
    assert not Program.objects.exists()


def test_at_the_school_board_the_demo_studies_are_ontario_courses(load_preset):
    """Each pupil takes their grade's four courses this semester (MPM2D in 10e année…), and
    last term's courses with final grades in the grade they were in then: no 420 course, no
    cégep program, no Cote R."""
    out = io.StringIO()
    call_command("demo", "--preset", "cepeo", stdout=out)
    printed = out.getvalue()
    assert "420" not in printed and "Cote R" not in printed
    # A secondary school's fees and offices, not a cégep's.
    for college in ("cégep", "Droits de scolarité", "Association étudiante", "Registrariat"):
        assert college not in printed, college
    assert "Frais d'activités étudiantes" in printed and "Secrétariat de l'école" in printed
    assert not Program.objects.exists()
    assert not Course.objects.filter(code__regex=r"^\d{3}-").exists()
    assert not Course.objects.exclude(code__regex=r"^[A-Z]{3}[1-4][A-Z]$").exists()
    assert {"MPM2D", "FRA2D", "ENG2D", "SNC2D", "CHC2D"} <= set(
        Course.objects.values_list("code", flat=True)
    )
    assert not Section.objects.filter(idgz__isnull=False).exists()
    today = timezone.localdate()
    previous, current = demo_terms(today)
    new_school_year = current[0].startswith("AUT")
    students = Student.objects.filter(guardians__isnull=True)
    assert students.count() == len(SCHOOL_BOARD_PEOPLE)
    for student in students:
        grade = grade_of(student)
        now = Enrolment.objects.filter(student=student, section__term__code=current[0])
        assert now.count() == 4
        for enrolment in now.select_related("section__course"):
            level = int(ONTARIO_COURSE.fullmatch(enrolment.section.course.code).group(1))
            assert level + 8 == grade, (student, enrolment.section.course.code)
        before = Enrolment.objects.filter(student=student, section__term__code=previous[0])
        then = grade - 1 if new_school_year else grade
        assert before.count() == (0 if then < 9 else 4), student
        for enrolment in before.select_related("section__course"):
            level = int(ONTARIO_COURSE.fullmatch(enrolment.section.course.code).group(1))
            assert level + 8 == then
            assert enrolment.final_grade is not None
        assert (
            not Meeting.objects.filter(
                section__enrolments__student=student, section__term__code=current[0]
            )
            .values("day", "start")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .exists()
        ), student
    # A teacher never has two groups at once.
    assert (
        not Meeting.objects.filter(section__term__code=current[0])
        .values("section__teacher", "day", "start")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
