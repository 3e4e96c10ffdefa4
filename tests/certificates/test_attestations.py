"""Attestation de fréquentation through HTTP: the request form, the fee paid in the payment
centre with the demo card, the PDF read back (pypdf) and its QR code decoded (zxing-cpp)."""

import io
from decimal import Decimal

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from billing.models import Invoice
from certificates.codes import code_display
from certificates.models import Attestation
from portal.models import AuditEvent
from portal.templatetags.portal_format import format_when
from tests.certificates.conftest import text
from tests.factories import make_student
from tests.pdf import pdf_text
from tests.students.factories_courses import make_term

URL = reverse("certificates:attestations")
APPROVED = "4242 4242 4242 4242"


def ask(client, term, purpose="insurance", language="fr"):
    return client.post(URL, {"term": term.pk, "purpose": purpose, "language": language})


def pdf_of(client, attestation):
    response = client.get(reverse("certificates:attestation_pdf", args=[attestation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def qr_of(content: bytes) -> str:
    images = PdfReader(io.BytesIO(content)).pages[0].images
    assert len(images) == 1
    found = zxingcpp.read_barcodes(images[0].image)
    assert len(found) == 1
    return found[0].text


def test_a_free_attestation_is_issued_at_once_with_what_it_certifies(
    bob_client, bob_record, current, past
):
    page = text(bob_client.get(URL))
    assert "Attestation de fréquentation" in page and "gratuite" in page
    response = ask(bob_client, current)
    assert response.status_code == 302
    attestation = Attestation.objects.get()
    assert attestation.invoice is None and attestation.issued_at is not None
    assert attestation.full_time and attestation.courses == 4
    assert AuditEvent.objects.filter(kind="attestation.requested").count() == 1
    assert "Télécharger le PDF" in text(bob_client.get(URL))

    content = pdf_of(bob_client, attestation)
    body = pdf_text(content)
    for expected in (
        "ATTESTATION DE FRÉQUENTATION SCOLAIRE",
        "Cégep de Saint-Jérôme",
        "Gagnon, Bob",
        "2026102",
        "17 septembre 2005",
        "420.B0 Techniques de l'informatique",
        "AUT-2026",
        f"du {format_when(current.starts_on)} au {format_when(current.ends_on)}",
        "Temps plein",
        f"Date d'émission {format_when(timezone.localtime(attestation.issued_at).date())}",
        code_display(attestation.code),
    ):
        assert expected in body, expected
    assert qr_of(content) == f"http://testserver/verifier/{attestation.code}/"


def test_part_time_by_the_rule_and_the_english_version(bob_client, current, past):
    ask(bob_client, past, purpose="loans", language="en")
    attestation = Attestation.objects.get()
    assert not attestation.full_time and attestation.hours == Decimal("51.0")
    body = pdf_text(pdf_of(bob_client, attestation))
    assert "CERTIFICATE OF ENROLMENT" in body
    assert "Part-time" in body and "Date of birth" in body and "HIV-2026" in body


def test_the_rule_is_the_institutions_data(bob_client, institution, current, past):
    institution.full_time_min_hours = 50
    institution.save(update_fields=["full_time_min_hours"])
    ask(bob_client, past)
    assert Attestation.objects.get().full_time  # 51 hours ≥ 50


def test_a_fee_becomes_an_invoice_paid_with_the_demo_card_then_the_pdf(
    bob_client, institution, current
):
    institution.attestation_fee = Decimal("15.00")
    institution.save(update_fields=["attestation_fee"])
    response = ask(bob_client, current, purpose="employment")
    # Asked twice before paying (a double click): one attestation, one invoice.
    again = ask(bob_client, current, purpose="employment")
    assert again["Location"] == response["Location"]
    attestation = Attestation.objects.get()
    assert Invoice.objects.filter(number__startswith="ATT").count() == 1
    invoice = attestation.invoice
    assert invoice.number.startswith("ATT") and invoice.session == "AUT-2026"
    assert invoice.lines.get().amount == Decimal("15.00")
    assert response["Location"] == f"{reverse('billing:selection')}?factures={invoice.number}"
    # Not issued yet: no PDF, and the code verifies nothing.
    assert attestation.issued_at is None
    assert (
        bob_client.get(reverse("certificates:attestation_pdf", args=[attestation.pk])).status_code
        == 404
    )
    assert "Payer la facture" in text(bob_client.get(URL))
    assert "Aucune attestation valide" in text(
        bob_client.get(reverse("certificates:verify_code", args=[attestation.code]))
    )

    started = bob_client.post(reverse("billing:pay"), {"factures": [invoice.number]})
    paid = bob_client.post(
        started["Location"],
        {"card_number": APPROVED, "expiry": "12/39", "cvc": "123", "email": "bob@example.org"},
    )
    assert paid.status_code == 302
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID

    assert "Télécharger le PDF" in text(bob_client.get(URL))
    attestation.refresh_from_db()
    assert attestation.issued_at is not None
    assert "Temps plein" in pdf_text(pdf_of(bob_client, attestation))


def test_only_terms_the_student_is_enrolled_in_and_not_future_ones(bob_client, current):
    future = make_term("ETE-2027")
    response = ask(bob_client, future)
    assert response.status_code == 200
    assert "Choisissez une session à laquelle vous êtes inscrit." in text(response)
    assert not Attestation.objects.exists()


def test_another_students_pdf_is_a_404_and_the_module_can_be_off(bob_client, institution, current):
    other = make_student(institution, matricule="2026999")
    foreign = Attestation.objects.create(
        student=other,
        term=current,
        purpose="other",
        language="fr",
        code="A" * 16,
        fee=0,
        full_time=True,
        courses=4,
        hours=0,
        issued_at=current.starts_on and None,
    )
    assert (
        bob_client.get(reverse("certificates:attestation_pdf", args=[foreign.pk])).status_code
        == 404
    )
    institution.enabled_modules = [
        m for m in institution.enabled_modules if m != "attendance_certificate"
    ]
    institution.save(update_fields=["enabled_modules"])
    assert bob_client.get(URL).status_code == 404


@pytest.mark.parametrize("language", ["fr", "en"])
def test_bad_input_gets_a_french_message_never_a_500(bob_client, current, language):
    response = bob_client.post(URL, {"term": "abc", "purpose": "bribe", "language": language})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
