"""What the parents' pages show about each child: the term under way, its weekly schedule,
attendance (absences in hours and lateness) and the credits accumulated toward the diploma.

Every read costs a fixed number of queries whatever the number of children, terms or courses,
in SQL compiled once per process (portal/prepared.py), the rows read on every request: the home
page reads every child's enrolments in one query (attendance per term and passed courses added
up here); a child's page reads the child's enrolments once (with their sections), then the
chosen term's meetings.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language

from portal.prepared import prepared
from students.models import Course, Enrolment, Meeting, Section, Student, Term
from students.results import student_enrolments, terms_of
from students.selectors import schedule_current_term, schedule_meetings_of


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
    # One row per enrolment of every child (no model instance), in SQL compiled once per
    # process and number of children (portal/prepared.py): the totals per term and the
    # credits are added up here.
    rows = prepared(
        ("parent-cards", len(ids)),
        lambda values: (
            Enrolment.objects.filter(student_id__in=[values[f"child{n}"] for n in range(len(ids))])
            .values_list(
                "student_id",
                "section__term_id",
                "section__term__code",
                "section__term__starts_on",
                "section__term__ends_on",
                "absences",
                "lateness",
                "final_grade",
                "section__course_id",
                "section__course__credits",
            )
            .order_by("student_id", "section__term__starts_on", "section__term_id")
        ),
        {f"child{n}": pk for n, pk in enumerate(ids)},
    )
    terms: dict[int, list[Term]] = defaultdict(list)
    totals: dict[tuple[int, int], list[int]] = {}
    passed_by_child: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for (
        student_id,
        term_id,
        code,
        starts_on,
        ends_on,
        absences,
        lateness,
        final_grade,
        course_id,
        credits,
    ) in rows:
        total = totals.get((student_id, term_id))
        if total is None:
            totals[student_id, term_id] = total = [0, 0]
            terms[student_id].append(
                Term(pk=term_id, code=code, starts_on=starts_on, ends_on=ends_on)
            )
        total[0] += absences
        total[1] += lateness
        if final_grade is not None and final_grade >= passing_grade:
            passed_by_child[student_id].append((course_id, credits))
    attendance = {key: Attendance(*total) for key, total in totals.items()}

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


# The days' names per language ("Lundi", "Monday"), made once: a meeting's `get_day_display()`
# costs a lookup and a lazy translation each.
_day_labels: dict[str | None, dict[int, str]] = {}


def day_labels() -> dict[int, str]:
    """The weekdays' names (Meeting.Day) in the active language, by number."""
    language = get_language()
    labels = _day_labels.get(language)
    if labels is None:
        labels = _day_labels[language] = {int(v): str(label) for v, label in Meeting.Day.choices}
    return labels


def schedule_days(meetings: Iterable[Meeting]) -> list[ScheduleDay]:
    """The week's meetings by day (only the days with a meeting), each day in time order.
    Each meeting's `section` (with its course) is read."""
    labels = day_labels()
    days: dict[int, ScheduleDay] = {}
    for meeting in meetings:
        day = days.get(meeting.day)
        if day is None:
            label = labels.get(meeting.day)
            day = days[meeting.day] = ScheduleDay(
                meeting.day, label if label is not None else str(meeting.day)
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
    # The term's sections (course, teacher), by course code; their meetings are in `days`.
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
    accumulated over every term. Two queries whatever the number of courses (the enrolments,
    and the term's meetings), in SQL compiled once per process."""
    enrolments = student_enrolments(student)
    terms = terms_of(enrolments)
    term = next((t for t in terms if term_code and t.code == term_code), None)
    term = term or schedule_current_term(terms, today=today)

    term_enrolments = sorted(
        (e for e in enrolments if term and e.section.term_id == term.pk),
        key=lambda e: (e.section.course.code, e.section.group),
    )
    # The term's sections are the enrolments' own (course and teacher read with them); their
    # meetings come in one more query, each given its section here.
    sections = [e.section for e in term_enrolments]
    meetings = (
        schedule_meetings_of(sections, student_id=student.pk, term_id=term.pk) if term else []
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
        days=schedule_days(meetings),
        term_enrolments=term_enrolments,
        attendance=attendance,
        passed=passed,
        in_progress=in_progress,
        credits=Credits(earned, required_credits),
        passing_grade=_plain(passing_grade),
    )
