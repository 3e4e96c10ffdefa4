"""Résultats: notes d'évaluation (per course, the current weighted grade) and notes finales
(the report card with absences and the Cote R, and its printable version)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from students import results
from students.models import Student
from students.views.common import student_module


@require_GET
@student_module("marks")
def marks(request: HttpRequest, student: Student) -> HttpResponse:
    page = results.term_marks(student, term_code=request.GET.get("session"))
    return render(
        request, "students/marks.html", {"student": student, "page": page}, using="jinja2"
    )


@require_GET
@student_module("marks")
def course_marks(request: HttpRequest, student: Student, term: str, course: str) -> HttpResponse:
    course_marks = results.course_marks_for_student(student, term_code=term, course_code=course)
    return render(
        request, "students/course_marks.html", {"student": student, "course": course_marks}
    )


@require_GET
@student_module("final_grades")
def final_grades(request: HttpRequest, student: Student, term: str | None = None) -> HttpResponse:
    card = results.report_card(student, term_code=term)
    return render(
        request, "students/final_grades.html", {"student": student, "card": card}, using="jinja2"
    )


@require_GET
@student_module("final_grades")
def report_card_print(request: HttpRequest, student: Student, term: str) -> HttpResponse:
    """The report card alone, to print or save as PDF for university applications."""
    card = results.report_card(student, term_code=term)
    return render(
        request,
        "students/report_card_print.html",
        {"student": student, "card": card, "printed_at": timezone.localtime()},
    )
