"""Paying a school-store order through the payment centre, as the parent: the demo card form
(Stripe's test cards), the receipt on screen and in PDF, paying again after a decline, Stripe
Checkout's way back, and the payment's pages closed to anyone but the payer and the child.

Fixtures and helpers come from test_store.py (Adzo, her daughter Zoé, Bruno, the agenda…)."""

# Fixtures shared with test_store.py are imported, and tests take them as arguments.
# ruff: noqa: F811

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from billing.models import Invoice, Payment, Receipt
from parents.models import StoreOrder
from tests.accounts.test_first_use import page
from tests.billing.conftest import (  # noqa: F401 (fixtures)
    _stripe_running,
    stripe_server,
    stripe_settings,
)
from tests.billing.fake_stripe import CHECKOUT_URL
from tests.billing.test_demo_provider import APPROVED, DECLINED, card
from tests.billing.test_statement import visible
from tests.conftest import PASSWORD
from tests.factories import activate
from tests.parents.test_store import (  # noqa: F401 (fixtures)
    ORDERS,
    add,
    adzo,
    adzo_client,
    agenda,
    bruno,
    bruno_client,
    cepeo,
    checkout_url,
    messages_of,
    noah,
    order_pay_url,
    order_row,
    student_client,
    sweater,
    zoe,
)


def payment_of(response) -> Payment:
    """The payment whose card form (or status page) the response sends the browser to."""
    reference = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Payment.objects.get(reference=reference)


@pytest.fixture
def order_at_card_form(adzo_client, zoe, agenda, sweater):
    """Adzo checked out an agenda and a sweater for Zoé and is at the card form."""
    add(adzo_client, zoe, agenda, 1)
    add(adzo_client, zoe, sweater, 2)
    response = adzo_client.post(checkout_url(zoe))
    assert response.status_code == 302
    payment = payment_of(response)
    assert response["Location"] == reverse("billing:demo_pay", args=[payment.reference])
    return StoreOrder.objects.get(), payment


@pytest.fixture
def paid(adzo_client, order_at_card_form):
    order, payment = order_at_card_form
    response = adzo_client.post(reverse("billing:demo_pay", args=[payment.reference]), card())
    assert response.status_code == 302
    return order, Payment.objects.get(pk=payment.pk), response


def test_the_card_form_shows_the_orders_amount(adzo_client, order_at_card_form):
    order, payment = order_at_card_form
    response = adzo_client.get(reverse("billing:demo_pay", args=[payment.reference]))
    assert response.status_code == 200
    text = visible(response)
    assert "Montant total 73,00 $ CAD" in text
    assert order.invoice.number in text
    assert f'href="{ORDERS}"' in page(response)  # "Annuler" leads back to the purchases


def test_4242_pays_the_order_and_shows_the_receipt_to_the_parent(adzo_client, adzo, zoe, paid):
    order, payment, response = paid
    receipt = Receipt.objects.get(payment=payment)
    assert response["Location"] == reverse("billing:receipt", args=[receipt.number])
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.payer == adzo
    assert Invoice.objects.get(pk=order.invoice_id).status == Invoice.Status.PAID

    shown = adzo_client.get(response["Location"])
    assert shown.status_code == 200
    text = visible(shown)
    assert "RELEVÉ DE TRANSACTION" in text.upper()
    assert f"Client Zoé Testtest ({zoe.matricule})" in text
    assert "Payé par Adzo Testtest" in text
    assert "Montant 73,00 $" in text
    assert "Carte VISA ************4242" in text
    assert f"{order.invoice.number} (73,00 $)" in text
    assert "Approuvée – Merci" in text
    assert f'href="{ORDERS}"' in page(shown)
    assert "Retour à mes achats" in text

    row = order_row(adzo_client, order)
    assert "Payée" in row
    assert "Relevé de transaction" in row
    assert "Annuler la commande" not in row
    assert f'href="{reverse("billing:receipt", args=[receipt.number])}"' in page(
        adzo_client.get(ORDERS)
    )
    # Paid: neither paid again nor cancelled.
    assert messages_of(adzo_client.post(order_pay_url(order))) == [
        "Cette commande n'est plus à payer."
    ]
    cancel = reverse("parents:order_cancel", args=[order.invoice.number])
    assert messages_of(adzo_client.post(cancel)) == ["Cette commande ne peut plus être annulée."]
    assert Invoice.objects.get(pk=order.invoice_id).status == Invoice.Status.PAID


def test_the_receipt_pdf_for_the_parent(adzo_client, zoe, paid):
    from tests.pdf import pdf_text

    _order, payment, _response = paid
    receipt = Receipt.objects.get(payment=payment)
    response = adzo_client.get(reverse("billing:receipt_pdf", args=[receipt.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "73,00 $" in text
    assert payment.reference in text
    assert receipt.number in text
    assert "Zoé Testtest" in text


def test_a_declined_card_leaves_the_order_to_pay_and_it_can_be_paid_again(
    adzo_client, order_at_card_form
):
    order, payment = order_at_card_form
    response = adzo_client.post(
        reverse("billing:demo_pay", args=[payment.reference]), card(DECLINED)
    )
    assert response["Location"] == reverse("billing:payment", args=[payment.reference])
    shown = adzo_client.get(response["Location"])
    text = visible(shown)
    assert "Paiement refusé" in text
    assert "votre commande reste à payer" in text
    assert f'href="{ORDERS}"' in page(shown)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.FAILED
    assert Invoice.objects.get(pk=order.invoice_id).status == Invoice.Status.OPEN
    row = order_row(adzo_client, order)
    assert "À payer" in row
    assert "Payer" in row

    again = adzo_client.post(order_pay_url(order))
    second = payment_of(again)
    assert second.pk != payment.pk
    assert (second.amount, second.status) == (Decimal("73.00"), Payment.Status.PENDING)
    assert again["Location"] == reverse("billing:demo_pay", args=[second.reference])
    adzo_client.post(again["Location"], card(APPROVED))
    assert Invoice.objects.get(pk=order.invoice_id).status == Invoice.Status.PAID
    assert "Payée" in order_row(adzo_client, order)


def test_payer_twice_reuses_the_attempt_under_way(adzo_client, order_at_card_form):
    order, payment = order_at_card_form
    assert payment_of(adzo_client.post(order_pay_url(order))).pk == payment.pk
    assert Payment.objects.count() == 1


def test_the_childs_own_attempt_is_not_the_parents(adzo_client, zoe, order_at_card_form):
    # Zoé can pay the invoice from her statement too; her attempt and Adzo's never mix: each
    # new one replaces the other, so the invoice is never charged twice.
    order, payment = order_at_card_form
    child = Client()
    child.force_login(activate(zoe, password=PASSWORD))
    response = child.post(reverse("billing:pay"), {"factures": [order.invoice.number]})
    hers = payment_of(response)
    assert hers.pk != payment.pk
    assert hers.payer is None
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CANCELLED
    mine = payment_of(adzo_client.post(order_pay_url(order)))
    assert mine.pk not in (payment.pk, hers.pk)
    assert mine.payer_id is not None
    assert Payment.objects.get(pk=hers.pk).status == Payment.Status.CANCELLED


def test_the_payment_pages_are_not_found_for_anyone_else(paid, bruno_client, student_client, zoe):
    _order, payment, _response = paid
    receipt = Receipt.objects.get(payment=payment)
    urls = [
        reverse("billing:receipt", args=[receipt.number]),
        reverse("billing:receipt_pdf", args=[receipt.number]),
        reverse("billing:payment", args=[payment.reference]),
        reverse("billing:demo_pay", args=[payment.reference]),
    ]
    for client in (bruno_client, student_client):
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert client.post(urls[0], {"email": "moi@example.com"}).status_code == 404

    # The child whose invoice it paid sees it, as every payment of her invoices.
    child = Client()
    child.force_login(activate(zoe, password=PASSWORD))
    assert child.get(urls[0]).status_code == 200


def test_a_pending_payment_of_a_parent_is_not_found_for_another(order_at_card_form, bruno_client):
    _order, payment = order_at_card_form
    for url in (
        reverse("billing:demo_pay", args=[payment.reference]),
        reverse("billing:payment", args=[payment.reference]),
    ):
        assert bruno_client.get(url).status_code == 404
    response = bruno_client.post(
        reverse("billing:demo_pay", args=[payment.reference]), card(APPROVED)
    )
    assert response.status_code == 404
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING


def test_the_parent_sees_no_statement(adzo_client, paid):
    for name in ("billing:statement", "billing:selection"):
        assert adzo_client.get(reverse(name)).status_code == 404
    assert (
        adzo_client.post(reverse("billing:pay"), {"factures": ["BOU00000001"]}).status_code == 404
    )


# --- Stripe Checkout ------------------------------------------------------------------------


@pytest.mark.usefixtures("stripe_settings")
def test_stripe_checkout_for_a_parent(adzo_client, adzo, zoe, agenda, stripe_server):
    add(adzo_client, zoe, agenda, 2)
    response = adzo_client.post(checkout_url(zoe))

    assert response["Location"].startswith(CHECKOUT_URL)
    payment = Payment.objects.get(provider=Payment.Provider.STRIPE)
    assert (payment.payer, payment.amount) == (adzo, Decimal("25.00"))
    (create,) = stripe_server.calls_to("POST", "/v1/checkout/sessions")
    status = reverse("billing:payment", args=[payment.reference])
    # Stripe's "back" brings the parent to the payment's page, which leads to "Mes achats".
    assert create.params["cancel_url"].endswith(status)
    shown = adzo_client.get(status)
    assert "Reprendre le paiement" in visible(shown)
    assert f'href="{ORDERS}"' in page(shown)

    stripe_server.pay(payment.provider_session_id)
    back = adzo_client.get(
        reverse("billing:stripe_return"), {"session_id": payment.provider_session_id}
    )
    assert back["Location"] == status
    receipt = adzo_client.get(status)
    assert receipt["Location"] == reverse(
        "billing:receipt", args=[Receipt.objects.get(payment=payment).number]
    )
    assert "Montant 25,00 $" in visible(adzo_client.get(receipt["Location"]))
    assert StoreOrder.objects.get().invoice.status == Invoice.Status.PAID


@pytest.mark.usefixtures("stripe_settings")
def test_stripe_unavailable_leaves_the_order_to_pay(adzo_client, zoe, agenda, stripe_server):
    stripe_server.fail("POST", "/v1/checkout/sessions", 500, "An unknown error occurred")
    add(adzo_client, zoe, agenda, 1)

    response = adzo_client.post(checkout_url(zoe))

    assert response["Location"] == ORDERS
    assert messages_of(response) == [
        "Le service de paiement est présentement indisponible. Réessayez dans un moment."
    ]
    assert Payment.objects.get().status == Payment.Status.FAILED
    assert "À payer" in order_row(adzo_client, StoreOrder.objects.get())


def test_the_receipt_email_typed_in_the_card_form_reaches_the_parent(
    adzo_client, order_at_card_form, commit
):
    from django.core import mail

    _order, payment = order_at_card_form
    with commit():
        adzo_client.post(
            reverse("billing:demo_pay", args=[payment.reference]),
            card(email="adzo.perso@example.com"),
        )
    [message] = mail.outbox
    assert message.to == ["adzo.perso@example.com"]
    assert "Montant : 73,00 $" in message.body
    assert re.search(r"REC\d{8}", message.subject)


# --- Access ends with the link -----------------------------------------------------------------


def test_unlinking_the_child_ends_the_access_to_its_payments_and_receipts(
    adzo_client, order_at_card_form
):
    """Unlinked after checkout: the card form, the status page, the receipt and its PDF answer
    404 at once, like every other page about the child."""
    from parents.models import Guardian

    order, payment = order_at_card_form
    demo_pay = reverse("billing:demo_pay", args=[payment.reference])
    Guardian.objects.filter(student=order.student).update(account=None)
    assert adzo_client.get(demo_pay).status_code == 404
    assert adzo_client.post(demo_pay, card()).status_code == 404
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    assert adzo_client.get(reverse("billing:payment", args=[payment.reference])).status_code == 404


def test_the_receipt_of_a_child_no_longer_visible_answers_404(adzo_client, paid):
    from parents.models import Guardian

    order, payment, _response = paid
    receipt = Receipt.objects.get(payment=payment)
    for name in ("billing:receipt", "billing:receipt_pdf"):
        assert adzo_client.get(reverse(name, args=[receipt.number])).status_code == 200
    Guardian.objects.filter(student=order.student).update(can_view=False)
    for name in ("billing:receipt", "billing:receipt_pdf"):
        assert adzo_client.get(reverse(name, args=[receipt.number])).status_code == 404


def test_an_unpaid_store_order_never_restricts_the_childs_portal(order_at_card_form, cepeo):
    """Left unpaid past its due date, a store order stays on the statement but does not lock
    the child out where an overdue balance restricts the portal."""
    from billing.selectors import has_overdue_balance
    from portal.models import Institution

    order, _payment = order_at_card_form
    Institution.objects.filter(pk=cepeo.pk).update(restrict_on_overdue=True)
    Invoice.objects.filter(pk=order.invoice_id).update(due_date="2020-01-01")
    assert not has_overdue_balance(order.student)
