from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from portal.home import home_panel
from registration.selectors import confirmation_of, registration_for_confirmation
from students.home import student_of


@home_panel("registration/_home_reminder.html", order=5)
def confirmation_reminder(request: HttpRequest) -> dict[str, Any] | None:
    """Reminds a student who has not confirmed their enrolment in the term under way."""
    if not request.institution.module_enabled("enrolment_confirmation"):
        return None
    student = student_of(request)
    if student is None:
        return None
    registration = registration_for_confirmation(student=student)
    if registration is None or not registration.confirmation_open():
        return None
    if confirmation_of(student=student, registration=registration) is not None:
        return None
    return {
        "registration": registration,
        "late": registration.confirmation_late(timezone.localdate()),
    }
