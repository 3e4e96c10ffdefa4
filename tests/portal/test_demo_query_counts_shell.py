"""Regression guard (issue 17): the queries of the pages every login lands on, counted on the
demo's data (`manage.py demo`), not timed. The home page of the README's first student, the
demo parent's home and her first child's page. A change that adds a query to one of them
fails here with the list of its SQL; lower a figure when a change removes one.

The counts include the session with its user (one query) and the one read of the shared versions
(portal/versions.py); in a warm process the institution, the services menu, the calendar and
the news cost no query (tests/portal/test_kept_between_requests.py proves them fresh).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.test_query_budget import TRANSACTION_CONTROL

STUDENT, PASSWORD = "2026001", "Portail-Demo-2026"
PARENT, PARENT_PASSWORD = "mireille.lalonde@parents.example", "Parents-Demo-2026"

# Measured on SQLite and PostgreSQL with the demo of this branch.
HOME_QUERIES = 5
PARENT_HOME_QUERIES = 4
CHILD_QUERIES = 5


def counted(client, url: str, budget: int) -> str:
    client.get(url)  # warm: what a process keeps between requests is kept
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    queries = [
        q["sql"] for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])
    ]
    listing = "\n".join(f"{n}. {sql[:300]}" for n, sql in enumerate(queries, start=1))
    assert len(queries) <= budget, f"{url}: {len(queries)} queries for {budget}:\n{listing}"
    return response.content.decode()


@pytest.fixture
def demo(demo_loaded, db):
    """The demo, loaded once for the module (tests/conftest.py)."""


def test_student_home_on_the_demo(client, demo):
    client.post(
        reverse("accounts:login"), {"student-identifier": STUDENT, "student-password": PASSWORD}
    )
    text = counted(client, reverse("portal:home"), HOME_QUERIES)
    assert "Bienvenue" in text and "Mes cours" in text and "Calendrier des événements" in text


def test_parent_home_and_child_on_the_demo(client, demo):
    response = client.post(reverse("parents:login"), {"email": PARENT, "password": PARENT_PASSWORD})
    assert response.status_code == 302
    home = counted(client, reverse("parents:home"), PARENT_HOME_QUERIES)
    children = re.findall(r'href="/parents/enfants/(\d+)/"', home)
    assert len(set(children)) == 2
    text = counted(client, reverse("parents:child", args=[children[0]]), CHILD_QUERIES)
    assert "Horaire" in text or "horaire" in text
