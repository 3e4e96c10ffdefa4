"""Profiles one `import_csv` run (cProfile), for the registrar's imports at a college's size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_i18_prof \\
        .venv/bin/python tests/perf/profile_import.py marks var/college-5k/marks.csv --top 30

Prints the run's CPU time (user + system of this process, and of its PostgreSQL backend, read
from /proc) and wall time, then the functions
with the most cumulated and own time. `--empty` empties the marks' table first (a first import);
nothing is committed then (the deletion and the import are rolled back) unless `--commit`.

Nothing here is a test: pytest does not collect it.
"""

import argparse
import cProfile
import os
import pstats
import resource
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))


def backend_cpu() -> float:
    """The CPU seconds (user + system) of this connection's PostgreSQL backend so far, from
    /proc (the server on this machine): with this process's own, what the import costs the
    box, whatever the other jobs on it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind")
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--empty", action="store_true", help="delete every mark first")
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--details", action="store_true", help="as -v 2 would")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connection, transaction

    from students.imports import import_file
    from students.models import Mark

    class Rollback(Exception):
        pass

    profile = cProfile.Profile()
    try:
        with transaction.atomic():
            if options.empty:
                # TRUNCATE is transactional on PostgreSQL: rolled back with the import.
                with connection.cursor() as cursor:
                    cursor.execute(f'TRUNCATE "{Mark._meta.db_table}"')
            backend = backend_cpu()
            usage = resource.getrusage(resource.RUSAGE_SELF)
            cpu = usage.ru_utime + usage.ru_stime
            started = time.monotonic()
            if not options.no_profile:
                profile.enable()
            report = import_file(kind=options.kind, path=options.file, details=options.details)
            profile.disable()
            usage = resource.getrusage(resource.RUSAGE_SELF)
            print(report.summary)
            print(
                f"wall {time.monotonic() - started:.1f} s, "
                f"CPU {usage.ru_utime + usage.ru_stime - cpu:.1f} s, "
                f"PostgreSQL backend CPU {backend_cpu() - backend:.1f} s, "
                f"peak RSS {usage.ru_maxrss / 1024:.0f} MB"
            )
            raise Rollback
    except Rollback:
        pass
    if not options.no_profile:
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(options.top)
        stats.sort_stats("tottime").print_stats(options.top)


if __name__ == "__main__":
    main()
