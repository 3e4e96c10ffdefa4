"""Dates that Python writes into text a person reads (the admin's object names, the staff's
import notes, a command's refusal) follow the language like the pages' `when` filter: "1er
décembre 2026" / "December 1, 2026", never "2026-12-01"."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from billing.models import InvoiceReminder
from library.models import LoanReminder
from messaging.models import Event
from portal.models import AuditEvent
from registration.models import TermRegistration
from students.models import RecordAccess, Term
from tests.billing.test_statement import student_of
from tests.factories import make_invoice
from tests.library.factories import make_loan, make_record

MOMENT = timezone.make_aware(datetime.datetime(2026, 12, 1, 10, 15))
DAY = datetime.date(2026, 12, 11)


def in_both(make_text) -> tuple[str, str]:
    with translation.override("fr"):
        french = make_text()
    with translation.override("en"):
        english = make_text()
    return french, english


def test_an_event_is_named_by_its_date_in_words() -> None:
    event = Event(date=datetime.date(2026, 12, 1), title="Salon de l'emploi")
    assert in_both(lambda: str(event)) == (
        "1er décembre 2026 Salon de l'emploi",
        "December 1, 2026 Salon de l'emploi",
    )


def test_an_audit_entry_is_named_by_its_local_date_and_time() -> None:
    entry = AuditEvent(created_at=MOMENT, kind=AuditEvent.Kind.LOGIN_SUCCEEDED)
    french, english = in_both(lambda: str(entry))
    assert french.startswith("1er déc. 2026, 10\N{NO-BREAK SPACE}h\N{NO-BREAK SPACE}15 ")
    assert english.startswith("Dec. 1, 2026, 10:15 a.m. ")


def test_a_record_access_is_named_by_its_local_date_and_time() -> None:
    access = RecordAccess(created_at=MOMENT, staff_name="registraire")
    french, english = in_both(lambda: str(access))
    assert french.startswith("1er déc. 2026, 10\N{NO-BREAK SPACE}h\N{NO-BREAK SPACE}15 registraire")
    assert english.startswith("Dec. 1, 2026, 10:15 a.m. registraire")


def test_reminders_are_named_by_their_due_date(bob) -> None:
    invoice = make_invoice(student_of(bob), number="FAC00000397")
    reminder = InvoiceReminder(invoice=invoice, kind="overdue", due_date=DAY)
    french, english = in_both(lambda: str(reminder))
    assert french.endswith("En souffrance 11 décembre 2026")
    assert english.endswith("December 11, 2026") and "2026-12-11" not in english
    loan = make_loan(make_record("Électricité", control="el").copies.get(), student_of(bob))
    notice = LoanReminder(loan=loan, kind="due_soon", due_on=DAY)
    french, english = in_both(lambda: str(notice))
    assert french.endswith("(Échéance proche, 11 décembre 2026)")
    assert english.endswith("December 11, 2026)")


def test_late_fees_before_the_deadline_say_it_in_words(db) -> None:
    term = Term.objects.create(
        code="AUT-2026",
        starts_on=datetime.date(2026, 8, 20),
        ends_on=datetime.date(2026, 12, 20),
    )
    TermRegistration.objects.create(
        term=term,
        choice_opens=MOMENT,
        choice_closes=MOMENT,
        confirmation_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    with translation.override("fr"), pytest.raises(CommandError) as refused:
        call_command("apply_late_fees", "AUT-2026", stdout=io.StringIO())
    assert deadline.isoformat() not in str(refused.value)
    assert f"{deadline.year})" in str(refused.value)
