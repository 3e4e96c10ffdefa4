"""Regression guard of issue 17: the queries each page the demo's first student (2026001)
opens most costs, on the demo's own data (`manage.py demo`), counted (not timed) on a second
visit. A page that needs more fails here with its queries listed; when a page needs fewer,
lower its figure. docs/performance.md ("The student pages of issue 17") says where each
query comes from."""

# The query_budget fixture is imported, and tests take it as an argument.
# ruff: noqa: F811

import pytest

from tests.accounts.test_login import student_login
from tests.accounts.test_query_budget import (  # noqa: F401 (query_budget is a fixture)
    TRANSACTION_CONTROL,
    query_budget,
)

DEMO_STUDENT, DEMO_PASSWORD = "2026001", "Portail-Demo-2026"

# Three queries every logged-in student page shares (the session with its user, the shared
# versions, the student's record), then the page's own: the terms and sections (one query) and
# meetings of the schedule and its first retrieval; the open invoices' lines, their approved
# allocations and the latest payments; the enrolments and the evaluations with the student's
# marks, or the groups' statistics; the inbox's counts and its page.
PAGES = {
    "/horaire/": 6,
    "/paiement/": 6,
    "/notes-finales/": 5,
    "/resultats/": 5,
    "/mio/": 4,
}
# What shows that the page carries the demo's data (the counts would mean little on an empty
# page).
SHOWS = {
    "/horaire/": "schedule-meeting",
    "/paiement/": 'name="factures"',
    "/notes-finales/": 'data-testid="term-cote-r"',
    "/resultats/": "data-course=",
    "/mio/": 'data-testid="mio-row"',
}


@pytest.fixture
def demo_client(demo_loaded, db, client):
    assert student_login(client, DEMO_STUDENT, DEMO_PASSWORD).status_code == 302
    return client


@pytest.mark.parametrize(("path", "budget"), PAGES.items(), ids=list(PAGES))
def test_the_demo_students_page_runs_at_most_its_queries(demo_client, query_budget, path, budget):
    first = demo_client.get(path)
    assert first.status_code == 200 and b"Quitter" in first.content
    with query_budget(budget) as context:
        response = demo_client.get(path)
    assert response.status_code == 200
    queries = [q for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    assert queries, "nothing counted: the guard would measure nothing"
    assert SHOWS[path] in response.content.decode()
