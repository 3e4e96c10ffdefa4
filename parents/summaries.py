"""What the parents' pages show about each child: the term under way, its weekly schedule,
attendance (absences in hours and lateness) and the credits accumulated toward the diploma.

Every read costs a fixed number of queries whatever the number of children, terms or courses:
the home page asks the database for every child's attendance per term and passed courses in
two queries; a child's page reads the child's enrolments once, then the chosen term's sections
with their meetings.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from students.models import Course, Enrolment, Meeting, Section, Student, Term
from students.results import student_enrolments, terms_of
from students.selectors import schedule_current_term, schedule_sections


def _plain(value: Decimal) -> Decimal:
    """12.00 → 12 and 1.50 → 1.5, so that a number of credits reads as people write it."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass(frozen=True)
class Attendance:
    """Absences (in hours) and lateness (times late), as the school records them per course."""

    absences: int = 0
    lateness: int = 0

    def __add__(self, other: "Attendance") -> "Attendance":
        return Attendance(self.absences + other.absences, self.lateness + other.lateness)


@dataclass(frozen=True)
class Credits:
    """The credits accumulated (each passed course once) and those the diploma requires
    (0 when the institution does not say)."""

    earned: Decimal
    required: int = 0

    @property
    def shown(self) -> Decimal:
        return _plain(self.earned)

    @property
    def plural_count(self) -> int:
        # gettext chooses the plural form from an integer: "1 crédit", "1,5 crédits" (rare).
        return int(self.earned) if self.earned == self.earned.to_integral_value() else 2

    @property
    def progress_value(self) -> Decimal:
        """The value of the progress bar, which stops at the required number."""
        return _plain(min(self.earned, Decimal(self.required)))

    @property
    def complete(self) -> bool:
        return bool(self.required) and self.earned >= self.required


def _credits_earned(passed: Iterable[tuple[int, Decimal]]) -> Decimal:
    """The sum of the credits of the distinct courses passed: (course id, credits) pairs, a
    course passed twice (taken again to improve the mark) counting once."""
    return sum(dict(passed).values(), Decimal(0))


# --- The parent's home: one card per child ----------------------------------------------------


@dataclass(frozen=True)
class ChildCard:
    student: Student
    term: Term | None
    attendance: Attendance
    credits: Credits


def children_cards(
    children: Sequence[Student],
    *,
    required_credits: int,
    today: datetime.date,
    passing_grade: Decimal = Decimal(60),
) -> list[ChildCard]:
    """A card per child, in the order given: this term's attendance totals (the term under way,
    else the next one, else the latest, as on the students' schedule) and the credits
    accumulated. Two queries for all the children together."""
    ids = [child.pk for child in children]
    if not ids:
        return []
    per_term = (
        Enrolment.objects.filter(student_id__in=ids)
        .values(
            "student_id",
            "section__term_id",
            "section__term__code",
            "section__term__starts_on",
            "section__term__ends_on",
        )
        .annotate(absences=Sum("absences"), lateness=Sum("lateness"))
        .order_by("student_id", "section__term__starts_on", "section__term_id")
    )
    terms: dict[int, list[Term]] = defaultdict(list)
    attendance: dict[tuple[int, int], Attendance] = {}
    for row in per_term:
        term = Term(
            pk=row["section__term_id"],
            code=row["section__term__code"],
            starts_on=row["section__term__starts_on"],
            ends_on=row["section__term__ends_on"],
        )
        terms[row["student_id"]].append(term)
        attendance[row["student_id"], term.pk] = Attendance(
            row["absences"] or 0, row["lateness"] or 0
        )

    passed = (
        Enrolment.objects.filter(student_id__in=ids, final_grade__gte=passing_grade)
        .values_list("student_id", "section__course_id", "section__course__credits")
        .distinct()
        .order_by()
    )
    passed_by_child: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for student_id, course_id, credits in passed:
        passed_by_child[student_id].append((course_id, credits))

    cards = []
    for child in children:
        term = schedule_current_term(terms[child.pk], today=today)
        cards.append(
            ChildCard(
                student=child,
                term=term,
                attendance=attendance[child.pk, term.pk] if term else Attendance(),
                credits=Credits(_credits_earned(passed_by_child[child.pk]), required_credits),
            )
        )
    return cards


# --- One child's page -------------------------------------------------------------------------


@dataclass
class ScheduleDay:
    number: int
    label: str
    meetings: list[Meeting] = field(default_factory=list)


def schedule_days(sections: Iterable[Section]) -> list[ScheduleDay]:
    """The week's meetings by day (only the days with a meeting), each day in time order."""
    days: dict[int, ScheduleDay] = {}
    for section in sections:
        for meeting in section.meetings.all():
            day = days.setdefault(
                meeting.day, ScheduleDay(meeting.day, str(meeting.get_day_display()))
            )
            day.meetings.append(meeting)
    for day in days.values():
        day.meetings.sort(key=lambda m: (m.start, m.end, m.section.course.code, m.pk))
    return [days[number] for number in sorted(days)]


@dataclass(frozen=True)
class CourseCredit:
    """A course passed (the enrolment of its first pass), or one under way."""

    enrolment: Enrolment

    @property
    def course(self) -> Course:
        return self.enrolment.section.course

    @property
    def term(self) -> Term:
        return self.enrolment.section.term

    @property
    def credits(self) -> Decimal:
        return _plain(self.course.credits)


@dataclass(frozen=True)
class ChildDetail:
    student: Student
    terms: list[Term]
    term: Term | None
    sections: list[Section]
    days: list[ScheduleDay]
    # The chosen term's enrolments, by course code: the attendance per course.
    term_enrolments: list[Enrolment]
    attendance: Attendance
    passed: list[CourseCredit]
    in_progress: list[CourseCredit]
    credits: Credits
    passing_grade: Decimal


def child_detail(
    student: Student,
    *,
    required_credits: int,
    today: datetime.date,
    term_code: str | None = None,
    passing_grade: Decimal = Decimal(60),
) -> ChildDetail:
    """The child's schedule and attendance for a term (the one `term_code` names among the
    child's own, else the current one: an unknown code is ignored), and the credits
    accumulated over every term. Three queries whatever the number of courses."""
    enrolments = student_enrolments(student)
    terms = terms_of(enrolments)
    term = next((t for t in terms if term_code and t.code == term_code), None)
    term = term or schedule_current_term(terms, today=today)

    sections = schedule_sections(student=student, term=term) if term else []
    term_enrolments = sorted(
        (e for e in enrolments if term and e.section.term_id == term.pk),
        key=lambda e: (e.section.course.code, e.section.group),
    )
    attendance = sum((Attendance(e.absences, e.lateness) for e in term_enrolments), Attendance())

    # Each course passed once, at its first passing grade: when the credit was earned.
    first_pass: dict[int, Enrolment] = {}
    for enrolment in enrolments:
        if enrolment.final_grade is not None and enrolment.final_grade >= passing_grade:
            first_pass.setdefault(enrolment.section.course_id, enrolment)
    passed = sorted(
        (CourseCredit(e) for e in first_pass.values()),
        key=lambda c: (c.term.starts_on, c.course.code),
    )
    in_progress = [
        CourseCredit(e)
        for e in enrolments
        if e.final_grade is None and e.section.term.contains(today)
    ]
    earned = _credits_earned((c.course.pk, c.course.credits) for c in passed)
    return ChildDetail(
        student=student,
        terms=terms,
        term=term,
        sections=sections,
        days=schedule_days(sections),
        term_enrolments=term_enrolments,
        attendance=attendance,
        passed=passed,
        in_progress=in_progress,
        credits=Credits(earned, required_credits),
        passing_grade=_plain(passing_grade),
    )
