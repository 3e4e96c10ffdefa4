"""What a new user types, in subprocesses on a new SQLite file: `migrate` and nothing else, then
`runserver` serves first use and a login attempt (the throttles' cache table exists), and
`db_worker` sends what the portal queued."""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("fresh")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "DATABASE_", "REDIS_", "EMAIL_"))
    }
    env.update(
        PORTAL_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}",
        PORTAL_MAIL_DIR=str(var / "mail"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    migrated = manage(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    return env


@pytest.fixture
def server(fresh: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=fresh,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/static/css/portal.css", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None:
                    pytest.fail(process.stderr.read() if process.stderr else "runserver died")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_migrate_alone_creates_the_cache_table(fresh):
    database = Path(fresh["PORTAL_VAR_DIR"]) / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "portal_cache" in tables


def test_migrate_then_runserver_serves_first_use_and_a_login_attempt(server):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    first_use = opener.open(f"{server}/premiere-utilisation/", timeout=30)
    assert first_use.status == 200
    assert "Première utilisation" in first_use.read().decode()

    login_page = opener.open(f"{server}/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
    assert token
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "student-identifier": "1234567",
            "student-password": "Pas-le-bon-42",
        }
    ).encode()
    request = urllib.request.Request(f"{server}/", data=data, headers={"Referer": f"{server}/"})
    answer = opener.open(request, timeout=30)
    assert answer.status == 200
    body = answer.read().decode()
    assert "Mot de passe" in body

    assert "Server Error" not in body


def test_the_login_attempt_was_counted_in_the_database_cache(fresh, server):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{server}/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "student-identifier": "7654321",
            "student-password": "Pas-le-bon-42",
        }
    ).encode()
    request = urllib.request.Request(f"{server}/", data=data, headers={"Referer": f"{server}/"})
    assert opener.open(request, timeout=30).status == 200
    database = Path(fresh["PORTAL_VAR_DIR"]) / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM portal_cache").fetchone()
    assert count > 0


def test_a_real_db_worker_sends_the_queued_email(fresh):
    queued = manage(
        fresh,
        "shell",
        "-v0",
        "-c",
        "from portal.emails import email_deliver; "
        "email_deliver.enqueue(to=['lea@example.org'], subject='Essai du courrier', "
        "text='Bonjour', html='<p>Bonjour</p>')",
    )
    assert queued.returncode == 0, queued.stderr
    mail_dir = Path(fresh["PORTAL_MAIL_DIR"])
    assert not mail_dir.exists() or not any(mail_dir.iterdir())

    worker = manage(fresh, "db_worker", "--batch", "--no-reload", "--no-startup-delay")
    assert worker.returncode == 0, worker.stderr

    sent = [path.read_text() for path in mail_dir.iterdir()]
    assert len(sent) == 1
    assert "Subject: Essai du courrier" in sent[0]
    assert "To: lea@example.org" in sent[0]
    database = Path(fresh["PORTAL_VAR_DIR"]) / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        statuses = [
            row[0]
            for row in connection.execute("SELECT status FROM django_tasks_database_dbtaskresult")
        ]
    assert statuses == ["SUCCESSFUL"]
