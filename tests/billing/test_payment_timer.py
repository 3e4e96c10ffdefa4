"""The card form's 3:00 (WCAG 2.2.1) through HTTP: "Prolonger" gives the time again, up to a
limit the server keeps; a form posted after the time ran out comes back, as typed, on a new
attempt; "Réessayer" after a declined card; the receipt's address prefilled from the file."""

# ruff: noqa: F811

import datetime

from django.utils import timezone

from billing.models import Invoice, Payment, Receipt
from billing.services import PAYMENT_EXTENSIONS_MAX
from tests.billing.test_demo_provider import (  # noqa: F401 (fixtures)
    DECLINED,
    bob_client,
    card,
    demo_url,
    payment,
    refreshed,
    status_url,
    tuition,
    visible,
)


def test_prolonger_gives_the_full_time_again_and_keeps_what_was_typed(bob_client, payment):
    Payment.objects.filter(pk=payment.pk).update(
        expires_at=timezone.now() + datetime.timedelta(seconds=30)
    )
    typed = card(email="bob.autre@example.org")
    response = bob_client.post(demo_url(payment), {**typed, "prolonger": "1"})
    assert response.status_code == 200
    text = visible(response)
    assert "Le délai est prolongé : vous avez de nouveau 3:00." in text
    page = response.content.decode()
    assert 'value="4242 4242 4242 4242"' in page and 'value="bob.autre@example.org"' in page
    payment = refreshed(payment)
    assert payment.status == Payment.Status.PENDING and payment.extensions == 1
    assert payment.expires_at > timezone.now() + datetime.timedelta(seconds=170)
    assert not Receipt.objects.exists()


def test_prolonger_stops_at_the_limit(bob_client, payment):
    Payment.objects.filter(pk=payment.pk).update(extensions=PAYMENT_EXTENSIONS_MAX - 1)
    first = bob_client.post(demo_url(payment), {**card(), "prolonger": "1"})
    assert "Prolonger" not in visible(first).replace("« Prolonger »", "")
    before = refreshed(payment).expires_at
    response = bob_client.post(demo_url(payment), {**card(), "prolonger": "1"})
    assert "Le délai ne peut plus être prolongé." in visible(response)
    assert refreshed(payment).extensions == PAYMENT_EXTENSIONS_MAX
    assert refreshed(payment).expires_at == before


def test_a_form_posted_after_the_time_ran_out_comes_back_on_a_new_attempt(
    bob_client, tuition, payment
):
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now())
    response = bob_client.post(demo_url(payment), card(email="bob.autre@example.org"))
    assert response.status_code == 200
    assert "Le délai était écoulé : une nouvelle tentative commence." in visible(response)
    assert refreshed(payment).status == Payment.Status.EXPIRED
    fresh = Payment.objects.get(status=Payment.Status.PENDING)
    assert fresh.pk != payment.pk
    page = response.content.decode()
    assert f'action="{demo_url(fresh)}"' in page
    assert 'value="4242 4242 4242 4242"' in page and 'value="bob.autre@example.org"' in page
    # Nothing was charged; the new attempt pays.
    assert Invoice.objects.get(pk=tuition.pk).status == Invoice.Status.OPEN
    done = bob_client.post(demo_url(fresh), card())
    assert done["Location"].startswith("/paiement/recus/")


def test_reessayer_after_a_declined_card(bob_client, tuition, payment):
    declined = bob_client.post(demo_url(payment), card(DECLINED))
    assert declined["Location"] == status_url(payment)
    text = visible(bob_client.get(status_url(payment)))
    assert "Paiement refusé" in text and "Réessayer" in text
    retry = bob_client.post(status_url(payment))
    fresh = Payment.objects.get(status=Payment.Status.PENDING)
    assert retry["Location"] == demo_url(fresh)
    assert [a.invoice_id for a in fresh.allocations.all()] == [tuition.pk]
    assert bob_client.post(demo_url(fresh), card())["Location"].startswith("/paiement/recus/")


def test_the_receipt_address_is_prefilled_with_the_one_on_file(bob_client, payment):
    type(payment.student.user).objects.filter(pk=payment.student.user_id).update(
        email="bob.gagnon@etudiant.example"
    )
    page = bob_client.get(demo_url(payment)).content.decode()
    assert 'value="bob.gagnon@etudiant.example"' in page
