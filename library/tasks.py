"""The library's background work: one loan reminder, and the daily expiry of holds."""

import datetime

from django.db import transaction
from django.urls import reverse

from library.models import Loan, LoanReminder
from library.services import holds_expire
from portal.emails import email_send
from portal.tasks import retried_task
from students.selectors import student_email


@retried_task()
def loan_reminder_send(*, loan_id: int, kind: str, today: str) -> str:
    """One reminder about one loan, recorded then emailed (after commit) to the student;
    nothing when the loan was returned or renewed meanwhile, or was already reminded."""
    day = datetime.date.fromisoformat(today)
    with transaction.atomic():
        loan = (
            Loan.objects.select_related("copy__record", "student__user")
            .filter(pk=loan_id, returned_on__isnull=True)
            .first()
        )
        if loan is None:
            return "returned"
        if (kind == LoanReminder.Kind.OVERDUE) != (loan.due_on < day):
            return "moved"
        student = loan.student
        email = student_email(student)
        if not email:
            return "no email"
        _reminder, created = LoanReminder.objects.get_or_create(
            loan=loan, kind=kind, due_on=loan.due_on, defaults={"email": email}
        )
        if not created:
            return "already sent"
        email_send(
            to=email,
            template="library_loan_reminder",
            context={
                "loan": loan,
                "student": student,
                "overdue": kind == LoanReminder.Kind.OVERDUE,
                "loans_path": reverse("library:loans"),
            },
        )
    return "sent"


@retried_task()
def library_holds_expire(*, today: str) -> int:
    """Ends the holds not picked up in time; each copy goes to the next in its queue."""
    return holds_expire(today=datetime.date.fromisoformat(today))
