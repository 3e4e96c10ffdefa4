"""Reads of Modification d'horaire: the term whose change window concerns the student, and the
student's courses of that term with every section of each (places taken, weekly meetings), in
a fixed number of queries whatever the number of courses and sections. The search itself is
`registration.schedule_search`; `alternative_problem` checks one alternative against the data
read here (the page before showing it, the service again under row locks)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from registration.models import ScheduleChange, TermRegistration
from registration.schedule_search import Meeting as SearchMeeting
from registration.schedule_search import Option, SearchResult, Wishes, search
from students.models import Enrolment, Meeting, Section, Student

# The page shows the best alternatives and counts the others.
ALTERNATIVES_SHOWN = 50


def registration_for_change(
    *, student: Student, now: datetime.datetime | None = None
) -> TermRegistration | None:
    """The term, not over, in which the student is enrolled and that has a change window: the
    one whose window is open; otherwise the next to open; otherwise the last one closed. One
    query."""
    now = now or timezone.now()
    candidates = list(
        TermRegistration.objects.select_related("term")
        .filter(
            term__ends_on__gte=now.date(),
            term__sections__enrolments__student=student,
            change_opens__isnull=False,
            change_closes__isnull=False,
        )
        .distinct()
        .order_by("change_opens")
    )
    for registration in candidates:
        if registration.change_open(now):
            return registration
    upcoming = [r for r in candidates if r.change_opens > now]
    if upcoming:
        return upcoming[0]
    return max(candidates, key=lambda r: r.change_closes) if candidates else None


def _minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


@dataclass(frozen=True)
class MeetingInfo:
    day: int  # 1 = Monday … 7 = Sunday, as students.Meeting
    start: datetime.time
    end: datetime.time
    room: str

    def overlaps(self, other: "MeetingInfo") -> bool:
        # Touching end-to-start (10:00–12:00 then 12:00–13:00) is not a conflict.
        return self.day == other.day and self.start < other.end and other.start < self.end


@dataclass
class SectionInfo:
    pk: int
    course_id: int
    course_code: str
    course_title: str
    group: str
    teacher: str
    capacity: int | None
    taken: int
    meetings: list[MeetingInfo] = field(default_factory=list)

    def has_place(self, *, own: bool) -> bool:
        """A free place, the student's own place counting as free."""
        return own or self.capacity is None or self.taken < self.capacity

    def option(self) -> Option:
        return Option(
            section_id=self.pk,
            course_id=self.course_id,
            meetings=tuple(
                SearchMeeting(day=m.day - 1, start=_minutes(m.start), end=_minutes(m.end))
                for m in self.meetings
            ),
        )


@dataclass
class ChangeOffer:
    """The student's courses of the term (in code order), the section each is in now, and every
    section of each course."""

    current: list[SectionInfo]  # one per course, in course code order
    sections: dict[int, SectionInfo]  # every section of those courses, by id

    @property
    def current_ids(self) -> list[int]:
        return [section.pk for section in self.current]

    def candidates(self) -> list[list[SectionInfo]]:
        """Per course, the sections with a free place (the student's own always among them)."""
        own = set(self.current_ids)
        by_course: dict[int, list[SectionInfo]] = defaultdict(list)
        for section in sorted(self.sections.values(), key=lambda s: (s.group, s.pk)):
            if section.has_place(own=section.pk in own):
                by_course[section.course_id].append(section)
        return [by_course[section.course_id] for section in self.current]


def change_offer(*, student: Student, registration: TermRegistration) -> ChangeOffer:
    """Three queries: the student's sections of the term, every section of those courses with
    its places taken, and their meetings."""
    term = registration.term
    enrolled = dict(
        Enrolment.objects.filter(student=student, section__term=term).values_list(
            "section_id", "section__course_id"
        )
    )
    course_ids = set(enrolled.values())
    sections = {
        section.pk: SectionInfo(
            pk=section.pk,
            course_id=section.course_id,
            course_code=section.course.code,
            course_title=section.course.title,
            group=section.group,
            teacher=section.teacher.full_name if section.teacher else "",
            capacity=section.capacity,
            taken=section.taken,
        )
        for section in Section.objects.filter(term=term, course_id__in=course_ids)
        .select_related("course", "teacher")
        .annotate(taken=Count("enrolments"))
    }
    meetings = Meeting.objects.filter(section__term=term, section__course_id__in=course_ids)
    for section_id, day, start, end, room in meetings.order_by(
        "day", "start", "end", "pk"
    ).values_list("section_id", "day", "start", "end", "room"):
        sections[section_id].meetings.append(MeetingInfo(day, start, end, room))
    current = sorted(
        (sections[pk] for pk in enrolled if pk in sections),
        key=lambda s: (s.course_code, s.group),
    )
    return ChangeOffer(current=current, sections=sections)


def alternatives_search(*, offer: ChangeOffer, wishes: Wishes) -> SearchResult:
    courses = [[section.option() for section in sections] for sections in offer.candidates()]
    return search(courses, offer.current_ids, wishes=wishes, limit=ALTERNATIVES_SHOWN)


# Why an alternative is refused (the service raises with the same code).
PROBLEM_COURSE = "course"  # a section of another course, a course twice or missing
PROBLEM_FULL = "full"  # a section without a free place
PROBLEM_CONFLICT = "conflict"  # two meetings at the same time
PROBLEM_UNCHANGED = "unchanged"  # the current schedule itself


@dataclass
class Problem:
    code: str
    sections: list[SectionInfo] = field(default_factory=list)


def alternative_sections(offer: ChangeOffer, section_ids: list[int]) -> list[SectionInfo] | None:
    """The chosen sections in the order of the student's courses, or None when they are not
    exactly one section of each of the student's courses."""
    chosen = [offer.sections.get(pk) for pk in section_ids]
    if any(section is None for section in chosen) or len(chosen) != len(offer.current):
        return None
    by_course = {section.course_id: section for section in chosen}
    if len(by_course) != len(chosen):
        return None
    ordered = [by_course.get(current.course_id) for current in offer.current]
    if any(section is None for section in ordered):
        return None
    return ordered


def alternative_problem(offer: ChangeOffer, section_ids: list[int]) -> Problem | None:
    """What makes this alternative impossible now, or None when it is a valid change."""
    chosen = alternative_sections(offer, section_ids)
    if chosen is None:
        return Problem(PROBLEM_COURSE)
    own = set(offer.current_ids)
    full = [section for section in chosen if not section.has_place(own=section.pk in own)]
    if full:
        return Problem(PROBLEM_FULL, full)
    for i, first in enumerate(chosen):
        for second in chosen[i + 1 :]:
            if any(a.overlaps(b) for a in first.meetings for b in second.meetings):
                return Problem(PROBLEM_CONFLICT, [first, second])
    if [section.pk for section in chosen] == offer.current_ids:
        return Problem(PROBLEM_UNCHANGED)
    return None


def change_of(*, student: Student, pk: int) -> ScheduleChange | None:
    """One of the student's own changes (None alike for missing and not theirs)."""
    return (
        ScheduleChange.objects.filter(student=student, pk=pk)
        .select_related("term", "confirmation", "fee_invoice")
        .first()
    )
