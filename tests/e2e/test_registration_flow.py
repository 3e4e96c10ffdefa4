"""Course choice and enrolment confirmation in a real browser: a student ranks the electives,
submits with the password, sees and prints the confirmation number; after the placement, the
new term is on the schedule; the student confirms attendance in the term under way. No page
breaks the Content Security Policy."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.models import Confirmation, Institution
from registration.models import ElectiveList, EnrolmentConfirmation, TermRegistration
from students.models import Student, Term
from tests.conftest import PASSWORD
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in
from tests.factories import activate, make_student
from tests.students.factories_courses import enrol, make_course, make_program, make_section


@pytest.fixture
def student(institution: Institution) -> Student:
    today = timezone.localdate()
    now = timezone.now()
    program = make_program()
    record = make_student(
        institution, matricule="2026170", last_name="Lavoie", first_name="Rosalie", program=program
    )
    activate(record, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))
    current = Term.objects.create(
        code="AUT-2026",
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today + datetime.timedelta(days=60),
    )
    upcoming = Term.objects.create(
        code="HIV-2027",
        starts_on=today + datetime.timedelta(days=70),
        ends_on=today + datetime.timedelta(days=190),
    )
    enrol(
        record,
        make_section(
            current, make_course("420-1A4-TH", "Programmation 1", program=program, program_term=1)
        ),
    )
    make_section(
        upcoming,
        make_course("420-2A4-TH", "Programmation orientée objet", program=program, program_term=2),
        capacity=30,
        meetings=[(1, "08:00", "10:00", "D-2120")],
    )
    electives = ElectiveList.objects.create(
        term=upcoming, code="complementaires", name="Cours complémentaires", size=2
    )
    for code, title, day in [("360-C01-TH", "Astronomie", 2), ("360-C02-TH", "Espagnol", 3)]:
        course = make_course(code, title)
        make_section(upcoming, course, capacity=30, meetings=[(day, "13:00", "15:00", "C-1104")])
        electives.courses.add(course)
    TermRegistration.objects.create(
        term=upcoming,
        choice_opens=now - datetime.timedelta(days=1),
        choice_closes=now + datetime.timedelta(days=7),
        confirmation_deadline=upcoming.starts_on + datetime.timedelta(days=20),
        late_fee=Decimal("25.00"),
    )
    TermRegistration.objects.create(
        term=current,
        choice_opens=now - datetime.timedelta(days=200),
        choice_closes=now - datetime.timedelta(days=150),
        confirmation_deadline=today + datetime.timedelta(days=5),
        late_fee=Decimal("25.00"),
    )
    return record


def test_choose_place_and_confirm(
    page: Page,
    student: Student,
    console_errors: list[str],
    screenshot: Callable[[Page, str], None],
) -> None:
    page.goto("/")
    log_in(page, label="Matricule (7 chiffres)", number="2026170", password=PASSWORD)
    page.get_by_role("link", name="Choix de cours").first.click()
    expect(page.get_by_role("heading", name="Choix de cours", exact=True)).to_be_visible()
    expect(page.get_by_label("420-2A4-TH Programmation orientée objet")).to_be_checked()
    page.get_by_label("360-C02-TH Espagnol").fill("1")
    page.get_by_label("360-C01-TH Astronomie").fill("2")
    page.get_by_role("textbox", name="Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Remettre le choix de cours").click()
    number = Confirmation.objects.get(kind="course_choice").number
    expect(page.get_by_test_id("confirmation-number")).to_have_text(number)
    screenshot(page, "choice-confirmation")
    page.get_by_role("link", name="Version imprimable").click()
    expect(page.get_by_test_id("confirmation-number")).to_have_text(number)

    call_command("place_students", "HIV-2027", stdout=StringIO())
    page.goto("/horaire/HIV-2027/")
    expect(page.get_by_text("420-2A4-TH").first).to_be_visible()
    expect(page.get_by_text("360-C02-TH").first).to_be_visible()  # the first choice

    page.goto("/")
    expect(page.get_by_test_id("confirmation-reminder")).to_be_visible()
    page.get_by_role("link", name="Confirmer mon inscription").click()
    page.get_by_role("textbox", name="Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer ma présence").click()
    confirmed = EnrolmentConfirmation.objects.get(student=student)
    expect(page.get_by_test_id("confirmation-number")).to_have_text(confirmed.confirmation.number)
    assert_no_csp_violation(console_errors)
