"""Two app servers, one PostgreSQL, one Redis: what a load balancer in front of N servers needs.

Two separate gunicorn processes (1 worker each, tests/perf/servers.py) serve the test database
with Redis as their cache. Nothing passes between them except through PostgreSQL and Redis, so
what one server learned must hold on the other:

- a lockout earned on server 1 (5 wrong passwords) refuses the right password on server 2;
- a session opened on server 1 is logged in on server 2, with the same cookie;
- a Stripe payment whose signed webhook reaches both servers at the same moment is fulfilled
  once: one approved payment, its allocations unchanged, one receipt.

It needs PostgreSQL (DATABASE_URL) and Redis (PORTAL_TEST_REDIS_URL, else REDIS_URL, else
redis://127.0.0.1:6379/9); the keys it writes carry a prefix of their own and are removed at the
end. Without them it is skipped, except in CI (CI=true) on PostgreSQL, where it fails.
"""

import json
import os
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import redis
import requests
from django.db import connection
from django.urls import reverse

from accounts.models import UserSession
from billing.models import Allocation, Invoice, Payment, Receipt
from portal.models import AuditEvent
from tests.billing.conftest import STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET
from tests.billing.fake_stripe import CHECKOUT_URL, FakeStripe, signature_header
from tests.conftest import PASSWORD
from tests.factories import make_invoice
from tests.perf.servers import AppServer, database_url, server_env

pytestmark = pytest.mark.django_db(transaction=True)

READY = "/static/css/portal.css"  # answers without touching the database
LOGIN = reverse("accounts:login")
HOME = reverse("portal:home")
PAY = reverse("billing:pay")
STATEMENT = reverse("billing:statement")
WEBHOOK = reverse("billing:stripe_webhook")


def _unavailable(reason: str) -> None:
    """Skipped on a laptop without the services; a failure in CI, where PostgreSQL is there
    and Redis must be too."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI on PostgreSQL needs Redis for the scale-out test: {reason}")
    pytest.skip(reason)


def _redis_url() -> str:
    return (
        os.environ.get("PORTAL_TEST_REDIS_URL")
        or os.environ.get("REDIS_URL")
        or "redis://127.0.0.1:6379/9"
    )


@dataclass(frozen=True)
class Cluster:
    servers: tuple[AppServer, AppServer]
    redis: redis.Redis
    prefix: str

    def forget(self) -> None:
        """Empties the servers' cache: their throttles and whatever else they keep in Redis."""
        keys = list(self.redis.scan_iter(match=f"{self.prefix}:*"))
        if keys:
            self.redis.delete(*keys)


@pytest.fixture(scope="module")
def stripe() -> Iterator[FakeStripe]:
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def _running(django_db_setup, django_db_blocker, stripe) -> Iterator[Cluster]:
    with django_db_blocker.unblock():
        vendor, settings_dict = connection.vendor, dict(connection.settings_dict)
    if vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): SQLite is one process's file")
    url = _redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        _unavailable(f"Redis cannot be reached at {url}: {error}")
    prefix = f"scaleout-{uuid.uuid4().hex[:12]}"
    env = server_env(
        database_url=database_url(settings_dict),
        redis_url=url,
        key_prefix=prefix,
        STRIPE_SECRET_KEY=STRIPE_SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=STRIPE_WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe.url,
    )
    first, second = AppServer(env=env, ready_path=READY), AppServer(env=env, ready_path=READY)
    try:
        first.start()
        second.start()
        assert first.process.pid != second.process.pid
        yield Cluster((first, second), client, prefix)
    finally:
        first.stop()
        second.stop()
        Cluster((first, second), client, prefix).forget()


@pytest.fixture
def servers(_running: Cluster) -> tuple[AppServer, AppServer]:
    """Both servers, running since the module's first test, with an empty cache: one test's
    lockouts do not reach the next (the database is emptied between tests as well)."""
    _running.forget()
    return _running.servers


def csrf_token(session: requests.Session, url: str) -> str:
    answer = session.get(url, timeout=10)
    assert answer.status_code == 200, answer.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text)[1]


def login(session: requests.Session, server: AppServer, matricule: str, password: str):
    token = csrf_token(session, server.url + LOGIN)
    return session.post(
        server.url + LOGIN,
        {
            "csrfmiddlewaretoken": token,
            "student-identifier": matricule,
            "student-password": password,
        },
        headers={"Referer": server.url + LOGIN},
        allow_redirects=False,
        timeout=10,
    )


def test_a_lockout_earned_on_one_server_holds_on_the_other(servers, bob):
    first, second = servers
    browser = requests.Session()
    for attempt in range(5):
        refused = login(browser, first, bob.identifier, "Mauvais-mot-de-passe-1")
        assert refused.status_code == 200, first.log()
        if attempt < 4:
            assert "Le numéro ou le mot de passe est incorrect." in refused.text

    # The right password, on the other server, from a new browser: still locked.
    elsewhere = requests.Session()
    answer = login(elsewhere, second, bob.identifier, PASSWORD)

    assert answer.status_code == 200, second.log()
    assert "Trop de tentatives infructueuses pour ce numéro" in answer.text
    assert "sessionid" not in elsewhere.cookies
    assert not UserSession.objects.filter(user=bob).exists()


def test_a_session_opened_on_one_server_works_on_the_other(servers, charlie):
    first, second = servers
    browser = requests.Session()
    # Not logged in yet: both servers send the browser to the login page.
    for server in servers:
        assert browser.get(server.url + HOME, allow_redirects=False).status_code == 302

    answer = login(browser, first, charlie.identifier, PASSWORD)
    assert answer.status_code == 302, first.log()
    cookie = browser.cookies["sessionid"]

    for server in (first, second, first, second):
        page = browser.get(server.url + HOME, allow_redirects=False, timeout=10)
        assert page.status_code == 200, server.log()
        assert "Charlie" in page.text
    assert browser.cookies["sessionid"] == cookie


def test_a_payment_fulfilled_through_both_servers_at_once_is_one_payment(servers, stripe, bob):
    first, second = servers
    stripe.reset()
    tuition = make_invoice(bob.student, lines=(("Droits d'inscription", "275.00", False),))
    books = make_invoice(bob.student, lines=(("Matériel pédagogique", "150.00", False),))
    browser = requests.Session()
    assert login(browser, first, bob.identifier, PASSWORD).status_code == 302
    token = csrf_token(browser, first.url + STATEMENT)
    start = browser.post(
        first.url + PAY,
        {"csrfmiddlewaretoken": token, "factures": [tuition.number, books.number]},
        headers={"Referer": first.url + STATEMENT},
        allow_redirects=False,
        timeout=10,
    )
    assert start.status_code == 302, first.log()
    assert start.headers["Location"].startswith(CHECKOUT_URL)
    payment = Payment.objects.get(provider=Payment.Provider.STRIPE)
    assert payment.allocations.count() == 2

    # Bob pays on Checkout; Stripe delivers the event, and it reaches both servers at once
    # (a retried delivery racing the first, each through another server of the pool).
    intent_id = stripe.pay(payment.provider_session_id)
    payload = json.dumps(stripe.event("checkout.session.completed", payment.provider_session_id))
    header = signature_header(payload, STRIPE_WEBHOOK_SECRET)
    barrier = threading.Barrier(2)
    answers: dict[int, int] = {}

    def deliver(server: AppServer) -> None:
        barrier.wait(timeout=10)
        answers[server.port] = requests.post(
            server.url + WEBHOOK,
            data=payload.encode(),
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
            timeout=30,
        ).status_code

    threads = [threading.Thread(target=deliver, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)

    assert answers == {first.port: 200, second.port: 200}, first.log() + second.log()
    assert Payment.objects.count() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_payment_id == intent_id
    assert payment.amount == Decimal("425.00")
    assert Allocation.objects.count() == 2
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYMENT_SUCCEEDED).count() == 1
    tuition.refresh_from_db()
    books.refresh_from_db()
    assert {tuition.status, books.status} == {Invoice.Status.PAID}
