"""Recherche documentaire through HTTP, on SQLite and PostgreSQL: accents and case ignored,
title matches ranked before subject matches, filters, pages of 20, the record page with its
copies' status, and the query budget."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from library.models import Hold
from portal.templatetags.portal_format import format_when
from tests.accounts.test_query_budget import TRANSACTION_CONTROL
from tests.library.factories import make_hold, make_loan, make_record

SEARCH = reverse("library:search")
BUDGET = 8  # measured: 7 queries, on SQLite and PostgreSQL, whatever the number of rows


def titles(response) -> list[str]:
    found = re.findall(r'class="fw-semibold">([^<]+)</a>', response.content.decode())
    return [html.unescape(title) for title in found]


def test_accents_and_case_are_ignored(bob_client, library_on):
    make_record("Électricité du bâtiment", authors="Côté, Hélène")
    make_record("Mécanique des fluides")

    response = bob_client.get(SEARCH, {"q": "ELECTRICITE"})

    assert titles(response) == ["Électricité du bâtiment"]
    assert titles(bob_client.get(SEARCH, {"q": "cote"})) == ["Électricité du bâtiment"]
    assert "1 document trouvé" in response.content.decode()


def test_title_match_ranks_before_subject_match(bob_client, library_on):
    make_record("Manuel du technicien", subjects="Électricité\nSécurité")
    make_record("Zoo d'électricité")  # later in the alphabet, yet a title match

    assert titles(bob_client.get(SEARCH, {"q": "électricité"})) == [
        "Zoo d'électricité",
        "Manuel du technicien",
    ]


def test_every_word_must_match(bob_client, library_on):
    make_record("Électricité et magnétisme")
    make_record("Électricité générale")

    assert titles(bob_client.get(SEARCH, {"q": "electricite magnetisme"})) == [
        "Électricité et magnétisme"
    ]
    assert titles(bob_client.get(SEARCH, {"q": "introuvable"})) == []


def test_filters_type_language_and_available_now(bob_client, bob_student, library_on):
    loaned = make_record("Chimie organique", language="fre")
    make_record("Chimie des solutions", language="eng")
    make_record("Chimie en vidéo", document_type="video")
    make_loan(loaned.copies.get(), bob_student)

    assert titles(bob_client.get(SEARCH, {"q": "chimie", "type": "video"})) == ["Chimie en vidéo"]
    assert titles(bob_client.get(SEARCH, {"q": "chimie", "language": "eng"})) == [
        "Chimie des solutions"
    ]
    available = titles(bob_client.get(SEARCH, {"q": "chimie", "available": "on"}))
    assert sorted(available) == ["Chimie des solutions", "Chimie en vidéo"]


def test_pages_of_twenty_within_the_query_budget(bob_client, bob_student, library_on):
    for number in range(45):
        record = make_record(f"Physique tome {number:02d}", copies=2)
        if number % 3 == 0:
            make_loan(record.copies.first(), bob_student)
    bob_client.get(SEARCH)  # the session's first-request work

    with CaptureQueriesContext(connection) as context:
        response = bob_client.get(SEARCH, {"q": "physique", "page": 2})

    queries = [q for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    assert len(titles(response)) == 20
    assert "45 documents trouvés" in response.content.decode()
    assert "Page 2 de 3" in response.content.decode()
    assert len(queries) <= BUDGET, [q["sql"] for q in queries]


def test_record_page_shows_each_copy_status(bob_client, bob_student, charlie_student, library_on):
    record = make_record("Électricité", control="el", copies=3)
    first, second, _third = record.copies.order_by("barcode")
    loan = make_loan(first, charlie_student, due_in=10)
    hold = make_hold(record, charlie_student)
    Hold.objects.filter(pk=hold.pk).update(status=Hold.Status.READY, copy=second)

    page = bob_client.get(reverse("library:record", args=[record.pk])).content.decode()

    statuses = [html.unescape(s) for s in re.findall(r'data-testid="copy-status">([^<]+)<', page)]
    due = format_when(loan.due_on, "SHORT_DATE_FORMAT")
    assert statuses == [f"prêté jusqu'au {due}", "mis de côté", "disponible"]


def test_disabled_module_gets_404(bob_client, institution):
    institution.enabled_modules = [m for m in institution.enabled_modules if m != "library"]
    institution.save()
    assert bob_client.get(SEARCH).status_code == 404


@pytest.mark.parametrize("query", ["", "   ", "'\"&|!:*"])
def test_odd_queries_never_fail(bob_client, library_on, query):
    make_record("Électricité")
    assert bob_client.get(SEARCH, {"q": query}).status_code == 200
