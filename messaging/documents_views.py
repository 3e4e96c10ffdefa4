"""Documents et messages vous étant destinés (the list and each PDF) and the month calendar
of events and deadlines."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from messaging import documents as selectors
from students.home import student_of
from students.models import Student
from students.views.common import student_module


@require_GET
@student_module("documents")
def documents(request: HttpRequest, student: Student) -> HttpResponse:
    recipients = list(selectors.documents_for_student(student))
    return render(request, "messaging/documents.html", {"recipients": recipients})


@require_GET
@student_module("documents")
def document_file(request: HttpRequest, student: Student, pk: int) -> HttpResponse:
    """The PDF, inline, to the students it is addressed to only; the first read is recorded."""
    recipient = selectors.document_for_student(student, pk)
    document = recipient.document
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    selectors.document_mark_read(recipient=recipient)
    response = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=False,
        filename=f"{slugify(document.title) or 'document'}.pdf",
    )
    # Stored files are served with the type we decide, never one a browser guesses.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """The month's events and deadlines of the student's school and of the whole
    institution; `?mois=2026-11` moves through the months with plain links."""
    student = student_of(request)
    today = timezone.localdate()
    month = selectors.parse_month(request.GET.get("mois"), today=today)
    events, _news = selectors.calendar_and_news(
        student.school_id if student else None, month=month, today=today, with_news=False
    )
    panel = {
        "calendar": selectors.month_calendar(month, events, today=today),
        "url_name": "messaging:calendar",
    }
    return render(request, "messaging/calendar.html", {"panel": panel})
