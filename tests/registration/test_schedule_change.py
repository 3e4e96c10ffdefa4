"""Modification d'horaire: during the term's window, Bob asks for the possible schedules
("Continuer"), picks one, confirms with his password and gets a confirmation number, an
email, the fee on an invoice of the payment centre (once per confirmed change) and the new
sections everywhere (schedule, print, ICS, his teachers' lists). Outside the window, a wrong
password, or an alternative the page never offered (a section of another course, a full
section, two courses at the same time) changes nothing. Staff cancel a change. The
alternatives page costs the same number of queries for 2 courses as for 8. On PostgreSQL, two
students confirming the last place of a section at once: one gets it, the other is told."""

# ruff: noqa: F811

import datetime
import html
import re
import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import Invoice, InvoiceLine, Payment
from billing.services import payment_record_in_person
from messaging.selectors import section_users
from portal.models import AuditEvent, Confirmation
from registration.change_services import (
    ChangeRefused,
    schedule_change_cancel,
    schedule_change_confirm,
)
from registration.models import ScheduleChange, TermRegistration
from students.models import Course, Enrolment, Section, Student, Term
from tests.accounts.test_login import student_login
from tests.accounts.test_query_budget import query_budget  # noqa: F401 (fixture)
from tests.conftest import PASSWORD
from tests.factories import activate, make_student
from tests.students.factories_courses import enrol, make_course, make_section, make_term

PAGE = reverse("registration:schedule_change")
CONFIRM = reverse("registration:schedule_change_confirm")
FEE_TEXT = "Frais de modification d'horaire"


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def open_window(term: Term, *, fee: str = "15.00", days: int = 0) -> TermRegistration:
    """The term's change window: open now (days=0), opening in `days` (> 0) or closed `-days`
    ago (< 0)."""
    now = timezone.now()
    opens = now - datetime.timedelta(days=1) + datetime.timedelta(days=max(days, 0))
    closes = now + datetime.timedelta(days=7) if days >= 0 else now + datetime.timedelta(days=days)
    if days < 0:
        opens = closes - datetime.timedelta(days=7)
    return TermRegistration.objects.create(
        term=term,
        choice_opens=now - datetime.timedelta(days=200),
        choice_closes=now - datetime.timedelta(days=150),
        confirmation_deadline=term.ends_on,
        change_opens=opens,
        change_closes=closes,
        change_fee=Decimal(fee),
    )


@dataclass
class Setup:
    term: Term
    registration: TermRegistration
    student: Student
    a1: Section  # Bob's, Monday 08:00
    a2: Section  # Tuesday 10:00–12:00
    a3: Section  # full: capacity 1, taken by Charlie
    b1: Section  # Bob's, Wednesday 08:00
    b2: Section  # Tuesday 11:00–13:00: overlaps a2
    b3: Section  # Thursday 10:00–12:00
    c1: Section  # Bob's, only section of its course


@pytest.fixture
def setup(bob: User, charlie: User) -> Setup:
    term = make_term("AUT-2026", current=True)
    a, b, c = (
        make_course("420-2A4-TH", "Programmation orientée objet"),
        make_course("420-2B4-TH", "Bases de données"),
        make_course("201-2M3-TH", "Mathématiques discrètes"),
    )
    a1 = make_section(term, a, group="01", capacity=30, meetings=[(1, "08:00", "10:00", "D-1")])
    a2 = make_section(term, a, group="02", capacity=30, meetings=[(2, "10:00", "12:00", "D-2")])
    a3 = make_section(term, a, group="03", capacity=1, meetings=[(3, "13:00", "15:00", "D-3")])
    b1 = make_section(term, b, group="01", capacity=30, meetings=[(3, "08:00", "10:00", "D-4")])
    b2 = make_section(term, b, group="02", capacity=30, meetings=[(2, "11:00", "13:00", "D-5")])
    b3 = make_section(term, b, group="03", capacity=30, meetings=[(4, "10:00", "12:00", "D-6")])
    c1 = make_section(term, c, group="01", capacity=30, meetings=[(5, "13:00", "15:00", "B-1")])
    student = Student.objects.get(user=bob)
    student.email = "bob@etudiant.example"
    student.save(update_fields=["email"])
    for section in (a1, b1, c1):
        enrol(student, section)
    enrol(Student.objects.get(user=charlie), a3)
    registration = open_window(term)
    return Setup(term, registration, student, a1, a2, a3, b1, b2, b3, c1)


@pytest.fixture
def bob_client(client: Client, bob: User) -> Client:
    student_login(client, "2026102")
    return client


def sections_of(student: Student, term: Term) -> set[int]:
    return set(
        Enrolment.objects.filter(student=student, section__term=term).values_list(
            "section_id", flat=True
        )
    )


def ids(*sections: Section) -> str:
    return ",".join(str(section.pk) for section in sections)


def link(*sections: Section) -> str:
    """An alternative as the page's links give it: in the order of the course codes."""
    ordered = sorted(sections, key=lambda section: section.course.code)
    return "%2C".join(str(section.pk) for section in ordered)


def confirm(client: Client, *sections: Section, password: str = PASSWORD):
    return client.post(CONFIRM, {"sections": ids(*sections), "password": password}, follow=True)


def nothing_changed(setup: Setup) -> None:
    assert sections_of(setup.student, setup.term) == {setup.a1.pk, setup.b1.pk, setup.c1.pk}
    assert not ScheduleChange.objects.exists()
    assert not InvoiceLine.objects.filter(description=FEE_TEXT).exists()


# --- The page ---------------------------------------------------------------------------------


def test_page_shows_current_schedule_and_wishes(setup, bob_client):
    page = text(bob_client.get(PAGE))
    assert "Modification d'horaire — AUT-2026" in page
    assert "Votre horaire actuel" in page
    assert "420-2A4-TH gr. 01" in page
    for label in ["Garder ces groupes", "Aucun cours avant", "Aucun cours après", "Journée libre"]:
        assert label in page
    assert "Des frais de 15.00 $" in page or "Des frais de 15,00 $" in page
    assert "Horaires possibles" not in page


def test_continuer_lists_every_valid_alternative_best_first(setup, bob_client):
    response = bob_client.get(PAGE, {"continuer": "1"})
    page = text(response)
    body = response.content.decode()
    # a ∈ {a1, a2} (a3 is full) × b ∈ {b1, b2, b3}, minus a2+b2 (Tuesday overlap), minus the
    # current a1+b1: 4 alternatives.
    assert "4 horaires possibles" in page
    assert page.count("Cliquez ici pour sélectionner cet horaire") == 4
    assert "Horaire n° 1 : 1 groupe changé" in page
    assert "Horaire n° 4 : 2 groupes changés" in page
    assert "(nouveau groupe)" in page
    offered = set(re.findall(r"sections=([0-9%C]+)", body))
    assert len(offered) == 4
    assert link(setup.a2, setup.b3, setup.c1) in offered
    assert not any(f"%2C{setup.a3.pk}%2C" in alternative for alternative in offered)
    assert link(setup.a2, setup.b2, setup.c1) not in offered


def test_wishes_filter_the_alternatives(setup, bob_client):
    # No class before 10:00: a1 (08:00) and b1 (08:00) must both go: a2 with b3 only.
    page = text(bob_client.get(PAGE, {"continuer": "1", "not_before": "10:00"}))
    assert "1 horaire possible" in page
    assert "420-2A4-TH Programmation orientée objet : groupe 01 → groupe 02" in page
    assert "420-2B4-TH Bases de données : groupe 01 → groupe 03" in page
    # Keeping a1 and b1: nothing else possible.
    kept = text(bob_client.get(PAGE, {"continuer": "1", "keep": [setup.a1.pk, setup.b1.pk]}))
    assert "Aucun autre horaire possible" in kept
    bad = text(bob_client.get(PAGE, {"continuer": "1", "not_before": "25:99"}))
    assert "Saisissez une heure valide" in bad or "Enter a valid time" in bad


def test_others_beyond_the_shown_best_are_counted(setup, bob_client, monkeypatch):
    monkeypatch.setattr("registration.change_selectors.ALTERNATIVES_SHOWN", 2)
    page = text(bob_client.get(PAGE, {"continuer": "1"}))
    assert "4 horaires possibles" in page
    assert page.count("Cliquez ici pour sélectionner cet horaire") == 2
    assert "2 autres ne sont pas affichés" in page


def test_others_cannot_see_the_module(setup, client, institution):
    assert client.get(PAGE).status_code in (302, 404)
    institution.enabled_modules = [m for m in institution.enabled_modules if m != "schedule_change"]
    institution.save(update_fields=["enabled_modules"])
    student_login(client, "2026102")
    assert client.get(PAGE).status_code == 404


# --- Confirming -------------------------------------------------------------------------------


def test_confirm_moves_bills_emails_and_audits(setup, bob_client, commit):
    page = text(bob_client.get(CONFIRM, {"sections": ids(setup.a2, setup.b3, setup.c1)}))
    assert "L'horaire choisi" in page and "Mot de passe" in page
    assert "420-2A4-TH Programmation orientée objet : groupe 01 → groupe 02" in page
    with commit():
        response = confirm(bob_client, setup.a2, setup.b3, setup.c1)
    page = text(response)
    assert "La modification d'horaire est effectuée" in page
    change = ScheduleChange.objects.get()
    assert change.confirmation.number in page
    assert change.confirmation.kind == Confirmation.Kind.SCHEDULE_CHANGE
    assert sections_of(setup.student, setup.term) == {setup.a2.pk, setup.b3.pk, setup.c1.pk}
    assert {(line.previous_id, line.new_id) for line in change.lines.all()} == {
        (setup.a1.pk, setup.a2.pk),
        (setup.b1.pk, setup.b3.pk),
    }
    line = change.fee_invoice.lines.get()
    assert line.description == FEE_TEXT and line.amount == Decimal("15.00")
    assert line.invoice.status == Invoice.Status.OPEN and line.invoice.session == "AUT-2026"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SCHEDULE_CHANGED).count() == 1
    (message,) = mail.outbox
    assert message.to == ["bob@etudiant.example"]
    assert change.confirmation.number in message.subject
    assert "groupe 01 → groupe 02" in message.body
    # The payment centre lists the fee; the schedule, its print view and the ICS follow.
    assert FEE_TEXT in text(bob_client.get(reverse("billing:statement")))
    schedule = text(bob_client.get(reverse("students:schedule_term", args=["AUT-2026"])))
    assert "D-2" in schedule and "D-6" in schedule and "D-1" not in schedule
    printed = text(bob_client.get(reverse("students:schedule_print", args=["AUT-2026"])))
    assert "D-2" in printed and "D-1" not in printed
    ics = bob_client.get(reverse("students:schedule_ics", args=["AUT-2026"])).content.decode()
    assert "LOCATION:D-2" in ics and "LOCATION:D-1\r" not in ics
    # The teachers' MIO section lists follow the enrolments.
    bob = setup.student.user
    assert bob in section_users(setup.a2) and bob not in section_users(setup.a1)


def test_fee_billed_once_per_confirmed_change(setup, bob_client):
    confirm(bob_client, setup.a2, setup.b1, setup.c1)
    # The same request again (a double click): it is now the current schedule, not billed.
    again = text(confirm(bob_client, setup.a2, setup.b1, setup.c1))
    assert "Cet horaire est votre horaire actuel" in again
    assert InvoiceLine.objects.filter(description=FEE_TEXT).count() == 1
    confirm(bob_client, setup.a2, setup.b3, setup.c1)
    assert ScheduleChange.objects.count() == 2
    assert InvoiceLine.objects.filter(description=FEE_TEXT).count() == 2
    assert Invoice.objects.filter(student=setup.student).count() == 2


def test_no_fee_when_the_term_has_none(setup, bob_client):
    TermRegistration.objects.filter(pk=setup.registration.pk).update(change_fee=0)
    confirm(bob_client, setup.a2, setup.b1, setup.c1)
    change = ScheduleChange.objects.get()
    assert change.fee_invoice is None and not Invoice.objects.exists()


def test_wrong_password_changes_nothing(setup, bob_client):
    response = confirm(bob_client, setup.a2, setup.b1, setup.c1, password="pas-le-bon")
    assert "Mot de passe incorrect" in text(response)
    nothing_changed(setup)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.REAUTH_FAILED).count() == 1


@pytest.mark.parametrize("days", [3, -2])
def test_outside_the_window(setup, bob_client, days):
    setup.registration.delete()
    open_window(setup.term, days=days)
    page = text(bob_client.get(PAGE, {"continuer": "1"}))
    if days > 0:
        assert "La modification d'horaire ouvrira le" in page
    else:
        assert "La modification d'horaire est fermée depuis le" in page
    assert "Cliquez ici pour sélectionner cet horaire" not in page
    response = confirm(bob_client, setup.a2, setup.b1, setup.c1)
    assert "La modification d'horaire est fermée ; rien n'a été modifié" in text(response)
    nothing_changed(setup)


def test_no_window_says_so(setup, bob_client):
    setup.registration.delete()
    page = text(bob_client.get(PAGE))
    assert "Aucune modification d'horaire n'est prévue" in page
    assert bob_client.post(CONFIRM, {"sections": "1", "password": PASSWORD}).status_code == 404


def test_tampered_section_of_another_course(setup, bob_client):
    other = make_section(setup.term, make_course("999-ZZZ-TH"), capacity=30)
    for sections in [
        (other, setup.b1, setup.c1),  # another course instead of 420-2A4-TH
        (setup.b2, setup.b1, setup.c1),  # 420-2B4-TH twice, 420-2A4-TH missing
        (setup.a2, setup.c1),  # a course missing
        (setup.a2, setup.a1, setup.b1, setup.c1),  # a course twice
    ]:
        page = text(confirm(bob_client, *sections))
        assert "Cet horaire n'est pas un horaire possible pour vous" in page
    assert bob_client.post(CONFIRM, {"sections": "x,1", "password": PASSWORD}).status_code == 302
    nothing_changed(setup)


def test_tampered_full_section(setup, bob_client):
    page = text(confirm(bob_client, setup.a3, setup.b1, setup.c1))
    assert "420-2A4-TH gr. 03 n'a plus de place libre" in page
    assert "Rien n'a été modifié" in page
    assert "Horaires possibles" in page  # a fresh list
    nothing_changed(setup)


def test_tampered_conflicting_pair(setup, bob_client):
    page = text(confirm(bob_client, setup.a2, setup.b2, setup.c1))
    assert "Cet horaire n'est pas un horaire possible pour vous" in page
    nothing_changed(setup)


def test_service_rechecks_what_the_page_checked(setup):
    """The service refuses on its own, whatever the view did."""
    for sections, code in [
        ([setup.a3.pk, setup.b1.pk, setup.c1.pk], "full"),
        ([setup.a2.pk, setup.b2.pk, setup.c1.pk], "conflict"),
        ([setup.b2.pk, setup.b1.pk, setup.c1.pk], "course"),
    ]:
        with pytest.raises(ChangeRefused) as refused:
            schedule_change_confirm(
                request=None,
                student=setup.student,
                registration=setup.registration,
                section_ids=sections,
                actor=None,
            )
        assert refused.value.problem.code == code
    nothing_changed(setup)


def test_place_taken_meanwhile_gives_a_fresh_list(setup, bob_client, institution):
    TermRegistration.objects.filter(pk=setup.registration.pk)
    Section.objects.filter(pk=setup.a2.pk).update(capacity=1)
    listed = bob_client.get(PAGE, {"continuer": "1"}).content.decode()
    assert f"sections={link(setup.a2, setup.b1, setup.c1)}" in listed
    # Someone takes a2's last place between the list and the confirmation.
    enrol(make_student(institution, matricule="2026150"), setup.a2)
    page = text(confirm(bob_client, setup.a2, setup.b1, setup.c1))
    assert "420-2A4-TH gr. 02 n'a plus de place libre" in page
    assert "Horaires possibles" in page
    nothing_changed(setup)


# --- Staff ------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(db) -> Client:
    staff = User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")
    client = Client()
    client.force_login(staff)
    return client


def cancel_action(staff_client: Client, change: ScheduleChange):
    return staff_client.post(
        reverse("admin:registration_schedulechange_changelist"),
        {"action": "cancel_changes", "_selected_action": [change.pk]},
        follow=True,
    )


def test_staff_list_and_cancel_unpaid(setup, bob_client, staff_client):
    confirm(bob_client, setup.a2, setup.b3, setup.c1)
    change = ScheduleChange.objects.get()
    listing = text(
        staff_client.get(
            reverse("admin:registration_schedulechange_changelist"),
            {"term__id__exact": setup.term.pk},
        )
    )
    assert change.confirmation.number in listing
    page = text(cancel_action(staff_client, change))
    assert "annulée" in page and "Groupes rétablis" in page
    change.refresh_from_db()
    assert change.status == ScheduleChange.Status.CANCELLED
    assert change.fee_outcome == ScheduleChange.FeeOutcome.CANCELLED
    assert change.cancelled_by.username == "registraire"
    assert sections_of(setup.student, setup.term) == {setup.a1.pk, setup.b1.pk, setup.c1.pk}
    assert change.fee_invoice.status == Invoice.Status.CANCELLED
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SCHEDULE_CHANGE_CANCELLED).count() == 1
    # Cancelling again changes nothing.
    assert "déjà annulée" in text(cancel_action(staff_client, change))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SCHEDULE_CHANGE_CANCELLED).count() == 1


def test_staff_cancel_paid_fee_is_refunded_and_full_section_reported(
    setup, bob_client, staff_client, institution
):
    confirm(bob_client, setup.a2, setup.b3, setup.c1)
    change = ScheduleChange.objects.get()
    staff = User.objects.get(username="registraire")
    payment_record_in_person(
        request=None,
        actor=staff,
        student=setup.student,
        invoices=[change.fee_invoice],
        method=Payment.IN_PERSON[0],
    )
    # a1's place is taken by someone else since Bob left it.
    Section.objects.filter(pk=setup.a1.pk).update(capacity=1)
    enrol(make_student(institution, matricule="2026151"), setup.a1)
    page = text(cancel_action(staff_client, change))
    assert "groupes non rétablis : 420-2A4-TH gr. 01 (complet)" in page
    assert sections_of(setup.student, setup.term) == {setup.a2.pk, setup.b1.pk, setup.c1.pk}
    change.refresh_from_db()
    assert change.fee_outcome == ScheduleChange.FeeOutcome.REFUNDED
    assert Payment.objects.get().status == Payment.Status.REFUNDED
    assert change.fee_invoice.status == Invoice.Status.CANCELLED


def test_staff_cancel_fee_paid_with_other_invoices_is_flagged(setup, bob_client):
    confirm(bob_client, setup.a2, setup.b3, setup.c1)
    change = ScheduleChange.objects.get()
    other = Invoice.objects.create(
        student=setup.student,
        number="FAC00000397",
        session="AUT-2026",
        description="Droits de scolarité",
        due_date=timezone.localdate(),
    )
    InvoiceLine.objects.create(invoice=other, description="Droits", amount=Decimal("100.00"))
    payment_record_in_person(
        request=None,
        actor=None,
        student=setup.student,
        invoices=[change.fee_invoice, other],
        method=Payment.IN_PERSON[0],
    )
    report = schedule_change_cancel(request=None, change=change, actor=None)
    assert report.fee_outcome == ScheduleChange.FeeOutcome.REFUND_DUE
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED
    assert sections_of(setup.student, setup.term) == {setup.a1.pk, setup.b1.pk, setup.c1.pk}


def test_staff_sets_window_and_fee_in_admin(setup, staff_client):
    url = reverse("admin:registration_termregistration_change", args=[setup.registration.pk])
    page = text(staff_client.get(url))
    for label in [
        "Ouverture de la modification d'horaire",
        "Fermeture de la modification d'horaire",
        "Frais par modification d'horaire ($)",
    ]:
        assert label in page


# --- Query budget -----------------------------------------------------------------------------


def _student_with_courses(institution, term: Term, count: int, matricule: str) -> Client:
    student = make_student(institution, matricule=matricule)
    activate(student, password=PASSWORD)
    for n in range(count):
        course = make_course(f"{matricule[-2:]}{n}-QB-TH")
        day = n % 5 + 1
        for group in range(3):
            start = 8 + group * 3
            section = make_section(
                term,
                course,
                group=f"0{group + 1}",
                capacity=30,
                meetings=[(day, f"{start:02d}:00", f"{start + 1:02d}:00", "Q-1")],
            )
            if group == 0:
                enrol(student, section)
    client = Client()
    student_login(client, matricule)
    return client


def test_alternatives_page_query_count_is_constant(institution, query_budget):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    term = make_term("AUT-2026", current=True)
    open_window(term)
    counts = []
    for count, matricule in [(2, "2026160"), (8, "2026170")]:
        client = _student_with_courses(institution, term, count, matricule)
        client.get(PAGE, {"continuer": "1"})  # first visit (session, caches)
        with query_budget(15), CaptureQueriesContext(conn) as queries:
            response = client.get(PAGE, {"continuer": "1"})
        assert response.status_code == 200
        assert "Cliquez ici pour sélectionner cet horaire" in response.content.decode()
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# --- PostgreSQL: two students, the last place -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_students_confirming_the_last_place(load_preset):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises every writer anyway")
    institution = load_preset("cstj")
    term = make_term("AUT-2026", current=True)
    course = make_course("420-2A4-TH")
    full_soon = make_section(
        term, course, group="02", capacity=1, meetings=[(2, "10:00", "12:00", "D-2")]
    )
    first = make_section(
        term, course, group="01", capacity=30, meetings=[(1, "08:00", "10:00", "D-1")]
    )
    students = []
    for matricule in ["2026180", "2026181"]:
        student = make_student(institution, matricule=matricule)
        activate(student, password=PASSWORD)
        enrol(student, first)
        students.append(student)
    registration = open_window(term)
    barrier = threading.Barrier(2)
    results, refusals, errors = [], [], []

    def attempt(student: Student) -> None:
        try:
            mine = Student.objects.select_related("user").get(pk=student.pk)
            reg = TermRegistration.objects.select_related("term").get(pk=registration.pk)
            barrier.wait(timeout=10)
            results.append(
                schedule_change_confirm(
                    request=None,
                    student=mine,
                    registration=reg,
                    section_ids=[full_soon.pk],
                    actor=mine.user,
                )
            )
        except ChangeRefused as refused:
            refusals.append((student.pk, refused.problem))
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == 1 and len(refusals) == 1
    loser, problem = refusals[0]
    assert problem.code == "full" and problem.sections[0].pk == full_soon.pk
    assert Enrolment.objects.filter(section=full_soon).count() == 1
    assert Enrolment.objects.filter(section=first, student_id=loser).count() == 1
    assert ScheduleChange.objects.count() == 1
    assert InvoiceLine.objects.filter(description=FEE_TEXT).count() == 1
    # The loser sees why on the page: the section is full, the list is fresh.
    client = Client()
    student_login(client, Student.objects.get(pk=loser).matricule)
    page = text(
        client.post(CONFIRM, {"sections": str(full_soon.pk), "password": PASSWORD}, follow=True)
    )
    assert "420-2A4-TH gr. 02 n'a plus de place libre" in page
    assert "Aucun autre horaire possible" in page
    assert Course.objects.count() == 1
