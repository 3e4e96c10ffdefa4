"""Producing the tax slips of a year (staff), and which ones a student may see.

`tax_slips_generate` is safe to run again: a student whose figures did not change keeps their
slip; changed figures produce a corrected slip that replaces the previous one, both kept.
A Relevé 8 goes to a student who declared Quebec residence, and only once their NAS is on
file; a T2202 goes to every student whose eligible fees for the year exceed $100 (CRA's
threshold, per institution).
"""

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from certificates.models import TaxProfile, TaxSlip
from certificates.tax_figures import Figures, tax_figures
from portal.models import AuditEvent, Institution
from portal.services import audit_record
from students.models import Student

T2202_MINIMUM = Decimal("100.00")


@dataclass
class Outcome:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    waiting_for_sin: list[str] = field(default_factory=list)


def _wanted(kind: str, figures: Figures, profile: TaxProfile | None) -> bool:
    if figures.empty:
        return False
    if kind == TaxSlip.Kind.RL8:
        return profile is not None and profile.quebec_resident and profile.has_sin
    return figures.eligible_fees > T2202_MINIMUM


def _same(slip: TaxSlip, figures: Figures, sin_last3: str) -> bool:
    return (
        slip.eligible_fees == figures.eligible_fees
        and slip.months_full_time == figures.months_full_time
        and slip.months_part_time == figures.months_part_time
        and slip.periods == [p.as_json() for p in figures.periods]
        and slip.sin_last3 == sin_last3
    )


def _issue(
    student: Student, kind: str, figures: Figures, sin_last3: str, actor: object, outcome: Outcome
) -> None:
    current = (
        TaxSlip.objects.select_for_update(of=("self",))
        .filter(student=student, year=figures.year, kind=kind, replaced_by__isnull=True)
        .first()
    )
    if current is not None and _same(current, figures, sin_last3):
        outcome.unchanged += 1
        return
    slip = TaxSlip.objects.create(
        student=student,
        year=figures.year,
        kind=kind,
        number=f"TMP-{secrets.token_hex(12)}",  # until the row has its id (max 30 chars)
        eligible_fees=figures.eligible_fees,
        months_full_time=figures.months_full_time,
        months_part_time=figures.months_part_time,
        periods=[p.as_json() for p in figures.periods],
        sin_last3=sin_last3,
        replaces=current,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    slip.number = f"{kind.upper()}-{figures.year}-{slip.pk:07d}"
    slip.save(update_fields=["number"])
    if current is None:
        outcome.created += 1
    else:
        outcome.corrected += 1


@transaction.atomic
def tax_slips_generate(
    *, request: HttpRequest | None, year: int, institution: Institution, actor: object
) -> Outcome:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    students = (
        Student.objects.filter(
            enrolments__section__term__starts_on__lte=last,
            enrolments__section__term__ends_on__gte=first,
        )
        .distinct()
        .select_related("tax_profile", "user")
        .order_by("pk")
    )
    outcome = Outcome()
    for student in students:
        figures = tax_figures(student, year, institution)
        profile = getattr(student, "tax_profile", None)
        last3 = profile.sin_last3 if profile is not None and profile.has_sin else ""
        issued = set(
            TaxSlip.objects.filter(student=student, year=year).values_list("kind", flat=True)
        )
        for kind in TaxSlip.Kind.values:
            # A slip already issued is corrected whatever the new figures (a refund that brings
            # the fees under the threshold amends it rather than leaving it standing).
            if _wanted(kind, figures, profile) or kind in issued:
                _issue(student, kind, figures, last3, actor, outcome)
            elif (
                kind == TaxSlip.Kind.RL8
                and profile is not None
                and profile.quebec_resident
                and not profile.has_sin
                and not figures.empty
            ):
                outcome.waiting_for_sin.append(student.matricule)
    audit_record(
        kind=AuditEvent.Kind.TAX_SLIP_ISSUED,
        request=request,
        actor=actor,
        identifier=f"year:{year}",
        details={
            "year": year,
            "created": outcome.created,
            "corrected": outcome.corrected,
            "unchanged": outcome.unchanged,
            "waiting_for_sin": len(outcome.waiting_for_sin),
        },
    )
    return outcome


def slips_available_years(institution: Institution, today: datetime.date) -> int:
    """The latest tax year whose slips students may see today: last year's from the
    institution's date (mid-February by default), the year before until then."""
    release = datetime.date(today.year, institution.tax_slips_month, institution.tax_slips_day)
    return today.year - 1 if today >= release else today.year - 2


def slips_for_student(student: Student, institution: Institution) -> list[TaxSlip]:
    """The student's current slips (corrections replace originals) of the released years."""
    latest = slips_available_years(institution, timezone.localdate())
    return list(
        TaxSlip.objects.filter(
            student=student, year__lte=latest, replaced_by__isnull=True
        ).order_by("-year", "kind")
    )


def slip_for_student(student: Student, institution: Institution, pk: int) -> TaxSlip | None:
    return next((slip for slip in slips_for_student(student, institution) if slip.pk == pk), None)
