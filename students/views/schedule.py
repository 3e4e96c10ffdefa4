"""Horaire en ligne: the term's weekly grid, its print layout and its ICS export.

Seed 001: "La récupération de votre horaire est obligatoire" — the first time a student sees a
term's schedule, in any of the three forms, is recorded for the registrar.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.memo import RenderedMemo
from students.models import Meeting, Section, Student, Term
from students.selectors import (
    schedule_current_term,
    schedule_meetings_load,
    schedule_page_sections,
    schedule_sections,
    schedule_terms,
)
from students.services import schedule_retrieval_record
from students.views.common import student_module

# The grid's rows: one per half hour, from the earliest start to the latest end.
STEP_MINUTES = 30
WORK_WEEK = (1, 2, 3, 4, 5)


@dataclass
class Cell:
    """A day's cell in the grid: free (no meetings), or the meetings that overlap there."""

    meetings: list[Meeting]
    rowspan: int = 1


@dataclass
class Row:
    time: datetime.time
    # One entry per shown day; None where a cell from a row above spans over this one.
    cells: list[Cell | None]


@dataclass
class Day:
    number: int
    label: str
    meetings: list[Meeting] = field(default_factory=list)


@dataclass
class Grid:
    days: list[Day]
    rows: list[Row]


def _minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


def _day_label(number: int) -> str:
    # Django's own weekday names: translated in every language it ships ("lundi", "Monday").
    return capfirst(str(WEEKDAYS[number - 1]))


def schedule_grid(sections: list[Section]) -> Grid | None:
    """The weekly grid of the sections' meetings: Monday to Friday, and the weekend only when
    a meeting falls on it. Overlapping meetings share one cell, so a conflict stays visible."""
    meetings = [meeting for section in sections for meeting in section.meetings.all()]
    if not meetings:
        return None
    used = {meeting.day for meeting in meetings}
    days = [Day(n, _day_label(n)) for n in range(1, 8) if n in WORK_WEEK or n in used]
    for day in days:
        day.meetings = sorted(
            (m for m in meetings if m.day == day.number), key=lambda m: (m.start, m.end, m.pk)
        )

    first = min(_minutes(m.start) for m in meetings) // STEP_MINUTES * STEP_MINUTES
    last = max(_minutes(m.end) for m in meetings)
    count = max(1, -(-(last - first) // STEP_MINUTES))
    rows = [
        Row(datetime.time(*divmod(first + i * STEP_MINUTES, 60)), [Cell([]) for _ in days])
        for i in range(count)
    ]
    for column, day in enumerate(days):
        # Blocks of whole rows; meetings whose rows touch are merged into one block.
        blocks: list[tuple[int, int, list[Meeting]]] = []
        for meeting in day.meetings:
            top = (_minutes(meeting.start) - first) // STEP_MINUTES
            bottom = max(top + 1, -(-(_minutes(meeting.end) - first) // STEP_MINUTES))
            if blocks and top < blocks[-1][1]:
                start, end, grouped = blocks[-1]
                blocks[-1] = (start, max(end, bottom), [*grouped, meeting])
            else:
                blocks.append((top, bottom, [meeting]))
        for top, bottom, grouped in blocks:
            rows[top].cells[column] = Cell(grouped, rowspan=bottom - top)
            for below in range(top + 1, bottom):
                rows[below].cells[column] = None
    return Grid(days, rows)


def _term_or_404(terms: list[Term], code: str) -> Term:
    """The requested term among the student's own: 404 alike for unknown and not theirs."""
    term = next((term for term in terms if term.code == code), None)
    if term is None:
        raise Http404
    return term


def _schedule_context(student: Student, term: Term) -> dict:
    sections = schedule_sections(student=student, term=term)
    for section in sections:
        for meeting in section.meetings.all():
            meeting.day_label = _day_label(meeting.day)
    return {
        "student": student,
        "term": term,
        "sections": sections,
        "grid": schedule_grid(sections),
        "retrieval": schedule_retrieval_record(student=student, term=term),
    }


# The schedule page's body (grid, day by day, courses) rendered once for what it shows: the
# key holds every value the body prints (and the language), so a body found here is the one
# the current data would render, and a new meeting, room, teacher or course gives a new key on
# the very next request. Nothing to invalidate: each server keeps its own, the oldest dropped.
_bodies = RenderedMemo(512)


def _body_key(term: Term, sections: list[Section]) -> tuple:
    return (
        get_language(),
        term.code,
        tuple(
            (
                section.pk,
                section.course.code,
                section.course.title,
                section.group,
                section.teacher.full_name if section.teacher is not None else None,
                tuple(
                    (meeting.pk, meeting.day, meeting.start, meeting.end, meeting.room)
                    for meeting in section.meetings.all()
                ),
            )
            for section in sections
        ),
    )


def schedule_body(term: Term, sections: list[Section]) -> SafeString:
    """The page's body for these sections, from the memo when the same values were rendered."""

    def render() -> SafeString:
        for section in sections:
            for meeting in section.meetings.all():
                meeting.day_label = _day_label(meeting.day)
        return mark_safe(  # noqa: S308 (rendered with autoescape on)
            render_to_string(
                "students/_schedule_body.html",
                {"term": term, "sections": sections, "grid": schedule_grid(sections)},
                using="jinja2",
            )
        )

    return _bodies.get(_body_key(term, sections), render)


@require_GET
@student_module("schedule")
def schedule(request: HttpRequest, student: Student, term: str | None = None) -> HttpResponse:
    terms, sections = schedule_page_sections(student=student)
    if term is None:
        current = schedule_current_term(terms, today=timezone.localdate())
    else:
        current = _term_or_404(terms, term)
    context = {"student": student, "terms": terms, "term": current}
    if current is not None:
        context["schedule_body"] = schedule_body(
            current,
            schedule_meetings_load(sections[current.pk], student_id=student.pk, term_id=current.pk),
        )
        context["retrieval"] = schedule_retrieval_record(student=student, term=current)
    return render(request, "students/schedule.html", context, using="jinja2")


@require_GET
@student_module("schedule")
def schedule_print(request: HttpRequest, student: Student, term: str) -> HttpResponse:
    current = _term_or_404(schedule_terms(student=student), term)
    return render(request, "students/schedule_print.html", _schedule_context(student, current))


@require_GET
@student_module("schedule")
def schedule_ics(request: HttpRequest, student: Student, term: str) -> HttpResponse:
    current = _term_or_404(schedule_terms(student=student), term)
    sections = schedule_sections(student=student, term=current)
    schedule_retrieval_record(student=student, term=current)
    response = HttpResponse(
        schedule_calendar(current, sections), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"horaire-{current.code}.ics"
    )
    return response


def schedule_calendar(term: Term, sections: list[Section]) -> bytes:
    """The term as an iCalendar file: one weekly event per meeting, from its first day in the
    term to the term's last day, in the institution's time zone."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "portail"
    # RFC 5545: with a local DTSTART, UNTIL is given in UTC; the term's whole last day counts.
    until = datetime.datetime.combine(term.ends_on, datetime.time.max, zone)
    until = until.replace(microsecond=0).astimezone(datetime.UTC)
    stamp = timezone.now().replace(microsecond=0).astimezone(datetime.UTC)

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Portail//Horaire//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Horaire %(term)s") % {"term": term.code})
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for section in sections:
        for meeting in section.meetings.all():
            offset = (meeting.day - 1 - term.starts_on.weekday()) % 7
            first_day = term.starts_on + datetime.timedelta(days=offset)
            if first_day > term.ends_on:
                continue
            event = icalendar.Event()
            event.add("uid", f"meeting-{meeting.pk}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", datetime.datetime.combine(first_day, meeting.start, zone))
            event.add("dtend", datetime.datetime.combine(first_day, meeting.end, zone))
            event.add("rrule", {"freq": "weekly", "until": until})
            event.add("summary", f"{section.course.code} {section.course.title}")
            if meeting.room:
                event.add("location", meeting.room)
            event.add("description", _meeting_description(section))
            calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=term.starts_on, last_date=term.ends_on + datetime.timedelta(days=7)
    )
    return calendar.to_ical()


def _meeting_description(section: Section) -> str:
    lines = [_("Groupe %(group)s") % {"group": section.group}]
    if section.teacher is not None:
        lines.append(_("Enseignant : %(name)s") % {"name": section.teacher.full_name})
    return "\n".join(lines)
