"""Prêts: the student's loans with due dates and overdue marked, renewing one or all under the
rules (each refusal saying why), reminders sent once by the daily job, the query budget."""

import datetime
import html
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from library.models import Loan, LoanReminder, LoanRule
from portal.templatetags.portal_format import format_when
from tests.accounts.test_query_budget import TRANSACTION_CONTROL
from tests.library.factories import make_hold, make_loan, make_record

LOANS = reverse("library:loans")
BUDGET = 8  # measured: 7 queries, on SQLite and PostgreSQL, whatever the number of rows


def text(response) -> str:
    return html.unescape(response.content.decode())


def renew(client, loan):
    return client.post(reverse("library:renew", args=[loan.pk]), follow=True)


@pytest.fixture
def book(db):
    return make_record("Électricité", control="el", copies=2)


def test_loans_page_marks_overdue(bob_client, bob_student, library_on, book):
    first, second = book.copies.order_by("barcode")
    make_loan(first, bob_student, due_in=5)
    late = make_loan(second, bob_student, due_in=-2)

    page = text(bob_client.get(LOANS))

    assert page.count('data-testid="loan"') == 2
    due = format_when(late.due_on, "SHORT_DATE_FORMAT")
    assert f'{due} <span class="badge text-bg-danger">en retard</span>' in page


def test_renew_one_moves_the_due_date(bob_client, bob_student, library_on, book):
    loan = make_loan(book.copies.first(), bob_student, due_in=2)

    response = renew(bob_client, loan)

    loan.refresh_from_db()
    assert loan.due_on == timezone.localdate() + datetime.timedelta(days=21)
    assert loan.renewals == 1
    assert f"« Électricité » est renouvelé jusqu'au {format_when(loan.due_on)}." in text(response)


def test_refused_when_renewals_are_used_up(bob_client, bob_student, library_on, book):
    loan = make_loan(book.copies.first(), bob_student, due_in=2, renewals=2)

    response = renew(bob_client, loan)

    assert "déjà été renouvelé 2 fois, le maximum permis" in text(response)
    loan.refresh_from_db()
    assert loan.renewals == 2


def test_refused_when_overdue_beyond_the_limit(bob_client, bob_student, library_on, book):
    LoanRule.objects.filter(document_type="book").update(overdue_limit_days=3)
    tolerated = make_loan(book.copies.first(), bob_student, due_in=-3)
    too_late = make_loan(book.copies.last(), bob_student, due_in=-4)

    assert "est renouvelé jusqu'au" in text(renew(bob_client, tolerated))
    response = renew(bob_client, too_late)

    assert "en retard de plus de 3 jours : rapportez le document au comptoir" in text(response)


def test_refused_when_another_student_waits(
    bob_client, bob_student, charlie_student, library_on, book
):
    loan = make_loan(book.copies.first(), bob_student, due_in=2)
    make_hold(book, charlie_student)

    response = renew(bob_client, loan)

    assert "Une autre personne attend ce document" in text(response)
    loan.refresh_from_db()
    assert loan.renewals == 0


def test_loan_period_follows_the_document_type(bob_client, bob_student, library_on):
    video = make_record("Film", control="v", document_type="video")
    loan = make_loan(video.copies.get(), bob_student, due_in=1)

    renew(bob_client, loan)

    loan.refresh_from_db()
    assert loan.due_on == timezone.localdate() + datetime.timedelta(days=7)


def test_renew_all_reports_each_loan(bob_client, bob_student, charlie_student, library_on, book):
    renewable = make_loan(book.copies.first(), bob_student, due_in=2)
    other = make_record("Magnétisme", control="mg")
    blocked = make_loan(other.copies.get(), bob_student, due_in=2)
    make_hold(other, charlie_student)

    page = text(bob_client.post(reverse("library:renew_all"), follow=True))

    renewable.refresh_from_db()
    blocked.refresh_from_db()
    assert (renewable.renewals, blocked.renewals) == (1, 0)
    assert "« Électricité » est renouvelé" in page
    assert "« Magnétisme » n'a pas été renouvelé : Une autre personne attend" in page


def test_someone_elses_loan_is_404(bob_client, charlie_student, library_on, book):
    loan = make_loan(book.copies.first(), charlie_student, due_in=2)
    assert bob_client.post(reverse("library:renew", args=[loan.pk])).status_code == 404
    loan.refresh_from_db()
    assert loan.renewals == 0


def test_reminders_are_sent_once(bob_student, charlie_student, book, commit):
    first, second = book.copies.order_by("barcode")
    soon = make_loan(first, bob_student, due_in=2)
    late = make_loan(second, charlie_student, due_in=-1)
    make_loan(make_record("Loin", control="far").copies.get(), bob_student, due_in=20)

    with commit():
        call_command("send_library_reminders", stdout=io.StringIO())
    with commit():
        out = io.StringIO()
        call_command("send_library_reminders", stdout=out)

    assert "0 library reminder(s) queued" in out.getvalue()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "bob@etudiant.example",
        "charlie@etudiant.example",
    ]
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "est à rendre d'ici le" in subjects["bob@etudiant.example"]
    assert "est en retard" in subjects["charlie@etudiant.example"]
    assert set(LoanReminder.objects.values_list("loan", "kind")) == {
        (soon.pk, "due_soon"),
        (late.pk, "overdue"),
    }


def test_a_renewed_loan_is_reminded_again_for_its_new_date(bob_student, book, commit):
    loan = make_loan(book.copies.first(), bob_student, due_in=1)
    with commit():
        call_command("send_library_reminders", stdout=io.StringIO())
    Loan.objects.filter(pk=loan.pk).update(due_on=timezone.localdate() + datetime.timedelta(2))
    with commit():
        call_command("send_library_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 2


def test_loans_page_query_budget(bob_client, bob_student, charlie_student, library_on):
    for number in range(15):
        record = make_record(f"Livre {number}", control=f"b{number}")
        make_loan(record.copies.get(), bob_student, due_in=number - 5)
        if number % 4 == 0:
            make_hold(record, charlie_student)
    bob_client.get(LOANS)

    with CaptureQueriesContext(connection) as context:
        response = bob_client.get(LOANS)

    queries = [q for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    assert text(response).count('data-testid="loan"') == 15
    assert len(queries) <= BUDGET, [q["sql"] for q in queries]
