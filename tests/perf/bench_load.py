"""The load benchmark of docs/performance.md: logged-in students on gunicorn + PostgreSQL + Redis,
at 16 and 64 concurrent users, on 1 and 2 app servers.

    .venv/bin/python tests/perf/bench_load.py --database wt_scaleout_bench \\
        --redis redis://127.0.0.1:6379/5 --duration 45 --markdown

The database is one loaded by tests/perf/load_college.py (its accounts: matricules from
2000001, password Bonjour-Portail-42). For each number of servers, the script starts that many
separate gunicorn processes (tests/perf/servers.py; `--workers` sync workers each, ports from
`--port`), all on the same database (DATABASE_CONN_MAX_AGE=60) and the same Redis (cache and
throttles); then, for each number of users, runs locust (tests/perf/locustfile.py) headless for
`--duration` seconds, users dealt round-robin to the servers. Requests per second, median and
99th percentile, and errors are computed over the page requests after a warm-up (the logins
excluded); errors also count failed logins. Results go to `--out` (JSON) and the terminal.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

from tests.perf.servers import AppServer, server_env  # noqa: E402

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def run_locust(hosts: list[str], users: int, duration: int, warmup: int, work: Path) -> dict:
    samples_path = work / f"samples-{len(hosts)}-{users}.json"
    prefix = work / f"locust-{len(hosts)}-{users}"
    env = {
        **os.environ,
        "BENCH_HOSTS": ",".join(hosts),
        "BENCH_OUT": str(samples_path),
        "BENCH_WARMUP": str(warmup),
    }
    subprocess.run(
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{duration}s",
            "--host",
            hosts[0],
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        check=False,  # locust exits 1 when a request failed: the failures are counted below
        stdout=subprocess.DEVNULL,
    )
    samples = json.loads(samples_path.read_text())["samples"]
    times = [ms for _since, _name, ms, failed in samples if not failed]
    page_errors = sum(1 for *_rest, failed in samples if failed)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    login_errors = int(rows.get("login", {}).get("Failure Count", 0) or 0)
    measured = (max(s[0] for s in samples) - min(s[0] for s in samples)) if samples else 0
    by_page = {}
    for name in ("home", "schedule", "results", "statement"):
        page_times = [ms for _s, page, ms, failed in samples if page == name and not failed]
        by_page[name] = {
            "requests": len(page_times),
            "p50_ms": round(percentile(page_times, 0.5)),
            "p99_ms": round(percentile(page_times, 0.99)),
        }
    return {
        "servers": len(hosts),
        "users": users,
        "seconds": round(measured, 1),
        "requests": len(samples),
        "rps": round(len(samples) / measured, 1) if measured else 0.0,
        "p50_ms": round(statistics.median(times)) if times else None,
        "p99_ms": round(percentile(times, 0.99)) if times else None,
        "errors": page_errors + login_errors,
        "logins": int(rows.get("login", {}).get("Request Count", 0) or 0),
        "pages": by_page,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="wt_scaleout_bench")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--users", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    parser.add_argument("--duration", type=int, default=45, help="seconds per configuration")
    parser.add_argument("--warmup", type=int, default=8, help="seconds not counted")
    parser.add_argument("--port", type=int, default=24101, help="first server's port")
    parser.add_argument("--out", type=Path, default=BASE_DIR / "var" / "bench" / "load.json")
    parser.add_argument("--markdown", action="store_true")
    options = parser.parse_args()

    env = server_env(
        database_url=f"{options.server}/{options.database}",
        redis_url=options.redis,
        key_prefix="bench",
        PORTAL_VAR_DIR=tempfile.mkdtemp(prefix="bench-var-"),
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        for count in options.servers:
            servers = [
                AppServer(
                    env=env,
                    port=options.port + index,
                    workers=options.workers,
                    ready_path="/static/css/portal.css",
                )
                for index in range(count)
            ]
            try:
                for server in servers:
                    server.start()
                for users in options.users:
                    started = time.monotonic()
                    result = run_locust(
                        [server.url for server in servers],
                        users,
                        options.duration,
                        options.warmup,
                        Path(work),
                    )
                    result["wall_seconds"] = round(time.monotonic() - started, 1)
                    result["workers_per_server"] = options.workers
                    results.append(result)
                    print(json.dumps(result), flush=True)
            finally:
                for server in servers:
                    server.stop()
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=2) + "\n")
    if options.markdown:
        print()
        print("| app servers | users | requests/s | p50 (ms) | p99 (ms) | errors | requests |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for row in results:
            print(
                f"| {row['servers']} × {row['workers_per_server']} workers | {row['users']} "
                f"| {row['rps']} | {row['p50_ms']} | {row['p99_ms']} | {row['errors']} "
                f"| {row['requests']:,} |"
            )
        print()
        print(
            "| app servers | users | "
            + " | ".join(
                f"{name} p50 / p99 (ms)" for name in ("home", "schedule", "results", "statement")
            )
            + " |"
        )
        print("|---:|---:|---:|---:|---:|---:|")
        for row in results:
            cells = " | ".join(
                f"{page['p50_ms']} / {page['p99_ms']}" for page in row["pages"].values()
            )
            print(f"| {row['servers']} | {row['users']} | {cells} |")


if __name__ == "__main__":
    main()
