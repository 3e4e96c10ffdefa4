"""Times the registrar's admin lists on a loaded college (tests/perf/load_college.py):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_registrar_bench20 \\
        .venv/bin/python tests/perf/bench_admin.py --runs 5

For each page (changelists, their filters and searches, an evaluation with its marks) it prints
the median time of `--runs` requests after one warm-up (and the median of this process's CPU
time for them, Django's part, which the box's other jobs do not inflate, and of their SQL time,
the part that grows with the tables), through Django's test client in this
process (no web server: the time is Django's and PostgreSQL's), and the number of queries.
A superuser `bench-admin` is created if missing. Nothing here is a test: pytest does not
collect it.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))


def pages() -> list[tuple[str, str, dict[str, str]]]:
    from django.urls import reverse

    from students.models import Evaluation, Student, Term
    from students.search import fold

    student = Student.objects.order_by("pk")[Student.objects.count() // 2]
    term = Term.objects.order_by("-starts_on").first()
    evaluation = Evaluation.objects.filter(marks__isnull=False).order_by("pk").first()
    # A name with an accent, searched without it (students.search: unaccent on PostgreSQL).
    accented = Student.objects.filter(last_name__regex=r"[À-ÿ]").order_by("pk").first() or student
    folded = fold(accented.last_name)

    def changelist(model: str) -> str:
        return reverse(f"admin:{model}_changelist")

    return [
        ("étudiants", changelist("students_student"), {}),
        ("étudiants, nom", changelist("students_student"), {"q": student.last_name}),
        ("étudiants, nom sans accents", changelist("students_student"), {"q": folded}),
        ("étudiants, matricule", changelist("students_student"), {"q": student.matricule[:5]}),
        ("inscriptions", changelist("students_enrolment"), {}),
        ("inscriptions, nom", changelist("students_enrolment"), {"q": student.last_name}),
        ("inscriptions, nom sans accents", changelist("students_enrolment"), {"q": folded}),
        ("inscriptions, matricule", changelist("students_enrolment"), {"q": student.matricule}),
        (
            "inscriptions, session",
            changelist("students_enrolment"),
            {"section__term__id__exact": str(term.pk)},
        ),
        ("évaluations", changelist("students_evaluation"), {}),
        (
            "une évaluation et ses notes",
            reverse("admin:students_evaluation_change", args=[evaluation.pk]),
            {},
        ),
        ("factures", changelist("billing_invoice"), {}),
        ("factures, à payer", changelist("billing_invoice"), {"solde": "unpaid"}),
        ("factures, en souffrance", changelist("billing_invoice"), {"solde": "overdue"}),
        ("factures, par solde", changelist("billing_invoice"), {"o": "-7"}),
        ("factures, nom", changelist("billing_invoice"), {"q": student.last_name}),
        ("paiements", changelist("billing_payment"), {}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    user = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench-admin@example.org", "Bench-Admin-2026-xyz"
    )
    client = Client()
    client.force_login(user)
    print(f"{'page':<30} {'median ms':>10} {'CPU ms':>7} {'SQL ms':>7} {'queries':>8} {'rows':>7}")
    for name, url, params in pages():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        timings, cpu, sql = [], [], []
        for _run in range(options.runs):
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, params)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        cl = response.context_data.get("cl") if response.context_data else None
        rows = f"{cl.result_count:,}" if cl is not None else "—"
        print(
            f"{name:<30} {statistics.median(timings):>10.0f} {statistics.median(cpu):>7.0f} "
            f"{statistics.median(sql):>7.0f} "
            f"{len(captured.captured_queries):>8} {rows:>7}",
            flush=True,
        )


if __name__ == "__main__":
    main()
