"""`/sante/` for load balancers, request ids in headers and logs, JSON logs on demand."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from accounts.models import UserSession
from portal.observability import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]
ALL_OK = {"database": "ok", "cache": "ok", "tasks": "ok"}


@pytest.mark.parametrize("path", ["/sante/", "/health/"])
def test_health_answers_ok_without_login_session_or_cookie(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response.json() == ALL_OK
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert not UserSession.objects.exists()


def test_health_checks_the_database_task_queue(client, settings, db):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.get("/sante/").json() == ALL_OK


def test_a_probe_by_ip_address_over_http_still_gets_the_answer(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/sante/", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == ALL_OK


def test_a_cache_that_does_not_answer_gives_503(client, settings, db):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error", "tasks": "ok"}


def test_a_database_that_does_not_answer_gives_503(client, db, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", down)
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_health_takes_no_post(client, db):
    assert client.post("/sante/").status_code == 405


def test_every_response_carries_a_request_id(client, db):
    first = client.get("/")["X-Request-ID"]
    second = client.get("/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_sane_incoming_request_id_is_kept_an_odd_one_replaced(client, db):
    kept = client.get("/", HTTP_X_REQUEST_ID="lb-4f2a9c71-0001")
    assert kept["X-Request-ID"] == "lb-4f2a9c71-0001"
    for odd in ["short", "x" * 200, "<script>alert(1)</script>", "id with spaces"]:
        replaced = client.get("/", HTTP_X_REQUEST_ID=odd)["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", replaced)


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(request_id)s %(name)s %(message)s"))
    logger = logging.getLogger("portal")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_the_request_log_line_carries_the_id_and_no_token(client, db, log_lines):
    client.get("/reinitialiser/MTIz/abc-0123456789abcdef/", HTTP_X_REQUEST_ID="req-12345678")

    lines = [line for line in log_lines.getvalue().splitlines() if "portal.requests" in line]
    assert len(lines) == 1
    assert lines[0].startswith("req-12345678 portal.requests GET /reinitialiser/<uidb64>/<token>/")
    assert "abc-0123456789abcdef" not in log_lines.getvalue()


def test_records_outside_a_request_have_a_dash(log_lines):
    logging.getLogger("portal.tasks").warning("hors requête")
    assert log_lines.getvalue().strip() == "- portal.tasks hors requête"


def test_the_json_formatter_writes_one_object_per_record():
    record = logging.LogRecord("portal.x", logging.ERROR, __file__, 1, "Échec %s", ("ici",), None)
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "portal.x"
    assert entry["message"] == "Échec ici"
    assert entry["request_id"] == "-"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])


def test_portal_log_format_json_switches_the_console_to_json_lines(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DJANGO_"))}
    env.update(PORTAL_LOG_FORMAT="json", PORTAL_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v0",
            "-c",
            "import logging; logging.getLogger('portal.demo').warning('Bonjour %s', 'Léa')",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert {"logger": "portal.demo", "message": "Bonjour Léa", "request_id": "-"}.items() <= (
        entries[-1].items()
    )
