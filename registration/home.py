from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone

from portal.home import home_panel
from registration.models import EnrolmentConfirmation, TermRegistration
from students.home import student_of


@home_panel("registration/_home_reminder.html", order=5)
def confirmation_reminder(request: HttpRequest) -> dict[str, Any] | None:
    """Reminds a student who has not confirmed their enrolment in the term under way (one
    query)."""
    if not request.institution.module_enabled("enrolment_confirmation"):
        return None
    student = student_of(request)
    if student is None:
        return None
    today = timezone.localdate()
    registration = (
        TermRegistration.objects.select_related("term")
        .filter(
            term__starts_on__lte=today,
            term__ends_on__gte=today,
            term__sections__enrolments__student=student,
        )
        .exclude(
            Exists(
                EnrolmentConfirmation.objects.filter(student=student, term_id=OuterRef("term_id"))
            )
        )
        .order_by("term__starts_on")
        .first()
    )
    if registration is None:
        return None
    return {"registration": registration, "late": registration.confirmation_late(today)}
