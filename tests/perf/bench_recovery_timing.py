"""Does the time of a refused attempt tell whether an account exists?

Times, on the server side, 50 refused recovery attempts (wrong answers to the secret
questions) and 50 refused logins (wrong password) for a missing and for an existing account,
and compares them. Both paths are meant to do the same hashing work, so their medians should
differ by less than the noise.

    .venv/bin/python tests/perf/bench_recovery_timing.py [--tries 50] [--markdown]

It runs against a throwaway SQLite database in a temporary folder (DATABASE_URL and REDIS_URL
are ignored), through Django's test client: the time of a request is the time of the view,
middleware and templates, without a network. docs/performance.md has the results.
"""

import argparse
import gc
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRIES = 50
WARMUP = 3
RESAMPLES = 2000
MISSING = "2026999"
EXISTING = "2026102"
PASSWORD = "Bonjour-Portail-42"
ANSWERS = ("Filou", "Rimouski", "Gabrielle")
WRONG_ANSWER = "Mauvaise réponse"
WRONG_PASSWORD = "Pas-le-bon-99"
CAPTCHA = {"captcha_0": "PASSED", "captcha_1": "PASSED"}
RECOVERY_REFUSED = "Les réponses ne correspondent pas à celles de votre dossier."
LOGIN_REFUSED = "Le numéro ou le mot de passe est incorrect."


@dataclass
class Series:
    attempt: str
    account: str
    times_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    def row(self) -> list[str]:
        times = self.times_ms
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
        return [
            self.attempt,
            self.account,
            str(len(times)),
            f"{statistics.fmean(times):.1f}",
            f"{self.median:.1f}",
            f"{p95:.1f}",
            f"{statistics.stdev(times):.1f}",
        ]


def django_setup(folder: str) -> None:
    """Django on a throwaway SQLite database in `folder`, migrated, with its cache table."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["PORTAL_VAR_DIR"] = folder
    # Never the real database or a shared Redis: the benchmark clears the cache.
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()

    import captcha.conf.settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the locmem email backend; "testserver" allowed
    # What PORTAL_CAPTCHA_TEST_MODE=1 does: "PASSED" is accepted.
    captcha.conf.settings.CAPTCHA_TEST_MODE = True
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def accounts_create() -> None:
    """The cstj preset and Bob, an activated student with three answers; MISSING is nobody."""
    from accounts.models import User
    from portal.services import institution_load_preset
    from tests.factories import activate, make_student

    institution = institution_load_preset(name="cstj")
    student = make_student(institution, matricule=EXISTING, first_name="Bob", last_name="Gagnon")
    activate(student, password=PASSWORD, answers=ANSWERS)
    assert not User.objects.filter(identifier=MISSING).exists()


def timed(post: Callable[[], object]) -> float:
    """One attempt, in milliseconds, with the throttles forgotten so no lockout cuts it short."""
    from django.core.cache import cache

    cache.clear()
    gc.collect()
    start = time.perf_counter()
    post()
    return (time.perf_counter() - start) * 1000


def recovery_attempt(identifier: str) -> Callable[[], object]:
    """A session that has given the number and the CAPTCHA; each call posts wrong answers."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    response = client.post(reverse("accounts:recovery"), {"identifier": identifier, **CAPTCHA})
    assert response.status_code == 302, response.status_code
    page = client.get(reverse("accounts:recovery_questions")).content.decode()
    fields = sorted(set(re.findall(r'name="(answer_\d+)"', page)))
    assert len(fields) == len(ANSWERS), fields
    data = dict.fromkeys(fields, WRONG_ANSWER)
    url = reverse("accounts:recovery_questions")

    def post() -> object:
        response = client.post(url, data)
        assert response.status_code == 200
        assert RECOVERY_REFUSED in response.content.decode()
        return response

    return post


def login_attempt(identifier: str) -> Callable[[], object]:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    url = reverse("accounts:login")
    data = {"student-identifier": identifier, "student-password": WRONG_PASSWORD}

    def post() -> object:
        response = client.post(url, data)
        assert response.status_code == 200
        assert LOGIN_REFUSED in response.content.decode()
        return response

    return post


def measure(attempt: str, make: Callable[[str], Callable[[], object]], tries: int) -> list[Series]:
    """Missing and existing alternate, so that a slow moment of the machine hits both alike."""
    posts = {"missing": make(MISSING), "existing": make(EXISTING)}
    for post in posts.values():
        for _ in range(WARMUP):
            timed(post)
    times: dict[str, list[float]] = {account: [] for account in posts}
    for n in range(tries):
        order = list(posts) if n % 2 == 0 else list(reversed(posts))
        for account in order:
            times[account].append(timed(posts[account]))
    return [Series(attempt, account, times[account]) for account in posts]


HEADERS = ["Attempt", "Account", "Tries", "Mean (ms)", "Median (ms)", "p95 (ms)", "Stdev (ms)"]


def median_interval(missing: Series, existing: Series) -> tuple[float, float]:
    """The 95% bootstrap interval of the difference of the medians: how far apart two medians
    of this machine's noise may fall. Seeded, so the same times give the same interval."""
    rng = random.Random(0)
    deltas = sorted(
        statistics.median(rng.choices(existing.times_ms, k=len(existing.times_ms)))
        - statistics.median(rng.choices(missing.times_ms, k=len(missing.times_ms)))
        for _ in range(RESAMPLES)
    )
    return deltas[int(0.025 * RESAMPLES)], deltas[int(0.975 * RESAMPLES) - 1]


def difference(missing: Series, existing: Series) -> str:
    delta = existing.median - missing.median
    low, high = median_interval(missing, existing)
    share = delta / missing.median
    return f"{delta:+.1f} ms ({share:+.1%}; 95% interval {low:+.1f} to {high:+.1f} ms)"


def print_text(results: list[tuple[Series, Series]]) -> None:
    rows = [HEADERS] + [series.row() for pair in results for series in pair]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]

    def line(cells: list[str]) -> str:
        # Names to the left, numbers to the right.
        return "  ".join(
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(HEADERS))
    for missing, existing in results:
        print(line(missing.row()))
        print(line(existing.row()))
        print(f"  {missing.attempt}: median existing - missing = {difference(missing, existing)}")


def print_markdown(results: list[tuple[Series, Series]]) -> None:
    headers = [*HEADERS, "Δ median, existing − missing (95% interval)"]
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * (len(headers) - 2)) + "|")
    for missing, existing in results:
        print("| " + " | ".join([*missing.row(), ""]) + " |")
        print("| " + " | ".join([*existing.row(), difference(missing, existing)]) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tries", type=int, default=TRIES, help="timed tries per account")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portail-bench-") as folder:
        django_setup(folder)
        accounts_create()
        results = []
        for attempt, make in (
            ("Recovery (wrong answers)", recovery_attempt),
            ("Login (wrong password)", login_attempt),
        ):
            missing, existing = measure(attempt, make, options.tries)
            results.append((missing, existing))
        from django.db import connections

        connections.close_all()
    if options.markdown:
        print_markdown(results)
    else:
        print_text(results)


if __name__ == "__main__":
    main()
