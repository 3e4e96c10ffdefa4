"""Requests, issuance and revocation of attestations de fréquentation.

An attestation with a fee becomes an invoice on the student's statement, paid in the payment
centre like any other; it is issued (dated, downloadable, verifiable) once that invoice is
paid. Billing knows nothing of attestations: `attestation_issue_if_paid` reads the invoice's
state, as the parents' store reads its orders' invoices.
"""

import uuid

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.balances import invoice_balances_refresh
from billing.models import ZERO, Invoice, InvoiceLine
from certificates.codes import code_new
from certificates.models import Attestation
from certificates.status import student_load
from portal.models import AuditEvent, Institution
from portal.services import audit_record
from students.models import Student, Term

INVOICE_PREFIX = "ATT"


class AttestationError(Exception):
    """A request the rules refuse; the message is for the student."""


def _invoice_for(student: Student, term: Term, fee: object) -> Invoice:
    with translation.override(settings.LANGUAGE_CODE):
        description = _("Attestation de fréquentation — %(term)s") % {"term": term.code}
    today = timezone.localdate()
    invoice = Invoice.objects.create(
        student=student,
        number=f"TMP-{uuid.uuid4().hex[:16]}",
        session=term.code,
        description=description[:200],
        due_date=today,
    )
    invoice.number = f"{INVOICE_PREFIX}{invoice.pk:08d}"
    invoice.save(update_fields=["number"])
    InvoiceLine.objects.create(invoice=invoice, description=description[:200], amount=fee)
    invoice_balances_refresh([invoice.pk])
    return invoice


@transaction.atomic
def attestation_request(
    *,
    request: HttpRequest | None,
    student: Student,
    term: Term,
    purpose: str,
    language: str,
    institution: Institution,
) -> Attestation:
    """A new attestation for a term the student is or was enrolled in; free ones are issued at
    once, others wait for their invoice to be paid. While one for the term is still to pay,
    asking again returns it rather than billing twice."""
    if (
        term.starts_on > timezone.localdate()
        or not student.enrolments.filter(section__term=term).exists()
    ):
        raise AttestationError(_("Vous n'êtes pas inscrit à cette session."))
    Student.objects.select_for_update().filter(pk=student.pk).first()  # one request at a time
    waiting = (
        Attestation.objects.filter(
            student=student, term=term, invoice__status=Invoice.Status.OPEN, revoked_at=None
        )
        .select_related("invoice")
        .first()
    )
    if waiting is not None:
        # Asked again before paying (a double click, a second visit): the same invoice to pay.
        return waiting
    load = student_load(student, term, institution)
    fee = institution.attestation_fee or ZERO
    attestation = Attestation.objects.create(
        student=student,
        term=term,
        purpose=purpose,
        language=language,
        code=code_new(),
        fee=fee,
        invoice=_invoice_for(student, term, fee) if fee > ZERO else None,
        full_time=load.full_time,
        courses=load.courses,
        hours=load.hours,
        issued_at=timezone.now() if fee <= ZERO else None,
    )
    audit_record(
        kind=AuditEvent.Kind.ATTESTATION_REQUESTED,
        request=request,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={
            "attestation": attestation.pk,
            "term": term.code,
            "purpose": purpose,
            "fee": str(fee),
            "invoice": attestation.invoice.number if attestation.invoice else "",
        },
    )
    return attestation


def attestation_issue_if_paid(attestation: Attestation) -> Attestation:
    """Issues (dates) an attestation whose invoice is now paid; a second call changes nothing."""
    if attestation.issued_at is not None or attestation.invoice_id is None:
        return attestation
    if attestation.invoice.status != Invoice.Status.PAID:
        return attestation
    now = timezone.now()
    Attestation.objects.filter(pk=attestation.pk, issued_at__isnull=True).update(issued_at=now)
    attestation.refresh_from_db(fields=["issued_at"])
    return attestation


@transaction.atomic
def attestation_revoke(
    *, request: HttpRequest | None, attestation: Attestation, reason: str, actor: object
) -> Attestation:
    """Staff withdraw an attestation (issued by mistake, record corrected): its code no longer
    verifies. The reason is required and audited."""
    reason = reason.strip()
    if not reason:
        raise AttestationError(_("Indiquez le motif de la révocation."))
    locked = Attestation.objects.select_for_update().get(pk=attestation.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.revoked_reason = reason[:300]
    locked.revoked_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    audit_record(
        kind=AuditEvent.Kind.ATTESTATION_REVOKED,
        request=request,
        actor=actor,
        subject=locked.student.user,
        identifier=f"student:{locked.student.matricule}",
        details={
            "attestation": locked.pk,
            "term": locked.term.code,
            "reason": locked.revoked_reason,
        },
    )
    return locked
