"""Issue 17: the home page reads the balance (stored), the unread MIO and documents, the
enrolment reminder and the overdue restriction with the student's row, and its enrolments with
their meetings and their term's registration, in SQL compiled once per process
(portal/prepared.py). Nothing of it is kept between requests: each write below shows on the
very next request, and a new day moves what depends on the date (nothing frozen in the SQL)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Invoice
from messaging.models import Message, MessageRecipient
from messaging.services import message_mark_read
from portal.models import Institution
from registration.models import TermRegistration
from registration.services import enrolment_confirm
from students.models import Student
from tests.accounts.test_first_use import page
from tests.accounts.test_login import student_login
from tests.billing.test_statement import counter_payment
from tests.factories import activate, make_employee, make_invoice
from tests.students.factories_courses import enrol, make_course, make_section, make_term

HOME = reverse("portal:home")


@pytest.fixture
def home(client, bob):
    student_login(client, "2026102")

    def read() -> str:
        response = client.get(HOME)
        assert response.status_code == 200
        return page(response)

    read()  # a warm process: the SQL is compiled, the calendar kept
    return read


def later(monkeypatch, days: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=days)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


def test_a_new_invoice_and_a_payment_show_on_the_next_request(home, bob):
    assert "Vous n'avez aucun solde à payer." in home()
    invoice = make_invoice(Student.objects.get(user=bob), lines=(("Droits", "275.00", False),))
    assert "Solde à payer de 275,00 $" in home()
    counter_payment(bob, invoice, amount="200.00")
    assert "Solde à payer de 75,00 $" in home()
    counter_payment(bob, invoice)
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    assert "Vous n'avez aucun solde à payer." in home()


def test_a_new_mio_and_reading_it_show_on_the_next_request(home, bob, institution):
    assert "nouveau message MIO" not in home()
    teacher = activate(make_employee(institution), password="x")
    message = Message.objects.create(sender=teacher, subject="Rappel", body="Texte")
    recipient = MessageRecipient.objects.create(message=message, user=bob)
    assert "1 nouveau message MIO" in home()
    message_mark_read(recipient=recipient)
    assert "nouveau message MIO" not in home()


@pytest.fixture
def registration(bob) -> TermRegistration:
    today = timezone.localdate()
    now = timezone.now()
    # Two registrations first, and this one's id never the student's (a subquery that compared
    # the wrong id would pass by chance).
    for code, days in (("HIV-2025", 400), ("AUT-2025", 300)):
        TermRegistration.objects.create(
            term=make_term(
                code,
                today - datetime.timedelta(days=days),
                today - datetime.timedelta(days=days - 100),
            ),
            choice_opens=now - datetime.timedelta(days=days + 100),
            choice_closes=now - datetime.timedelta(days=days + 50),
            confirmation_deadline=today - datetime.timedelta(days=days - 10),
        )
    term = make_term(
        "AUT-2026", today - datetime.timedelta(days=40), today + datetime.timedelta(days=8)
    )
    section = make_section(term, make_course("420-1A1-RE", "Programmation"), group="01")
    section.meetings.create(day=1, start="08:00", end="10:00", room="A-101")
    enrol(Student.objects.get(user=bob), section)
    # An id that is not the student's, whatever ids the tests before this one used.
    taken = {
        Student.objects.get(user=bob).pk,
        *TermRegistration.objects.values_list("pk", flat=True),
    }
    registration = TermRegistration.objects.create(
        pk=max(taken) + 1,
        term=term,
        choice_opens=now - datetime.timedelta(days=200),
        choice_closes=now - datetime.timedelta(days=150),
        confirmation_deadline=today + datetime.timedelta(days=1),
        late_fee=Decimal("25.00"),
    )
    return registration


def test_the_reminder_follows_its_registration_and_the_date(home, bob, registration, monkeypatch):
    text = home()
    assert "Confirmez votre présence" in text and "25,00 $" in text and "A-101" in text
    registration.late_fee = Decimal("30.00")
    registration.save(update_fields=["late_fee"])
    assert "30,00 $" in home()
    later(monkeypatch, 2)  # the deadline has passed; the term is still under way
    assert "la date limite est passée" in home()
    later(monkeypatch, 9)  # the term is over: no reminder, no course at a glance
    text = home()
    assert 'data-testid="confirmation-reminder"' not in text and "A-101" not in text


def test_confirming_ends_the_reminder_on_the_next_request(home, bob, registration):
    assert 'data-testid="confirmation-reminder"' in home()
    enrolment_confirm(
        request=None, student=Student.objects.get(user=bob), registration=registration, actor=bob
    )
    assert 'data-testid="confirmation-reminder"' not in home()


def test_the_overdue_restriction_starts_the_day_after_the_due_date(
    client, bob, institution: Institution, monkeypatch
):
    institution.restrict_on_overdue = True
    institution.save(update_fields=["restrict_on_overdue"])
    invoice = make_invoice(Student.objects.get(user=bob), due_in_days=1)
    student_login(client, "2026102")
    assert client.get(HOME).status_code == 200
    later(monkeypatch, 2)
    assert client.get(HOME)["Location"] == reverse("billing:statement")
    counter_payment(bob, invoice)
    assert client.get(HOME).status_code == 200
