"""Card payment providers behind one interface.

`stripe`: Stripe Checkout, used when STRIPE_SECRET_KEY is set. `demo`: the built-in card form
(seed 002's "P@iement en ligne"), the default, where Stripe's test card numbers behave as they
do at Stripe. Amounts always come from the server's invoices, never from the browser.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

import stripe
from django.conf import settings
from django.urls import reverse

from billing.models import Payment


@dataclass(frozen=True)
class CardResult:
    approved: bool
    brand: str = ""
    last4: str = ""
    authorization: str = ""
    decline_reason: str = ""


class Provider(Protocol):
    name: str
    lifetime: timedelta

    def start(self, payment: Payment) -> str:
        """Prepares the provider's side of a payment; returns where to send the browser."""
        ...


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


# --- Demo -----------------------------------------------------------------------------------

# Stripe's test numbers, so people who know them can use them here.
DECLINED_CARDS = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
}


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    return "carte"


class DemoProvider:
    """A local card form with a 3:00 countdown; nothing leaves the machine."""

    name = Payment.Provider.DEMO
    lifetime = timedelta(minutes=3)

    def start(self, payment: Payment) -> str:
        return reverse("billing:demo_pay", kwargs={"reference": payment.reference})

    def charge(self, number: str) -> CardResult:
        """Approves any valid number but Stripe's declined test cards."""
        brand, last4 = card_brand(number), number[-4:]
        if number in DECLINED_CARDS:
            return CardResult(False, brand, last4, decline_reason=DECLINED_CARDS[number])
        return CardResult(True, brand, last4, authorization=f"{secrets.randbelow(10**6):06d}")


# --- Stripe ---------------------------------------------------------------------------------


def stripe_client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=1,
    )


class StripeProvider:
    name = Payment.Provider.STRIPE
    # The Checkout Session expires with the payment (Stripe wants at least 30 minutes), so a
    # session can never be paid after the portal stopped reusing its payment.
    lifetime = timedelta(hours=1)

    def start(self, payment: Payment) -> str:
        """Creates the Checkout Session with the payment's idempotency key: a retry of the
        same payment gets the same session back from Stripe."""
        base = settings.PORTAL_BASE_URL
        # "Back" at Stripe: a student returns to the statement; a parent, who has none, to the
        # payment's page, which leads on to their purchases.
        cancel_path = (
            reverse("billing:payment", kwargs={"reference": payment.reference})
            if payment.payer_id
            else reverse("billing:statement")
        )
        session = stripe_client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "currency": "cad",
                "expires_at": int(payment.expires_at.timestamp()),
                "client_reference_id": payment.reference,
                "metadata": {"payment": payment.reference},
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "cad",
                            "unit_amount": cents(allocation.amount),
                            "product_data": {
                                "name": f"{allocation.invoice.number} "
                                f"{allocation.invoice.description}"[:250]
                            },
                        },
                    }
                    for allocation in payment.allocations.select_related("invoice")
                ],
                "success_url": base
                + reverse("billing:stripe_return")
                + "?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": base + cancel_path,
            },
            options={"idempotency_key": payment.idempotency_key},
        )
        payment.provider_session_id = session.id
        payment.checkout_url = session.url
        payment.save(update_fields=["provider_session_id", "checkout_url"])
        return session.url

    def retrieve(self, session_id: str) -> dict[str, Any]:
        """The session as Stripe has it now, as plain data (with its charge's card)."""
        return (
            stripe_client()
            .v1.checkout.sessions.retrieve(
                session_id, params={"expand": ["payment_intent.latest_charge"]}
            )
            .to_dict()
        )

    def expire(self, payment: Payment) -> None:
        """Closes the Checkout page of a payment staff cancelled."""
        if payment.provider_session_id:
            stripe_client().v1.checkout.sessions.expire(payment.provider_session_id)

    def card_of(self, session: Any) -> CardResult:
        """Card brand, last 4 digits and authorisation code from the session's charge."""
        intent = session.get("payment_intent")
        charge = intent.get("latest_charge") if isinstance(intent, dict) else None
        details = (charge or {}).get("payment_method_details") or {}
        card = details.get("card") or {}
        return CardResult(
            True,
            brand=card.get("brand", ""),
            last4=card.get("last4", ""),
            authorization=(charge or {}).get("authorization_code") or "",
        )

    def refund(self, payment: Payment) -> None:
        if payment.provider_payment_id:
            stripe_client().v1.refunds.create(
                params={"payment_intent": payment.provider_payment_id},
                options={"idempotency_key": f"refund-{payment.idempotency_key}"},
            )


def provider_current() -> DemoProvider | StripeProvider:
    return StripeProvider() if settings.STRIPE_SECRET_KEY else DemoProvider()


def provider_for(payment: Payment) -> DemoProvider | StripeProvider:
    return StripeProvider() if payment.provider == Payment.Provider.STRIPE else DemoProvider()
