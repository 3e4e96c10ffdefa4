"""portal/prepared.py: a query's SQL compiled once per process and shape, run with each
call's values. The rows are those of the queryset built with those values, whatever they are:
nothing but the SQL is kept, so no value (an id, a date, a time) is frozen into it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from portal import prepared as prepared_module
from portal.prepared import prepared
from students.models import Enrolment, Student, Term
from tests.students.factories_courses import enrol, make_course, make_section, make_term


@pytest.fixture(autouse=True)
def nothing_compiled(monkeypatch):
    monkeypatch.setattr(prepared_module, "_compiled", {})


def counting(build):
    calls = []

    def counted(values):
        calls.append(values)
        return build(values)

    return counted, calls


def test_the_rows_of_each_calls_values_and_one_compilation(bob, charlie):
    students = list(Student.objects.order_by("pk"))
    term = make_term("AUT-2026", current=True)
    for n, student in enumerate(students):
        enrol(student, make_section(term, make_course(f"420-10{n}-RE")))
    build, calls = counting(
        lambda v: (
            Enrolment.objects.filter(student_id=v["student"])
            .select_related("section__course", "section__term")
            .order_by("pk")
        )
    )
    for student in students * 2:
        rows = prepared("test-enrolments", build, {"student": student.pk})
        expected = list(Enrolment.objects.filter(student=student).order_by("pk"))
        assert [row.pk for row in rows] == [row.pk for row in expected]
        assert rows[0].section.course.code == expected[0].section.course.code
        assert rows[0].section.term.code == "AUT-2026"
    assert len(calls) == 1  # compiled once, with stand-ins
    assert calls[0]["student"] not in [student.pk for student in students]


def test_a_date_is_never_frozen_into_the_sql(db):
    today = timezone.localdate()
    make_term("HIV-2026", today - datetime.timedelta(days=100), today - datetime.timedelta(days=1))
    make_term("AUT-2026", today - datetime.timedelta(days=10), today + datetime.timedelta(days=5))

    def ongoing(day: datetime.date) -> list[str]:
        rows = prepared(
            "test-terms",
            lambda v: (
                Term.objects.filter(starts_on__lte=v["day"], ends_on__gte=v["day"])
                .order_by("code")
                .values_list("code", flat=True)
            ),
            {"day": day},
        )
        return list(rows)

    assert ongoing(today) == ["AUT-2026"]
    assert ongoing(today - datetime.timedelta(days=20)) == ["HIV-2026"]
    assert ongoing(today + datetime.timedelta(days=30)) == []


def test_a_time_is_never_frozen_into_the_sql(bob):
    student = Student.objects.get(user=bob)
    joined = Student.objects.filter(pk=student.pk).values_list("user__date_joined", flat=True)[0]

    def after(moment: datetime.datetime) -> list[int]:
        return prepared(
            "test-joined",
            lambda v: (
                Student.objects.filter(user__date_joined__gt=v["since"])
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
            {"since": moment},
        )

    assert student.pk in after(joined - datetime.timedelta(seconds=1))
    assert student.pk not in after(joined)


def test_only_ints_dates_and_times_vary(db):
    with pytest.raises(TypeError):
        prepared("test-bool", lambda v: Term.objects.filter(code=v["flag"]), {"flag": True})


def test_each_columns_value_reads_as_the_queryset_reads_it_on_every_call(bob, charlie):
    """The columns' converters are worked out once, when the SQL is compiled: decimals, dates,
    times, aware datetimes and booleans still read as the plain queryset reads them, call
    after call."""
    term = make_term("AUT-2026", current=True)
    section = make_section(
        term, make_course("420-201-RE", credits="2.5"), meetings=[(2, "08:30", "10:15", "B-1")]
    )
    students = list(Student.objects.order_by("pk"))
    for n, student in enumerate(students):
        enrol(student, section, final_grade=f"7{n}.5")
    columns = (
        "final_grade",
        "section__course__credits",
        "section__term__starts_on",
        "section__meetings__start",
        "student__user__date_joined",
        "student__user__is_active",
    )

    def build(v):
        return Enrolment.objects.filter(student_id=v["student"]).values_list(*columns)

    for student in students * 2:
        rows = prepared("test-converters", build, {"student": student.pk})
        assert rows == list(build({"student": student.pk}))
        grade, credits, starts_on, start, joined, active = rows[0]
        assert isinstance(grade, Decimal) and credits == Decimal("2.5")
        assert isinstance(starts_on, datetime.date) and start == datetime.time(8, 30)
        assert timezone.is_aware(joined) and active is True
