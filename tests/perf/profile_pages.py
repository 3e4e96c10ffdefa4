"""Where a logged-in page's time goes: the demo in a throwaway SQLite database, one person
logged in through Django's test client (the whole middleware stack, DEBUG off), the page asked
for N times under cProfile, then the top functions and the page's SQL.

    .venv/bin/python tests/perf/profile_pages.py /accueil/
    .venv/bin/python tests/perf/profile_pages.py --parent /parents/accueil/ /parents/enfants/first/
    .venv/bin/python tests/perf/profile_pages.py -n 300 --sort tottime --sql /accueil/

`--parent` logs in as the README's demo parent (Mireille Lalonde) instead of student 2026001;
`/parents/enfants/first/` is her first child's page. `--keep DIR` keeps the demo database
in DIR for the next run (a migration or a change to the demo needs a new DIR). The figures are
CPU time in one process
on a shared box: compare the shares within one run, not two runs' totals.
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUDENT, PASSWORD = "2026001", "Portail-Demo-2026"
PARENT, PARENT_PASSWORD = "mireille.lalonde@parents.example", "Parents-Demo-2026"


def setup_django(tmp: str) -> None:
    fresh = not Path(f"{tmp}/portal.sqlite3").exists()
    os.environ.update(
        PORTAL_VAR_DIR=f"{tmp}/var",
        DATABASE_URL=f"sqlite:///{tmp}/portal.sqlite3",
        DJANGO_DEBUG="0",
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_LOG_LEVEL=os.environ.get("PORTAL_LOG_LEVEL", "INFO"),
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    if not fresh:
        return
    out = io.StringIO()
    call_command("migrate", "--noinput", stdout=out)
    call_command("createcachetable", stdout=out)
    call_command("demo", stdout=out)


def logged_in_client(parent: bool):
    from django.test import Client

    client = Client()
    if parent:
        response = client.post("/parents/", {"email": PARENT, "password": PARENT_PASSWORD})
    else:
        response = client.post("/", {"student-identifier": STUDENT, "student-password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def resolve(client, path: str) -> str:
    if "/first/" in path:
        home = client.get("/parents/accueil/").content.decode()
        child = re.search(r'href="/parents/enfants/(\d+)/"', home).group(1)
        path = path.replace("/first/", f"/{child}/")
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("-n", type=int, default=200, help="requests per page (default 200)")
    parser.add_argument("--parent", action="store_true")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sql", action="store_true", help="list the page's SQL")
    parser.add_argument("--keep", help="a folder that keeps the demo database between runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="profile-pages-") as tmp:
        if args.keep:
            tmp = str(Path(args.keep).resolve())
            Path(tmp).mkdir(parents=True, exist_ok=True)
        setup_django(tmp)
        from django.db import connection

        client = logged_in_client(args.parent)
        for raw in args.paths:
            path = resolve(client, raw)
            for _ in range(5):  # warm: templates compiled, caches filled
                assert client.get(path).status_code in (200, 204)
            sql: list[str] = []

            def record(execute, query, params, many, context):
                sql.append(query)
                return execute(query, params, many, context)

            with connection.execute_wrapper(record):
                client.get(path)
            started = time.process_time()
            for _ in range(args.n):
                client.get(path)
            plain = (time.process_time() - started) / args.n * 1000
            profiler = cProfile.Profile(time.process_time)
            started = time.process_time()
            profiler.enable()
            for _ in range(args.n):
                client.get(path)
            profiler.disable()
            cpu = (time.process_time() - started) / args.n * 1000
            print(
                f"=== {path}: {len(sql)} queries, {plain:.2f} ms CPU a request "
                f"({cpu:.2f} ms profiled)"
            )
            if args.sql:
                for n, query in enumerate(sql, 1):
                    print(f"  {n}. {query[:400]}")
            stats = pstats.Stats(profiler)
            stats.sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
