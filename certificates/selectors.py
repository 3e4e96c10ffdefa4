"""Reads: a student's attestations and the terms they may ask one for; a code's attestation."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from certificates.codes import code_normalize
from certificates.models import Attestation
from certificates.services import attestation_issue_if_paid
from students.models import Student, Term


def terms_for_attestation(student: Student) -> QuerySet[Term]:
    """The current and past terms the student is enrolled in, the latest first."""
    return (
        Term.objects.filter(
            sections__enrolments__student=student, starts_on__lte=timezone.localdate()
        )
        .distinct()
        .order_by("-starts_on")
    )


def attestations_of(student: Student) -> list[Attestation]:
    rows = list(Attestation.objects.filter(student=student).select_related("term", "invoice"))
    return [attestation_issue_if_paid(row) for row in rows]


def attestation_for_student(student: Student, pk: int) -> Attestation:
    """The student's own attestation; 404 alike for missing and someone else's."""
    row = (
        Attestation.objects.filter(student=student, pk=pk)
        .select_related("term", "invoice", "student__program", "student__school")
        .first()
    )
    if row is None:
        raise Http404
    return attestation_issue_if_paid(row)


def attestation_valid_for_code(typed: str) -> Attestation | None:
    """The issued, unrevoked attestation with this code, or None (unknown, unpaid or revoked
    answer alike)."""
    code = code_normalize(typed)
    if not code:
        return None
    row = Attestation.objects.filter(code=code).select_related("term", "invoice", "student").first()
    if row is None:
        return None
    row = attestation_issue_if_paid(row)
    return row if row.is_valid else None
