import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from portal.home import home_panel, home_requested
from registration.models import EnrolmentConfirmation, TermRegistration
from students.home import (
    enrolment_row_extra,
    student_enrolments_of,
    student_of,
    student_row_extra,
)

REMINDER = "registration_reminder_id"
# The term's registration, read with each enrolment on the home page (LEFT JOIN, one row a
# term): what the reminder shows, without a query of its own.
_REGISTRATION_COLUMNS = {
    "registration_pk": "section__term__registration__id",
    "registration_deadline": "section__term__registration__confirmation_deadline",
    "registration_late_fee": "section__term__registration__late_fee",
}


def _unconfirmed(student: Any, today: datetime.date, *, confirmed_by: Any = None) -> Any:
    """The registrations of the terms under way in which the student (a Student, or an
    OuterRef to one's pk from the student's row) has a course and has not confirmed their
    enrolment, first term first. `confirmed_by` is the student as the confirmations' EXISTS,
    one level further down, refers to it (`OuterRef(OuterRef("pk"))` from the row)."""
    confirmed_by = student if confirmed_by is None else confirmed_by
    return (
        TermRegistration.objects.filter(
            term__starts_on__lte=today,
            term__ends_on__gte=today,
            term__sections__enrolments__student=student,
        )
        .exclude(
            Exists(
                EnrolmentConfirmation.objects.filter(
                    student=confirmed_by, term_id=OuterRef("term_id")
                )
            )
        )
        .order_by("term__starts_on")
    )


@student_row_extra
def reminder_row(request: HttpRequest) -> dict[str, Any] | None:
    """On the home page, which registration (if any) the student must still confirm is read
    with their row; the registration itself is read only when there is one to show."""
    if not _reminder_read_with_row(request):
        return None
    return {
        REMINDER: lambda values: Subquery(
            _unconfirmed(
                OuterRef("pk"), values["today"], confirmed_by=OuterRef(OuterRef("pk"))
            ).values("pk")[:1]
        )
    }


@enrolment_row_extra
def reminder_enrolment_row(request: HttpRequest) -> dict[str, Any] | None:
    if not _reminder_read_with_row(request):
        return None
    return {
        name: (lambda values, path=path: F(path)) for name, path in _REGISTRATION_COLUMNS.items()
    }


def _reminder_read_with_row(request: HttpRequest) -> bool:
    institution = getattr(request, "institution", None)
    return (
        institution is not None
        and institution.module_enabled("enrolment_confirmation")
        and home_requested(request)
    )


def _registration_from_enrolments(request: HttpRequest, pk: int) -> TermRegistration | None:
    """The registration `pk` as the home page's enrolments read it (its term is theirs)."""
    for enrolment in student_enrolments_of(request):
        if enrolment.__dict__.get("registration_pk") == pk:
            return TermRegistration(
                pk=pk,
                term=enrolment.section.term,
                confirmation_deadline=enrolment.registration_deadline,
                late_fee=enrolment.registration_late_fee,
            )
    return None


@home_panel("registration/_home_reminder.html", order=5)
def confirmation_reminder(request: HttpRequest) -> dict[str, Any] | None:
    """Reminds a student who has not confirmed their enrolment in the term under way (read
    with the student's row; one query more only when there is a reminder to show)."""
    if not request.institution.module_enabled("enrolment_confirmation"):
        return None
    student = student_of(request)
    if student is None:
        return None
    if REMINDER in student.__dict__:
        pk = student.__dict__[REMINDER]
        registration = None if pk is None else _registration_from_enrolments(request, pk)
        if registration is None and pk is not None:  # not among the enrolments read
            registration = TermRegistration.objects.select_related("term").filter(pk=pk).first()
    else:
        registration = _unconfirmed(student, timezone.localdate()).select_related("term").first()
    if registration is None:
        return None
    return {
        "registration": registration,
        "late": registration.confirmation_late(timezone.localdate()),
    }
