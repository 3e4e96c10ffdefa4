"""Opening day of course choice: N students log in and submit their choice at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/SCRATCH \\
        .venv/bin/python tests/perf/bench_opening_day.py [--students 2000] [--clients 32]
        [--workers 4] [--port 25000]

SCRATCH must be an empty PostgreSQL database (it is migrated and filled here: the cstj preset,
N activated students of one program sharing one password hash, one next term with 6 grid
courses of 60 sections each and an elective list of 8 courses to rank 6, the choice window
open). gunicorn then serves the portal with `--workers` processes on 127.0.0.1:PORT, and
`--clients` threads each take the next student and walk what a browser does: the login page,
"Se connecter" (password), the "Choix de cours" page, "Remettre le choix de cours" (ranks +
password again), the confirmation page with the number. Reported: throughput, the latency of
each step (p50, p99, max), errors, and the database afterwards (one current choice per
student, no duplicates, every number shown is the one stored). docs/performance.md has the
figures. Not a test: it loads the machine for a few minutes.
"""

import argparse
import datetime
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Choix-Cours-2027"
NUMBER_RE = re.compile(r'data-testid="confirmation-number">([A-Z2-9-]+)<')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RANK_RE = re.compile(r'name="(rank-\d+-\d+)"')
CHECKED_RE = re.compile(r'name="courses" value="(\d+)" id="course-\d+" checked')


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def build(students: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from portal.selectors import school_main
    from portal.services import institution_load_preset
    from registration.models import ElectiveList, TermRegistration
    from students.models import Course, Meeting, Program, Section, Student, Term

    institution = institution_load_preset(name="cstj")
    school = school_main(institution)
    program = Program.objects.create(code="420.B0", name="Informatique")
    term = Term.objects.create(
        code="HIV-2027", starts_on=datetime.date(2027, 1, 20), ends_on=datetime.date(2027, 5, 20)
    )
    grid = [
        Course.objects.create(
            code=f"420-{n}A4-TH", title=f"Cours {n}", credits=2, program=program, program_term=1
        )
        for n in range(6)
    ]
    electives = [
        Course.objects.create(code=f"360-C{n:02d}", title=f"Complémentaire {n}", credits=2)
        for n in range(8)
    ]
    for course in grid + electives:
        sections = Section.objects.bulk_create(
            Section(term=term, course=course, group=f"{g:02d}", capacity=40) for g in range(60)
        )
        Meeting.objects.bulk_create(
            Meeting(
                section=s,
                day=1 + i % 5,
                start=datetime.time(8 + i % 8),
                end=datetime.time(9 + i % 8),
            )
            for i, s in enumerate(sections)
        )
    elective_list = ElectiveList.objects.create(
        term=term, code="complementaires", name="Cours complémentaires", size=6
    )
    elective_list.courses.set(electives)
    now = timezone.now()
    TermRegistration.objects.create(
        term=term,
        choice_opens=now - datetime.timedelta(hours=1),
        choice_closes=now + datetime.timedelta(days=2),
        confirmation_deadline=datetime.date(2027, 2, 15),
    )
    encoded = make_password(PASSWORD)  # one Argon2 hash for all: setup in seconds
    users = User.objects.bulk_create(
        (
            User(
                username=f"student:{4000000 + n}",
                audience="student",
                identifier=f"{4000000 + n}",
                password=encoded,
                first_name="Étudiant",
                last_name=f"Nom{n}",
                email=f"e{n}@etudiant.example",
            )
            for n in range(students)
        ),
        batch_size=1000,
    )
    users = {u.identifier: u for u in User.objects.filter(audience="student")}
    Student.objects.bulk_create(
        (
            Student(
                matricule=f"{4000000 + n}",
                last_name=f"Nom{n}",
                first_name="Étudiant",
                email=f"e{n}@etudiant.example",
                birthdate=datetime.date(2006, 1, 1),
                program=program,
                school=school,
                user=users[f"{4000000 + n}"],
            )
            for n in range(students)
        ),
        batch_size=1000,
    )


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.shown: dict[str, str] = {}

    def add(self, step: str, seconds: float) -> None:
        with self.lock:
            self.times[step].append(seconds)


def walk(base: str, matricule: str, stats: Stats) -> None:
    import requests

    session = requests.Session()

    def timed(step: str, method: str, path: str, **kwargs):
        started = time.perf_counter()
        response = session.request(method, base + path, allow_redirects=False, timeout=60, **kwargs)
        stats.add(step, time.perf_counter() - started)
        return response

    page = timed("login page", "GET", "/")
    token = CSRF_RE.search(page.text)[1]
    login = timed(
        "login",
        "POST",
        "/",
        data={
            "csrfmiddlewaretoken": token,
            "student-identifier": matricule,
            "student-password": PASSWORD,
        },
        headers={"Referer": base + "/"},
    )
    if login.status_code != 302:
        raise RuntimeError(f"login {login.status_code}")
    form = timed("choice page", "GET", "/choix-de-cours/")
    if form.status_code != 200:
        raise RuntimeError(f"choice page {form.status_code}")
    data = {
        "csrfmiddlewaretoken": CSRF_RE.search(form.text)[1],
        "courses": CHECKED_RE.findall(form.text),
        "password": PASSWORD,
    }
    for rank, name in enumerate(RANK_RE.findall(form.text)[:6], start=1):
        data[name] = str(rank)
    submitted = timed(
        "submit (password again)",
        "POST",
        "/choix-de-cours/",
        data=data,
        headers={"Referer": base + "/choix-de-cours/"},
    )
    if submitted.status_code != 302:
        raise RuntimeError(f"submit {submitted.status_code}")
    done = timed("confirmation page", "GET", "/choix-de-cours/confirmation/")
    found = NUMBER_RE.search(done.text)
    if found is None:
        raise RuntimeError("no confirmation number shown")
    with stats.lock:
        stats.shown[matricule] = found[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=25000)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to an empty scratch PostgreSQL database.")
    django_setup()
    started = time.perf_counter()
    build(options.students)
    print(f"Setup: {options.students} students in {time.perf_counter() - started:.0f} s")
    env = {**os.environ, "PORTAL_TASKS": "db", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "portal.wsgi",
            "--workers",
            str(options.workers),
            "--bind",
            f"127.0.0.1:{options.port}",
            "--config",
            "python:portal.gunicorn_conf",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{options.port}"
    try:
        import requests

        for _attempt in range(100):
            try:
                requests.get(base + "/", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)
        work: queue.Queue[str] = queue.Queue()
        for n in range(options.students):
            work.put(f"{4000000 + n}")
        stats = Stats()

        def client() -> None:
            while True:
                try:
                    matricule = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    walk(base, matricule, stats)
                except Exception as error:  # counted and reported
                    with stats.lock:
                        stats.errors.append(f"{matricule}: {error}")

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(options.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from registration.models import CourseChoice

    print(
        f"{options.students} students, {options.clients} clients, {options.workers} workers: "
        f"{elapsed:.0f} s, {len(stats.shown) / elapsed:.1f} submissions/s"
    )
    for step, values in stats.times.items():
        print(
            f"  {step:26} n={len(values):5}  p50 {statistics.median(values) * 1000:6.0f} ms  "
            f"p99 {percentile(values, 0.99) * 1000:6.0f} ms  max {max(values) * 1000:6.0f} ms"
        )
    print(f"Errors: {len(stats.errors)}", *stats.errors[:10], sep="\n  ")
    stored = dict(
        CourseChoice.objects.filter(replaced_at__isnull=True).values_list(
            "student__matricule", "confirmation__number"
        )
    )
    duplicates = CourseChoice.objects.count() - len(stored)
    mismatched = [m for m, number in stats.shown.items() if stored.get(m) != number]
    print(
        f"Database: {len(stored)} current choices, {duplicates} extra (history), "
        f"{len(mismatched)} shown number(s) not stored, "
        f"{options.students - len(stored)} student(s) without a choice"
    )


if __name__ == "__main__":
    main()
