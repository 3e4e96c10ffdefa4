"""The figures of the tax slips, computed from the registrar's and the payment centre's
records (docs/tax-slips.md explains each one with worked examples).

- Terms of a year: the terms the student is enrolled in that overlap the calendar year.
- Eligible fees of a term: of the invoices whose session is the term's code, what approved
  payments actually paid (a refunded or cancelled payment counts for nothing), times the share
  of the invoice's lines marked `tax_eligible` (lines the student removed do not count).
- Months: every calendar month of the year that a term touches counts once; full-time when a
  full-time term (certificates.status: the institution's rule) touches it, part-time otherwise.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from billing.models import ZERO, Allocation, Invoice, Payment
from certificates.status import student_load
from portal.models import Institution
from students.models import Student, Term

CENT = Decimal("0.01")


@dataclass
class Period:
    term: str
    start: str  # AA/MM, as in T2202 box 23
    end: str
    fees: Decimal
    full_time: bool
    months: int

    def as_json(self) -> dict[str, object]:
        return {
            "term": self.term,
            "from": self.start,
            "to": self.end,
            "fees": str(self.fees),
            "full_time": self.full_time,
            "months": self.months,
        }


@dataclass
class Figures:
    year: int
    periods: list[Period] = field(default_factory=list)
    eligible_fees: Decimal = ZERO
    months_full_time: int = 0
    months_part_time: int = 0

    @property
    def empty(self) -> bool:
        return (
            self.eligible_fees <= ZERO and not self.months_full_time and not self.months_part_time
        )


def _months(start: datetime.date, end: datetime.date) -> set[tuple[int, int]]:
    months = set()
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.add((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _paid_share(invoice: Invoice) -> Decimal:
    """The eligible part of what approved payments paid on this invoice."""
    lines = [line for line in invoice.lines.all() if not line.removed]
    total = sum((line.amount for line in lines), ZERO)
    eligible = sum((line.amount for line in lines if line.tax_eligible), ZERO)
    if total <= ZERO or eligible <= ZERO:
        return ZERO
    paid = sum(
        (
            allocation.amount
            for allocation in invoice.allocations.all()
            if allocation.payment.status == Payment.Status.SUCCEEDED
        ),
        ZERO,
    )
    return min(eligible, paid * eligible / total).quantize(CENT, rounding=ROUND_HALF_UP)


def tax_figures(student: Student, year: int, institution: Institution) -> Figures:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    terms = (
        Term.objects.filter(
            sections__enrolments__student=student, starts_on__lte=last, ends_on__gte=first
        )
        .distinct()
        .order_by("starts_on")
    )
    invoices = (
        Invoice.objects.filter(student=student, session__in=[term.code for term in terms])
        .prefetch_related("lines")
        .prefetch_related(
            Prefetch("allocations", queryset=Allocation.objects.select_related("payment"))
        )
    )
    fees_by_term: dict[str, Decimal] = {}
    for invoice in invoices:
        fees_by_term[invoice.session] = fees_by_term.get(invoice.session, ZERO) + _paid_share(
            invoice
        )
    figures = Figures(year=year)
    full: set[tuple[int, int]] = set()
    part: set[tuple[int, int]] = set()
    for term in terms:
        start, end = max(term.starts_on, first), min(term.ends_on, last)
        months = _months(start, end)
        full_time = student_load(student, term, institution).full_time
        (full if full_time else part).update(months)
        figures.periods.append(
            Period(
                term=term.code,
                start=f"{start:%y/%m}",
                end=f"{end:%y/%m}",
                fees=fees_by_term.get(term.code, ZERO),
                full_time=full_time,
                months=len(months),
            )
        )
    figures.eligible_fees = sum((p.fees for p in figures.periods), ZERO)
    figures.months_full_time = len(full)
    figures.months_part_time = len(part - full)
    return figures
