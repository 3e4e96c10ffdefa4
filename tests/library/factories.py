"""Catalogue records, copies, loans and holds for the library's tests."""

import datetime

from django.utils import timezone

from library.models import Copy, Hold, Loan, Record
from library.services import record_save
from students.models import Student


def make_record(
    title: str,
    *,
    control: str = "",
    authors: str = "",
    subjects: str = "",
    copies: int = 1,
    document_type: str = "book",
    language: str = "fre",
) -> Record:
    control = control or f"rec-{Record.objects.count() + 1}"
    record = record_save(
        record=Record(
            control_number=control,
            title=title,
            authors=authors,
            subjects=subjects,
            document_type=document_type,
            language=language,
        )
    )
    for number in range(1, copies + 1):
        Copy.objects.create(record=record, barcode=f"{control}-{number}", location="Bibliothèque")
    return record


def make_loan(
    copy: Copy, student: Student, *, due_in: int = 14, loaned_ago: int = 7, renewals: int = 0
) -> Loan:
    today = timezone.localdate()
    return Loan.objects.create(
        copy=copy,
        student=student,
        loaned_on=today - datetime.timedelta(days=loaned_ago),
        due_on=today + datetime.timedelta(days=due_in),
        renewals=renewals,
    )


def make_hold(record: Record, student: Student, *, minutes_ago: int = 0) -> Hold:
    return Hold.objects.create(
        record=record,
        student=student,
        placed_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )
