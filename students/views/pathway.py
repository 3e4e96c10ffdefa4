"""Grille de cheminement: the program's courses by session of the grid, each réussi, échoué,
en cours or à faire, the courses taken outside the program, and what remains."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from students.cote_r import PASSING_GRADE
from students.models import Course, Enrolment, Student
from students.views.common import student_module


class Status(models.TextChoices):
    PASSED = "passed", _("réussi")
    FAILED = "failed", _("échoué")
    IN_PROGRESS = "in_progress", _("en cours")
    TO_DO = "to_do", _("à faire")


@dataclass
class PathwayCourse:
    course: Course
    status: Status
    # The enrolment that decides the status (the best passing grade, the current term's, the
    # latest failure), and a future term the student is already enrolled in.
    enrolment: Enrolment | None = None
    upcoming: Enrolment | None = None

    @property
    def label(self) -> str:
        return str(self.status.label)


@dataclass
class GridTerm:
    number: int | None
    courses: list[PathwayCourse] = field(default_factory=list)

    @property
    def credits(self) -> Decimal:
        return sum((item.course.credits for item in self.courses), Decimal(0))


def course_status(
    course: Course, enrolments: list[Enrolment], *, today: datetime.date
) -> PathwayCourse:
    """Réussi once any final grade passes; en cours while enrolled in the term under way
    without a final grade; échoué when only failing grades are known; otherwise à faire.
    A course retaken after a failure is en cours, then réussi."""
    graded = [e for e in enrolments if e.final_grade is not None]
    passed = [e for e in graded if e.final_grade >= PASSING_GRADE]
    upcoming = next(
        (e for e in enrolments if e.final_grade is None and e.section.term.starts_on > today),
        None,
    )
    if passed:
        return PathwayCourse(course, Status.PASSED, max(passed, key=lambda e: e.final_grade))
    current = next(
        (e for e in enrolments if e.final_grade is None and e.section.term.contains(today)),
        None,
    )
    if current:
        return PathwayCourse(course, Status.IN_PROGRESS, current)
    if graded:
        return PathwayCourse(course, Status.FAILED, graded[-1], upcoming)
    return PathwayCourse(course, Status.TO_DO, None, upcoming)


@require_GET
@student_module("pathway")
def pathway(request: HttpRequest, student: Student) -> HttpResponse:
    today = timezone.localdate()
    enrolments = list(
        Enrolment.objects.filter(student=student)
        .select_related("section__term", "section__course")
        .order_by("section__term__starts_on", "pk")
    )
    by_course: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_course[enrolment.section.course_id].append(enrolment)

    program_courses: list[Course] = []
    if student.program_id:
        program_courses = list(
            Course.objects.filter(program_id=student.program_id).order_by("program_term", "code")
        )
    in_program = {course.pk for course in program_courses}

    grid: dict[int | None, GridTerm] = {}
    for course in program_courses:
        item = course_status(course, by_course.get(course.pk, []), today=today)
        grid.setdefault(course.program_term, GridTerm(course.program_term)).courses.append(item)
    # Courses of the program not placed on the grid (no session number) come last.
    terms = sorted(grid.values(), key=lambda t: (t.number is None, t.number or 0))

    outside: list[PathwayCourse] = []
    seen: set[int] = set()
    for enrolment in enrolments:
        course = enrolment.section.course
        if course.pk in in_program or course.pk in seen:
            continue
        seen.add(course.pk)
        outside.append(course_status(course, by_course[course.pk], today=today))

    items = [item for term in terms for item in term.courses]
    total_credits = sum((item.course.credits for item in items), Decimal(0))
    passed = [item for item in items if item.status == Status.PASSED]
    in_progress = [item for item in items if item.status == Status.IN_PROGRESS]
    earned = sum((item.course.credits for item in passed), Decimal(0))
    summary = {
        "total_courses": len(items),
        "total_credits": total_credits,
        "passed_courses": len(passed),
        "earned_credits": earned,
        "remaining_courses": len(items) - len(passed),
        "remaining_credits": total_credits - earned,
        "in_progress_courses": len(in_progress),
        "in_progress_credits": sum((item.course.credits for item in in_progress), Decimal(0)),
    }
    return render(
        request,
        "students/pathway.html",
        {"student": student, "terms": terms, "outside": outside, "summary": summary},
    )
