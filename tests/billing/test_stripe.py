"""Paying through Stripe Checkout, over HTTP, with a local server standing in for Stripe's API
(tests/billing/fake_stripe.py): the session the portal creates, the browser's return, the
signed webhook events in every order Stripe may send them, a fulfilment race on PostgreSQL, and
the refund staff make from the admin.

Bob pays his two invoices; Charlie "should have no access to Bob's stuff"."""

import json
import threading
import time
from decimal import Decimal

import pytest
import stripe
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.balances import invoice_balances_refresh
from billing.models import Allocation, Invoice, Payment, Receipt
from portal.models import AuditEvent
from tests.accounts.test_first_use import page
from tests.accounts.test_login import student_login
from tests.billing.conftest import STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET
from tests.billing.fake_stripe import CHECKOUT_URL, signature_header
from tests.factories import make_invoice

PAY = reverse("billing:pay")
RETURN = reverse("billing:stripe_return")
WEBHOOK = reverse("billing:stripe_webhook")
SESSIONS = "/v1/checkout/sessions"

pytestmark = pytest.mark.usefixtures("stripe_settings")


@pytest.fixture
def invoices(bob):
    """Bob's two invoices, whose balances are not their totals: he removed the voluntary
    contribution of the first, and paid 100 $ of the second at the counter."""
    student = bob.student
    tuition = make_invoice(
        student,
        lines=(("Droits d'inscription", "275.00", False), ("Cotisation étudiante", "12.50", True)),
    )
    tuition.lines.filter(voluntary=True).update(removed=True)
    books = make_invoice(
        student, lines=(("Matériel pédagogique", "150.00", False), ("Activités", "45.25", False))
    )
    counter = Payment.objects.create(
        student=student,
        reference="COMPTOIR01",
        provider=Payment.Provider.CASH,
        amount=Decimal("100.00"),
        status=Payment.Status.SUCCEEDED,
        idempotency_key="comptoir-1",
        completed_at=timezone.now(),
    )
    Allocation.objects.create(payment=counter, invoice=books, amount=Decimal("100.00"))
    invoice_balances_refresh([tuition.pk, books.pk])  # as the services do
    return tuition, books


@pytest.fixture
def bob_client(client, bob):
    assert student_login(client, bob.student.matricule).status_code == 302
    return client


def checkout(client: Client, invoices, **tampered: str):
    return client.post(PAY, {"factures": [invoice.number for invoice in invoices], **tampered})


@pytest.fixture
def payment(bob_client, invoices, stripe_server) -> Payment:
    """Bob has been sent to Checkout for both invoices and has not paid yet."""
    response = checkout(bob_client, invoices)
    assert response.status_code == 302
    assert response["Location"].startswith(CHECKOUT_URL)
    return Payment.objects.get(provider=Payment.Provider.STRIPE)


def post_event(event: dict, *, secret: str = STRIPE_WEBHOOK_SECRET, timestamp: int | None = None):
    """Stripe's delivery: the JSON body, signed, and no CSRF token or session."""
    payload = json.dumps(event)
    return Client(enforce_csrf_checks=True).post(
        WEBHOOK,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature_header(payload, secret, timestamp)},
    )


def receipts_of(payment: Payment) -> int:
    return Receipt.objects.filter(payment=payment).count()


def assert_fulfilled_once(payment: Payment, intent_id: str) -> Payment:
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_payment_id == intent_id
    assert receipts_of(payment) == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYMENT_SUCCEEDED).count() == 1
    assert set(
        Invoice.objects.filter(allocations__payment=payment).values_list("status", flat=True)
    ) == {Invoice.Status.PAID}
    return payment


def assert_nothing_fulfilled(payment: Payment) -> None:
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not Receipt.objects.filter(payment__provider=Payment.Provider.STRIPE).exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYMENT_SUCCEEDED).exists()
    assert not Invoice.objects.filter(status=Invoice.Status.PAID).exists()


# --- Starting a payment ---------------------------------------------------------------------


def test_pay_sends_the_browser_to_checkout_with_the_servers_amounts(
    bob_client, invoices, stripe_server
):
    tuition, _books = invoices
    response = checkout(
        bob_client,
        invoices,
        amount="0.01",
        montant="0.01",
        total="0.01",
        **{f"amount_{tuition.number}": "0.01", "unit_amount": "1"},
    )

    payment = Payment.objects.get(provider=Payment.Provider.STRIPE)
    (create,) = stripe_server.calls_to("POST", SESSIONS)
    session = stripe_server.sessions[payment.provider_session_id]
    assert response.status_code == 302
    assert response["Location"] == session["url"] == payment.checkout_url
    assert create.api_key == STRIPE_SECRET_KEY
    assert create.idempotency_key == payment.idempotency_key
    params = create.params
    assert params["mode"] == "payment"
    assert params["currency"] == "cad"
    assert params["client_reference_id"] == payment.reference
    assert params["metadata"] == {"payment": payment.reference}
    # The balances, not the invoices' totals nor anything the browser sent.
    assert [
        (item["quantity"], item["price_data"]["currency"], item["price_data"]["unit_amount"])
        for item in params["line_items"]
    ] == [("1", "cad", "27500"), ("1", "cad", "9525")]
    assert params["line_items"][0]["price_data"]["product_data"]["name"].startswith(tuition.number)
    assert params["success_url"].endswith(f"{RETURN}?session_id={{CHECKOUT_SESSION_ID}}")
    assert params["cancel_url"].endswith(reverse("billing:statement"))
    assert session["amount_total"] == 37025
    assert payment.amount == Decimal("370.25")
    assert payment.status == Payment.Status.PENDING


def test_a_double_click_creates_one_checkout_session(bob_client, invoices, stripe_server):
    first = checkout(bob_client, invoices)
    second = checkout(bob_client, invoices)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert len(stripe_server.calls_to("POST", SESSIONS)) == 1
    assert len(stripe_server.sessions) == 1
    assert Payment.objects.filter(provider=Payment.Provider.STRIPE).count() == 1


def test_a_second_click_before_the_first_got_its_session_gets_the_same_one(
    bob_client, invoices, stripe_server
):
    # The second request arrives while the first still waits on Stripe: it asks again, with
    # the same idempotency key, and Stripe answers with the same session.
    first = checkout(bob_client, invoices)
    Payment.objects.update(checkout_url="")
    second = checkout(bob_client, invoices)

    creates = stripe_server.calls_to("POST", SESSIONS)
    assert first["Location"] == second["Location"]
    assert len(creates) == 2
    assert creates[0].idempotency_key == creates[1].idempotency_key
    assert len(stripe_server.sessions) == 1


def test_the_checkout_session_expires_with_the_payment(bob_client, invoices, stripe_server):
    # After the payment's lifetime a click starts a new payment and a new session; the old
    # session must not stay payable at Stripe (24 hours by default), or both could be paid.
    checkout(bob_client, invoices)

    payment = Payment.objects.get(provider=Payment.Provider.STRIPE)
    (create,) = stripe_server.calls_to("POST", SESSIONS)
    assert "expires_at" in create.params, "the session outlives the payment"
    assert int(create.params["expires_at"]) <= payment.expires_at.timestamp()
    assert stripe_server.sessions[payment.provider_session_id]["status"] == "open"


def test_stripe_unavailable_fails_the_attempt_and_says_so(bob_client, invoices, stripe_server):
    stripe_server.fail("POST", SESSIONS, 500, "An unknown error occurred")

    response = checkout(bob_client, invoices)

    assert response.status_code == 302
    assert response["Location"] == reverse("billing:statement")
    assert "Le service de paiement est présentement indisponible" in page(
        bob_client.get(response["Location"])
    )
    payment = Payment.objects.get(provider=Payment.Provider.STRIPE)
    assert payment.status == Payment.Status.FAILED
    assert payment.checkout_url == ""
    # The library retried once, with the same key: Stripe would have replayed, not charged.
    assert len({call.idempotency_key for call in stripe_server.calls_to("POST", SESSIONS)}) == 1


# --- The browser's return -------------------------------------------------------------------


def test_a_made_up_session_id_is_not_found_and_fulfils_nothing(bob_client, payment, stripe_server):
    stripe_server.pay(payment.provider_session_id)

    for session_id in ("cs_test_madeup", "", "{CHECKOUT_SESSION_ID}"):
        assert bob_client.get(RETURN, {"session_id": session_id}).status_code == 404
    assert bob_client.get(RETURN).status_code == 404

    assert_nothing_fulfilled(payment)
    assert not stripe_server.calls_to("GET", f"{SESSIONS}/")


def test_another_students_session_is_not_found(charlie, payment, stripe_server):
    stripe_server.pay(payment.provider_session_id)
    client = Client()
    student_login(client, charlie.student.matricule)

    response = client.get(RETURN, {"session_id": payment.provider_session_id})

    assert response.status_code == 404
    assert_nothing_fulfilled(payment)


def test_the_return_while_stripe_says_unpaid_waits(bob_client, payment, stripe_server):
    response = bob_client.get(RETURN, {"session_id": payment.provider_session_id}, follow=True)

    assert response.status_code == 200
    assert "Paiement en attente de confirmation" in page(response)
    assert_nothing_fulfilled(payment)
    (retrieve,) = stripe_server.calls_to("GET", f"{SESSIONS}/")
    assert retrieve.path == f"{SESSIONS}/{payment.provider_session_id}"
    assert retrieve.params == {"expand": ["payment_intent.latest_charge"]}


def test_the_return_after_payment_fulfils_from_what_stripe_says(bob_client, payment, stripe_server):
    intent_id = stripe_server.pay(payment.provider_session_id, brand="mastercard", last4="4444")

    response = bob_client.get(RETURN, {"session_id": payment.provider_session_id}, follow=True)

    payment = assert_fulfilled_once(payment, intent_id)
    assert (payment.card_brand, payment.card_last4) == ("mastercard", "4444")
    assert payment.authorization_number == "123456"
    text = page(response)
    assert "Approuvée – Merci" in text
    assert "MASTERCARD ************4444" in text
    assert "370,25 $" in text
    assert "123456" in text
    assert payment.receipt.number in text

    # Back and reload: already fulfilled, Stripe is not asked again, still one receipt.
    bob_client.get(RETURN, {"session_id": payment.provider_session_id})
    assert len(stripe_server.calls_to("GET", f"{SESSIONS}/")) == 1
    assert_fulfilled_once(payment, intent_id)


# --- Webhooks -------------------------------------------------------------------------------


def test_a_signed_completed_event_of_a_paid_session_fulfils(payment, stripe_server):
    intent_id = stripe_server.pay(payment.provider_session_id)

    response = post_event(
        stripe_server.event("checkout.session.completed", payment.provider_session_id)
    )

    assert response.status_code == 200
    payment = assert_fulfilled_once(payment, intent_id)
    # The event's session carries only the payment intent's id: the webhook asks Stripe for
    # the session with its charge, so the receipt shows the card and the authorisation.
    assert (payment.card_brand, payment.card_last4, payment.authorization_number) == (
        "visa",
        "4242",
        "123456",
    )


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda body, header: (body, header.replace("v1=", "v1=0")), id="bad-hmac"),
        pytest.param(
            lambda body, header: (body.replace('"paid"', '"paid" '), header), id="body-changed"
        ),
        pytest.param(lambda body, header: (body, ""), id="no-header"),
        pytest.param(lambda body, header: (body, "t=abc,v0=1"), id="garbage-header"),
    ],
)
def test_an_event_with_a_bad_signature_is_refused(payment, stripe_server, tamper):
    stripe_server.pay(payment.provider_session_id)
    payload = json.dumps(
        stripe_server.event("checkout.session.completed", payment.provider_session_id)
    )
    body, header = tamper(payload, signature_header(payload, STRIPE_WEBHOOK_SECRET))

    response = Client(enforce_csrf_checks=True).post(
        WEBHOOK, body, content_type="application/json", headers={"Stripe-Signature": header}
    )

    assert response.status_code == 400
    assert_nothing_fulfilled(payment)


def test_an_event_signed_with_another_secret_is_refused(payment, stripe_server):
    stripe_server.pay(payment.provider_session_id)
    event = stripe_server.event("checkout.session.completed", payment.provider_session_id)

    assert post_event(event, secret="whsec_someone_else").status_code == 400
    assert_nothing_fulfilled(payment)


def test_an_event_with_a_stale_timestamp_is_refused(payment, stripe_server):
    # Stripe's library tolerates 5 minutes: an older signature is a replay.
    stripe_server.pay(payment.provider_session_id)
    event = stripe_server.event("checkout.session.completed", payment.provider_session_id)

    response = post_event(event, timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    assert_nothing_fulfilled(payment)


def test_a_duplicated_event_issues_one_receipt(payment, stripe_server):
    intent_id = stripe_server.pay(payment.provider_session_id)
    event = stripe_server.event("checkout.session.completed", payment.provider_session_id)

    assert post_event(event).status_code == 200
    assert post_event(event).status_code == 200

    assert_fulfilled_once(payment, intent_id)


def test_async_success_before_completed_fulfils_once(payment, stripe_server):
    intent_id = stripe_server.pay(payment.provider_session_id)
    session_id = payment.provider_session_id

    for kind in ("checkout.session.async_payment_succeeded", "checkout.session.completed"):
        assert post_event(stripe_server.event(kind, session_id)).status_code == 200

    assert_fulfilled_once(payment, intent_id)


def test_completed_but_unpaid_waits_for_the_async_success(payment, stripe_server):
    session_id = payment.provider_session_id
    stripe_server.await_payment(session_id)
    completed = stripe_server.event("checkout.session.completed", session_id)

    assert post_event(completed).status_code == 200
    assert_nothing_fulfilled(payment)

    intent_id = stripe_server.pay(session_id)
    succeeded = stripe_server.event("checkout.session.async_payment_succeeded", session_id)
    assert post_event(succeeded).status_code == 200
    assert_fulfilled_once(payment, intent_id)

    # Stripe retries the first delivery late: the unpaid snapshot undoes nothing.
    assert post_event(completed).status_code == 200
    assert_fulfilled_once(payment, intent_id)


def test_a_failed_async_payment_fails_the_payment(payment, stripe_server):
    stripe_server.await_payment(payment.provider_session_id)

    response = post_event(
        stripe_server.event("checkout.session.async_payment_failed", payment.provider_session_id)
    )

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert not Receipt.objects.filter(payment=payment).exists()
    assert not Invoice.objects.filter(status=Invoice.Status.PAID).exists()


def test_an_expired_session_expires_the_payment(bob_client, payment, stripe_server, invoices):
    stripe_server.expire(payment.provider_session_id)

    response = post_event(
        stripe_server.event("checkout.session.expired", payment.provider_session_id)
    )

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert receipts_of(payment) == 0
    # The invoices are still to pay, and paying them again starts a new session.
    response = checkout(bob_client, invoices)
    assert response["Location"] != payment.checkout_url
    assert len(stripe_server.sessions) == 2


def test_a_late_expiry_does_not_undo_a_payment(payment, stripe_server):
    session_id = payment.provider_session_id
    intent_id = stripe_server.pay(session_id)
    post_event(stripe_server.event("checkout.session.completed", session_id))
    response = post_event(stripe_server.event("checkout.session.expired", session_id))

    assert response.status_code == 200

    assert_fulfilled_once(payment, intent_id)


def test_an_event_for_an_unknown_session_creates_nothing(payment, stripe_server):
    # A session of another integration on the same Stripe account: acknowledged, ignored.
    event = stripe_server.event(
        "checkout.session.completed",
        session={
            "id": "cs_test_elsewhere",
            "object": "checkout.session",
            "payment_status": "paid",
            "status": "complete",
            "payment_intent": "pi_test_elsewhere",
            "amount_total": 100,
            "currency": "cad",
        },
    )

    assert post_event(event).status_code == 200

    assert Payment.objects.filter(provider=Payment.Provider.STRIPE).count() == 1
    assert_nothing_fulfilled(payment)


# --- Concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_fulfilments_at_once_make_one_payment_and_one_receipt(payment, stripe_server):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises every writer anyway")
    intent_id = stripe_server.pay(payment.provider_session_id)
    # The browser's return and the webhook, at the same moment, with what Stripe sent each.
    session = stripe_server.session_object(
        payment.provider_session_id, expand=("payment_intent.latest_charge",)
    )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def fulfil() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(services.stripe_session_fulfil(request=None, session=session))
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fulfil) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert [result.status for result in results] == [Payment.Status.SUCCEEDED] * 2
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED, provider="stripe").count() == 1
    assert Receipt.objects.filter(payment__provider=Payment.Provider.STRIPE).count() == 1
    assert_fulfilled_once(payment, intent_id)


# --- Refunds --------------------------------------------------------------------------------


@pytest.fixture
def fulfilled(payment, stripe_server) -> Payment:
    """Bob's Stripe payment, approved."""
    stripe_server.pay(payment.provider_session_id)
    services.stripe_session_fulfil(
        request=None,
        session=stripe_server.session_object(
            payment.provider_session_id, expand=("payment_intent.latest_charge",)
        ),
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    return payment


def cancel_url(payment: Payment) -> str:
    return reverse("admin:billing_payment_cancel", args=[payment.pk])


def test_a_refund_in_the_admin_refunds_the_card_at_stripe(admin_client, fulfilled, stripe_server):
    assert "sera remboursé" in page(admin_client.get(cancel_url(fulfilled)))

    response = admin_client.post(cancel_url(fulfilled), {"reason": "Abandon avant le début"})

    assert response.status_code == 302
    (refund,) = stripe_server.calls_to("POST", "/v1/refunds")
    assert refund.params == {"payment_intent": fulfilled.provider_payment_id}
    assert refund.idempotency_key == f"refund-{fulfilled.idempotency_key}"
    (stripe_refund,) = stripe_server.refunds.values()
    assert stripe_refund["amount"] == 37025
    fulfilled.refresh_from_db()
    assert fulfilled.status == Payment.Status.REFUNDED
    assert fulfilled.reason == "Abandon avant le début"
    assert not Invoice.objects.filter(status=Invoice.Status.PAID).exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PAYMENT_REFUNDED)
    assert event.details["reason"] == "Abandon avant le début"


def test_a_refund_stripe_refuses_leaves_the_payment_approved(
    admin_client, fulfilled, stripe_server
):
    stripe_server.fail(
        "POST",
        "/v1/refunds",
        400,
        "Charge has already been refunded.",
        kind="invalid_request_error",
        code="charge_already_refunded",
    )

    response = admin_client.post(cancel_url(fulfilled), {"reason": "Doublon"}, follow=True)

    assert response.status_code == 200
    assert "ne peut être ni annulé ni remboursé" in page(response)
    fulfilled.refresh_from_db()
    assert fulfilled.status == Payment.Status.SUCCEEDED
    assert Invoice.objects.filter(status=Invoice.Status.PAID).count() == 2
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYMENT_REFUNDED).exists()


def test_the_fake_answers_like_stripe_for_an_unknown_session(stripe_server):
    # Guards the stand-in itself: the library turns its error into the exception the
    # portal's code catches.
    client = stripe.StripeClient(
        STRIPE_SECRET_KEY, base_addresses={"api": stripe_server.url}, max_network_retries=0
    )
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert raised.value.http_status == 404
    assert "No such checkout.session" in str(raised.value)
