"""Writes of course choice and enrolment confirmation. Each one locks the student's row
first, so that two submissions of the same person (two tabs, a double click, two workers)
run one after the other: a choice is replaced, never duplicated; a late fee is charged once.
Emails leave after commit."""

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.services import invoice_fee_charge
from portal.confirmations import confirmation_issue
from portal.emails import email_send
from portal.models import AuditEvent, Confirmation
from portal.services import audit_record
from registration.models import (
    ChosenCourse,
    CourseChoice,
    EnrolmentConfirmation,
    LateFee,
    TermRegistration,
)
from registration.selectors import unconfirmed_students
from students.models import Student
from students.selectors import student_email

LATE_FEE_DAYS_TO_PAY = 30


class ChoiceClosed(Exception):
    """The window closed between the page and the submission."""


def _lock(student: Student) -> Student:
    return Student.objects.select_for_update().get(pk=student.pk)


@transaction.atomic
def course_choice_submit(
    *,
    request: HttpRequest | None,
    student: Student,
    registration: TermRegistration,
    course_ids: list[int],
    ranks: dict[int, dict[int, int]],
    actor: Any,
) -> CourseChoice:
    """Stores the student's choice (grid courses, and per elective list each course's rank)
    with a new confirmation number; the previous choice of the term stays as history. The
    caller has checked the choice against the offer."""
    if not registration.choice_open():
        raise ChoiceClosed
    _lock(student)
    now = timezone.now()
    CourseChoice.objects.filter(
        student=student, term=registration.term, replaced_at__isnull=True
    ).update(replaced_at=now)
    confirmation = confirmation_issue(
        kind=Confirmation.Kind.COURSE_CHOICE,
        user=student.user,
        identifier=student.matricule,
        summary=_("Choix de cours %(term)s") % {"term": registration.term.code},
    )
    choice = CourseChoice.objects.create(
        student=student, term=registration.term, confirmation=confirmation
    )
    ChosenCourse.objects.bulk_create(
        [ChosenCourse(choice=choice, course_id=course_id) for course_id in course_ids]
        + [
            ChosenCourse(choice=choice, course_id=course_id, elective_list_id=list_id, rank=rank)
            for list_id, given in ranks.items()
            for course_id, rank in given.items()
        ]
    )
    audit_record(
        kind=AuditEvent.Kind.COURSE_CHOICE_SUBMITTED,
        request=request,
        actor=actor,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={"term": registration.term.code, "confirmation": confirmation.number},
    )
    address = student_email(student)
    if address:
        chosen = list(
            choice.courses.select_related("course", "elective_list").order_by(
                "elective_list_id", "rank", "course__code"
            )
        )
        email_send(
            to=address,
            template="course_choice",
            context={"student": student, "choice": choice, "chosen": chosen},
        )
    return choice


@transaction.atomic
def enrolment_confirm(
    *,
    request: HttpRequest | None,
    student: Student,
    registration: TermRegistration,
    actor: Any,
    today: datetime.date | None = None,
) -> tuple[EnrolmentConfirmation, bool]:
    """Confirms the student's presence in the term's courses; after the deadline, charges the
    late fee unless it was already charged (by `apply_late_fees` or a request running at the
    same time). Returns the confirmation and whether it is new; confirming again changes
    nothing."""
    today = today or timezone.localdate()
    _lock(student)
    existing = (
        EnrolmentConfirmation.objects.filter(student=student, term=registration.term)
        .select_related("confirmation")
        .first()
    )
    if existing is not None:
        return existing, False
    late = registration.confirmation_late(today)
    confirmation = confirmation_issue(
        kind=Confirmation.Kind.ENROLMENT,
        user=student.user,
        identifier=student.matricule,
        summary=_("Confirmation d'inscription %(term)s") % {"term": registration.term.code},
    )
    confirmed = EnrolmentConfirmation.objects.create(
        student=student, term=registration.term, confirmation=confirmation, late=late
    )
    if late:
        _late_fee_charge(request=request, student=student, registration=registration, actor=actor)
    audit_record(
        kind=AuditEvent.Kind.ENROLMENT_CONFIRMED,
        request=request,
        actor=actor,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={
            "term": registration.term.code,
            "confirmation": confirmation.number,
            "late": late,
        },
    )
    return confirmed, True


def _late_fee_charge(
    *, request: HttpRequest | None, student: Student, registration: TermRegistration, actor: Any
) -> LateFee | None:
    """Charges the term's late fee once (the student's row is locked by the caller)."""
    amount = registration.late_fee
    if amount <= Decimal(0):
        return None
    if LateFee.objects.filter(student=student, term=registration.term).exists():
        return None
    description = _("Frais de retard — confirmation d'inscription %(term)s") % {
        "term": registration.term.code
    }
    invoice = invoice_fee_charge(
        student=student,
        session=registration.term.code,
        description=description,
        amount=amount,
        due_date=timezone.localdate() + datetime.timedelta(days=LATE_FEE_DAYS_TO_PAY),
    )
    fee = LateFee.objects.create(
        student=student,
        term=registration.term,
        invoice_number=invoice.number,
        amount=amount,
        charged_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        kind=AuditEvent.Kind.LATE_FEE_CHARGED,
        request=request,
        actor=actor,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={"term": registration.term.code, "invoice": invoice.number, "amount": str(amount)},
    )
    return fee


def late_fees_apply(
    *, registration: TermRegistration, actor: Any = None, today: datetime.date | None = None
) -> list[LateFee]:
    """After the deadline, charges the late fee to every student enrolled in the term who has
    not confirmed and was not charged yet. Each student in their own transaction, with their
    row locked: running it twice, or while students confirm, charges nobody twice."""
    today = today or timezone.localdate()
    if not registration.confirmation_late(today):
        return []
    charged = []
    for student in unconfirmed_students(registration=registration):
        with transaction.atomic():
            _lock(student)
            if EnrolmentConfirmation.objects.filter(
                student=student, term=registration.term
            ).exists():
                continue
            fee = _late_fee_charge(
                request=None, student=student, registration=registration, actor=actor
            )
            if fee is not None:
                charged.append(fee)
    return charged
