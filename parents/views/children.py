"""The parent's home (a card per child) and a child's page: schedule, attendance, credits."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from parents.selectors import majority_cutoff
from parents.summaries import child_detail, children_cards
from parents.views.common import child_page, parent_children, parent_page
from students.models import Student
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
    return render(request, "parents/home.html", {"cards": cards})


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
            "student": student,
            "children": children,
            "show_accesses": minor,
            "accesses": accesses,
            "access_count": access_count,
            "for_child": True,
        },
    )
