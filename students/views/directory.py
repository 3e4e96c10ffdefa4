"""Annuaire des enseignants: who teaches, how to reach them, when they are available, and
what they teach this term; a search that forgives accents and capitals.

Who is listed: employees who taught, teach or will teach a section in the last year or later
(staff who never teach, such as the registrar's office, are not teachers; a teacher gone for
more than a year drops out). The page says so.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.collation import by_name
from students.models import Course, Employee, Section, Student, Term
from students.views.common import student_module

PER_PAGE = 50
LISTED_FOR_DAYS = 365
QUERY_MAX_LENGTH = 100
# Letters that Unicode does not decompose into a base letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})


def folded(text: str) -> str:
    """Lower case without accents: "Côté-Larivière" → "cote-lariviere".

    In Python rather than SQL: SQLite has no unaccent, and a college's teachers are a few
    hundred rows."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass
class TaughtCourse:
    course: Course
    groups: list[str]


@dataclass
class Entry:
    teacher: Employee
    courses: list[TaughtCourse]
    is_mine: bool
    haystack: str

    def matches(self, words: list[str]) -> bool:
        return all(word in self.haystack for word in words)


def term_shown(terms: list[Term], *, today: datetime.date) -> Term | None:
    """The term under way; between terms, the next one to start, else the last one."""
    for term in terms:
        if term.contains(today):
            return term
    upcoming = [term for term in terms if term.starts_on > today]
    return upcoming[0] if upcoming else (terms[-1] if terms else None)


def _entry(teacher: Employee, *, mine: set[int]) -> Entry:
    courses: dict[int, TaughtCourse] = {}
    for section in teacher.term_sections:
        taught = courses.setdefault(section.course_id, TaughtCourse(section.course, []))
        taught.groups.append(section.group)
    words = [teacher.first_name, teacher.last_name, teacher.department]
    words += [f"{c.course.code} {c.course.title}" for c in courses.values()]
    return Entry(teacher, list(courses.values()), teacher.pk in mine, folded(" ".join(words)))


@require_GET
@student_module("directory")
def directory(request: HttpRequest, student: Student) -> HttpResponse:
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    term = term_shown(list(Term.objects.order_by("starts_on")), today=today)
    recent = Section.objects.filter(
        teacher=OuterRef("pk"), term__ends_on__gte=today - datetime.timedelta(days=LISTED_FOR_DAYS)
    )
    teachers = Employee.objects.filter(Exists(recent)).order_by(
        *by_name("last_name", "first_name"), "pk"
    )
    teachers = teachers.prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.filter(term=term)
            .select_related("course")
            .order_by("course__code", "group"),
            to_attr="term_sections",
        )
    )
    # The student's own teachers this term are marked, so they are easy to find.
    mine = (
        set(
            Section.objects.filter(term=term, enrolments__student=student).values_list(
                "teacher_id", flat=True
            )
        )
        if term
        else set()
    )
    entries = [_entry(teacher, mine=mine) for teacher in teachers]
    words = folded(query).split()
    if words:
        entries = [entry for entry in entries if entry.matches(words)]
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "students/directory.html",
        {"page": page, "query": query, "term": term, "listed_for_days": LISTED_FOR_DAYS},
    )
