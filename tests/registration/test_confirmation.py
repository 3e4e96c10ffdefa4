"""Confirmation d'inscription: from the term's start to the deadline, Bob confirms his
presence with his password and gets a confirmation number; after the deadline the page warns
of the late fee, and confirming charges it once, on an invoice of the payment centre; the
home page reminds him until he confirms; staff list and export the unconfirmed students;
`apply_late_fees` charges those who never confirmed, once."""

# ruff: noqa: F811

import datetime
import html
import re
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import Invoice
from registration.models import EnrolmentConfirmation, LateFee, TermRegistration
from registration.services import enrolment_confirm
from students.models import Student
from tests.accounts.test_login import student_login
from tests.accounts.test_query_budget import query_budget  # noqa: F401 (fixture)
from tests.conftest import PASSWORD
from tests.factories import make_student
from tests.students.factories_courses import enrol, make_course, make_section, make_term

CONFIRM = reverse("registration:confirmation")
HOME = reverse("portal:home")


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def term_under_way(bob, charlie):
    term = make_term("AUT-2026", current=True)
    for user in (bob, charlie):
        enrol(Student.objects.get(user=user), make_section(term, make_course(), group="01"))
    now = timezone.now()
    return TermRegistration.objects.create(
        term=term,
        choice_opens=now - datetime.timedelta(days=200),
        choice_closes=now - datetime.timedelta(days=150),
        confirmation_deadline=timezone.localdate() + datetime.timedelta(days=5),
        late_fee=Decimal("25.00"),
    )


def past_deadline(registration: TermRegistration) -> None:
    registration.confirmation_deadline = timezone.localdate() - datetime.timedelta(days=1)
    registration.save(update_fields=["confirmation_deadline"])


@pytest.fixture
def bob_client(client, bob):
    student_login(client, "2026102")
    return client


def test_confirming_before_the_deadline_gives_a_number_and_no_fee(bob_client, term_under_way):
    page = text(bob_client.get(CONFIRM))
    assert "vous devez confirmer votre présence à vos cours au plus tard le" in page
    assert "frais de retard" not in page
    response = bob_client.post(CONFIRM, {"password": PASSWORD}, follow=True)
    confirmed = EnrolmentConfirmation.objects.get()
    assert f"Numéro de confirmation : {confirmed.confirmation.number}" in text(response)
    assert not confirmed.late
    assert not Invoice.objects.exists() and not LateFee.objects.exists()
    # Confirming again changes nothing.
    bob_client.post(CONFIRM, {"password": PASSWORD})
    assert EnrolmentConfirmation.objects.count() == 1


def test_wrong_password_confirms_nothing(bob_client, term_under_way):
    response = bob_client.post(CONFIRM, {"password": "non"})
    assert "Mot de passe incorrect." in text(response)
    assert not EnrolmentConfirmation.objects.exists()


def test_after_the_deadline_the_page_warns_and_the_fee_is_charged_once(bob_client, term_under_way):
    past_deadline(term_under_way)
    page = text(bob_client.get(CONFIRM))
    assert "en confirmant, des frais de retard de 25,00 $ seront ajoutés" in page
    bob_client.post(CONFIRM, {"password": PASSWORD})
    bob_client.post(CONFIRM, {"password": PASSWORD})
    invoice = Invoice.objects.get()
    assert invoice.lines.get().amount == Decimal("25.00")
    assert invoice.session == "AUT-2026" and "Frais de retard" in invoice.description
    assert LateFee.objects.count() == 1 and EnrolmentConfirmation.objects.get().late
    # The payment centre shows it.
    assert invoice.number in text(bob_client.get(reverse("billing:statement")))


def test_before_the_term_starts_nothing_can_be_confirmed(bob_client, term_under_way):
    term = term_under_way.term
    term.starts_on = timezone.localdate() + datetime.timedelta(days=2)
    term.save(update_fields=["starts_on"])
    page = text(bob_client.get(CONFIRM))
    assert "La confirmation sera possible à partir du" in page
    bob_client.post(CONFIRM, {"password": PASSWORD})
    assert not EnrolmentConfirmation.objects.exists()


def test_the_home_page_reminds_until_confirmed(bob_client, term_under_way):
    assert "Confirmer mon inscription" in text(bob_client.get(HOME))
    bob_client.post(CONFIRM, {"password": PASSWORD})
    assert "Confirmer mon inscription" not in text(bob_client.get(HOME))


def test_query_budget(bob_client, term_under_way, bob, query_budget):
    student = Student.objects.get(user=bob)
    for _n in range(20):
        enrol(student, make_section(term_under_way.term, make_course()))
    with query_budget(15):
        assert bob_client.get(CONFIRM).status_code == 200


def test_apply_late_fees_charges_the_unconfirmed_once(bob_client, term_under_way, charlie):
    bob_client.post(CONFIRM, {"password": PASSWORD})  # on time
    past_deadline(term_under_way)
    call_command("apply_late_fees", "AUT-2026")
    call_command("apply_late_fees", "AUT-2026")
    fee = LateFee.objects.get()
    assert fee.student.user == charlie and fee.amount == Decimal("25.00")
    # Charlie confirms late: no second fee.
    enrolment_confirm(
        request=None,
        student=Student.objects.get(user=charlie),
        registration=term_under_way,
        actor=charlie,
    )
    assert LateFee.objects.count() == 1 and Invoice.objects.count() == 1


def test_apply_late_fees_refuses_before_the_deadline(term_under_way):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("apply_late_fees", "AUT-2026")
    assert not LateFee.objects.exists()


def test_staff_list_and_export_the_unconfirmed(client, bob_client, term_under_way, charlie):
    bob_client.post(CONFIRM, {"password": PASSWORD})
    staff = User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")
    client.force_login(staff)
    url = reverse("admin:registration_termregistration_unconfirmed", args=[term_under_way.pk])
    page = text(client.get(url))
    assert "2026103" in page and "2026102" not in page
    export = client.get(url, {"format": "csv"})
    body = export.content.decode("utf-8-sig")
    assert export["Content-Type"].startswith("text/csv")
    assert "2026103" in body and "2026102" not in body
    action = client.post(
        reverse("admin:registration_termregistration_changelist"),
        {"action": "export_unconfirmed", "_selected_action": [term_under_way.pk]},
    )
    assert "2026103" in action.content.decode("utf-8-sig")


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_charge_the_fee_once(load_preset):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises every writer anyway")
    institution = load_preset("cstj")
    student = make_student(institution)
    term = make_term("AUT-2026", current=True)
    enrol(student, make_section(term, make_course()))
    now = timezone.now()
    registration = TermRegistration.objects.create(
        term=term,
        choice_opens=now - datetime.timedelta(days=200),
        choice_closes=now - datetime.timedelta(days=150),
        confirmation_deadline=timezone.localdate() - datetime.timedelta(days=1),
        late_fee=Decimal("25.00"),
    )
    barrier = threading.Barrier(3)
    results, errors = [], []

    def confirm() -> None:
        try:
            mine = Student.objects.get(pk=student.pk)
            reg = TermRegistration.objects.select_related("term").get(pk=registration.pk)
            barrier.wait(timeout=10)
            results.append(
                enrolment_confirm(request=None, student=mine, registration=reg, actor=None)
            )
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    def sweep() -> None:
        try:
            reg = TermRegistration.objects.select_related("term").get(pk=registration.pk)
            barrier.wait(timeout=10)
            from registration.services import late_fees_apply

            late_fees_apply(registration=reg)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm), threading.Thread(target=confirm)]
    threads.append(threading.Thread(target=sweep))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(created for _confirmation, created in results) == [False, True]
    assert EnrolmentConfirmation.objects.count() == 1
    assert LateFee.objects.count() == 1
    assert Invoice.objects.count() == 1
