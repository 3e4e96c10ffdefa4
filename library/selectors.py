"""The library's reads: the catalogue search, a record's copies and their status, a student's
loans and holds with their place in the queue.

Search: on PostgreSQL, full-text search with the `french_unaccent` configuration (French
stemming, accents ignored; migration 0002), ranked title (A) over authors (B) over subjects
(C). Elsewhere (SQLite), every word must begin a word of the title, authors or subjects,
compared on the folded columns (library.text), ranked the same way by where the words match.
"""

import datetime
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from library.models import Copy, Hold, Loan, LoanRule, Record
from library.text import words
from students.models import Student

SEARCH_CONFIG = "french_unaccent"


def _open_loans() -> QuerySet:
    return Loan.objects.filter(copy=OuterRef("pk"), returned_on__isnull=True)


def _kept() -> QuerySet:
    return Hold.objects.filter(copy=OuterRef("pk"), status=Hold.Status.READY)


def copies_available() -> QuerySet:
    """The copies on the shelf: not on loan, not kept for someone."""
    return Copy.objects.exclude(Exists(_open_loans())).exclude(Exists(_kept()))


def _with_availability(records: QuerySet) -> QuerySet:
    available = copies_available().filter(record=OuterRef("pk"))
    return records.annotate(is_available=Exists(available))


def _matching(records: QuerySet, query: str) -> QuerySet:
    if connection.vendor == "postgresql":
        vector = (
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("authors", weight="B", config=SEARCH_CONFIG)
            + SearchVector("subjects", weight="C", config=SEARCH_CONFIG)
        )
        search = SearchQuery(query, config=SEARCH_CONFIG, search_type="plain")
        return (
            records.annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "title", "pk")
        )
    terms = words(query)
    if not terms:
        return records.none()
    rank = Value(0, output_field=IntegerField())
    for term in terms:
        in_title = Q(title_folded__startswith=term) | Q(title_folded__contains=" " + term)
        in_authors = Q(authors_folded__startswith=term) | Q(authors_folded__contains=" " + term)
        in_subjects = Q(subjects_folded__startswith=term) | Q(subjects_folded__contains=" " + term)
        records = records.filter(in_title | in_authors | in_subjects)
        rank = rank + Case(
            When(in_title, then=Value(3)),
            When(in_authors, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    return records.annotate(rank=rank).order_by("-rank", "title", "pk")


def catalogue_search(
    *, query: str, document_type: str = "", language: str = "", available: bool = False
) -> QuerySet:
    """Records matching every word of `query` (all records when it is empty), best first,
    each with `is_available`, filtered by type, language and availability now."""
    records = Record.objects.only(
        "title", "authors", "year", "document_type", "language", "call_number"
    )
    if document_type:
        records = records.filter(document_type=document_type)
    if language:
        records = records.filter(language=language)
    records = _with_availability(records)
    if available:
        records = records.filter(is_available=True)
    if query.strip():
        return _matching(records, query)
    return records.order_by("title", "pk")


def catalogue_languages() -> list[str]:
    return list(
        Record.objects.exclude(language="")
        .order_by("language")
        .values_list("language", flat=True)
        .distinct()
    )


@dataclass
class CopyStatus:
    copy: Copy
    due_on: datetime.date | None  # on loan until
    kept: bool  # on the hold shelf

    @property
    def available(self) -> bool:
        return self.due_on is None and not self.kept


def record_copies(record: Record) -> list[CopyStatus]:
    copies = Copy.objects.filter(record=record).annotate(
        due=Subquery(_open_loans().values("due_on")[:1]), kept=Exists(_kept())
    )
    return [CopyStatus(copy, copy.due, copy.kept) for copy in copies.order_by("barcode")]


def student_hold(record: Record, student: Student) -> Hold | None:
    return Hold.objects.filter(record=record, student=student, status__in=Hold.ACTIVE).first()


def hold_position(hold: Hold) -> int:
    """1 for the first in the queue of its record."""
    ahead = Hold.objects.filter(
        record_id=hold.record_id, status=Hold.Status.WAITING, placed_at__lt=hold.placed_at
    )
    return ahead.count() + 1


def student_holds(student: Student) -> QuerySet:
    """The student's waiting and ready holds, each with `position` in its record's queue."""
    ahead = (
        Hold.objects.filter(
            record=OuterRef("record"),
            status=Hold.Status.WAITING,
            placed_at__lt=OuterRef("placed_at"),
        )
        .order_by()
        .values("record")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Hold.objects.filter(student=student, status__in=Hold.ACTIVE)
        .select_related("record", "copy")
        .annotate(ahead=Subquery(ahead, output_field=IntegerField()))
        .annotate(position=Case(When(ahead__isnull=True, then=Value(1)), default=F("ahead") + 1))
        .order_by("placed_at", "pk")
    )


def student_loans(student: Student) -> QuerySet:
    return (
        Loan.objects.filter(student=student, returned_on__isnull=True)
        .select_related("copy__record")
        .order_by("due_on", "pk")
    )


@dataclass
class LoanRow:
    loan: Loan
    overdue: bool
    refusal: str  # why it cannot be renewed today, "" when it can


def student_loan_rows(student: Student, *, today: datetime.date) -> list[LoanRow]:
    """The student's open loans, overdue marked, each with what the rules say of renewing it
    (three queries whatever the number of loans)."""
    from library.services import renewal_refusal

    loans = list(student_loans(student))
    rules = {rule.document_type: rule for rule in LoanRule.objects.all()}
    records = {loan.copy.record_id for loan in loans}
    awaited = set(
        Hold.objects.filter(record_id__in=records, status=Hold.Status.WAITING)
        .exclude(student=student)
        .values_list("record_id", flat=True)
    )
    rows = []
    for loan in loans:
        document_type = loan.copy.record.document_type
        rule = rules.get(document_type) or LoanRule(document_type=document_type)
        refusal = renewal_refusal(
            loan, today=today, rule=rule, others_waiting=loan.copy.record_id in awaited
        )
        rows.append(LoanRow(loan, loan.due_on < today, refusal))
    return rows
