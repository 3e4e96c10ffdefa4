"""Query budgets of the payment centre, asserted: the statement issues at most 12 queries
whatever the number of invoices, the home page with its balance at most 10."""

# Fixtures shared with test_statement.py are imported, and tests take them as arguments.
# ruff: noqa: F811

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.test_first_use import page
from tests.accounts.test_query_budget import TRANSACTION_CONTROL, query_budget  # noqa: F401
from tests.billing.test_demo_provider import card, demo_url
from tests.billing.test_statement import (  # noqa: F401 (fixtures)
    HOME,
    STATEMENT,
    TUITION,
    bob_client,
    counter_payment,
    pay_start,
    student_of,
)
from tests.factories import make_invoice

STATEMENT_BUDGET = 12
HOME_BUDGET = 10


@contextmanager
def counted() -> Iterator[list[str]]:
    """The queries the code under test ran, without the test's own savepoints."""
    queries: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield queries
    queries.extend(
        q["sql"] for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])
    )


def statement_queries(client) -> list[str]:
    with counted() as queries:
        response = client.get(STATEMENT)
    assert response.status_code == 200
    return queries


def make_invoices(user, count: int) -> None:
    for n in range(count):
        make_invoice(student_of(user), number=f"FAC{n + 1:08d}", lines=TUITION)


@pytest.fixture
def with_history(bob, bob_client):
    """A few approved payments, so that "Mes paiements" lists receipts too."""
    for n in range(3):
        invoice = make_invoice(student_of(bob), number=f"FAC9000000{n}")
        if n == 0:
            bob_client.post(demo_url(pay_start(bob_client, invoice)), card())
        else:
            counter_payment(bob, invoice)


def test_statement_with_50_invoices(bob_client, bob, with_history, query_budget):
    make_invoices(bob, 50)
    with query_budget(STATEMENT_BUDGET):
        response = bob_client.get(STATEMENT)
    assert response.status_code == 200
    text = page(response)
    assert text.count('name="factures"') == 50
    assert "VOTRE SOLDE : 17 500,00 $" in text
    assert text.count("Relevé de transaction REC") == 3


def test_the_statement_costs_the_same_for_2_or_50_invoices(bob_client, bob, with_history):
    make_invoices(bob, 2)
    two = statement_queries(bob_client)
    make_invoice(student_of(bob), number="FAC00000099", lines=TUITION)
    for n in range(47):
        make_invoice(student_of(bob), number=f"FAC0000{n + 100:04d}", lines=TUITION)
    fifty = statement_queries(bob_client)
    listing = "\n".join(sql[:200] for sql in fifty)
    assert len(fifty) == len(two), listing
    assert len(fifty) <= STATEMENT_BUDGET, listing


def test_statement_under_the_overdue_restriction(bob_client, bob, institution, query_budget):
    institution.restrict_on_overdue = True
    institution.save(update_fields=["restrict_on_overdue"])
    make_invoices(bob, 50)
    make_invoice(student_of(bob), number="FAC00000999", due_in_days=-5)
    with query_budget(STATEMENT_BUDGET):
        response = bob_client.get(STATEMENT)
    assert "Votre accès au portail est limité" in page(response)


def test_home_page_with_invoices(bob_client, bob, with_history, query_budget):
    make_invoices(bob, 50)
    with query_budget(HOME_BUDGET):
        response = bob_client.get(HOME)
    assert response.status_code == 200
    assert "Solde à payer de 17 500,00 $" in page(response)


def test_invoice_details_and_selection(bob_client, bob, query_budget):
    make_invoices(bob, 50)
    with query_budget(HOME_BUDGET):
        response = bob_client.get(reverse("billing:invoice", args=["FAC00000001"]))
    assert response.status_code == 200
    numbers = [f"FAC{n:08d}" for n in range(1, 51)]
    with query_budget(STATEMENT_BUDGET):
        response = bob_client.get(reverse("billing:selection"), {"factures": numbers})
    assert response.status_code == 200
    assert "17 500,00 $" in page(response)
