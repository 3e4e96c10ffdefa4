"""The demo processor ("Paiement en ligne") through HTTP: Stripe's test cards approve and
decline, the 3:00 countdown expires, and the "Relevé de transaction" that follows (page, PDF,
email, "Envoyer")."""

# Fixtures shared with test_statement.py are imported, and tests take them as arguments.
# ruff: noqa: F811

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing.models import Invoice, Payment, Receipt
from portal.models import AuditEvent
from portal.templatetags.portal_format import format_when
from tests.accounts.test_first_use import page
from tests.billing.test_statement import (  # noqa: F401 (fixtures)
    HOME,
    STATEMENT,
    activities,
    balance_shown,
    bob_client,
    counter_payment,
    pay_start,
    student_of,
    tuition,
    visible,
)
from tests.factories import make_invoice
from tests.pdf import pdf_text

APPROVED = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


def card(number: str = APPROVED, **overrides: str) -> dict[str, str]:
    """The card form, filled in as a person would: a future expiry, a 3-digit code."""
    year = (timezone.localdate().year + 3) % 100
    return {"card_number": number, "expiry": f"12/{year:02d}", "cvc": "123", **overrides}


def demo_url(payment: Payment) -> str:
    return reverse("billing:demo_pay", args=[payment.reference])


def status_url(payment: Payment) -> str:
    return reverse("billing:payment", args=[payment.reference])


def refreshed(payment: Payment) -> Payment:
    return Payment.objects.get(pk=payment.pk)


@pytest.fixture
def payment(bob_client: Client, tuition: Invoice) -> Payment:
    return pay_start(bob_client, tuition)


def test_the_card_form_shows_the_amount_and_a_three_minute_countdown(bob_client, payment):
    assert payment.provider == Payment.Provider.DEMO
    response = bob_client.get(demo_url(payment))
    assert response.status_code == 200
    text = visible(response)
    assert "Paiement en ligne — formulaire de paiement" in text
    assert "Montant total 350,00 $ CAD" in text
    assert "FAC00000397" in text
    assert re.search(r"Il vous reste (3:00|2:59) pour effectuer votre paiement", text)
    seconds = re.search(r'id="countdown"[^>]*data-seconds="(\d+)"', page(response))
    assert 179 <= int(seconds[1]) <= 180
    for label in (
        "Numéro de la carte de crédit",
        "Date d'expiration (MM/AA)",
        "Code de sécurité (CVC)",
        "Adresse électronique (confirmation de transaction)",
    ):
        assert label in text


def test_4242_approves_and_shows_the_receipt(bob_client, bob, tuition, payment):
    response = bob_client.post(demo_url(payment), card())
    assert response.status_code == 302
    receipt = Receipt.objects.get(payment=payment)
    assert re.fullmatch(r"REC\d{8}", receipt.number)
    assert response["Location"] == reverse("billing:receipt", args=[receipt.number])

    payment = refreshed(payment)
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.amount == Decimal("350.00")
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    assert re.fullmatch(r"\d{6}", payment.authorization_number)
    assert Invoice.objects.get(pk=tuition.pk).status == Invoice.Status.PAID

    text = visible(bob_client.get(response["Location"]))
    assert "RELEVÉ DE TRANSACTION" in text.upper()
    assert "Cégep de Saint-Jérôme 455, rue Fournier Saint-Jérôme (Québec) J7Z 4V2" in text
    assert "Client Bob Gagnon (2026102)" in text
    assert "Type Achat" in text
    assert "Montant 350,00 $" in text
    assert "Carte VISA ************4242" in text
    assert "4242 4242" not in text
    completed = format_when(timezone.localtime(payment.completed_at), "DATETIME_FORMAT")
    completed = completed.replace("\N{NO-BREAK SPACE}", " ")
    assert f"Date/heure {completed}" in text
    assert f"Référence {payment.reference}" in text
    assert f"No d'autoris. {payment.authorization_number}" in text
    assert f"Relevé {receipt.number}" in text
    assert "Approuvée – Merci" in text

    assert balance_shown(bob_client) == "0,00"
    event = AuditEvent.objects.get(kind="billing.payment_succeeded")
    assert event.subject == bob
    assert event.details == {
        "payment": payment.reference,
        "amount": "350.00",
        "receipt": receipt.number,
    }
    # The payment's page now leads to the receipt; the card form does not charge twice.
    assert bob_client.get(status_url(payment))["Location"] == response["Location"]
    again = bob_client.post(demo_url(payment), card())
    assert again["Location"] == status_url(payment)
    assert Receipt.objects.count() == 1
    assert AuditEvent.objects.filter(kind="billing.payment_succeeded").count() == 1


def test_two_invoices_paid_at_once(bob_client, tuition, activities):
    payment = pay_start(bob_client, tuition, activities)
    bob_client.post(demo_url(payment), card())
    assert set(Invoice.objects.values_list("status", flat=True)) == {Invoice.Status.PAID}
    text = visible(bob_client.get(reverse("billing:receipt", args=[payment.receipt.number])))
    assert "Montant 390,00 $" in text
    assert "FAC00000397 (350,00 $), FAC00000398 (40,00 $)" in text


def test_cents_add_up_exactly(bob_client, bob):
    # 10.05 + 25.10 is 35.150000000000006 in binary floating point: money must not go there.
    invoice = make_invoice(
        student_of(bob),
        lines=(("Droits d'inscription", "10.05", False), ("Frais afférents", "25.10", False)),
    )
    assert balance_shown(bob_client) == "35,15"
    payment = pay_start(bob_client, invoice)
    assert payment.amount == Decimal("35.15")
    bob_client.post(demo_url(payment), card())
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    assert balance_shown(bob_client) == "0,00"
    assert "Vous n'avez aucun solde à payer" in visible(bob_client.get(HOME))


@pytest.mark.parametrize(
    "number, reason",
    [
        (DECLINED, "card_declined"),
        ("4000 0000 0000 9995", "insufficient_funds"),
        ("4000 0000 0000 0069", "expired_card"),
    ],
)
def test_stripes_declined_cards_are_declined(bob_client, bob, tuition, payment, number, reason):
    response = bob_client.post(demo_url(payment), card(number))
    assert response.status_code == 302
    assert response["Location"] == status_url(payment)
    text = visible(bob_client.get(response["Location"]))
    assert "Paiement refusé" in text
    assert "vos factures restent à payer" in text
    payment = refreshed(payment)
    assert payment.status == Payment.Status.FAILED
    assert payment.reason == reason
    assert not Receipt.objects.exists()
    assert Invoice.objects.get(pk=tuition.pk).status == Invoice.Status.OPEN
    assert balance_shown(bob_client) == "350,00"
    event = AuditEvent.objects.get(kind="billing.payment_failed")
    assert event.subject == bob
    assert event.details["status"] == "failed"


def test_after_a_decline_a_new_attempt_works(bob_client, tuition, payment):
    bob_client.post(demo_url(payment), card(DECLINED))
    second = pay_start(bob_client, tuition)
    assert second.pk != payment.pk
    bob_client.post(demo_url(second), card())
    assert refreshed(second).status == Payment.Status.SUCCEEDED
    assert refreshed(payment).status == Payment.Status.FAILED
    assert balance_shown(bob_client) == "0,00"


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("card_number", "4242 4242 4242 4241", "Ce numéro de carte n'est pas valide."),
        ("card_number", "4242", "Ce numéro de carte n'est pas valide."),
        ("card_number", "abcd efgh ijkl mnop", "Ce numéro de carte n'est pas valide."),
        ("expiry", "01/20", "Cette carte est expirée."),
        ("expiry", "13/40", "Écrivez la date d'expiration ainsi : MM/AA."),
        ("expiry", "demain", "Écrivez la date d'expiration ainsi : MM/AA."),
        ("cvc", "12", "Le code de sécurité compte 3 ou 4 chiffres."),
        ("cvc", "abc", "Le code de sécurité compte 3 ou 4 chiffres."),
    ],
)
def test_a_wrong_card_field_is_a_form_error(bob_client, tuition, payment, field, value, error):
    response = bob_client.post(demo_url(payment), card(**{field: value}))
    assert response.status_code == 200
    assert error in page(response)
    assert refreshed(payment).status == Payment.Status.PENDING
    assert Invoice.objects.get(pk=tuition.pk).status == Invoice.Status.OPEN
    assert not AuditEvent.objects.filter(kind__in=["billing.payment_failed"]).exists()


def test_after_three_minutes_the_attempt_expires(bob_client, tuition, payment):
    # (A form posted after the time ran out: tests/billing/test_payment_timer.py.)
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now())
    response = bob_client.get(demo_url(payment))
    assert response.status_code == 302
    assert response["Location"] == status_url(payment)
    text = visible(bob_client.get(response["Location"]))
    assert "Délai expiré" in text
    payment = refreshed(payment)
    assert payment.status == Payment.Status.EXPIRED
    assert payment.card_last4 == ""
    assert not Receipt.objects.exists()
    assert Invoice.objects.get(pk=tuition.pk).status == Invoice.Status.OPEN
    assert balance_shown(bob_client) == "350,00"
    assert AuditEvent.objects.get(kind="billing.payment_failed").details["status"] == "expired"

    second = pay_start(bob_client, tuition)
    assert second.pk != payment.pk
    assert bob_client.post(demo_url(second), card())["Location"].startswith("/paiement/recus/")
    assert balance_shown(bob_client) == "0,00"


def test_an_invoice_already_paid_elsewhere_is_not_charged_again(bob_client, tuition, activities):
    # Two tabs: one started with both invoices, the other then with the first one alone. The
    # newer attempt supersedes the older one, which can no longer charge anything.
    both = pay_start(bob_client, tuition, activities)
    alone = pay_start(bob_client, tuition)
    assert refreshed(both).status == Payment.Status.CANCELLED

    bob_client.post(demo_url(both), card())
    assert refreshed(both).status != Payment.Status.SUCCEEDED
    bob_client.post(demo_url(alone), card())
    assert refreshed(alone).status == Payment.Status.SUCCEEDED
    assert Invoice.objects.get(pk=tuition.pk).status == Invoice.Status.PAID
    assert Invoice.objects.get(pk=activities.pk).status == Invoice.Status.OPEN
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 1


def test_a_counter_payment_during_the_attempt_is_not_charged_again(bob_client, bob, tuition):
    pending = pay_start(bob_client, tuition)
    counter_payment(bob, tuition)
    bob_client.post(demo_url(pending), card())
    assert refreshed(pending).status != Payment.Status.SUCCEEDED
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 1


# --- The receipt: email, PDF, "Envoyer" -----------------------------------------------------


def test_the_email_typed_in_the_card_form_gets_the_receipt(bob_client, payment, commit):
    with commit():
        bob_client.post(demo_url(payment), card(email="bob.perso@courriel.example"))
    receipt = Receipt.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob.perso@courriel.example"]
    assert receipt.number in message.subject
    assert "Montant : 350,00 $" in message.body
    assert refreshed(payment).reference in message.body
    assert "VISA ************4242" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"{receipt.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert refreshed(payment).receipt_email == "bob.perso@courriel.example"
    assert AuditEvent.objects.filter(kind="billing.receipt_sent").count() == 1


def test_no_email_typed_no_email_sent(bob_client, payment, commit):
    with commit():
        bob_client.post(demo_url(payment), card())
    assert mail.outbox == []


def test_the_pdf_holds_the_amount_and_the_reference(bob_client, payment):
    bob_client.post(demo_url(payment), card())
    receipt = Receipt.objects.get()
    response = bob_client.get(reverse("billing:receipt_pdf", args=[receipt.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{receipt.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "350,00 $" in text
    assert payment.reference in text
    assert receipt.number in text
    assert "VISA ************4242" in text
    assert "Approuvée – Merci" in text


def test_envoyer_sends_the_receipt_and_is_throttled(bob_client, payment, commit):
    bob_client.post(demo_url(payment), card())
    receipt = Receipt.objects.get()
    url = reverse("billing:receipt", args=[receipt.number])
    for n in range(1, 6):
        with commit():
            response = bob_client.post(url, {"email": f"copie{n}@courriel.example"})
        assert response["Location"] == url
        assert f"Le relevé a été envoyé à copie{n}@courriel.example." in page(bob_client.get(url))
    assert [m.to for m in mail.outbox] == [[f"copie{n}@courriel.example"] for n in range(1, 6)]
    assert all(m.attachments[0][1].startswith(b"%PDF") for m in mail.outbox)

    with commit():
        response = bob_client.post(url, {"email": "copie6@courriel.example"})
    assert "Trop d'envois" in page(bob_client.get(url))
    assert len(mail.outbox) == 5
    assert AuditEvent.objects.filter(kind="billing.receipt_sent").count() == 5


def test_envoyer_needs_a_valid_address(bob_client, payment, commit):
    bob_client.post(demo_url(payment), card())
    url = reverse("billing:receipt", args=[Receipt.objects.get().number])
    with commit():
        response = bob_client.post(url, {"email": "pas-une-adresse"})
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in visible(response)
    assert mail.outbox == []


def test_the_statement_lists_the_receipt(bob_client, payment):
    bob_client.post(demo_url(payment), card())
    receipt = Receipt.objects.get()
    text = page(bob_client.get(STATEMENT))
    assert "Mes paiements" in text
    assert f'href="{reverse("billing:receipt", args=[receipt.number])}"' in text


def test_an_approved_payments_reference_is_a_confirmation_number_staff_can_look_up(
    bob_client, bob, payment, client
):
    from accounts.models import User
    from portal.models import Confirmation

    # Before approval the reference is only an attempt: nothing to look up yet.
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", payment.reference)
    assert not Confirmation.objects.exists()
    bob_client.post(demo_url(payment), card())
    bob_client.post(demo_url(payment), card())  # a second click confirms nothing more
    confirmation = Confirmation.objects.get()
    assert (confirmation.kind, confirmation.number) == ("payment", payment.reference)
    assert confirmation.user == bob and confirmation.identifier == "2026102"

    staff = User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")
    client.force_login(staff)
    typed = payment.reference.replace("-", " ").lower()
    response = client.get(reverse("admin:portal_confirmation_changelist"), {"q": typed})
    assert payment.reference in visible(response) and "350.00 $" in visible(response)
