"""Separate gunicorn app servers for the scale-out test and the load benchmark.

Each `AppServer` is its own gunicorn process (its own Python interpreter, its own memory: no
state can pass between two of them except through the database and Redis), serving
`portal.wsgi` on 127.0.0.1 with the environment it is given. `start()` waits until the server
answers; `stop()` ends it (and its workers) and is safe to call twice.

    with AppServer(env=server_env(database_url=..., redis_url=...)) as server:
        requests.get(server.url + "/")
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port nobody listens on now: the OS picks one for a socket bound to port 0, which is
    closed at once so that gunicorn can bind it (the window in between is tiny)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: Mapping) -> str:
    """The DATABASE_URL of a Django connection's settings (PostgreSQL), so that a server in
    another process opens the same database, the test database included."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def server_env(
    *, database_url: str, redis_url: str, key_prefix: str = "portail", **extra: str
) -> dict[str, str]:
    """The environment of a production-like app server: no debug, PostgreSQL with kept
    connections, Redis for the cache and throttles, Stripe settings as given in `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "STRIPE_", "PYTEST", "REDIS_", "DATABASE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        REDIS_URL=redis_url,
        PORTAL_CACHE_KEY_PREFIX=key_prefix,
        PORTAL_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class AppServer:
    """One gunicorn master with `workers` sync workers on 127.0.0.1:`port`."""

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        port: int | None = None,
        workers: int = 1,
        threads: int = 1,
        ready_path: str = "/",
        timeout: float = 30.0,
    ) -> None:
        self.env = dict(env)
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self.ready_path = ready_path
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self._output = ""
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open until stop())
            prefix=f"gunicorn-{self.port}-", suffix=".log", delete=False
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """The end of what the server wrote (its errors and tracebacks), for a failure's
        message; still there after stop()."""
        if not self._log.closed:
            self._log.flush()
            self._output = Path(self._log.name).read_text(errors="replace")
        return self._output[-6000:]

    def start(self) -> "AppServer":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends the workers too
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn on port {self.port} exited ({self.process.returncode}):\n"
                    + self.log()
                )
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn on port {self.port} did not answer in time:\n" + self.log())

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.process = None
        self.log()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)

    def __enter__(self) -> "AppServer":
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
