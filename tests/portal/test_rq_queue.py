"""PORTAL_TASKS=rq: the same email task through Redis (django-tasks-rq) and a real RQ worker,
in subprocesses. Needs a Redis server (PORTAL_TEST_REDIS_URL, default db 3 of the local one):
skipped on a laptop without one, a failure in CI (CI=true), like the browser tests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture
def rq_env(tmp_path):
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI ({REDIS}): {error}")
        pytest.skip(f"no Redis at {REDIS}")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "DATABASE_", "REDIS_", "EMAIL_"))
    }
    env.update(
        PORTAL_TASKS="rq",
        REDIS_URL=REDIS,
        PORTAL_VAR_DIR=str(tmp_path),
        PORTAL_MAIL_DIR=str(tmp_path / "mail"),
    )
    yield env
    redis.Redis.from_url(REDIS).flushdb()


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_rq_worker_sends_the_email_queued_in_redis(rq_env):
    queued = manage(
        rq_env,
        "shell",
        "-v0",
        "-c",
        "from portal.emails import email_deliver; "
        "r = email_deliver.enqueue(to=['lea@example.org'], subject='Par Redis', "
        "text='Bonjour', html='<p>Bonjour</p>'); print(r.status)",
    )
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.strip() == "READY"
    assert redis.Redis.from_url(REDIS).llen("rq:queue:default") == 1
    mail = Path(rq_env["PORTAL_MAIL_DIR"])
    assert not mail.exists()

    worker = manage(
        rq_env,
        "rqworker",
        "default",
        "--burst",
        "--with-scheduler",
        "--job-class",
        "django_tasks_rq.Job",
    )
    assert worker.returncode == 0, worker.stderr

    [sent] = [path.read_text() for path in mail.iterdir()]
    assert "Subject: Par Redis" in sent
    assert "To: lea@example.org" in sent
