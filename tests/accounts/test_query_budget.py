"""Query budgets, asserted: the login page, each first-use step (shown and validly posted)
and the home page issue at most 10 SQL queries each."""

import datetime
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.test_first_use import (
    CSTJ_PASSWORD,
    emailed_code,
    identity_data,
    questions_data,
    url,
    walk_first_use,
)
from tests.accounts.test_login import student_login
from tests.factories import make_student

BUDGET = 10

# Each test runs inside a transaction, so every `atomic` block of the code under test adds a
# SAVEPOINT / RELEASE pair that production (autocommit, one real transaction) does not run.
# (SQLite's backend also logs BEGIN/COMMIT where PostgreSQL's does not: not queries either.)
TRANSACTION_CONTROL = re.compile(
    r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT)\b"
)


@pytest.fixture
def query_budget() -> Callable[[int], AbstractContextManager[CaptureQueriesContext]]:
    """Like django_assert_max_num_queries, without counting the test's own savepoints."""

    @contextmanager
    def at_most(budget: int = BUDGET) -> Iterator[CaptureQueriesContext]:
        with CaptureQueriesContext(connection) as context:
            yield context
        queries = [
            q["sql"] for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])
        ]
        listing = "\n".join(f"{n}. {sql[:200]}" for n, sql in enumerate(queries, start=1))
        assert len(queries) <= budget, (
            f"{len(queries)} queries for a budget of {budget}:\n{listing}"
        )

    return at_most


def test_login_page(client, institution, query_budget):
    with query_budget():
        response = client.get(url("login"))
    assert response.status_code == 200


def test_home_page(client, bob, query_budget):
    student_login(client, "2026102")
    with query_budget():
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "Bienvenue, Bob" in response.content.decode()


def test_identity_step(client, alice, commit, query_budget):
    with query_budget():
        assert client.get(url("first_use")).status_code == 200
    data = identity_data(alice)
    with query_budget(), commit():
        response = client.post(url("first_use"), data)
    assert response["Location"] == url("first_use_code")


def test_code_step(client, alice, commit, query_budget):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_code")
    with query_budget():
        assert client.get(url("first_use_code")).status_code == 200
    data = {"code": emailed_code()}
    with query_budget():
        response = client.post(url("first_use_code"), data)
    assert response["Location"] == url("first_use_questions")


def test_code_resend(client, alice, commit, query_budget):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_code")
    with query_budget(), commit():
        response = client.post(url("first_use_code"), {"resend": "1"})
    assert response["Location"] == url("first_use_code")


def test_questions_step(client, alice, commit, query_budget):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_questions")
    with query_budget():
        assert client.get(url("first_use_questions")).status_code == 200
    data = questions_data()
    with query_budget():
        response = client.post(url("first_use_questions"), data)
    assert response["Location"] == url("first_use_password")


def test_password_step(client, alice, commit, query_budget):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_password")
    with query_budget():
        assert client.get(url("first_use_password")).status_code == 200
    data = {"password1": CSTJ_PASSWORD, "password2": CSTJ_PASSWORD}
    # One more than the others: this browser becomes the new account's first known device
    # (one INSERT), so that the next login from it sends no "Nouvelle connexion" email.
    with query_budget(BUDGET + 1):
        response = client.post(url("first_use_password"), data)
    assert response["Location"] == reverse("portal:home")


def test_email_step(client, load_preset, commit, query_budget):
    institution = load_preset("caomsc")
    member = make_student(
        institution, matricule="00875", birthdate=datetime.date(1979, 11, 23), postal_code="H2T 2C8"
    )
    walk_first_use(client, member, commit=commit, until="accounts:first_use_email")
    with query_budget():
        assert client.get(url("first_use_email")).status_code == 200
    data = {"email": "membre@courriel.example", "email_confirm": "membre@courriel.example"}
    with query_budget():
        response = client.post(url("first_use_email"), data)
    assert response["Location"] == url("first_use_password")
