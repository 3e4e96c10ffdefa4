"""Where a logged-in student page spends its time, in process: the demo's first student
(2026001) requests each page many times through Django's test client, DEBUG off.

    .venv/bin/python tests/perf/profile_pages.py /horaire/ /paiement/            # ms and queries
    .venv/bin/python tests/perf/profile_pages.py --profile /horaire/            # + cProfile top
    .venv/bin/python tests/perf/profile_pages.py --shared /horaire/             # + a 404's cost

For each page it prints the CPU time (user+sys, which the other jobs of a shared box disturb
less than wall time) per request over `--requests` requests after 20 warm-up ones, and the
number of SQL queries of one request. `--shared` also times a page that stops in the view at
once (the shared overhead: middleware, session, user, institution), so that what the page's
own view and template cost is the difference. `--profile` prints the functions with the most
cumulative time (cProfile), `--sort tottime` their own time.

It is not a test (pytest only collects `test_*.py`) and needs no service: it migrates a
throwaway SQLite database in a temporary folder, creates the cache table and loads the demo
(`manage.py demo`), ignoring `DATABASE_URL` and `REDIS_URL`, as ../shared/perf/side_by_side.py
does.
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STUDENT, PASSWORD = "2026001", "Portail-Demo-2026"


def setup() -> None:
    tmp = tempfile.mkdtemp(prefix="profile-pages-")
    os.environ.update(
        PORTAL_VAR_DIR=f"{tmp}/var",
        DATABASE_URL=f"sqlite:///{tmp}/portal.sqlite3",
        DJANGO_DEBUG="0",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, ROOT)
    import django

    django.setup()
    from django.core.management import call_command

    out = io.StringIO()
    call_command("migrate", "--noinput", stdout=out)
    call_command("createcachetable", stdout=out)
    call_command("demo", stdout=out)
    logging.disable(logging.CRITICAL)  # one line a request otherwise


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--shared", action="store_true")
    parser.add_argument("--dump", help="a folder where each page's HTML is written")
    args = parser.parse_args()
    setup()

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    client = Client()
    response = client.post(
        reverse("accounts:login"), {"student-identifier": STUDENT, "student-password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    paths = list(args.paths)
    if args.shared:
        paths.insert(0, "/horaire/AUCUNE/")  # 404 in the view, after its first query
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        if args.dump:
            os.makedirs(args.dump, exist_ok=True)
            with open(
                os.path.join(args.dump, path.strip("/").replace("/", "_") + ".html"), "wb"
            ) as f:
                f.write(response.content)
        for _ in range(20):
            client.get(path)
        queries: list[str] = []

        def record(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(path)
        started, wall = cpu(), time.perf_counter()
        for _ in range(args.requests):
            client.get(path)
        spent = (cpu() - started) * 1000 / args.requests
        wall_ms = (time.perf_counter() - wall) * 1000 / args.requests
        print(
            f"{path}: {spent:.2f} ms CPU/request ({wall_ms:.2f} ms wall), "
            f"{len(queries)} queries, {len(response.content)} bytes",
            flush=True,
        )
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                client.get(path)
            profile.disable()
            stream = io.StringIO()
            pstats.Stats(profile, stream=stream).sort_stats(args.sort).print_stats(args.top)
            print(stream.getvalue())
            for query in queries:
                print("   ", query[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
