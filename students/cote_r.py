"""The Cote R (cote de rendement au collégial), as the portal computes it: pure functions on
Decimals, no database. docs/cote-r.md states the rules and works three examples by hand; the
unit tests (tests/students/test_cote_r.py) use the same numbers.

    Z   = (grade − group mean) / group standard deviation (population)
    CRC = (Z × IDGZ + IFGZ + 5) × 5
    overall = Σ(CRC × credits × w) / Σ(credits × w)

w is 1 for a passed course; a failed course counts less (0.25 in the student's first term at
the institution, 0.5 afterwards).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PASSING_GRADE = Decimal(60)
FAILURE_WEIGHT_FIRST_TERM = Decimal("0.25")
FAILURE_WEIGHT = Decimal("0.5")
# A single grade has no spread: the group needs at least two final grades for a Z.
MIN_GROUP_SIZE = 2

_THOUSANDTH = Decimal("0.001")


def group_statistics(grades: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """The mean and the population standard deviation of a group's final grades. The pages get
    the same figures from SQL (Avg, StdDev(sample=False)); this is the reference."""
    if not grades:
        raise ValueError("a group without final grades has no statistics")
    count = Decimal(len(grades))
    mean = sum(grades, Decimal(0)) / count
    variance = sum(((grade - mean) ** 2 for grade in grades), Decimal(0)) / count
    return mean, variance.sqrt()


def z_score(grade: Decimal, *, mean: Decimal, stdev: Decimal) -> Decimal:
    """How many standard deviations the grade is above (or below) the group's mean; 0 when
    every grade of the group is the same."""
    if stdev == 0:
        return Decimal(0)
    return (grade - mean) / stdev


def course_cote_r(*, z: Decimal, idgz: Decimal, ifgz: Decimal) -> Decimal:
    """The CRC of one course: (Z × IDGZ + IFGZ + 5) × 5."""
    return (z * idgz + ifgz + 5) * 5


def passed(grade: Decimal) -> bool:
    return grade >= PASSING_GRADE


def course_weight(grade: Decimal, *, first_term: bool) -> Decimal:
    """w of the overall Cote R: 1 for a passed course; a failed one counts less, and less
    still in the student's first term at the institution."""
    if passed(grade):
        return Decimal(1)
    return FAILURE_WEIGHT_FIRST_TERM if first_term else FAILURE_WEIGHT


@dataclass(frozen=True)
class CourseResult:
    """What the overall Cote R needs of one course."""

    cote_r: Decimal
    credits: Decimal
    grade: Decimal
    first_term: bool

    @property
    def weight(self) -> Decimal:
        return course_weight(self.grade, first_term=self.first_term)


def overall_cote_r(courses: Iterable[CourseResult]) -> Decimal | None:
    """Σ(CRC × credits × w) / Σ(credits × w), or None without any course (or credits)."""
    numerator = denominator = Decimal(0)
    for course in courses:
        weight = course.credits * course.weight
        numerator += course.cote_r * weight
        denominator += weight
    if denominator == 0:
        return None
    return numerator / denominator


def rounded(value: Decimal) -> Decimal:
    """The figure as shown: three decimals, half up (28.846049… → 28.846)."""
    return value.quantize(_THOUSANDTH, rounding=ROUND_HALF_UP)
