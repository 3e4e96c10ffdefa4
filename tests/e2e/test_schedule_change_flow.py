"""Modification d'horaire in a real browser: a student asks for no class before 10:00, picks
the first alternative, confirms with the password, sees the new schedule and the fee in the
payment centre. The pages pass axe-core and fit a phone (390 px) and a desktop (1280 px), and
break no Content Security Policy."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.models import Institution
from registration.models import ScheduleChange, TermRegistration
from students.models import Enrolment, Student, Term
from tests.conftest import PASSWORD
from tests.e2e.a11y import (
    assert_accessible,
    assert_cells_inside_viewport,
    assert_no_sideways_scroll,
)
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in
from tests.factories import activate, make_student
from tests.students.factories_courses import enrol, make_course, make_section


@pytest.fixture
def student(institution: Institution) -> Student:
    today = timezone.localdate()
    now = timezone.now()
    record = make_student(institution, matricule="2026175", last_name="Roy", first_name="Maude")
    activate(record, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))
    term = Term.objects.create(
        code="AUT-2026",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=100),
    )
    oop = make_course("420-2A4-TH", "Programmation orientée objet")
    db = make_course("420-2B4-TH", "Bases de données")
    web = make_course("420-2C3-TH", "Développement Web 1")
    enrol(record, make_section(term, oop, group="01", capacity=30,
                               meetings=[(1, "08:00", "10:00", "D-2120")]))  # fmt: skip
    make_section(term, oop, group="02", capacity=30, meetings=[(1, "13:00", "15:00", "D-2122")])
    enrol(record, make_section(term, db, group="01", capacity=30,
                               meetings=[(2, "10:15", "12:15", "D-2124")]))  # fmt: skip
    make_section(term, db, group="02", capacity=30, meetings=[(3, "08:00", "10:00", "D-2126")])
    enrol(record, make_section(term, web, group="01", capacity=30,
                               meetings=[(4, "08:30", "11:30", "D-2130")]))  # fmt: skip
    make_section(term, web, group="02", capacity=30, meetings=[(4, "13:00", "16:00", "D-2132")])
    TermRegistration.objects.create(
        term=term,
        choice_opens=now - datetime.timedelta(days=200),
        choice_closes=now - datetime.timedelta(days=150),
        confirmation_deadline=today + datetime.timedelta(days=5),
        change_opens=now - datetime.timedelta(days=1),
        change_closes=now + datetime.timedelta(days=7),
        change_fee=Decimal("15.00"),
    )
    return record


def _check_layout(page: Page) -> None:
    for width, height in [(390, 844), (1280, 900)]:
        page.set_viewport_size({"width": width, "height": height})
        assert_accessible(page)
        assert_no_sideways_scroll(page)
        assert_cells_inside_viewport(page)


def test_no_class_before_ten_pick_confirm_and_pay(
    page: Page,
    student: Student,
    console_errors: list[str],
    screenshot: Callable[[Page, str], None],
) -> None:
    page.goto("/")
    log_in(page, label="Matricule (7 chiffres)", number="2026175", password=PASSWORD)
    page.get_by_role("link", name="Modification d'horaire").first.click()
    expect(page.get_by_role("heading", name="Modification d'horaire — AUT-2026")).to_be_visible()
    _check_layout(page)

    page.get_by_label("Aucun cours avant").fill("10:00")
    page.get_by_role("button", name="Continuer").click()
    alternatives = page.get_by_test_id("alternative")
    # 420-2A4-TH gr. 02 and 420-2C3-TH gr. 02 are the only groups not before 10:00; 420-2B4-TH
    # stays in gr. 01: one alternative.
    expect(alternatives).to_have_count(1)
    expect(alternatives.first.get_by_text("(nouveau groupe)").first).to_be_visible()
    screenshot(page, "schedule-change-alternatives.png")
    _check_layout(page)

    alternatives.first.get_by_role("link", name="Cliquez ici pour sélectionner cet horaire").click()
    expect(page.get_by_role("heading", name="L'horaire choisi")).to_be_visible()
    _check_layout(page)
    page.get_by_role("textbox", name="Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer la modification d'horaire").click()

    change = ScheduleChange.objects.get(student=student)
    expect(page.get_by_test_id("confirmation-number")).to_have_text(change.confirmation.number)
    expect(page.get_by_test_id("new-schedule")).to_contain_text("D-2122")
    _check_layout(page)
    groups = dict(
        Enrolment.objects.filter(student=student).values_list(
            "section__course__code", "section__group"
        )
    )
    assert groups == {"420-2A4-TH": "02", "420-2B4-TH": "01", "420-2C3-TH": "02"}

    page.goto("/horaire/AUT-2026/")
    expect(page.get_by_text("D-2132").first).to_be_attached()
    page.goto("/")
    page.get_by_role("link", name="Centre de paiement").first.click()
    expect(page.get_by_text("Frais de modification d'horaire").first).to_be_visible()
    assert_no_csp_violation(console_errors)
