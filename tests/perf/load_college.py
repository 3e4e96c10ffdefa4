"""Imports a generated college (tests/perf/generate_college.py) into a fresh PostgreSQL database
with `manage.py import_csv`, timing each kind, then activates student accounts for the load test.

    .venv/bin/python tests/perf/load_college.py --dir var/college-20k \\
        --database wt_scaleout_bench --activate 2000

1. drops and recreates the database (`--database`, on `--server`), runs `migrate` and
   `load_institution cstj`;
2. runs `import_csv KIND FILE` for each file, in the order of docs/import.md, each in its own
   process: its wall time and its peak memory (the child's maximum resident set size, from
   wait4) are printed and written to `load.json` beside the files;
3. activates the first `--activate` students with the password `--password`. **This step is
   benchmark setup, not the product's path**: it writes the accounts directly with the ORM
   (`bulk_create`, one Argon2 hash computed once and shared by every account) instead of
   having each student go through first use, which would take hours of CAPTCHA-less HTTP.
   The accounts are otherwise what first use leaves: an activated student account linked to
   its record (without secret answers, which browsing never reads).

Nothing here is a test: pytest does not collect it.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

KINDS = (
    "students",
    "employees",
    "courses",
    "sections",
    "enrolments",
    "evaluations",
    "marks",
    "final_grades",
    "invoices",
)
PASSWORD = "Bonjour-Portail-42"


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Runs a command; returns (seconds, peak resident memory in MB, its output, its CPU
    seconds: user + system, which other jobs on a shared box do not inflate)."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output}")
    return seconds, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime


def recreate(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(
        server.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8'")


def activate(count: int, password: str) -> int:
    """The first `count` students (by matricule) get an activated account. Benchmark setup
    only: see the module's docstring."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from students.models import Student

    hashed = make_password(password)
    now = timezone.now()
    students = list(
        Student.objects.filter(user__isnull=True)
        .order_by("matricule")[:count]
        .only("pk", "matricule", "first_name", "last_name", "email")
    )
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                username=User.username_for(User.Audience.STUDENT, student.matricule),
                audience=User.Audience.STUDENT,
                identifier=student.matricule,
                first_name=student.first_name,
                last_name=student.last_name,
                email=student.email,
                password=hashed,
                activated_at=now,
            )
            for student in students
        )
        for student, user in zip(students, users, strict=True):
            student.user = user
        Student.objects.bulk_update(students, ["user"], batch_size=2000)
    return len(users)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="the generated CSV files")
    parser.add_argument("--database", default="wt_scaleout_bench")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--activate", type=int, default=2000, help="student accounts to activate")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--skip", nargs="*", default=(), help="kinds not to import")
    options = parser.parse_args()

    url = f"{options.server}/{options.database}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    manage = [sys.executable, "manage.py"]
    print(f"Database {url} (recreated)")
    recreate(options.server, options.database)
    run([*manage, "migrate", "--noinput"], env)
    run([*manage, "createcachetable"], env)
    run([*manage, "load_institution", "cstj"], env)

    results = []
    total = 0.0
    print(f"{'kind':>14} {'rows':>10} {'seconds':>9} {'CPU s':>7} {'peak MB':>9}")
    for kind in KINDS:
        path = options.dir / f"{kind}.csv"
        if kind in options.skip or not path.exists():
            continue
        rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
        seconds, peak, output, cpu = run([*manage, "import_csv", kind, str(path)], env)
        total += seconds
        results.append(
            {
                "kind": kind,
                "rows": rows,
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "peak_mb": round(peak),
                "summary": output.strip().splitlines()[-1:],
            }
        )
        print(f"{kind:>14} {rows:>10,} {seconds:>9.1f} {cpu:>7.1f} {peak:>9.0f}", flush=True)
    print(f"{'total':>14} {'':>10} {total:>9.1f}")

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.pop("REDIS_URL", None)
    started = time.monotonic()
    activated = activate(options.activate, options.password) if options.activate else 0
    print(f"{activated} student accounts activated in {time.monotonic() - started:.1f} s")
    (options.dir / "load.json").write_text(
        json.dumps(
            {"database": options.database, "imports": results, "activated": activated},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
