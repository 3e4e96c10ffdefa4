"""The payment centre in a real browser: a student with two open invoices removes a voluntary
contribution, pays both with the demo processor's card form, gets the "Relevé de transaction"
and its PDF, and is left with nothing to pay. A declined card leaves everything to pay."""

import re
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from billing.models import Invoice, Payment
from portal.models import Institution
from students.models import Student
from tests.conftest import PASSWORD
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in
from tests.factories import activate, make_invoice, make_student

LOGIN = "Matricule (7 chiffres)"
APPROVED_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


@pytest.fixture
def student(institution: Institution) -> Student:
    """An activated cstj student with two open invoices: 175 + 25 (voluntary), and 50."""
    record = make_student(
        institution, matricule="2026150", last_name="Lavoie", first_name="Mathis", sex="M"
    )
    activate(record, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))
    make_invoice(
        record,
        number="FAC00000397",
        description="Droits de scolarité",
        lines=(("Droits d'inscription", "175.00", False), ("Association étudiante", "25.00", True)),
        due_in_days=30,
    )
    make_invoice(
        record,
        number="FAC00000398",
        description="Activités parascolaires",
        lines=(("Activités sportives et culturelles", "50.00", False),),
        due_in_days=45,
    )
    return record


def invoice_row(page: Page, number: str) -> Locator:
    return page.get_by_role("row").filter(has_text=number)


def go_to_statement_from_home(page: Page, student: Student, balance: str) -> None:
    page.goto("/")
    log_in(page, label=LOGIN, number=student.matricule, password=PASSWORD)
    expect(page.get_by_role("heading", name=f"Bienvenue, {student.first_name}")).to_be_visible()
    expect(page.get_by_text(f"Solde à payer de {balance}")).to_be_visible()
    page.get_by_role("link", name="Consultez votre état de compte maintenant").click()
    expect(page.get_by_role("heading", name="État de compte")).to_be_visible()


def pay_selected_with(page: Page, card: str, *, total: str, watch_countdown: bool) -> None:
    """From the statement: the selection, its total, then the demo card form filled in."""
    page.get_by_role("button", name="Payer les factures sélectionnées").click()
    expect(page.get_by_role("heading", name="Factures sélectionnées")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("TOTAL À PAYER"))).to_contain_text(total)
    page.get_by_role("button", name="Payer votre facture").click()

    expect(page.get_by_role("heading", name=re.compile("Paiement en ligne"))).to_be_visible()
    expect(page.get_by_text(f"{total} CAD")).to_be_visible()
    countdown = page.locator("#countdown")
    expect(page.get_by_role("timer")).to_contain_text("Il vous reste")
    expect(countdown).to_have_text(re.compile(r"^(2:5\d|3:00)$"))
    if watch_countdown:
        # The countdown script runs (CSP lets it): the figure goes down within a second or so.
        shown = countdown.inner_text()
        expect(countdown).not_to_have_text(shown, timeout=2_500)
        expect(countdown).to_have_text(re.compile(r"^2:5\d$"))

    page.get_by_label("Numéro de la carte de crédit").fill(card)
    # 12/30 today; always a few years ahead so that the card never expires under the test.
    page.get_by_label("Date d'expiration (MM/AA)").fill(f"12/{(date.today().year + 4) % 100:02d}")
    page.get_by_label("Code de sécurité (CVC)").fill("123")


def test_declined_card_leaves_the_invoices_to_pay(
    page: Page, student: Student, console_errors: list[str]
) -> None:
    go_to_statement_from_home(page, student, "250,00 $")
    pay_selected_with(page, DECLINED_CARD, total="250,00 $", watch_countdown=False)
    page.get_by_role("button", name="Effectuer le paiement").click()

    expect(page.get_by_role("heading", name="Paiement refusé")).to_be_visible()
    expect(page.get_by_text("vos factures restent à payer")).to_be_visible()
    assert Payment.objects.get(student=student).status == Payment.Status.FAILED

    page.get_by_role("link", name="Retour à l'état de compte").click()
    expect(page.get_by_role("heading", name="État de compte")).to_be_visible()
    for number in ("FAC00000397", "FAC00000398"):
        expect(page.get_by_role("checkbox", name=f"Payer la facture {number}")).to_be_checked()
    expect(page.get_by_text("VOTRE SOLDE : 250,00 $")).to_be_visible()
    assert not Invoice.objects.filter(student=student).exclude(status=Invoice.Status.OPEN).exists()
    assert_no_csp_violation(console_errors)
