"""The student's panels of Ma page d'accueil: what is new since the last visit, the term's
courses at a glance, and the record."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models import Case, Exists, F, OuterRef, Q, When
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from portal.home import home_panel, home_requested
from portal.prepared import Values, prepared
from portal.templatetags.portal_format import format_when
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


# What other apps read with the student's row (see `student_row_extra`).
Expression = Any
StudentRowExtra = Callable[[HttpRequest], dict[str, Callable[[Values], Expression]] | None]
_ROW_EXTRAS: list[StudentRowExtra] = []


def student_row_extra(function: StudentRowExtra) -> StudentRowExtra:
    """Registers `function(request)`: the scalar values an app wants read with the student's
    row on this request, or None, as {name: factory}; `factory(values)` builds the expression
    (a subquery of one value, correlated on the student's `pk` or `user_id`) from
    `values["today"]` (never from the clock itself: the row's SQL is compiled once per process
    and shape, see portal/prepared.py). The home page's balance, unread counts and enrolment
    reminder, and the overdue restriction, are read this way: one query per request for the
    student and every panel's figure, instead of one each."""
    _ROW_EXTRAS.append(function)
    return function


def _extras(registry: list[StudentRowExtra], request: HttpRequest) -> dict[str, Any]:
    factories: dict[str, Any] = {}
    for extra in registry:
        factories.update(extra(request) or {})
    return factories


def student_of(request: HttpRequest) -> Student | None:
    """The logged-in student's record, loaded once per request, with the registered apps'
    scalar values for this request (`student_row_extra`) as attributes."""
    if not hasattr(request, "_student_record"):
        user = request.user
        record = None
        if user.is_authenticated and user.audience == "student":
            factories = _extras(_ROW_EXTRAS, request)

            def build(values: Values) -> Any:
                return (
                    Student.objects.select_related("program", "school")
                    .filter(user_id=values["user"])
                    .annotate(**{name: make(values) for name, make in factories.items()})
                    .order_by("pk")[:1]
                )

            rows = prepared(
                ("student-row", tuple(factories)),
                build,
                {"user": user.pk, "today": timezone.localdate()},
            )
            record = rows[0] if rows else None
        request._student_record = record
    return request._student_record


def student_row_value(request: HttpRequest, name: str, compute: Callable[[], Any]) -> Any:
    """The value `name` read with the student's row on this request, or `compute()` when the
    row was read without it (e.g. by a caller that does not go through `student_of`)."""
    student = student_of(request)
    if student is not None and name in student.__dict__:
        return student.__dict__[name]
    return compute()


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


# What other apps read with each enrolment on the home page (see `enrolment_row_extra`).
_ENROLMENT_EXTRAS: list[StudentRowExtra] = []


def enrolment_row_extra(function: StudentRowExtra) -> StudentRowExtra:
    """Registers `function(request)`: expressions read with each of the student's enrolments
    on the home page (one value per enrolment, e.g. a column of its term's row in another
    app's table), or None."""
    _ENROLMENT_EXTRAS.append(function)
    return function


# The meetings' columns read with the enrolments (see `_enrolments`).
_MEETING_COLUMNS = {
    "home_meeting_id": "section__meetings__id",
    "home_meeting_day": "section__meetings__day",
    "home_meeting_start": "section__meetings__start",
    "home_meeting_end": "section__meetings__end",
    "home_meeting_room": "section__meetings__room",
}


class HomeRow:
    """One enrolment, section, course or meeting of the home page's query, as plain
    attributes: building Django model instances (four a row, with their signals and
    descriptors) was four fifths of that query's CPU, the SQL itself one fifth."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


# The columns of the home page's enrolments query, in order (see `_enrolments`).
_ENROLMENT_COLUMNS = (
    "pk",
    "final_grade",
    "section_id",
    "section__group",
    "section__term_id",
    "section__term__code",
    "section__term__starts_on",
    "section__term__ends_on",
    "section__course_id",
    "section__course__code",
    "section__course__title",
)


def student_enrolments_of(request: HttpRequest) -> list[HomeRow]:
    """The home page's enrolments of the logged-in student (see `_enrolments`), or []."""
    student = student_of(request)
    return [] if student is None else _enrolments(request, student)


def _enrolments(request: HttpRequest, student: Student) -> list[HomeRow]:
    """The student's enrolments the home page can show (terms not over, or over for at most
    FINAL_GRADES_NEW_DAYS: the courses panel, the recent final grades, the reminder) with
    their term and course, and the weekly meetings of the sections of terms not over yet
    (the only ones the courses panel may show), in one query shared by the panels: a row
    per meeting (LEFT JOIN), folded here into one enrolment each (`HomeRow`s: `pk`,
    `final_grade`, `section` with `group`, `term` (a Term), `course` (`code`, `title`) and
    its meetings in `home_meetings` by day, start, id; the other apps' values
    (`enrolment_row_extra`) as attributes). Older terms' enrolments are not read."""
    if not hasattr(request, "_student_enrolments"):
        factories = _extras(_ENROLMENT_EXTRAS, request)
        extras = tuple(factories)

        def build(values: Values) -> Any:
            # A row per meeting of each section (LEFT JOIN); the meetings of terms already
            # over read as NULL, and DISTINCT folds those enrolments' rows into one.
            upcoming = Q(section__term__ends_on__gte=values["today"])
            return (
                Enrolment.objects.filter(
                    student_id=values["student"], section__term__ends_on__gte=values["recent"]
                )
                .annotate(
                    **{
                        name: Case(When(upcoming, then=F(path)), default=None)
                        for name, path in _MEETING_COLUMNS.items()
                    },
                    **{name: make(values) for name, make in factories.items()},
                )
                .values_list(*_ENROLMENT_COLUMNS, *_MEETING_COLUMNS, *extras)
                .distinct()
                .order_by(
                    "section__term__starts_on",
                    "section__course__code",
                    "pk",
                    "home_meeting_day",
                    "home_meeting_start",
                    "home_meeting_id",
                )
            )

        today = timezone.localdate()
        rows = prepared(
            ("home-enrolments", extras),
            build,
            {
                "student": student.pk,
                "today": today,
                "recent": today - datetime.timedelta(days=FINAL_GRADES_NEW_DAYS),
            },
        )
        enrolments: dict[int, HomeRow] = {}
        terms: dict[int, Term] = {}
        for row in rows:
            (pk, grade, section_id, group, term_id, code, starts, ends, course_id, course_code,
             title, meeting_id, day, start, end, room) = row[:16]  # fmt: skip
            enrolment = enrolments.get(pk)
            if enrolment is None:
                term = terms.get(term_id)
                if term is None:
                    term = terms[term_id] = Term(
                        id=term_id, code=code, starts_on=starts, ends_on=ends
                    )
                course = HomeRow(id=course_id, pk=course_id, code=course_code, title=title)
                section = HomeRow(
                    id=section_id,
                    pk=section_id,
                    group=group,
                    term_id=term_id,
                    term=term,
                    course_id=course_id,
                    course=course,
                    home_meetings=[],
                )
                enrolment = enrolments[pk] = HomeRow(
                    id=pk,
                    pk=pk,
                    final_grade=grade,
                    section_id=section_id,
                    section=section,
                    **dict(zip(extras, row[16:], strict=True)),
                )
            if meeting_id is not None:
                enrolment.section.home_meetings.append(
                    HomeRow(
                        id=meeting_id,
                        section_id=section_id,
                        day=day,
                        start=start,
                        end=end,
                        room=room,
                    )
                )
        request._student_enrolments = list(enrolments.values())
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


def next_meeting(
    section: Section,
    *,
    now: datetime.datetime,
    term: Term,
    meetings: Iterable[Meeting] | None = None,
) -> NextMeeting | None:
    """The section's next class from `now` (local time) within its term, if any, among
    `meetings` (by default the section's)."""
    start = max(now.date(), term.starts_on)
    best: NextMeeting | None = None
    for meeting in section.meetings.all() if meetings is None else meetings:
        ahead = (meeting.day - start.isoweekday()) % 7
        if ahead == 0 and start == now.date() and meeting.end <= now.time():
            ahead = 7  # today's class is over: next week's
        date = start + datetime.timedelta(days=ahead)
        if date > term.ends_on:
            continue
        if best is None or (date, meeting.start) < (best.date, best.meeting.start):
            best = NextMeeting(meeting, date)
    return best


# Whether the student has any enrolment at all (the news panel's condition), read with the
# student's row on the home page: the home page's enrolments are only the recent terms'.
ENROLLED = "home_enrolled"


@student_row_extra
def enrolled_row(request: HttpRequest) -> dict[str, Callable[[Values], Expression]] | None:
    if not home_requested(request):
        return None
    return {ENROLLED: lambda values: Exists(Enrolment.objects.filter(student_id=OuterRef("pk")))}


# What the news panel shows of a new mark (as `HomeRow`s: `mark`, `max_mark`, `percent`,
# `evaluation.title`, `evaluation.section.term.code`, `evaluation.section.course.code|title`).
_MARK_COLUMNS = (
    "mark",
    "max_mark",
    "evaluation__title",
    "evaluation__section__term__code",
    "evaluation__section__course__code",
    "evaluation__section__course__title",
)


@home_panel("students/_home_news.html", order=15, whats_new=True)
def news_panel(request: HttpRequest) -> dict[str, Any] | None:
    """New marks since the previous visit and recent final grades."""
    student = student_of(request)
    if student is None or not student_row_value(
        request, ENROLLED, lambda: student.enrolments.exists()
    ):
        return None
    institution = request.institution
    show_marks = institution.module_enabled("marks")
    show_finals = institution.module_enabled("final_grades")
    if not (show_marks or show_finals):
        return None
    since = previous_visit(request)
    cutoff = since or timezone.now() - datetime.timedelta(days=NEW_WITHOUT_VISIT_DAYS)
    marks: list[HomeRow] = []
    if show_marks:
        rows = prepared(
            "home-marks",
            lambda values: (
                Mark.objects.filter(student_id=values["student"], created_at__gt=values["since"])
                .values_list(*_MARK_COLUMNS)
                .order_by("-created_at", "-pk")[:NEW_MARKS_SHOWN]
            ),
            {"student": student.pk, "since": cutoff},
        )
        for mark, max_mark, evaluation, term, code, title in rows:
            section = HomeRow(term=HomeRow(code=term), course=HomeRow(code=code, title=title))
            marks.append(
                HomeRow(
                    mark=mark,
                    max_mark=max_mark,
                    percent=mark * 100 / max_mark,
                    evaluation=HomeRow(title=evaluation, section=section),
                )
            )
    finals: list[Enrolment] = []
    if show_finals:
        recent = timezone.localdate() - datetime.timedelta(days=FINAL_GRADES_NEW_DAYS)
        finals = [
            enrolment
            for enrolment in _enrolments(request, student)
            if enrolment.final_grade is not None and enrolment.section.term.ends_on >= recent
        ]
    # The final grades by term, in the enrolments' order (by term start).
    finals_by_term: dict[Term, list[Enrolment]] = {}
    for enrolment in finals:
        finals_by_term.setdefault(enrolment.section.term, []).append(enrolment)
    return {
        "since": since,
        "days": NEW_WITHOUT_VISIT_DAYS,
        "marks": marks,
        "more_marks": len(marks) == NEW_MARKS_SHOWN,
        "finals": finals,
        "finals_by_term": list(finals_by_term.items()),
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
    rows = []
    # Each row's values as the table prints them (plain loop, no filter per cell): the next
    # class as "day, time" and its room, "—" where there is none.
    for section in sections:
        found = next_meeting(section, now=now, term=term, meetings=section.home_meetings)
        if found is None:
            when, room = "—", "—"
        else:
            day = format_when(found.date, "DAY_FORMAT")
            when = f"{day}, {format_when(found.meeting.start, 'TIME_FORMAT')}"
            room = found.meeting.room or "—"
        rows.append((section.course.code, section.course.title, section.group, when, room))
    return {"term": term, "started": term.starts_on <= now.date(), "rows": rows}


@home_panel("students/_home_record.html", order=90)
def record_panel(request: HttpRequest) -> dict[str, Any] | None:
    record = student_of(request)
    return {"record": record} if record else None
