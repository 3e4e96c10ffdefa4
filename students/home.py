"""The student's panels of Ma page d'accueil: what is new since the last visit, the term's
courses at a glance, and the record."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models import Prefetch, prefetch_related_objects
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from portal.home import home_panel
from students.models import Enrolment, Mark, Meeting, Section, Student, Term

# The session remembers when the student's previous session began (ISO 8601, or None before
# their first). See `remember_previous_visit`.
PREVIOUS_VISIT_KEY = "students_previous_visit"
# Without a previous visit (first login, or a session older than this code), "new" means
# entered in the last two weeks.
NEW_WITHOUT_VISIT_DAYS = 14
# Final grades carry no entry date: they count as new while their term is under way or ended
# at most this many days ago (grades come out a few weeks after the last class).
FINAL_GRADES_NEW_DAYS = 60
NEW_MARKS_SHOWN = 10


def student_of(request: HttpRequest) -> Student | None:
    """The logged-in student's record, loaded once per request."""
    if not hasattr(request, "_student_record"):
        user = request.user
        request._student_record = (
            Student.objects.select_related("program", "school").filter(user=user).first()
            if user.is_authenticated and user.audience == "student"
            else None
        )
    return request._student_record


@receiver(user_logged_in, dispatch_uid="students_remember_previous_visit")
def remember_previous_visit(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Keeps the start of the student's previous session in the new one, for "what is new
    since your last visit", without a column or a query on the home page.

    `user.last_login` still holds the previous login here: this receiver is connected when
    the students app is ready, before accounts' (INSTALLED_APPS order), which stamps the new
    one. tests/students/test_home_panels.py logs in twice to keep that true. First use saves
    the new time itself before logging in (`last_login_saved`): that session has no
    previous visit.
    """
    if request is None or not hasattr(request, "session"):
        return
    if getattr(user, "audience", None) != "student":
        return
    previous = None if getattr(user, "last_login_saved", False) else user.last_login
    request.session[PREVIOUS_VISIT_KEY] = previous.isoformat() if previous else None


def previous_visit(request: HttpRequest) -> datetime.datetime | None:
    value = request.session.get(PREVIOUS_VISIT_KEY)
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _enrolments(request: HttpRequest, student: Student) -> list[Enrolment]:
    """All the student's enrolments with their term and course: one query shared by the
    panels."""
    if not hasattr(request, "_student_enrolments"):
        request._student_enrolments = list(
            Enrolment.objects.filter(student=student)
            .select_related("section__term", "section__course")
            .order_by("section__term__starts_on", "section__course__code")
        )
    return request._student_enrolments


def term_at_a_glance(terms: list[Term], *, today: datetime.date) -> Term | None:
    """The term under way today, otherwise the next one to start (courses to come are worth
    seeing before the first class); never one that is over."""
    ongoing = [term for term in terms if term.contains(today)]
    if ongoing:
        return ongoing[0]
    upcoming = sorted((term for term in terms if term.starts_on > today), key=lambda t: t.starts_on)
    return upcoming[0] if upcoming else None


@dataclass(frozen=True)
class NextMeeting:
    meeting: Meeting
    date: datetime.date


def next_meeting(section: Section, *, now: datetime.datetime, term: Term) -> NextMeeting | None:
    """The section's next class from `now` (local time) within its term, if any."""
    start = max(now.date(), term.starts_on)
    best: NextMeeting | None = None
    for meeting in section.meetings.all():
        ahead = (meeting.day - start.isoweekday()) % 7
        if ahead == 0 and start == now.date() and meeting.end <= now.time():
            ahead = 7  # today's class is over: next week's
        date = start + datetime.timedelta(days=ahead)
        if date > term.ends_on:
            continue
        if best is None or (date, meeting.start) < (best.date, best.meeting.start):
            best = NextMeeting(meeting, date)
    return best


@home_panel("students/_home_news.html", order=15, whats_new=True)
def news_panel(request: HttpRequest) -> dict[str, Any] | None:
    """New marks since the previous visit and recent final grades."""
    student = student_of(request)
    if student is None or not _enrolments(request, student):
        return None
    institution = request.institution
    show_marks = institution.module_enabled("marks")
    show_finals = institution.module_enabled("final_grades")
    if not (show_marks or show_finals):
        return None
    since = previous_visit(request)
    cutoff = since or timezone.now() - datetime.timedelta(days=NEW_WITHOUT_VISIT_DAYS)
    marks: list[Mark] = []
    if show_marks:
        marks = list(
            Mark.objects.filter(student=student, created_at__gt=cutoff)
            .select_related("evaluation__section__course", "evaluation__section__term")
            .order_by("-created_at", "-pk")[:NEW_MARKS_SHOWN]
        )
    finals: list[Enrolment] = []
    if show_finals:
        recent = timezone.localdate() - datetime.timedelta(days=FINAL_GRADES_NEW_DAYS)
        finals = [
            enrolment
            for enrolment in _enrolments(request, student)
            if enrolment.final_grade is not None and enrolment.section.term.ends_on >= recent
        ]
    return {
        "since": since,
        "days": NEW_WITHOUT_VISIT_DAYS,
        "marks": marks,
        "more_marks": len(marks) == NEW_MARKS_SHOWN,
        "finals": finals,
        "show_marks": show_marks,
        "show_finals": show_finals,
    }


@home_panel("students/_home_courses.html", order=20)
def courses_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The term's courses at a glance: code, title, group, next class and room."""
    student = student_of(request)
    if student is None:
        return None
    enrolments = _enrolments(request, student)
    now = timezone.localtime()
    terms = list({enrolment.section.term for enrolment in enrolments})
    term = term_at_a_glance(terms, today=now.date())
    if term is None:
        return None
    sections = [e.section for e in enrolments if e.section.term_id == term.pk]
    prefetch_related_objects(
        sections, Prefetch("meetings", queryset=Meeting.objects.order_by("day", "start", "pk"))
    )
    rows = [(section, next_meeting(section, now=now, term=term)) for section in sections]
    return {"term": term, "started": term.starts_on <= now.date(), "rows": rows}


@home_panel("students/_home_record.html", order=90)
def record_panel(request: HttpRequest) -> dict[str, Any] | None:
    record = student_of(request)
    return {"record": record} if record else None
