"""Logged-in students browsing the portal: the load test of docs/performance.md.

Run by tests/perf/bench_load.py, which starts the app servers; by hand:

    BENCH_HOSTS=http://127.0.0.1:24101,http://127.0.0.1:24102 BENCH_OUT=/tmp/samples.json \\
        .venv/bin/locust -f tests/perf/locustfile.py --headless -u 16 -r 16 -t 45s

Each simulated student logs in once (its own account: matricules from BENCH_FIRST_MATRICULE,
activated by tests/perf/load_college.py with BENCH_PASSWORD), then asks for home, schedule,
results and statement in a random order, back to back, without think time: N users keep N
requests in flight, which measures what the servers can serve. Users are dealt round-robin to
the hosts of BENCH_HOSTS, as a load balancer would (1st user to the 1st host, 2nd to the 2nd…).

Besides locust's own statistics, every page request after the warm-up (BENCH_WARMUP seconds
after the start, logins excluded) is kept and written to BENCH_OUT when the run ends, so that
bench_load.py computes exact percentiles for the pages alone.
"""

import itertools
import json
import os
import re
import time

from locust import FastHttpUser, constant, events, task

HOSTS = [host for host in os.environ.get("BENCH_HOSTS", "").split(",") if host]
FIRST_MATRICULE = int(os.environ.get("BENCH_FIRST_MATRICULE", "2000001"))
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "2000"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "Bonjour-Portail-42")
WARMUP = float(os.environ.get("BENCH_WARMUP", "5"))
PAGES = {
    "home": "/accueil/",
    "schedule": "/horaire/",
    "results": "/resultats/",
    "statement": "/paiement/",
}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_numbers = itertools.count()
_started = time.monotonic()
_samples: list[tuple[float, str, float, bool]] = []  # (since start, page, ms, failed)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs) -> None:
    since = time.monotonic() - _started
    if name in PAGES and since >= WARMUP:
        _samples.append((since, name, response_time, exception is not None))


@events.quitting.add_listener
def _write(environment, **kwargs) -> None:
    target = os.environ.get("BENCH_OUT")
    if target:
        with open(target, "w") as handle:
            json.dump({"warmup": WARMUP, "samples": _samples}, handle)


class Student(FastHttpUser):
    wait_time = constant(0)

    def __init__(self, environment) -> None:
        number = next(_numbers)
        if HOSTS:
            self.host = HOSTS[number % len(HOSTS)]
        self.matricule = str(FIRST_MATRICULE + number % ACCOUNTS)
        super().__init__(environment)

    def on_start(self) -> None:
        with self.client.get("/", name="login page", catch_response=True) as page:
            token = TOKEN.search(page.text or "")
            if page.status_code != 200 or token is None:
                page.failure(f"login page: {page.status_code}")
                return
        with self.client.post(
            "/",
            data={
                "csrfmiddlewaretoken": token[1],
                "student-identifier": self.matricule,
                "student-password": PASSWORD,
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login of {self.matricule} refused ({answer.status_code})")

    def _page(self, name: str) -> None:
        with self.client.get(
            PAGES[name], name=name, allow_redirects=False, catch_response=True
        ) as page:
            if page.status_code != 200:
                page.failure(f"{name}: {page.status_code}")

    @task
    def home(self) -> None:
        self._page("home")

    @task
    def schedule(self) -> None:
        self._page("schedule")

    @task
    def results(self) -> None:
        self._page("results")

    @task
    def statement(self) -> None:
        self._page("statement")
