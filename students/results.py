"""Reads of the Résultats modules: a student's marks per course with the current weighted
grade, and the report card with the group statistics and the Cote R.

Every page costs the same few queries whatever the number of courses and evaluations: the
student's enrolments (all terms, one query), then either the term's evaluations with the
student's own mark (one query), or the statistics of every group the student was in, computed
by the database (one query).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Avg, Count, F, FilteredRelation, Q, StdDev
from django.http import Http404
from django.utils import timezone

from portal.prepared import prepared
from students.cote_r import (
    MIN_GROUP_SIZE,
    CourseResult,
    course_cote_r,
    overall_cote_r,
    passed,
    z_score,
)
from students.models import Course, Enrolment, Evaluation, Section, Student, Term


def _plain(value: Decimal) -> Decimal:
    """17.50 → 17.5 and 20.00 → 20, so that a mark reads as it was written."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


# --- Terms ----------------------------------------------------------------------------------


def student_enrolments(student: Student, *, teacher: bool = True) -> list[Enrolment]:
    """All the student's enrolments, every term, with section, course, term and (unless the
    page shows none) teacher."""
    related = ["section__term", "section__course"] + (["section__teacher"] if teacher else [])
    return prepared(
        ("student-enrolments", teacher),
        lambda values: (
            Enrolment.objects.filter(student_id=values["student"])
            .select_related(*related)
            .order_by("section__term__starts_on", "section__course__code", "section__group")
        ),
        {"student": student.pk},
    )


def terms_of(enrolments: Iterable[Enrolment]) -> list[Term]:
    """The terms of these enrolments, oldest first, each once."""
    terms: dict[int, Term] = {}
    for enrolment in enrolments:
        terms.setdefault(enrolment.section.term_id, enrolment.section.term)
    return sorted(terms.values(), key=lambda term: term.starts_on)


def term_current(terms: Sequence[Term], today: datetime.date | None = None) -> Term | None:
    """The term containing today, else the latest of the student's terms."""
    today = today or timezone.localdate()
    for term in terms:
        if term.contains(today):
            return term
    return terms[-1] if terms else None


def _term_chosen(terms: Sequence[Term], code: str | None, default: Term | None) -> Term | None:
    """The term the URL names, among the student's own: 404 for any other code, so that an
    unknown term and a term without the student answer alike."""
    if not code:
        return default
    for term in terms:
        if term.code == code:
            return term
    raise Http404


# --- Notes d'évaluation ---------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationResult:
    title: str
    date: datetime.date | None
    weight: Decimal
    class_average: Decimal | None
    mark: Decimal | None
    max_mark: Decimal | None

    @property
    def percent(self) -> Decimal | None:
        # A mark out of 0 cannot be a percentage: it counts as not evaluated.
        if self.mark is None or not self.max_mark:
            return None
        return self.mark * 100 / self.max_mark


def weighted_grade(evaluations: Iterable[EvaluationResult]) -> Decimal | None:
    """Σ(mark % × weight) / Σ(weights of the evaluated items); None before the first mark."""
    points = weights = Decimal(0)
    for evaluation in evaluations:
        if evaluation.percent is not None:
            points += evaluation.percent * evaluation.weight
            weights += evaluation.weight
    return points / weights if weights else None


@dataclass(frozen=True)
class CourseMarks:
    enrolment: Enrolment
    evaluations: tuple[EvaluationResult, ...]

    @property
    def section(self) -> Section:
        return self.enrolment.section

    @property
    def course(self) -> Course:
        return self.enrolment.section.course

    @cached_property
    def grade(self) -> Decimal | None:
        """Read twice a row by the page: computed once (the evaluations never change)."""
        return weighted_grade(self.evaluations)

    @property
    def evaluated_weight(self) -> Decimal:
        """The share of the course already evaluated (weights are percentages of the course)."""
        return _plain(
            sum((e.weight for e in self.evaluations if e.percent is not None), Decimal(0))
        )

    @property
    def total_weight(self) -> Decimal:
        return _plain(sum((e.weight for e in self.evaluations), Decimal(0)))


_EVALUATION_COLUMNS = (
    "section_id",
    "title",
    "date",
    "weight",
    "class_average",
    "own__mark",
    "own__max_mark",
)


def _evaluations_by_section(
    student: Student, section_ids: Sequence[int]
) -> dict[int, list[EvaluationResult]]:
    """The evaluations of these sections with the student's own mark, in one query: the join
    is restricted to this student's marks, never anyone else's."""
    rows = (
        Evaluation.objects.filter(section_id__in=section_ids)
        .annotate(own=FilteredRelation("marks", condition=Q(marks__student=student)))
        .order_by(F("date").asc(nulls_last=True), "id")
        .values_list(*_EVALUATION_COLUMNS)
    )
    return _evaluation_results(rows)


def _evaluations_of_term(student: Student, term: Term) -> dict[int, list[EvaluationResult]]:
    """The evaluations of the student's sections of the term with their own mark, as
    `_evaluations_by_section` gives them, in a query of one shape (SQL compiled once per
    process, portal/prepared.py)."""
    rows = prepared(
        "term-evaluations",
        lambda values: (
            Evaluation.objects.filter(
                section__term_id=values["term"], section__enrolments__student_id=values["student"]
            )
            .annotate(
                own=FilteredRelation("marks", condition=Q(marks__student_id=values["student"]))
            )
            .order_by(F("date").asc(nulls_last=True), "id")
            .values_list(*_EVALUATION_COLUMNS)
        ),
        {"student": student.pk, "term": term.pk},
    )
    return _evaluation_results(rows)


def _evaluation_results(rows: Iterable[tuple]) -> dict[int, list[EvaluationResult]]:
    found: dict[int, list[EvaluationResult]] = defaultdict(list)
    for section_id, title, date, weight, class_average, mark, max_mark in rows:
        found[section_id].append(
            EvaluationResult(
                title=title,
                date=date,
                weight=_plain(weight),
                class_average=class_average,
                mark=None if mark is None else _plain(mark),
                max_mark=None if max_mark is None else _plain(max_mark),
            )
        )
    return found


@dataclass(frozen=True)
class TermMarks:
    term: Term | None
    terms: list[Term]
    courses: list[CourseMarks]

    @property
    def has_ungraded(self) -> bool:
        return any(course.grade is None for course in self.courses)


def term_marks(student: Student, *, term_code: str | None = None) -> TermMarks:
    """The courses of a term (the current one unless named) with the current weighted grade."""
    enrolments = student_enrolments(student, teacher=False)
    terms = terms_of(enrolments)
    term = _term_chosen(terms, term_code, term_current(terms))
    if term is None:
        return TermMarks(term=None, terms=terms, courses=[])
    enrolments = [e for e in enrolments if e.section.term_id == term.pk]
    evaluations = _evaluations_of_term(student, term)
    courses = [CourseMarks(e, tuple(evaluations.get(e.section_id, ()))) for e in enrolments]
    return TermMarks(term=term, terms=terms, courses=courses)


def course_marks_for_student(student: Student, *, term_code: str, course_code: str) -> CourseMarks:
    """One course's evaluations for the student: 404 alike for a course that does not exist
    and one the student is not enrolled in."""
    enrolment = (
        Enrolment.objects.filter(
            student=student, section__term__code=term_code, section__course__code=course_code
        )
        .select_related("section__term", "section__course", "section__teacher")
        .order_by("section__group")
        .first()
    )
    if enrolment is None:
        raise Http404
    evaluations = _evaluations_by_section(student, [enrolment.section_id])
    return CourseMarks(enrolment, tuple(evaluations.get(enrolment.section_id, ())))


# --- Notes finales --------------------------------------------------------------------------


MIN_SHOWN_GROUP = 5


@dataclass(frozen=True)
class GroupStatistics:
    """The section's final grades as the database summarises them."""

    count: int = 0
    mean: Decimal | None = None
    stdev: Decimal | None = None

    @property
    def shown_mean(self) -> Decimal | None:
        """The group's average as shown to a student: only for groups of at least
        MIN_SHOWN_GROUP, since in a small group it gives a classmate's grade away."""
        return self.mean if self.count >= MIN_SHOWN_GROUP else None


def group_statistics(student: Student) -> dict[int, GroupStatistics]:
    """Count, mean and population standard deviation of the final grades of each section the
    student is enrolled in, computed by the database in one query (STDDEV_POP: PostgreSQL's
    own, Django's on SQLite), its SQL compiled once per process (portal/prepared.py)."""
    rows = prepared(
        "group-statistics",
        lambda values: (
            Enrolment.objects.filter(
                section_id__in=Enrolment.objects.filter(student_id=values["student"]).values(
                    "section_id"
                ),
                final_grade__isnull=False,
            )
            .order_by()
            .values("section_id")
            .annotate(
                count=Count("id"),
                mean=Avg("final_grade"),
                stdev=StdDev("final_grade", sample=False),
            )
        ),
        {"student": student.pk},
    )
    return {
        row["section_id"]: GroupStatistics(
            count=row["count"], mean=Decimal(row["mean"]), stdev=Decimal(row["stdev"])
        )
        for row in rows
    }


class Missing:
    """Why a course has no Cote R (the report card says it under the "—")."""

    GRADE = "grade"  # no final grade yet
    INDICATORS = "indicators"  # staff have not entered the group's IDGZ and IFGZ
    GROUP = "group"  # fewer than two final grades in the group


@dataclass(frozen=True)
class ReportLine:
    enrolment: Enrolment
    group: GroupStatistics
    first_term: bool
    z: Decimal | None = None
    cote_r: Decimal | None = None
    missing: str = ""

    @property
    def course(self) -> Course:
        return self.enrolment.section.course

    @property
    def final_grade(self) -> Decimal | None:
        grade = self.enrolment.final_grade
        return None if grade is None else _plain(grade)

    @property
    def failed(self) -> bool:
        return self.final_grade is not None and not passed(self.final_grade)

    @property
    def credits(self) -> Decimal:
        return _plain(self.course.credits)

    @property
    def as_course_result(self) -> CourseResult | None:
        if self.cote_r is None or self.final_grade is None:
            return None
        return CourseResult(
            cote_r=self.cote_r,
            credits=self.course.credits,
            grade=self.final_grade,
            first_term=self.first_term,
        )


def _report_line(enrolment: Enrolment, group: GroupStatistics, *, first_term: bool) -> ReportLine:
    section = enrolment.section
    if enrolment.final_grade is None:
        return ReportLine(enrolment, group, first_term, missing=Missing.GRADE)
    if section.idgz is None or section.ifgz is None:
        return ReportLine(enrolment, group, first_term, missing=Missing.INDICATORS)
    if group.count < MIN_GROUP_SIZE or group.mean is None or group.stdev is None:
        return ReportLine(enrolment, group, first_term, missing=Missing.GROUP)
    z = z_score(enrolment.final_grade, mean=group.mean, stdev=group.stdev)
    crc = course_cote_r(z=z, idgz=section.idgz, ifgz=section.ifgz)
    return ReportLine(enrolment, group, first_term, z=z, cote_r=crc)


def _overall(lines: Iterable[ReportLine]) -> Decimal | None:
    return overall_cote_r(result for line in lines if (result := line.as_course_result) is not None)


@dataclass(frozen=True)
class ReportCard:
    term: Term | None
    terms: list[Term]
    lines: list[ReportLine]
    term_cote_r: Decimal | None
    cumulative_cote_r: Decimal | None

    @property
    def absences(self) -> int:
        return sum(line.enrolment.absences for line in self.lines)

    @property
    def credits(self) -> Decimal:
        return _plain(sum((line.course.credits for line in self.lines), Decimal(0)))

    @property
    def has_missing_cote_r(self) -> bool:
        return any(line.cote_r is None for line in self.lines)


def report_card(student: Student, *, term_code: str | None = None) -> ReportCard:
    """The term's report card (by default the latest term with a final grade, else the current
    one) with each course's group average and Cote R, and the overall Cote R of the term and
    over every term. Two queries whatever the number of courses."""
    enrolments = student_enrolments(student, teacher=False)
    terms = terms_of(enrolments)
    graded = [e.section.term for e in enrolments if e.final_grade is not None]
    default = graded[-1] if graded else term_current(terms)
    term = _term_chosen(terms, term_code, default)
    if term is None:
        return ReportCard(None, terms, [], None, None)
    statistics = group_statistics(student)
    # The student's first term at the institution is the first one they were enrolled in.
    first_term_id = terms[0].pk
    lines = [
        _report_line(
            e,
            statistics.get(e.section_id, GroupStatistics()),
            first_term=e.section.term_id == first_term_id,
        )
        for e in enrolments
    ]
    term_lines = [line for line in lines if line.enrolment.section.term_id == term.pk]
    return ReportCard(
        term=term,
        terms=terms,
        lines=term_lines,
        term_cote_r=_overall(term_lines),
        cumulative_cote_r=_overall(lines),
    )
