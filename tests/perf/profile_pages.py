"""Where a logged-in page's time goes, in process: the demo in a throwaway SQLite database, one
person logged in through Django's test client (the whole middleware stack, DEBUG off), each page
asked for N times, then its CPU time a request, its number of SQL queries and, on request, the
top functions (cProfile) and the page's SQL.

    .venv/bin/python tests/perf/profile_pages.py /horaire/ /paiement/      # ms and queries
    .venv/bin/python tests/perf/profile_pages.py --shared /horaire/        # + a 404's cost
    .venv/bin/python tests/perf/profile_pages.py --profile /accueil/       # + cProfile top
    .venv/bin/python tests/perf/profile_pages.py -n 300 --sort tottime --sql /accueil/
    .venv/bin/python tests/perf/profile_pages.py --parent /parents/accueil/ /parents/enfants/first/

For each page it prints the CPU time (user+sys, which the other jobs of a shared box disturb
less than wall time) per request over `-n` requests after 20 warm-up ones, the wall time, the
number of SQL queries of one request and the page's size. The figures come from one process
on a shared box: compare the shares within one run, not two runs' totals.

- `-n N` (or `--requests N`): requests per page (default 200).
- `--parent` logs in as the README's demo parent (Mireille Lalonde) instead of student 2026001;
  `/parents/enfants/first/` is her first child's page.
- `--shared` first times a page that stops in the view at once with a 404 (`/horaire/AUCUNE/`,
  with `--parent` `/parents/enfants/0/`): the shared overhead (middleware, session, user,
  institution), so that what a page's own view and template cost is the difference; each page
  then also shows its ratio to it.
- `--profile` runs the requests again under cProfile and prints the functions with the most
  cumulative time; `--sort tottime` (which implies `--profile`) their own time; `--top N` how
  many (default 45).
- `--sample` runs the requests again under pyinstrument (a sampling profiler, closer to the
  true shares than cProfile for template rendering) and prints its call tree.
- `--sql` lists the SQL of one request.
- `PROFILE_CALLERS=REGEX` (environment) with `--profile` also prints who calls the functions
  whose name matches REGEX (cProfile's callers).
- `--dump DIR` writes each page's HTML into DIR (to check that a change shows the same page).
- `--keep DIR` keeps the demo database in DIR for the next run (a migration or a change to the
  demo needs a new DIR).

It is not a test (pytest only collects `test_*.py`) and needs no service: it migrates the
throwaway SQLite database, creates the cache table and loads the demo (`manage.py demo`),
ignoring `DATABASE_URL` and `REDIS_URL`, as ../shared/perf/side_by_side.py does. Logging is
off while it measures (one line a request otherwise).
"""

import argparse
import cProfile
import io
import logging
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
WARM_UP = 20  # templates compiled, caches filled
# Pages that answer 404 in the view, after the work every logged-in page shares.
SHARED_STUDENT = "/horaire/AUCUNE/"  # after the view's first query
SHARED_PARENT = "/parents/enfants/0/"  # after reading the parent's children


def setup_django(tmp: str) -> None:
    fresh = not Path(f"{tmp}/portal.sqlite3").exists()
    os.environ.update(
        PORTAL_VAR_DIR=f"{tmp}/var",
        DATABASE_URL=f"sqlite:///{tmp}/portal.sqlite3",
        DJANGO_DEBUG="0",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    if fresh:
        out = io.StringIO()
        call_command("migrate", "--noinput", stdout=out)
        call_command("createcachetable", stdout=out)
        call_command("demo", stdout=out)
    logging.disable(logging.CRITICAL)  # one line a request otherwise


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


def cpu() -> float:
    """This process's CPU time, user+sys, in seconds."""
    return time.process_time()


def sample(client, path: str, requests: int) -> None:
    """pyinstrument's call tree of `requests` requests: a sampling profiler, which does not
    inflate the cost of small functions called often (template nodes) as cProfile does."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(requests):
        client.get(path)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", help="pages, e.g. /accueil/ /parents/enfants/first/")
    parser.add_argument(
        "-n", "--requests", type=int, default=200, help="requests per page (default 200)"
    )
    parser.add_argument("--parent", action="store_true", help="log in as the demo parent")
    parser.add_argument(
        "--shared", action="store_true", help="first time a page that 404s in the view"
    )
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--sort", help="cProfile's order (default cumulative); implies --profile")
    parser.add_argument(
        "--sample", action="store_true", help="print pyinstrument's sampled call tree"
    )
    parser.add_argument("--top", type=int, default=45, help="functions shown (default 45)")
    parser.add_argument("--sql", action="store_true", help="list the page's SQL")
    parser.add_argument("--dump", metavar="DIR", help="a folder where each page's HTML is written")
    parser.add_argument(
        "--keep", metavar="DIR", help="a folder that keeps the demo database between runs"
    )
    args = parser.parse_args()
    profiling = args.profile or args.sort is not None
    with tempfile.TemporaryDirectory(prefix="profile-pages-") as tmp:
        if args.keep:
            tmp = str(Path(args.keep).resolve())
            Path(tmp).mkdir(parents=True, exist_ok=True)
        setup_django(tmp)
        from django.db import connection

        client = logged_in_client(args.parent)
        pages = [(resolve(client, raw), (200, 204)) for raw in args.paths]
        if args.shared:
            pages.insert(0, (SHARED_PARENT if args.parent else SHARED_STUDENT, (404,)))
        shared_ms = None
        for index, (path, expected) in enumerate(pages):
            response = client.get(path)
            assert response.status_code in expected, (path, response.status_code)
            if args.dump:
                Path(args.dump).mkdir(parents=True, exist_ok=True)
                name = path.strip("/").replace("/", "_") or "index"
                (Path(args.dump) / f"{name}.html").write_bytes(response.content)
            for _ in range(WARM_UP):
                client.get(path)
            sql: list[str] = []

            def record(execute, query, params, many, context):
                sql.append(query)
                return execute(query, params, many, context)

            with connection.execute_wrapper(record):
                response = client.get(path)
            started, wall = cpu(), time.perf_counter()
            for _ in range(args.requests):
                client.get(path)
            spent = (cpu() - started) * 1000 / args.requests
            wall_ms = (time.perf_counter() - wall) * 1000 / args.requests
            ratio = ""
            if args.shared:
                if index == 0:
                    shared_ms = spent
                    ratio = ", the shared part"
                else:
                    ratio = f", {spent / shared_ms:.2f} × the shared 404"
            print(
                f"=== {path}: {spent:.2f} ms CPU a request ({wall_ms:.2f} ms wall), "
                f"{len(sql)} queries, {len(response.content)} bytes{ratio}",
                flush=True,
            )
            if args.sql:
                for n, query in enumerate(sql, 1):
                    print(f"  {n}. {query[:400]}")
            if args.sample:
                sample(client, path, args.requests)
            if profiling:
                profiler = cProfile.Profile(time.process_time)
                started = cpu()
                profiler.enable()
                for _ in range(args.requests):
                    client.get(path)
                profiler.disable()
                profiled = (cpu() - started) * 1000 / args.requests
                print(f"  cProfile, {profiled:.2f} ms CPU a request profiled:")
                stream = io.StringIO()
                stats = pstats.Stats(profiler, stream=stream)
                stats.sort_stats(args.sort or "cumulative").print_stats(args.top)
                if os.environ.get("PROFILE_CALLERS"):
                    stats.print_callers(os.environ["PROFILE_CALLERS"])
                print(stream.getvalue(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
