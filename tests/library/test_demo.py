"""`manage.py demo` gives the library a catalogue of a few hundred records, loans to renew and a
hold, and says so; running it again adds nothing."""

import io

from django.core.management import call_command

from library.models import Copy, Hold, Loan, Record
from library.selectors import catalogue_search


def test_demo_library(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    call_command("demo", stdout=io.StringIO())

    assert "Bibliothèque: 300 documents" in out.getvalue()
    assert Record.objects.count() == 300 and Copy.objects.count() == 400
    eloise_loans = Loan.objects.filter(student__matricule="2026001")
    assert eloise_loans.count() == 3
    assert Hold.objects.filter(student__matricule="2026001", status="waiting").count() == 1
    titles = [record.title for record in catalogue_search(query="electricite")[:2]]
    assert "Électricité" in titles[0]
