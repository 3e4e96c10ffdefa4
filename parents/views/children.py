"""The parent's home (a card per child) and a child's page: schedule, attendance, credits."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from parents.selectors import majority_cutoff
from parents.summaries import ChildDetail, child_detail, children_cards
from parents.views.common import child_page, parent_children, parent_page
from portal.memo import RenderedMemo
from students.models import Course, Student
from students.selectors import record_accesses

# Who read a child's file is the parent's to see while the child is a minor (Quebec's age of
# majority); afterwards it is the child's own business, whatever the file's parent access.
MAJORITY = 18


@parent_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    institution = request.institution
    children = parent_children(request)
    cards = children_cards(
        children,
        required_credits=institution.diploma_credits,
        today=timezone.localdate(),
        passing_grade=Decimal(institution.passing_grade),
    )
    return render(request, "parents/home.html", {"cards": cards}, using="jinja2")


@child_page
@require_GET
def child(request: HttpRequest, student: Student) -> HttpResponse:
    institution = request.institution
    detail = child_detail(
        student,
        required_credits=institution.diploma_credits,
        today=timezone.localdate(),
        term_code=request.GET.get("session"),
        passing_grade=Decimal(institution.passing_grade),
    )
    # The switcher: the seed's parent "switches between" children without going home first.
    children = parent_children(request)
    minor = student.birthdate > majority_cutoff(MAJORITY, timezone.localdate())
    accesses, access_count = record_accesses(student) if minor else ([], 0)
    return render(
        request,
        "parents/child.html",
        {
            "detail": detail,
            "detail_body": child_detail_body(detail),
            "student": student,
            "children": children,
            "show_accesses": minor,
            "accesses_section": record_accesses_section(accesses, access_count) if minor else "",
        },
        using="jinja2",
    )


def record_accesses_section(accesses: list, access_count: int) -> SafeString:
    """Who read the child's file: the students' Django partial (the student's profile shows
    it too), rendered here for this Jinja2 page."""
    return render_to_string(
        "students/_record_accesses.html",
        {"accesses": accesses, "access_count": access_count, "for_child": True},
    )


# The child's schedule, attendance and credits rendered once for what they show: the key holds
# every value those sections print (and the language), so a body found here is the one the
# current data would render, and a new meeting, room, teacher, absence, final grade or course
# title gives a new key on the very next request. Nothing to invalidate: each server keeps its
# own, the oldest dropped (as /horaire/'s body, students.views.schedule).
_bodies = RenderedMemo(512)


def _course(course: Course) -> tuple:
    return (course.code, course.title)


def _body_key(detail: ChildDetail) -> tuple:
    term = detail.term
    credits = detail.credits
    return (
        get_language(),
        (term.code, term.starts_on, term.ends_on) if term is not None else None,
        tuple(
            (
                day.label,
                tuple(
                    (
                        meeting.start,
                        meeting.end,
                        _course(meeting.section.course),
                        meeting.section.group,
                        meeting.room,
                        meeting.section.teacher.full_name
                        if meeting.section.teacher is not None
                        else None,
                    )
                    for meeting in day.meetings
                ),
            )
            for day in detail.days
        ),
        tuple((_course(e.section.course), e.absences, e.lateness) for e in detail.term_enrolments),
        (detail.attendance.absences, detail.attendance.lateness),
        tuple((_course(c.course), c.term.code, c.credits) for c in detail.passed),
        tuple((_course(c.course), c.term.code, c.credits) for c in detail.in_progress),
        (credits.earned, credits.required),
        detail.passing_grade,
    )


def child_detail_body(detail: ChildDetail) -> SafeString:
    """The schedule, attendance and credits sections, from the memo when the same values
    were rendered."""

    def render() -> SafeString:
        return mark_safe(  # noqa: S308 (a Jinja2 template, rendered with autoescape on)
            render_to_string(
                "parents/_child_detail_body.html",
                {"detail": detail, "term": detail.term},
                using="jinja2",
            )
        )

    return _bodies.get(_body_key(detail), render)
