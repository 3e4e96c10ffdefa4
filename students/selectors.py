"""Reads of the registrar's records that need care: what a page shows in a fixed number of
queries, whatever the number of courses, and only the student's own."""

import datetime

from django.db.models import Count, Prefetch, QuerySet

from portal.prepared import prepared
from students.models import Meeting, RecordAccess, Section, Student, Term

# --- Schedule ---------------------------------------------------------------------------------


def student_email(student: Student) -> str:
    """Where a student's notices go: the registrar's record first, then the account (the two
    change together through Profil personnel, decision 0006); "" when neither has one."""
    return student.email or (student.user.email if student.user_id else "")


def schedule_terms(*, student: Student) -> list[Term]:
    """The terms the student is enrolled in, oldest first: the schedule's term switcher."""
    return list(Term.objects.filter(sections__enrolments__student=student).distinct())


def schedule_current_term(terms: list[Term], *, today: datetime.date) -> Term | None:
    """The term under way today; otherwise the next one to start; otherwise the latest.

    `terms` is ordered oldest first (as `schedule_terms` returns them).
    """
    for term in terms:
        if term.contains(today):
            return term
    upcoming = [term for term in terms if term.starts_on > today]
    if upcoming:
        return upcoming[0]
    return terms[-1] if terms else None


def schedule_sections(*, student: Student, term: Term) -> list[Section]:
    """The student's sections in the term, each with its course, teacher and weekly meetings
    (three queries in all)."""
    return list(
        Section.objects.filter(term=term, enrolments__student=student)
        .select_related("course", "teacher")
        .prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.order_by("day", "start", "pk"))
        )
        .order_by("course__code", "group")
    )


def schedule_page_sections(*, student: Student) -> tuple[list[Term], dict[int, list[Section]]]:
    """The schedule page's reads in one query: the student's terms, oldest first (as
    `schedule_terms`), and their sections by term id (as `schedule_sections`, without the
    meetings: `schedule_meetings_load` adds them to the one term shown)."""
    sections = prepared(
        "schedule-sections",
        lambda values: (
            Section.objects.filter(enrolments__student_id=values["student"])
            .select_related("term", "course", "teacher")
            .order_by("term__starts_on", "term_id", "course__code", "group")
        ),
        {"student": student.pk},
    )
    terms: dict[int, Term] = {}
    by_term: dict[int, list[Section]] = {}
    for section in sections:
        terms.setdefault(section.term_id, section.term)
        by_term.setdefault(section.term_id, []).append(section)
    return list(terms.values()), by_term


def schedule_meetings_load(
    sections: list[Section], *, student_id: int, term_id: int
) -> list[Section]:
    """The student's sections of the term with their weekly meetings (by day, start, id) in
    `section.meetings.all()`, as `prefetch_related` gives them, in one query compiled once per
    process (`schedule_meetings_of`)."""
    by_section: dict[int, list[Meeting]] = {section.pk: [] for section in sections}
    for meeting in schedule_meetings_of(sections, student_id=student_id, term_id=term_id):
        by_section[meeting.section_id].append(meeting)
    for section in sections:
        meetings = QuerySet(Meeting)
        meetings._result_cache = by_section[section.pk]
        meetings._prefetch_done = True
        cache = section.__dict__.setdefault("_prefetched_objects_cache", {})
        cache["meetings"] = meetings
    return sections


def schedule_meetings_of(
    sections: list[Section], *, student_id: int, term_id: int
) -> list[Meeting]:
    """The weekly meetings of the student's sections in the term (by day, start, id), in one
    query compiled once per process (portal/prepared.py), each meeting's `section` one of
    `sections` (the term's sections the caller read with the enrolments). A meeting of a
    section not among them (an enrolment made between the two reads) is left out."""
    by_id = {section.pk: section for section in sections}
    meetings = prepared(
        "schedule-meetings-of-term",
        lambda values: Meeting.objects.filter(
            section__term_id=values["term"], section__enrolments__student_id=values["student"]
        ).order_by("day", "start", "pk"),
        {"student": student_id, "term": term_id},
    )
    section_field = Meeting._meta.get_field("section")
    shown = []
    for meeting in meetings:
        section = by_id.get(meeting.section_id)
        if section is not None:
            section_field.set_cached_value(meeting, section)
            shown.append(meeting)
    return shown


RECORD_ACCESS_SHOWN = 20


def record_accesses(student: Student, *, limit: int = RECORD_ACCESS_SHOWN) -> tuple[list, int]:
    """ "Qui a consulté mon dossier": the newest entries and how many there are in all (one
    query when they all fit in the list, which then gives the count; two otherwise), in SQL
    compiled once per process (portal/prepared.py)."""
    entries = prepared(
        ("record-accesses", limit),
        lambda values: (
            RecordAccess.objects.filter(student_id=values["student"])
            .only("created_at", "staff_name", "staff_role", "what", "item", "history", "student_id")
            .order_by("-created_at", "-id")[:limit]
        ),
        {"student": student.pk},
    )
    if len(entries) < limit:
        return entries, len(entries)
    counted = prepared(
        "record-accesses-count",
        lambda values: (
            RecordAccess.objects.filter(student_id=values["student"])
            .values("student_id")
            .annotate(count=Count("pk"))
            .values_list("count", flat=True)
            .order_by()
        ),
        {"student": student.pk},
    )
    return entries, counted[0] if counted else 0
