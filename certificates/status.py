"""Full-time or part-time in a term, by the institution's rule (data, not code).

Quebec colleges (Règlement sur le régime des études collégiales, art. 24): a student is
full-time who takes at least 4 courses, or courses totalling at least 180 hours, in the term.
The institution's `full_time_min_courses` and `full_time_min_hours` hold the two thresholds
(0 turns one off). Hours are the weekly meeting hours of the student's sections times the
number of whole weeks in the term.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from portal.models import Institution
from students.models import Enrolment, Student, Term


@dataclass(frozen=True)
class Load:
    courses: int
    hours: Decimal
    full_time: bool


def _hours(start: datetime.time, end: datetime.time) -> Decimal:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return Decimal(max(minutes, 0)) / 60


def term_weeks(term: Term) -> int:
    return ((term.ends_on - term.starts_on).days + 1) // 7


def student_load(student: Student, term: Term, institution: Institution) -> Load:
    enrolments = Enrolment.objects.filter(student=student, section__term=term).prefetch_related(
        "section__meetings"
    )
    courses = set()
    weekly = Decimal(0)
    for enrolment in enrolments:
        courses.add(enrolment.section.course_id)
        weekly += sum(
            (_hours(m.start, m.end) for m in enrolment.section.meetings.all()), Decimal(0)
        )
    hours = (weekly * term_weeks(term)).quantize(Decimal("0.1"))
    by_courses = (
        institution.full_time_min_courses and len(courses) >= institution.full_time_min_courses
    )
    by_hours = institution.full_time_min_hours and hours >= institution.full_time_min_hours
    return Load(courses=len(courses), hours=hours, full_time=bool(by_courses or by_hours))
