"""Attestation de fréquentation in a real browser: a student asks for one, pays its fee with
the demo card, downloads the PDF, and a bank opens the QR code's address in another browser
(no session) to find it authentic."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from certificates.models import Attestation
from portal.models import Institution
from students.models import Student
from tests.conftest import PASSWORD
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in
from tests.e2e.test_payment_flow import APPROVED_CARD, LOGIN
from tests.e2e.test_student_services import open_module
from tests.factories import activate, make_student
from tests.pdf import pdf_text
from tests.students.factories_courses import enrol, make_course, make_section, make_term


@pytest.fixture
def student(institution: Institution) -> Student:
    institution.attestation_fee = Decimal("12.50")
    institution.save(update_fields=["attestation_fee"])
    record = make_student(
        institution, matricule="2026160", last_name="Lavoie", first_name="Mathis", sex="M"
    )
    activate(record, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))
    term = make_term("AUT-2026", current=True)
    for day in range(1, 5):
        enrol(record, make_section(term, make_course(), meetings=[(day, "08:00", "11:00", "")]))
    return record


def test_request_pay_download_and_verify(open_page, student: Student, console_errors) -> None:
    page: Page = open_page()
    page.goto("/")
    log_in(page, label=LOGIN, number=student.matricule, password=PASSWORD)
    open_module(page, "Attestation de fréquentation")
    expect(page.get_by_role("heading", name="Attestation de fréquentation")).to_be_visible()
    expect(page.get_by_text("Frais : 12,50 $")).to_be_visible()
    page.get_by_role("combobox", name="Session").select_option(label="AUT-2026")
    page.get_by_label("Motif de la demande").select_option(label="Prêts et bourses")
    page.get_by_label("Langue de l'attestation").select_option(label="Français")
    page.get_by_role("button", name="Demander l'attestation").click()

    # The payment centre's own steps, with the demo card.
    expect(page.get_by_role("heading", name="Factures sélectionnées")).to_be_visible()
    page.get_by_role("button", name="Payer votre facture").click()
    pay_selected_card(page)
    expect(page.get_by_role("heading", name="RELEVÉ DE TRANSACTION")).to_be_visible()

    open_module(page, "Attestation de fréquentation")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le PDF").click()
    content = Path(download_info.value.path()).read_bytes()
    attestation = Attestation.objects.get(student=student)
    body = pdf_text(content)
    assert "Lavoie, Mathis" in body and "Temps plein" in body and "AUT-2026" in body
    image = PdfReader(io.BytesIO(content)).pages[0].images[0].image
    url = zxingcpp.read_barcodes(image)[0].text
    assert url.endswith(f"/verifier/{attestation.code}/")
    assert_no_csp_violation(console_errors)

    # A bank, in its own browser: no session, the QR code's address.
    bank = open_page()
    bank.goto(url)
    expect(bank.get_by_role("heading", name="Attestation authentique")).to_be_visible()
    verdict = bank.get_by_role("status")
    expect(verdict).to_contain_text("Mathis Lavoie")
    expect(verdict).to_contain_text("Temps plein")
    expect(verdict).not_to_contain_text(student.matricule)
    # A mistyped code answers plainly.
    bank.get_by_label("Code de vérification").fill("AAAA-BBBB-CCCC-DDDD")
    bank.get_by_role("button", name="Vérifier").click()
    expect(bank.get_by_text("Aucune attestation valide ne correspond à ce code.")).to_be_visible()
    assert_no_csp_violation(console_errors)


def pay_selected_card(page: Page) -> None:
    page.get_by_label("Numéro de la carte de crédit").fill(APPROVED_CARD)
    page.get_by_label("Date d'expiration (MM/AA)").fill("12/39")
    page.get_by_label("Code de sécurité (CVC)").fill("123")
    page.get_by_role("button", name="Effectuer le paiement").click()
