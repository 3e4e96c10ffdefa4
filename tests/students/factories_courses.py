"""Registrar records for the student module tests: terms, programs, courses, sections with
their weekly meetings, enrolments, evaluations and marks."""

import datetime
import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from students.models import (
    Course,
    Employee,
    Enrolment,
    Evaluation,
    Mark,
    Meeting,
    Program,
    Section,
    Student,
    Term,
)

_numbers = itertools.count(1)

# (day 1-7 from Monday, start "HH:MM", end "HH:MM", room)
MeetingSpec = tuple[int, str, str, str]


def _decimal(value: str | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def make_term(
    code: str | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    *,
    current: bool = False,
    days_ago: int = 0,
) -> Term:
    """A term; `current=True` makes one under way today, `days_ago` one that ended that long
    ago (a 120-day term), and neither a term that starts in 30 days."""
    today = timezone.localdate()
    if starts_on is None:
        if current:
            starts_on, ends_on = (
                today - datetime.timedelta(days=40),
                today + datetime.timedelta(days=60),
            )
        elif days_ago:
            ends_on = today - datetime.timedelta(days=days_ago)
            starts_on = ends_on - datetime.timedelta(days=120)
        else:
            starts_on = today + datetime.timedelta(days=30)
            ends_on = starts_on + datetime.timedelta(days=120)
    ends_on = ends_on or starts_on + datetime.timedelta(days=120)
    return Term.objects.create(
        code=code or f"T{next(_numbers):04d}", starts_on=starts_on, ends_on=ends_on
    )


def make_program(code: str = "420.B0", name: str = "Techniques de l'informatique") -> Program:
    return Program.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_course(
    code: str | None = None,
    title: str | None = None,
    *,
    credits: str = "2.33",
    program: Program | None = None,
    program_term: int | None = None,
    **fields: Any,
) -> Course:
    """A course; without a title, "Cours <code>"."""
    code = code or f"201-{next(_numbers):03d}-RE"
    return Course.objects.create(
        code=code,
        title=title or f"Cours {code}",
        credits=Decimal(credits),
        program=program,
        program_term=program_term,
        **fields,
    )


def make_section(
    term: Term,
    course: Course,
    *,
    group: str = "01",
    teacher: Employee | None = None,
    meetings: Iterable[MeetingSpec] = (),
    idgz: str | None = None,
    ifgz: str | None = None,
    **fields: Any,
) -> Section:
    """A section with its weekly meetings (none unless given) and the group's IDGZ and IFGZ
    for the Cote R (not entered unless given)."""
    section = Section.objects.create(
        term=term,
        course=course,
        group=group,
        teacher=teacher,
        idgz=_decimal(idgz),
        ifgz=_decimal(ifgz),
        **fields,
    )
    Meeting.objects.bulk_create(
        Meeting(
            section=section,
            day=day,
            start=datetime.time.fromisoformat(start),
            end=datetime.time.fromisoformat(end),
            room=room,
        )
        for day, start, end, room in meetings
    )
    return section


def enrol(
    student: Student,
    section: Section,
    *,
    final_grade: str | int | None = None,
    absences: int = 0,
    **fields: Any,
) -> Enrolment:
    return Enrolment.objects.create(
        student=student,
        section=section,
        final_grade=_decimal(final_grade),
        absences=absences,
        **fields,
    )


def make_evaluation(
    section: Section,
    title: str | None = None,
    *,
    weight: str | int = 10,
    date: datetime.date | None = None,
    class_average: str | None = None,
) -> Evaluation:
    return Evaluation.objects.create(
        section=section,
        title=title or f"Évaluation {next(_numbers)}",
        weight=Decimal(str(weight)),
        date=date,
        class_average=_decimal(class_average),
    )


def give_mark(
    evaluation: Evaluation,
    student: Student,
    mark: str | int = "17",
    max_mark: str | int = "20",
    *,
    created_at: datetime.datetime | None = None,
) -> Mark:
    """A mark, entered now unless `created_at` says when."""
    entered = Mark.objects.create(
        evaluation=evaluation,
        student=student,
        mark=Decimal(str(mark)),
        max_mark=Decimal(str(max_mark)),
    )
    if created_at is not None:
        Mark.objects.filter(pk=entered.pk).update(created_at=created_at)
        entered.created_at = created_at
    return entered
