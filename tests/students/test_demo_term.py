"""`python manage.py demo` gives its students a full term: courses with meetings, evaluations
and marks, the previous term's final grades with IDGZ and IFGZ, teachers in the directory;
running it again adds nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from students.demo import demo_terms
from students.models import (
    Course,
    Employee,
    Enrolment,
    Evaluation,
    Mark,
    Meeting,
    Section,
    Student,
    Term,
)

MODELS = (Term, Course, Section, Meeting, Enrolment, Evaluation, Mark, Employee)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo(demo_loaded, db):
    return demo_loaded


def test_demo_runs_twice_without_adding_anything(demo, capsys):
    before = counts()
    grades = list(Enrolment.objects.order_by("pk").values_list("final_grade", flat=True))
    call_command("demo")
    assert counts() == before
    assert list(Enrolment.objects.order_by("pk").values_list("final_grade", flat=True)) == grades
    assert "Courses (420.B0)" in capsys.readouterr().out


def test_every_demo_student_has_a_full_term_under_way(demo):
    today = timezone.localdate()
    current = Term.objects.get(starts_on__lte=today, ends_on__gte=today)
    assert f"{current.code} under way" in demo
    students = Student.objects.filter(matricule__startswith="20260")
    assert students.count() == 20
    for student in students:
        sections = Section.objects.filter(term=current, enrolments__student=student)
        assert sections.count() >= 6
        assert not sections.filter(meetings__isnull=True).exists()
        assert Mark.objects.filter(student=student, evaluation__section__term=current).exists()
    for section in Section.objects.filter(term=current).annotate(n=Count("evaluations")):
        assert 4 <= section.n <= 6
        weights = section.evaluations.aggregate(total=Sum("weight"))["total"]
        assert weights <= 100
        assert section.teacher is not None and section.teacher.availability
        marked = section.evaluations.filter(marks__isnull=False).distinct()
        if section.enrolments.exists():
            assert marked and all(e.class_average is not None for e in marked)
        else:  # a second group opened for schedule changes (registration.demo): not marked yet
            assert not marked and section.group == "02"
        assert section.course.program_id or section.course.code.startswith("360")


def test_the_previous_term_has_final_grades_and_group_indicators(demo):
    today = timezone.localdate()
    previous = Term.objects.filter(ends_on__lt=today).latest("ends_on")
    enrolments = Enrolment.objects.filter(section__term=previous)
    assert enrolments.count() == 5 * 20
    assert not enrolments.filter(final_grade__isnull=True).exists()
    assert enrolments.filter(final_grade__lt=60).exists()  # a failure, for the grid and Cote R
    for section in Section.objects.filter(term=previous):
        assert Decimal("0.9") <= section.idgz <= Decimal("1.1")
        assert Decimal("0") <= section.ifgz <= Decimal("0.4")


def test_demo_terms_always_contain_today():
    for day in (
        datetime.date(2026, 11, 22),
        datetime.date(2026, 12, 28),
        datetime.date(2027, 1, 5),
        datetime.date(2027, 3, 1),
        datetime.date(2027, 6, 15),
        datetime.date(2027, 8, 1),
    ):
        (_code, _start, previous_end), (_code2, starts_on, ends_on) = demo_terms(day)
        assert starts_on <= day <= ends_on
        assert previous_end < starts_on
    assert demo_terms(datetime.date(2026, 11, 22))[1] == (
        "AUT-2026",
        datetime.date(2026, 8, 20),
        datetime.date(2026, 12, 20),
    )


def test_a_demo_student_sees_the_term_on_every_page(client, demo):
    response = client.post(
        reverse("accounts:login"),
        {"student-identifier": "2026001", "student-password": "Portail-Demo-2026"},
    )
    assert response.status_code == 302
    home = client.get(reverse("portal:home")).content.decode()
    assert "Mes cours — session" in home and "420-2A4-TH" in home and "D-2120" in home
    grid = client.get(reverse("students:pathway")).content.decode()
    for status in ("réussi", "en cours", "à faire"):
        assert f">{status}</span>" in grid
    directory = client.get(reverse("students:directory"), {"q": "cote-lariviere"})
    text = directory.content.decode()
    assert "Côté-Larivière, Étienne" in text and "Bases de données" in text
    assert "Lapointe" not in client.get(reverse("students:directory")).content.decode()
