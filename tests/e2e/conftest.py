"""Real-browser fixtures: Playwright (sync API) drives Debian's Chromium against `live_server`.

One Chromium per session, a fresh context (cookies, storage) per page. Every test here is
marked `e2e`. Set PORTAL_E2E_SCREENSHOTS to a folder to keep the screenshots tests take.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.e2e.a11y import PageWatch

# Playwright's sync API runs an event loop in the test's thread: Django would otherwise refuse
# the ORM calls the tests make (fixtures, reading the database) as coming from async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The machines these run on only allow ports below the ephemeral range: port 0 would let the
# OS pick one above 32768. Django's live server binds without SO_REUSEADDR, so a port that
# another run holds fails to bind and the next one is tried.
LIVE_SERVER_PORTS = range(8081, 8180)
TIMEOUT_MS = 5_000

E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, on 127.0.0.1 and a free port below 32768 unless
    --liveserver or DJANGO_LIVE_TEST_SERVER_ADDRESS names an address."""
    explicit = request.config.getvalue("liveserver") or os.environ.get(
        "DJANGO_LIVE_TEST_SERVER_ADDRESS"
    )
    candidates = [explicit] if explicit else [f"127.0.0.1:{port}" for port in LIVE_SERVER_PORTS]
    server = None
    for address in candidates:
        try:
            server = LiveServer(address)
        except OSError:
            continue
        break
    if server is None:
        pytest.fail(f"No free port for the live server in {candidates[0]}…{candidates[-1]}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"Chromium not installed: apt-get install chromium ({CHROMIUM} is missing)"
        if _in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions of every page the test opened."""
    return []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if report.when == "call":
        item.call_failed = report.failed  # open_page checks the last page only after a pass
    return report


@pytest.fixture
def open_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: LiveServer,
    console_errors: list[str],
) -> Iterator[Callable[..., Page]]:
    """`open_page(viewport=...)` opens a page in a new context, French-speaking like most of
    the portal's users.

    Every page it loads is checked with axe-core (WCAG 2.1 A/AA) at the test's width and at
    the other one (phone, desktop): `tests.e2e.a11y.PageWatch`.

    Live-server tests are transactional: the database is flushed after each one, and the
    rows migrations put there are put back (tests/conftest.py).
    """
    contexts = []
    watches: list[PageWatch] = []

    def opener(**context_args: Any) -> Page:
        context = browser.new_context(
            base_url=live_server.url, **{"locale": "fr-CA", **context_args}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                console_errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        watches.append(PageWatch(page))
        return page

    yield opener
    try:
        if not getattr(request.node, "call_failed", True):
            for watch in watches:
                watch.check_pending()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture(autouse=True)
def _live_server_database(transactional_db: None) -> None:
    """Live-server tests are transactional; the rows migrations add are put back after each
    one's flush (tests/conftest.py)."""


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    folder = os.environ.get("PORTAL_E2E_SCREENSHOTS")

    def take(page: Page, name: str) -> None:
        if folder:
            page.screenshot(path=str(Path(folder) / name), full_page=True)

    return take
