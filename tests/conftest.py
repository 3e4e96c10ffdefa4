"""Personas and fixtures shared by every test.

Alice is a cstj student who has not done her first use; Bob is an activated cstj student;
Charlie is another activated student who "should have no access to Bob's stuff".
"""

import datetime
import importlib
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import TransactionTestCase, override_settings
from django.utils import translation

from accounts.models import User
from portal.models import Institution
from portal.services import institution_load_preset
from students.models import Student
from tests.factories import activate, make_student

PASSWORD = "Bonjour-Portail-42"


@pytest.fixture(autouse=True)
def _no_break_spaces_read_as_spaces(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page or an email compared with what a test expects reads U+00A0 as a space: it looks
    the same to the reader, and French text carries one before : ; ? ! and inside « »
    (scripts/french-typography). Tests of the typography itself use `exact_spaces`."""
    if request.node.get_closest_marker("exact_spaces"):
        return
    from django.core.mail.backends.locmem import EmailBackend
    from django.test.client import Client

    def spaces(text: str) -> str:
        return text.replace("\u00a0", " ")

    client_request = Client.request

    def read(self: Client, **kwargs: Any) -> Any:
        response = client_request(self, **kwargs)
        if not getattr(response, "streaming", False) and response.get(
            "Content-Type", ""
        ).startswith("text/"):
            response.content = response.content.replace("\u00a0".encode(), b" ")
        return response

    send_messages = EmailBackend.send_messages

    def send(self: EmailBackend, messages: Any) -> int:
        for message in messages:
            message.subject, message.body = spaces(message.subject), spaces(message.body)
            message.alternatives = [
                alt._replace(content=spaces(alt.content))
                if hasattr(alt, "_replace") and isinstance(alt.content, str)
                else alt
                for alt in getattr(message, "alternatives", [])
            ]
        return send_messages(self, messages)

    monkeypatch.setattr(Client, "request", read)
    monkeypatch.setattr(EmailBackend, "send_messages", send)


@pytest.fixture(autouse=True)
def _in_french() -> None:
    # A request in English leaves English active in the process (LocaleMiddleware does not put
    # it back): every test starts in the portal's language, whatever ran before it.
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _captcha_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # What PORTAL_CAPTCHA_TEST_MODE=1 does in a deployment's environment: "PASSED" is accepted.
    import captcha.conf.settings

    monkeypatch.setattr(captcha.conf.settings, "CAPTCHA_TEST_MODE", True)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    # Tasks run inside the request, so tests read mail.outbox straight away; the tests of the
    # queue itself (tests/portal/test_tasks.py) switch to the database backend and a worker.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


# The rows data migrations put in the test database: a transactional test (a live server, a
# race between two connections) ends with a flush that empties every table, and the tests that
# run after it in the same process (in any order: pytest-xdist) expect them.
MIGRATION_ROWS = (
    ("accounts.migrations.0003_default_secret_questions", "add_questions"),
    ("library.migrations.0003_default_loan_rules", "create"),
)


def migration_rows_restore() -> None:
    from django.apps import apps

    for module, function in MIGRATION_ROWS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True, scope="session")
def _migration_rows_after_flush() -> Iterator[None]:
    """A transactional test's teardown flushes the database; the migrations' rows come back
    right after it, whichever test runs next."""
    flush = TransactionTestCase._fixture_teardown

    def teardown(self: TransactionTestCase) -> None:
        flush(self)
        migration_rows_restore()

    TransactionTestCase._fixture_teardown = teardown
    yield
    TransactionTestCase._fixture_teardown = flush


@pytest.fixture(autouse=True)
def _empty_cache(db: None) -> Iterator[None]:
    # Throttles live in the cache; one test's failures must not lock the next test out.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _stored_balances_hold(db: None) -> Iterator[None]:
    """The consistency guard of the invoices' stored balance: whatever a test did through the
    services, imports, admin or pages (paying, refunding, cancelling, fees, the store,
    attestations), every invoice's stored balance equals the one computed from its lines and
    approved payments when it ends."""
    yield
    from billing.balances import invoices_drifted

    drifted = list(invoices_drifted().values_list("number", "stored_balance", "computed"))
    assert not drifted, f"stored balances differ from the computed ones: {drifted}"


@pytest.fixture(scope="module")
def demo_loaded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`manage.py demo`, loaded once for the module that asks for it and rolled back after its
    last test; returns what it printed. Each test still runs in its own savepoint inside, so
    what one test writes is gone for the next, as with a demo loaded per test (a few seconds
    each). Its files go to a folder of the module's own."""
    out = io.StringIO()
    media = tmp_path_factory.mktemp("demo-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        with transaction.atomic():
            call_command("demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)
        cache.clear()


@pytest.fixture
def load_preset(db: None) -> Callable[[str], Institution]:
    return lambda name: institution_load_preset(name=name)


@pytest.fixture
def institution(load_preset: Callable[[str], Institution]) -> Institution:
    return load_preset("cstj")


@pytest.fixture
def alice(institution: Institution) -> Student:
    return make_student(
        institution,
        matricule="2026101",
        last_name="Tremblay",
        first_name="Alice",
        birthdate=datetime.date(2006, 3, 5),
        sex="F",
        email="alice@etudiant.example",
        postal_code="J7Z 4V2",
    )


@pytest.fixture
def bob(institution: Institution) -> User:
    student = make_student(
        institution, matricule="2026102", last_name="Gagnon", first_name="Bob", sex="M"
    )
    return activate(student, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))


@pytest.fixture
def charlie(institution: Institution) -> User:
    student = make_student(
        institution, matricule="2026103", last_name="Côté", first_name="Charlie", sex="M"
    )
    return activate(student, password=PASSWORD, answers=("Minou", "Québec", "Roxanne"))


@pytest.fixture
def commit(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list]],
) -> Callable[[], AbstractContextManager[list]]:
    """`with commit(): client.post(...)` runs what the request queued for after commit
    (emails), as a real transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
