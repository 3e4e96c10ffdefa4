"""The benchmark's college (tests/perf/generate_college.py) is a valid set of import files: a
small one goes through `import_csv`, kind after kind, and lands whole in the portal, so that
the load and import benchmarks measure what a registrar would really import."""

from pathlib import Path

import pytest
from django.core.management import call_command

from billing.models import Invoice, InvoiceLine
from students.models import Enrolment, Evaluation, Mark, Meeting, Section, Student
from tests.perf.generate_college import College
from tests.perf.load_college import KINDS


@pytest.fixture
def college(tmp_path: Path) -> dict:
    return College(students=70, seed=7).generate(tmp_path) | {"dir": tmp_path}


def test_the_same_seed_writes_the_same_files(college, tmp_path_factory):
    again = tmp_path_factory.mktemp("again")
    College(students=70, seed=7).generate(again)
    for kind in KINDS:
        assert (again / f"{kind}.csv").read_bytes() == (college["dir"] / f"{kind}.csv").read_bytes()


def test_every_generated_file_imports_whole(college, institution):
    rows = college["rows"]
    for kind in KINDS:
        call_command("import_csv", kind, str(college["dir"] / f"{kind}.csv"), verbosity=0)

    assert Student.objects.count() == rows["students"] == 70
    # 7 courses a term, two terms: HIV-2026 (finished) and AUT-2026 (running).
    assert Enrolment.objects.count() == rows["enrolments"] == 70 * 14
    assert Meeting.objects.count() == rows["sections"] == 2 * Section.objects.count()
    assert Evaluation.objects.count() == rows["evaluations"] == 5 * Section.objects.count()
    assert Mark.objects.count() == rows["marks"]
    assert Enrolment.objects.filter(final_grade__isnull=False).count() == rows["final_grades"]
    assert rows["final_grades"] == 70 * 7
    assert InvoiceLine.objects.count() == rows["invoices"]
    assert Invoice.objects.count() == rows["invoice_count"]
    # Accented names came through as written.
    assert Student.objects.filter(last_name__regex=r"[À-ỹ]").exists()
