"""Reads for course choice and enrolment confirmation, each in a fixed number of queries
whatever the number of courses; only the student's own records."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from portal.collation import by_name
from registration.models import (
    ChosenCourse,
    CourseChoice,
    ElectiveList,
    EnrolmentConfirmation,
    LateFee,
    TermRegistration,
)
from students.cote_r import PASSING_GRADE
from students.models import Course, Enrolment, Student


def registration_for_choice(*, now: datetime.datetime | None = None) -> TermRegistration | None:
    """The term whose course choice is open; otherwise the next one to open; otherwise the
    last one that closed, for a term not yet over (the page then shows it read-only)."""
    now = now or timezone.now()
    registrations = TermRegistration.objects.select_related("term").filter(
        term__ends_on__gte=now.date()
    )
    candidates = list(registrations.order_by("choice_opens"))
    for registration in candidates:
        if registration.choice_open(now):
            return registration
    upcoming = [r for r in candidates if r.choice_opens > now]
    if upcoming:
        return upcoming[0]
    return max(candidates, key=lambda r: r.choice_closes) if candidates else None


@dataclass
class ElectiveOffer:
    elective_list: ElectiveList
    courses: list[Course]

    @property
    def ranks(self) -> int:
        """How many ranks the student gives: the list's size, or fewer courses if fewer remain."""
        return min(self.elective_list.size, len(self.courses))


@dataclass
class ChoiceOffer:
    """What the choice page offers one student for one term."""

    program_term: int
    proposed: list[Course]
    addable: list[Course]
    electives: list[ElectiveOffer]
    failed_ids: set[int] = field(default_factory=set)

    @property
    def grid_ids(self) -> set[int]:
        return {course.pk for course in self.proposed + self.addable}

    def elective(self, list_id: int) -> ElectiveOffer | None:
        return next((e for e in self.electives if e.elective_list.pk == list_id), None)


def course_history(student: Student) -> tuple[set[int], set[int], dict[int, datetime.date]]:
    """Courses passed, courses failed (and never passed), and the start of each term the
    student was enrolled in. One query."""
    rows = Enrolment.objects.filter(student=student).values_list(
        "section__course_id", "final_grade", "section__term_id", "section__term__starts_on"
    )
    passed: set[int] = set()
    failed: set[int] = set()
    terms: dict[int, datetime.date] = {}
    for course_id, grade, term_id, starts_on in rows:
        terms[term_id] = starts_on
        if grade is None:
            continue
        (passed if grade >= PASSING_GRADE else failed).add(course_id)
    return passed, failed - passed, terms


def choice_offer(*, student: Student, registration: TermRegistration) -> ChoiceOffer:
    """The grid's courses offered in the term (a section exists) for the student's program,
    split between those proposed (the next program term's, and earlier ones not passed: a
    failed course comes back) and those the student may add (later program terms); courses
    passed are never offered. Then the elective lists, without courses passed. 4 queries."""
    term = registration.term
    passed, failed, terms = course_history(student)
    # The next program term: one more than the terms the student was enrolled in before this one.
    program_term = 1 + sum(1 for start in terms.values() if start < term.starts_on)
    grid: list[Course] = []
    if student.program_id is not None:
        grid = list(
            Course.objects.filter(
                program_id=student.program_id, program_term__isnull=False, sections__term=term
            )
            .exclude(pk__in=passed)
            .distinct()
            .order_by("program_term", "code")
        )
    proposed = [c for c in grid if c.program_term <= program_term]
    addable = [c for c in grid if c.program_term > program_term]
    grid_ids = {c.pk for c in grid}
    lists = ElectiveList.objects.filter(term=term).prefetch_related(
        Prefetch("courses", queryset=Course.objects.filter(sections__term=term).distinct())
    )
    electives = [
        ElectiveOffer(
            elective_list,
            sorted(
                (c for c in elective_list.courses.all() if c.pk not in passed | grid_ids),
                key=lambda c: c.code,
            ),
        )
        for elective_list in lists
    ]
    return ChoiceOffer(
        program_term,
        proposed,
        addable,
        [e for e in electives if e.courses],
        failed_ids=failed & grid_ids,
    )


def choice_current(*, student: Student, registration: TermRegistration) -> CourseChoice | None:
    """The student's current choice for the term, its courses and confirmation. 2 queries."""
    return (
        CourseChoice.objects.filter(
            student=student, term=registration.term, replaced_at__isnull=True
        )
        .select_related("confirmation")
        .prefetch_related(
            Prefetch(
                "courses",
                queryset=ChosenCourse.objects.select_related("course", "elective_list").order_by(
                    "elective_list_id", "rank", "course__code"
                ),
            )
        )
        .first()
    )


def choice_history(*, student: Student, registration: TermRegistration) -> list[CourseChoice]:
    """Earlier submissions, newest first. 1 query."""
    return list(
        CourseChoice.objects.filter(
            student=student, term=registration.term, replaced_at__isnull=False
        ).select_related("confirmation")
    )


# --- Enrolment confirmation ---------------------------------------------------------------


def registration_for_confirmation(
    *, student: Student, today: datetime.date | None = None
) -> TermRegistration | None:
    """The term under way (or the next to start) in which the student is enrolled. 1 query."""
    today = today or timezone.localdate()
    return (
        TermRegistration.objects.select_related("term")
        .filter(term__ends_on__gte=today, term__sections__enrolments__student=student)
        .order_by("term__starts_on")
        .first()
    )


def confirmation_of(
    *, student: Student, registration: TermRegistration
) -> EnrolmentConfirmation | None:
    return (
        EnrolmentConfirmation.objects.filter(student=student, term=registration.term)
        .select_related("confirmation")
        .first()
    )


def late_fee_of(*, student: Student, registration: TermRegistration) -> LateFee | None:
    return LateFee.objects.filter(student=student, term=registration.term).first()


def unconfirmed_students(*, registration: TermRegistration) -> list[Student]:
    """Students enrolled in the term who have not confirmed, by name. 1 query."""
    term = registration.term
    return list(
        Student.objects.filter(enrolments__section__term=term)
        .exclude(enrolment_confirmations__term=term)
        .distinct()
        .select_related("program")
        .order_by(*by_name("last_name", "first_name"), "matricule")
    )


def credits_earned(student_ids: list[int]) -> dict[int, Decimal]:
    """Credits of the courses each student passed (the placement's first priority). 1 query
    per 1,000 students at most (values only)."""
    earned: dict[int, Decimal] = {}
    seen: set[tuple[int, int]] = set()
    rows = Enrolment.objects.filter(
        Q(student_id__in=student_ids), final_grade__gte=PASSING_GRADE
    ).values_list("student_id", "section__course_id", "section__course__credits")
    for student_id, course_id, credits in rows:
        if (student_id, course_id) in seen:
            continue
        seen.add((student_id, course_id))
        earned[student_id] = earned.get(student_id, Decimal(0)) + credits
    return earned
