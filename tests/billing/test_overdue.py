"""An overdue balance restricts the portal to the payment centre where the institution says so,
with a banner saying why; paying gives the portal back."""

# Fixtures shared with test_statement.py are imported, and tests take them as arguments.
# ruff: noqa: F811

import pytest
from django.test import Client
from django.urls import reverse

from billing.models import Invoice
from portal.models import Institution
from tests.accounts.test_first_use import page
from tests.billing.test_demo_provider import card, demo_url
from tests.billing.test_statement import (  # noqa: F401 (fixtures)
    HOME,
    STATEMENT,
    bob_client,
    counter_payment,
    invoice_url,
    login,
    pay_start,
    student_of,
)
from tests.factories import make_invoice

BANNER = "Votre accès au portail est limité au Centre de paiement"
PROFILE = reverse("accounts:profile")


@pytest.fixture
def restricting(institution: Institution) -> Institution:
    institution.restrict_on_overdue = True
    institution.save(update_fields=["restrict_on_overdue"])
    return institution


@pytest.fixture
def overdue(bob) -> Invoice:
    return make_invoice(student_of(bob), number="FAC00000405", due_in_days=-5)


def test_an_overdue_balance_sends_the_student_to_the_payment_centre(
    bob_client, restricting, overdue
):
    response = bob_client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == STATEMENT
    response = bob_client.get(HOME, follow=True)
    text = page(response)
    assert BANNER in text
    assert "solde en souffrance" in text
    assert "État de compte" in text
    assert "en souffrance" in text.split(overdue.number, 1)[1]


def test_the_payment_centre_and_the_profile_stay_open(bob_client, restricting, overdue):
    for url in (STATEMENT, invoice_url(overdue), PROFILE):
        response = bob_client.get(url)
        assert response.status_code == 200, url
        assert BANNER in page(response), url


def test_paying_gives_the_portal_back(bob_client, restricting, overdue):
    payment = pay_start(bob_client, overdue)
    response = bob_client.post(demo_url(payment), card())
    assert response["Location"].startswith("/paiement/recus/")
    assert Invoice.objects.get(pk=overdue.pk).status == Invoice.Status.PAID
    response = bob_client.get(HOME)
    assert response.status_code == 200
    assert BANNER not in page(response)
    assert "Vous n'avez aucun solde à payer" in page(response)


def test_paying_part_of_it_is_not_enough(bob_client, bob, restricting, overdue):
    counter_payment(bob, overdue, amount="200.00")
    assert bob_client.get(HOME)["Location"] == STATEMENT
    counter_payment(bob, overdue)
    assert bob_client.get(HOME).status_code == 200


def test_without_the_setting_nothing_is_restricted(bob_client, institution, overdue):
    assert not institution.restrict_on_overdue
    response = bob_client.get(HOME)
    assert response.status_code == 200
    assert BANNER not in page(response)
    assert BANNER not in page(bob_client.get(STATEMENT))


@pytest.mark.parametrize("due_in_days", [0, 1, 30])
def test_an_invoice_not_yet_due_restricts_nothing(bob_client, bob, restricting, due_in_days):
    make_invoice(student_of(bob), due_in_days=due_in_days)
    response = bob_client.get(HOME)
    assert response.status_code == 200
    assert BANNER not in page(response)
    assert "Solde à payer de 275,00 $" in page(response)


def test_a_student_without_invoices_is_not_restricted(bob_client, restricting):
    assert bob_client.get(HOME).status_code == 200


def test_another_students_overdue_balance_is_theirs_alone(bob_client, charlie, restricting):
    make_invoice(student_of(charlie), due_in_days=-5)
    assert bob_client.get(HOME).status_code == 200
    charlie_client = login(Client(), charlie)
    assert charlie_client.get(HOME)["Location"] == STATEMENT


def test_a_cancelled_overdue_invoice_restricts_nothing(bob_client, restricting, overdue):
    overdue.status = Invoice.Status.CANCELLED
    overdue.save(update_fields=["status"])
    assert bob_client.get(HOME).status_code == 200


def test_staff_are_not_restricted(admin_client, restricting, overdue):
    assert admin_client.get(reverse("admin:index")).status_code == 200
    assert admin_client.get(HOME).status_code == 200
