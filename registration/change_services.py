"""Writes of Modification d'horaire: a student confirming an alternative schedule, staff
cancelling a confirmed change.

Both lock the student's row first (two tabs, a double click, staff at the same moment run one
after the other), then the sections that gain a student, in id order (two students swapping
places never deadlock), and only then count the places: under PostgreSQL's READ COMMITTED,
the count that follows the lock sees what the transaction that held it committed, so the
last place of a section goes to one student only. Emails leave after commit."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Allocation, Invoice, Payment
from billing.services import PaymentError, invoice_cancel, invoice_fee_charge, payment_cancel
from portal.confirmations import confirmation_issue
from portal.emails import email_send
from portal.models import AuditEvent, Confirmation
from portal.services import audit_record
from registration.change_selectors import (
    PROBLEM_FULL,
    Problem,
    SectionInfo,
    alternative_problem,
    alternative_sections,
    change_offer,
)
from registration.models import ScheduleChange, ScheduleChangeLine, TermRegistration
from students.models import Enrolment, Section, Student
from students.selectors import student_email

FEE_DAYS_TO_PAY = 30


class ChangeClosed(Exception):
    """The window is not open (it closed between the page and the submission)."""


class ChangeRefused(Exception):
    """The alternative cannot be confirmed; nothing was changed. `problem.code` says why: a
    place taken meanwhile (PROBLEM_FULL), or an alternative the page never offered."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def _lock_student(student: Student) -> Student:
    return Student.objects.select_for_update().get(pk=student.pk)


def _lock_sections(sections: QuerySet[Section]) -> None:
    # In id order, whoever asks: two transactions wanting the same sections never deadlock.
    list(sections.select_for_update().order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def schedule_change_confirm(
    *,
    request: HttpRequest | None,
    student: Student,
    registration: TermRegistration,
    section_ids: list[int],
    actor: Any,
) -> ScheduleChange:
    """Moves the student's enrolments of the term to the chosen sections (one per course of
    theirs), after checking again, under row locks, that each section belongs to the right
    course, has a free place, and that no two meetings overlap. Charges the term's fee once
    (an invoice payable in the payment centre), issues a confirmation number, audits, and
    emails the student after commit. Raises ChangeClosed or ChangeRefused, nothing changed."""
    # The window and the fee as they are now, not as the page read them.
    registration = TermRegistration.objects.select_related("term").get(pk=registration.pk)
    if not registration.change_open():
        raise ChangeClosed
    term = registration.term
    _lock_student(student)
    current = set(
        Enrolment.objects.filter(student=student, section__term=term).values_list(
            "section_id", flat=True
        )
    )
    gaining = {pk for pk in section_ids if pk not in current}
    _lock_sections(Section.objects.filter(term=term, pk__in=gaining))
    offer = change_offer(student=student, registration=registration)
    problem = alternative_problem(offer, section_ids)
    if problem is not None:
        raise ChangeRefused(problem)
    chosen = alternative_sections(offer, section_ids) or []
    moves = [(old, new) for old, new in zip(offer.current, chosen, strict=True) if old.pk != new.pk]
    enrolments = {
        enrolment.section_id: enrolment
        for enrolment in Enrolment.objects.filter(
            student=student, section_id__in=[old.pk for old, _new in moves]
        )
    }
    for old, new in moves:
        enrolment = enrolments[old.pk]
        enrolment.section_id = new.pk
        enrolment.save(update_fields=["section"])

    confirmation = confirmation_issue(
        kind=Confirmation.Kind.SCHEDULE_CHANGE,
        user=student.user,
        identifier=student.matricule,
        summary=_("Modification d'horaire %(term)s") % {"term": term.code},
    )
    fee_invoice = None
    if registration.change_fee > 0:
        fee_invoice = invoice_fee_charge(
            student=student,
            session=term.code,
            description=_("Frais de modification d'horaire"),
            amount=registration.change_fee,
            due_date=timezone.localdate() + datetime.timedelta(days=FEE_DAYS_TO_PAY),
        )
    change = ScheduleChange.objects.create(
        student=student,
        term=term,
        confirmation=confirmation,
        fee_invoice=fee_invoice,
        fee_amount=registration.change_fee if fee_invoice else 0,
    )
    ScheduleChangeLine.objects.bulk_create(
        ScheduleChangeLine(change=change, previous_id=old.pk, new_id=new.pk) for old, new in moves
    )
    audit_record(
        kind=AuditEvent.Kind.SCHEDULE_CHANGED,
        request=request,
        actor=actor,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={
            "term": term.code,
            "confirmation": confirmation.number,
            "moves": [f"{old.course_code} {old.group}→{new.group}" for old, new in moves],
            "fee": str(registration.change_fee),
            "invoice": fee_invoice.number if fee_invoice else "",
        },
    )
    address = student_email(student)
    if address:
        email_send(
            to=address,
            template="schedule_change",
            context={
                "student": student,
                "term": term,
                "change": change,
                "moves": moves,
                "fee": registration.change_fee if fee_invoice else None,
            },
        )
    return change


# --- Staff: cancelling a change -------------------------------------------------------------


@dataclass
class CancelReport:
    restored: list[str] = field(default_factory=list)
    not_restored: list[str] = field(default_factory=list)
    fee_outcome: str = ""


def _section_label(section: Section | SectionInfo) -> str:
    code = section.course.code if isinstance(section, Section) else section.course_code
    return f"{code} gr. {section.group}"


def _fee_cancel(*, request: HttpRequest | None, actor: Any, change: ScheduleChange) -> str:
    """Cancels the fee's invoice when nobody paid it; refunds the payments that paid it when
    they paid nothing else; otherwise leaves the refund to the counter (the outcome says so)."""
    if change.fee_invoice_id is None:
        return ScheduleChange.FeeOutcome.NONE
    invoice = Invoice.objects.get(pk=change.fee_invoice_id)
    if invoice.status == Invoice.Status.CANCELLED:
        return ScheduleChange.FeeOutcome.CANCELLED
    reason = _("Modification d'horaire %(number)s annulée") % {"number": change.confirmation.number}
    paid_by = list(
        Payment.objects.filter(
            allocations__invoice=invoice, status=Payment.Status.SUCCEEDED
        ).distinct()
    )
    if paid_by:
        shared = Allocation.objects.filter(payment__in=paid_by).exclude(invoice=invoice).exists()
        if shared:
            return ScheduleChange.FeeOutcome.REFUND_DUE
        for payment in paid_by:
            payment_cancel(request=request, actor=actor, payment=payment, reason=reason)
    try:
        invoice_cancel(request=request, actor=actor, invoice=invoice, reason=reason)
    except PaymentError:
        return ScheduleChange.FeeOutcome.REFUND_DUE
    return ScheduleChange.FeeOutcome.REFUNDED if paid_by else ScheduleChange.FeeOutcome.CANCELLED


@transaction.atomic
def schedule_change_cancel(
    *, request: HttpRequest | None, change: ScheduleChange, actor: Any
) -> CancelReport:
    """Cancels a confirmed change: each course goes back to its previous section where a place
    is free (and where the student has not changed it again since); the others stay and are
    named in the report. The fee's invoice is cancelled if unpaid, its payment refunded if it
    paid only this fee, otherwise flagged for a refund at the counter. Audited."""
    _lock_student(change.student)
    change = (
        ScheduleChange.objects.select_for_update(of=("self",))
        .select_related("student", "term", "confirmation")
        .get(pk=change.pk)
    )
    report = CancelReport()
    if change.status != ScheduleChange.Status.CONFIRMED:
        report.fee_outcome = change.fee_outcome
        return report
    student = change.student
    lines = list(change.lines.select_related("previous__course", "new__course"))
    _lock_sections(Section.objects.filter(pk__in=[line.previous_id for line in lines]))
    taken = dict(
        Enrolment.objects.filter(section_id__in=[line.previous_id for line in lines])
        .values("section_id")
        .annotate(n=Count("pk"))
        .values_list("section_id", "n")
    )
    enrolments = {
        enrolment.section_id: enrolment
        for enrolment in Enrolment.objects.filter(
            student=student, section_id__in=[line.new_id for line in lines]
        )
    }
    for line in lines:
        enrolment = enrolments.get(line.new_id)
        capacity = line.previous.capacity
        if enrolment is None:
            report.not_restored.append(
                _("%(section)s (le cours a changé de groupe depuis)")
                % {"section": _section_label(line.previous)}
            )
        elif capacity is not None and taken.get(line.previous_id, 0) >= capacity:
            report.not_restored.append(
                _("%(section)s (complet)") % {"section": _section_label(line.previous)}
            )
        else:
            enrolment.section_id = line.previous_id
            enrolment.save(update_fields=["section"])
            report.restored.append(_section_label(line.previous))
    report.fee_outcome = _fee_cancel(request=request, actor=actor, change=change)
    change.status = ScheduleChange.Status.CANCELLED
    change.cancelled_at = timezone.now()
    change.cancelled_by = actor if getattr(actor, "pk", None) else None
    change.fee_outcome = report.fee_outcome
    note = []
    if report.restored:
        note.append(_("Rétablis : %(list)s.") % {"list": ", ".join(report.restored)})
    if report.not_restored:
        note.append(_("Non rétablis : %(list)s.") % {"list": ", ".join(report.not_restored)})
    change.cancel_note = " ".join(note)[:500]
    change.save(
        update_fields=["status", "cancelled_at", "cancelled_by", "fee_outcome", "cancel_note"]
    )
    audit_record(
        kind=AuditEvent.Kind.SCHEDULE_CHANGE_CANCELLED,
        request=request,
        actor=actor,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={
            "term": change.term.code,
            "confirmation": change.confirmation.number,
            "restored": report.restored,
            "not_restored": report.not_restored,
            "fee": report.fee_outcome,
        },
    )
    return report


def problem_message(problem: Problem) -> str:
    """The French message a refused alternative shows the student."""
    if problem.code == PROBLEM_FULL:
        return _(
            "Une place vient d'être prise : %(sections)s n'a plus de place libre. Rien n'a été "
            "modifié ; voici les horaires possibles maintenant."
        ) % {"sections": ", ".join(_section_label(s) for s in problem.sections)}
    return _(
        "Cet horaire n'est pas un horaire possible pour vous (groupe d'un autre cours, groupe "
        "complet ou cours en conflit). Rien n'a été modifié."
    )
