"""The load benchmark of docs/performance.md: logged-in students on gunicorn + PostgreSQL + Redis,
at 16 and 64 concurrent users, on 1 and 2 app servers.

    .venv/bin/python tests/perf/bench_load.py --database wt_scaleout_bench \\
        --redis redis://127.0.0.1:6379/5 --markdown

The database is one loaded by tests/perf/load_college.py (its accounts: matricules from
2000001, password Bonjour-Portail-42). Each layout `SxW` is S separate gunicorn processes
(tests/perf/servers.py) of W sync workers each, on ports from `--port`, all on the same database
(DATABASE_CONN_MAX_AGE=60) and the same Redis (cache and throttles). For each layout and number
of users, fresh servers are started and locust (tests/perf/locustfile.py) runs headless for
`--duration` seconds, users dealt round-robin to the servers; the whole matrix runs `--rounds`
times. Requests per second, median and 99th percentile, and errors are computed over the page
requests after a warm-up (the logins excluded); errors also count failed logins. The CPU time
of the gunicorn processes and of the database's PostgreSQL backends, per request served, is
recorded too. Results go to `--out` (JSON) and the terminal.
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
        stderr=open(f"{prefix}.log", "w"),  # noqa: SIM115 (closed with the process)
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


def server_cpu_seconds(servers: list[AppServer]) -> float:
    """User + system CPU time of the gunicorn masters and their workers so far."""
    import psutil  # installed with locust

    total = 0.0
    for server in servers:
        master = psutil.Process(server.process.pid)
        for process in [master, *master.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return total


def database_cpu_seconds(database: str) -> dict[int, float]:
    """CPU time so far of each PostgreSQL backend serving `database` (their process titles
    name it), by process id: backends that start during a run count from zero."""
    import psutil

    seconds = {}
    for process in psutil.process_iter(["cmdline"]):
        title = " ".join(process.info["cmdline"] or [])
        if title.startswith("postgres:") and f" {database} " in f"{title} ":
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            seconds[process.pid] = times.user + times.system
    return seconds


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def summarise(results: list[dict]) -> list[dict]:
    """One row per (servers, users): the median of the rounds, and the range of requests/s."""
    rows = []
    for key in sorted({(r["servers"], r["workers_per_server"], r["users"]) for r in results}):
        runs = [r for r in results if (r["servers"], r["workers_per_server"], r["users"]) == key]
        rows.append(
            {
                "servers": key[0],
                "users": key[2],
                "workers_per_server": runs[0]["workers_per_server"],
                "rounds": len(runs),
                "rps": statistics.median(r["rps"] for r in runs),
                "rps_min": min(r["rps"] for r in runs),
                "rps_max": max(r["rps"] for r in runs),
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
                "requests": sum(r["requests"] for r in runs),
                "cpu_ms": statistics.median(r["server_cpu_ms_per_request"] for r in runs),
                "database_cpu_ms": statistics.median(
                    r["database_cpu_ms_per_request"] for r in runs
                ),
                "load": statistics.median(r["load_before"] for r in runs),
                "pages": {
                    name: {
                        "p50_ms": statistics.median(r["pages"][name]["p50_ms"] for r in runs),
                        "p99_ms": statistics.median(r["pages"][name]["p99_ms"] for r in runs),
                    }
                    for name in runs[0]["pages"]
                },
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| app servers | users | requests/s (median, range) | p50 (ms) | p99 (ms) | errors "
        "| requests | CPU per request, app + PostgreSQL (ms) | load before |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['servers']} × {row['workers_per_server']} workers | {row['users']} "
            f"| {row['rps']:.1f} ({row['rps_min']:.1f}–{row['rps_max']:.1f}) "
            f"| {row['p50_ms']:.0f} | {row['p99_ms']:.0f} | {row['errors']} "
            f"| {row['requests']:,} | {row['cpu_ms']:.0f} + {row['database_cpu_ms']:.0f} "
            f"| {row['load']:.1f} |"
        )
    lines += [
        "",
        "| app servers | users | home p50 / p99 | schedule p50 / p99 | results p50 / p99 "
        "| statement p50 / p99 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        cells = " | ".join(
            f"{page['p50_ms']:.0f} / {page['p99_ms']:.0f}" for page in row["pages"].values()
        )
        lines.append(
            f"| {row['servers']} × {row['workers_per_server']} | {row['users']} | {cells} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="wt_scaleout_bench")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument(
        "--layouts",
        nargs="+",
        default=["1x4", "2x4", "2x2"],
        help="app servers x gunicorn workers each",
    )
    parser.add_argument("--users", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--duration", type=int, default=30, help="seconds per configuration")
    parser.add_argument("--warmup", type=int, default=5, help="seconds not counted")
    parser.add_argument("--rounds", type=int, default=3, help="times the whole matrix runs")
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
    layouts = [tuple(int(n) for n in layout.split("x")) for layout in options.layouts]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        for round_number in range(1, options.rounds + 1):
            for count, workers in layouts:
                for users in options.users:
                    # Fresh servers for each configuration: no run inherits another's warm
                    # workers, and no database connection reaches its maximum age (60 s) during
                    # a run, so every PostgreSQL backend's CPU time is counted.
                    servers = [
                        AppServer(
                            env=env,
                            port=options.port + index,
                            workers=workers,
                            ready_path="/static/css/portal.css",
                        )
                        for index in range(count)
                    ]
                    try:
                        for server in servers:
                            server.start()
                        started, load = time.monotonic(), load_average()
                        cpu = server_cpu_seconds(servers)
                        database_cpu = database_cpu_seconds(options.database)
                        result = run_locust(
                            [server.url for server in servers],
                            users,
                            options.duration,
                            options.warmup,
                            Path(work),
                        )
                        cpu = server_cpu_seconds(servers) - cpu
                        database_cpu = sum(
                            seconds - database_cpu.get(pid, 0.0)
                            for pid, seconds in database_cpu_seconds(options.database).items()
                        )
                    finally:
                        for server in servers:
                            server.stop()
                    served = max(1, result["requests"] + result["logins"])
                    result.update(
                        round=round_number,
                        wall_seconds=round(time.monotonic() - started, 1),
                        workers_per_server=workers,
                        load_before=load,
                        load_after=load_average(),
                        # Over the whole run, logins included: a slight overestimate.
                        server_cpu_ms_per_request=round(1000 * cpu / served, 1),
                        database_cpu_ms_per_request=round(1000 * database_cpu / served, 1),
                    )
                    results.append(result)
                    print(json.dumps(result), flush=True)
    summary = summarise(results)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps({"runs": results, "summary": summary}, indent=2) + "\n")
    if options.markdown:
        print()
        print(markdown(summary))


if __name__ == "__main__":
    main()
