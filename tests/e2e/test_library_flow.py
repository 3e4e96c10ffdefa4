"""Bibliothèque in a real browser: a student opens the module from the menu, searches without
accents, opens a record whose only copy is on loan and puts it on hold (position 1), then
renews one of her loans and sees why the other cannot be. No page breaks the CSP."""

from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from library.models import Hold, Loan
from portal.models import Institution
from portal.templatetags.portal_format import format_when
from students.models import Student
from tests.conftest import PASSWORD
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in
from tests.factories import activate, make_student
from tests.library.factories import make_loan, make_record


@pytest.fixture
def justine(institution: Institution) -> Student:
    record = make_student(
        institution, matricule="2026170", last_name="Pelletier", first_name="Justine"
    )
    activate(record, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))
    return record


def test_search_hold_and_renew(
    page: Page,
    institution: Institution,
    justine: Student,
    console_errors: list[str],
    screenshot: Callable[[Page, str], None],
) -> None:
    other = make_student(institution, matricule="2026171", first_name="Noah", last_name="Roy")
    wanted = make_record("Électricité du bâtiment", control="el", subjects="Électricité")
    make_record("Manuel du technicien", control="mt", subjects="Électricité")
    make_loan(wanted.copies.get(), other, due_in=10)
    renewable = make_loan(
        make_record("Chimie organique", control="ch").copies.get(), justine, due_in=2
    )
    used_up = make_loan(
        make_record("Biologie cellulaire", control="bi").copies.get(),
        justine,
        due_in=3,
        renewals=2,
    )

    page.goto("/")
    log_in(page, label="Matricule (7 chiffres)", number="2026170", password=PASSWORD)
    page.get_by_role("navigation", name="Mes services").get_by_role(
        "link", name="Bibliothèque", exact=True
    ).click()

    page.get_by_label("Mots à chercher").fill("electricite")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("library-count")).to_have_text("2 documents trouvés")
    expect(page.get_by_test_id("record").first).to_contain_text("Électricité du bâtiment")
    screenshot(page, "library-search.png")

    page.get_by_role("link", name="Électricité du bâtiment").click()
    expect(page.get_by_test_id("copy-status")).to_have_text(
        "prêté jusqu'au " + format_when(Loan.objects.get(student=other).due_on, "SHORT_DATE_FORMAT")
    )
    page.get_by_role("button", name="Mettre de côté").click()
    expect(page.get_by_text("vous êtes à la position 1 de la file d'attente")).to_be_visible()
    expect(page.get_by_test_id("hold-status")).to_have_text("Position 1 dans la file d'attente")
    assert Hold.objects.get(student=justine).status == Hold.Status.WAITING

    page.get_by_role("link", name="Mes prêts").click()
    expect(page.get_by_test_id("renewal-refusal")).to_contain_text("déjà été renouvelé 2 fois")
    page.get_by_role("button", name="Renouveler", exact=True).click()
    expect(page.get_by_text("« Chimie organique » est renouvelé jusqu'au")).to_be_visible()
    renewable.refresh_from_db()
    assert renewable.renewals == 1 and renewable.due_on > timezone.localdate()
    used_up.refresh_from_db()
    assert used_up.renewals == 2
    screenshot(page, "library-loans.png")
    assert_no_csp_violation(console_errors)
