"""The library's writes: records saved with their search text, holds placed, cancelled, passed
on and expired, loans checked out, checked in and renewed under the rules (library.rules).

Every service is atomic and locks the copy (or the record) it changes, so that two desks or a
desk and a student at once wait for each other rather than give one copy to two people. The
emails go out after commit (portal.emails).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from library.models import Copy, Hold, Loan, LoanRule, Record
from library.rules import loan_rule
from library.text import folded
from portal.emails import email_send
from portal.selectors import institution_current
from students.models import Student
from students.selectors import student_email


class LibraryRefused(Exception):
    """A request the rules refuse; the message says why, in the user's language."""


def record_fold(record: Record) -> Record:
    """Fills the folded text the search without full-text uses (before a save or bulk_create)."""
    record.title_folded = folded(record.title)
    record.authors_folded = folded(record.authors)
    record.subjects_folded = folded(record.subjects)
    return record


def record_save(*, record: Record) -> Record:
    """Saves a catalogue record with its folded search text."""
    record_fold(record).save()
    return record


def _hold_ready_notify(hold: Hold) -> None:
    email = student_email(hold.student)
    if email:
        email_send(
            to=email,
            template="library_hold_ready",
            context={
                "hold": hold,
                "student": hold.student,
                "holds_path": reverse("library:holds"),
            },
        )


def copy_pass_on(*, copy: Copy, today: datetime.date) -> Hold | None:
    """Gives a copy that came free to the first student waiting for its record, who is emailed
    and has until the pickup deadline to borrow it; None when nobody waits."""
    with transaction.atomic():
        hold = (
            Hold.objects.select_for_update(of=("self",))
            .filter(record_id=copy.record_id, status=Hold.Status.WAITING)
            .select_related("student__user", "record")
            .order_by("placed_at", "pk")
            .first()
        )
        if hold is None:
            return None
        hold.status = Hold.Status.READY
        hold.copy = copy
        hold.pickup_by = today + datetime.timedelta(days=institution_current().library_pickup_days)
        hold.save(update_fields=["status", "copy", "pickup_by"])
        _hold_ready_notify(hold)
        return hold


def _copy_free(copy: Copy) -> bool:
    on_loan = Loan.objects.filter(copy=copy, returned_on__isnull=True).exists()
    return not on_loan and not Hold.objects.filter(copy=copy, status=Hold.Status.READY).exists()


def hold_place(*, record: Record, student: Student, actor: object = None) -> Hold:
    """Puts `student` in the record's queue; when a copy is on the shelf and nobody waits, that
    copy is kept for them at once (READY, to borrow by the pickup deadline)."""
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record.pk)
        active = Hold.objects.filter(record=record, student=student, status__in=Hold.ACTIVE)
        if active.exists():
            raise LibraryRefused(_("Vous avez déjà mis ce document de côté."))
        if Loan.objects.filter(
            copy__record=record, student=student, returned_on__isnull=True
        ).exists():
            raise LibraryRefused(_("Vous avez déjà ce document en prêt."))
        hold = Hold.objects.create(
            record=record,
            student=student,
            placed_at=timezone.now(),
            placed_by=actor if getattr(actor, "pk", None) else None,
        )
        waiting_before = Hold.objects.filter(record=record, status=Hold.Status.WAITING).exclude(
            pk=hold.pk
        )
        if not waiting_before.exists():
            for copy in Copy.objects.select_for_update().filter(record=record).order_by("pk"):
                if _copy_free(copy):
                    copy_pass_on(copy=copy, today=timezone.localdate())
                    hold.refresh_from_db()
                    break
        return hold


def hold_cancel(*, hold: Hold, actor: object = None) -> None:
    """Cancels a waiting or ready hold; a copy kept for it goes to the next in the queue."""
    with transaction.atomic():
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        if hold.status not in Hold.ACTIVE:
            raise LibraryRefused(_("Cette mise de côté est déjà terminée."))
        copy = hold.copy if hold.status == Hold.Status.READY else None
        hold.status = Hold.Status.CANCELLED
        hold.closed_at = timezone.now()
        hold.save(update_fields=["status", "closed_at"])
        if copy is not None:
            copy_pass_on(copy=copy, today=timezone.localdate())


def holds_expire(*, today: datetime.date) -> int:
    """Ends the ready holds whose pickup deadline passed before `today`; each copy goes to the
    next in its queue. Returns how many expired."""
    expired = 0
    for pk in Hold.objects.filter(status=Hold.Status.READY, pickup_by__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = Hold.objects.select_for_update(of=("self",)).select_related("copy").get(pk=pk)
            if hold.status != Hold.Status.READY or hold.pickup_by >= today:
                continue
            copy = hold.copy
            hold.status = Hold.Status.EXPIRED
            hold.closed_at = timezone.now()
            hold.save(update_fields=["status", "closed_at"])
            if copy is not None:
                copy_pass_on(copy=copy, today=today)
            expired += 1
    return expired


def loan_checkout(
    *, copy: Copy, student: Student, actor: object = None, today: datetime.date | None = None
) -> Loan:
    """Lends a copy at the desk for the loan period of its document type. A copy kept for
    someone else is refused; the borrower's own hold on the record is fulfilled."""
    today = today or timezone.localdate()
    with transaction.atomic():
        copy = Copy.objects.select_for_update(of=("self",)).select_related("record").get(pk=copy.pk)
        if Loan.objects.filter(copy=copy, returned_on__isnull=True).exists():
            raise LibraryRefused(
                _("L'exemplaire %(barcode)s est déjà prêté.") % {"barcode": copy.barcode}
            )
        kept = Hold.objects.filter(copy=copy, status=Hold.Status.READY).first()
        if kept is not None and kept.student_id != student.pk:
            raise LibraryRefused(
                _("L'exemplaire %(barcode)s est mis de côté pour une autre personne.")
                % {"barcode": copy.barcode}
            )
        rule = loan_rule(copy.record.document_type)
        loan = Loan.objects.create(
            copy=copy,
            student=student,
            loaned_on=today,
            due_on=today + datetime.timedelta(days=rule.loan_days),
        )
        Hold.objects.filter(record=copy.record, student=student, status__in=Hold.ACTIVE).update(
            status=Hold.Status.FULFILLED, closed_at=timezone.now(), copy=copy
        )
        return loan


def loan_checkin(
    *, copy: Copy, actor: object = None, today: datetime.date | None = None
) -> Hold | None:
    """Ends the copy's loan; the copy goes to the first student waiting for its record.
    Returns that student's hold, or None."""
    today = today or timezone.localdate()
    with transaction.atomic():
        copy = Copy.objects.select_for_update().get(pk=copy.pk)
        loan = Loan.objects.filter(copy=copy, returned_on__isnull=True).first()
        if loan is None:
            raise LibraryRefused(
                _("L'exemplaire %(barcode)s n'est pas prêté.") % {"barcode": copy.barcode}
            )
        loan.returned_on = today
        loan.save(update_fields=["returned_on"])
        return copy_pass_on(copy=copy, today=today)


def renewal_refusal(
    loan: Loan, *, today: datetime.date, rule: LoanRule, others_waiting: bool
) -> str:
    """Why the rules refuse to renew `loan` today, or "" when they allow it. `others_waiting`:
    another student waits for the loan's record."""
    if loan.renewals >= rule.max_renewals:
        return _(
            "Ce prêt a déjà été renouvelé %(count)d fois, le maximum permis pour ce type de "
            "document."
        ) % {"count": loan.renewals}
    if loan.days_overdue(today) > rule.overdue_limit_days:
        return _(
            "Ce prêt est en retard de plus de %(days)d jours : rapportez le document au comptoir."
        ) % {"days": rule.overdue_limit_days}
    if others_waiting:
        return _("Une autre personne attend ce document : il ne peut pas être renouvelé.")
    if today + datetime.timedelta(days=rule.loan_days) <= loan.due_on:
        return _(
            "Ce prêt ne peut pas encore être renouvelé : sa date de retour est déjà la plus "
            "tardive possible."
        )
    return ""


def others_waiting(loan: Loan) -> bool:
    waiting = Hold.objects.filter(record_id=loan.copy.record_id, status=Hold.Status.WAITING)
    return waiting.exclude(student_id=loan.student_id).exists()


@dataclass
class Renewal:
    loan: Loan
    refusal: str  # "" when renewed


def loan_renew(*, loan: Loan, actor: object = None, today: datetime.date | None = None) -> Renewal:
    """Renews one loan from today for its loan period, unless a rule refuses (then the
    Renewal says why and nothing changes)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("copy__record")
            .get(pk=loan.pk)
        )
        if loan.returned_on is not None:
            return Renewal(loan, _("Ce document a déjà été rendu."))
        rule = loan_rule(loan.copy.record.document_type)
        refusal = renewal_refusal(loan, today=today, rule=rule, others_waiting=others_waiting(loan))
        if refusal:
            return Renewal(loan, refusal)
        loan.due_on = today + datetime.timedelta(days=rule.loan_days)
        loan.renewals += 1
        loan.save(update_fields=["due_on", "renewals"])
        return Renewal(loan, "")


def loans_renew_all(
    *, student: Student, actor: object = None, today: datetime.date | None = None
) -> list[Renewal]:
    """Tries to renew every open loan of the student; each result says renewed or why not."""
    loans = Loan.objects.filter(student=student, returned_on__isnull=True).order_by("due_on", "pk")
    return [loan_renew(loan=loan, actor=actor, today=today) for loan in loans]
