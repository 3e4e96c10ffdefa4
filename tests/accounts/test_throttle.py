"""Throttles through HTTP: failed logins and failed identity checks share one count per
identifier (5 in 15 minutes lock it for 15 minutes) and one per client address (20 in a
minute lock it); lockouts expire and are audited."""

import datetime
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import db as cache_db
from django.utils import timezone

from accounts.models import FirstUseFlow
from portal import throttle
from portal.models import AuditEvent
from tests.accounts.test_first_use import (
    GENERIC_IDENTITY_ERROR,
    identity_data,
    logged_in_user,
    page,
    url,
)
from tests.accounts.test_login import UNIFORM_ERROR, employee_login, student_login
from tests.conftest import PASSWORD
from tests.factories import activate, make_employee

KEY_LOCKED = (
    "Trop de tentatives infructueuses pour ce numéro. Pour votre sécurité, il est bloqué "
    "pendant 15 minutes."
)
IP_LOCKED = "Trop de tentatives infructueuses depuis votre adresse. Réessayez dans 5 minutes."
WRONG = "Mauvais-Mot-2026"


@pytest.fixture
def cache_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Moves the database cache's clock forward, and only it: what the cache stores expires
    as if that much time had passed, while sessions and flows keep the real time."""
    if "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("the clock is moved for the database cache only")
    offset = datetime.timedelta()

    class ShiftedTime:
        @staticmethod
        def time() -> float:
            return time.time() + offset.total_seconds()

    monkeypatch.setattr(cache_base, "time", ShiftedTime)
    monkeypatch.setattr(throttle, "time", ShiftedTime)
    monkeypatch.setattr(cache_db, "tz_now", lambda: timezone.now() + offset)

    def advance(seconds: float) -> None:
        nonlocal offset
        offset += datetime.timedelta(seconds=seconds)

    return advance


def fail_logins(client, identifier: str, times: int, **extra) -> list:
    return [student_login(client, identifier, WRONG, **extra) for _ in range(times)]


# --- Per identifier -------------------------------------------------------------------------


def test_five_failed_logins_lock_the_number_even_with_the_right_password(client, bob):
    responses = fail_logins(client, "2026102", 5)
    for response in responses[:4]:
        assert UNIFORM_ERROR in page(response)
    assert KEY_LOCKED in page(responses[4])

    response = student_login(client, "2026102", PASSWORD)
    assert response.status_code == 200
    assert KEY_LOCKED in page(response)
    assert logged_in_user(client) is None

    lockout = AuditEvent.objects.get(kind="lockout")
    assert lockout.identifier == "student:2026102"
    assert lockout.details == {"scope": "key"}
    assert AuditEvent.objects.filter(kind="login.failed", details={"reason": "locked_key"}).exists()


def test_a_lock_holds_from_another_address_too(client, bob):
    fail_logins(client, "2026102", 5, REMOTE_ADDR="10.0.0.1")
    response = student_login(client, "2026102", PASSWORD, REMOTE_ADDR="10.0.0.2")
    assert KEY_LOCKED in page(response)


def test_four_failures_then_success_clear_the_count(client, bob):
    fail_logins(client, "2026102", 4)
    assert student_login(client, "2026102", PASSWORD)["Location"] == "/accueil/"
    client.post(url("logout"))
    responses = fail_logins(client, "2026102", 4)
    assert all(UNIFORM_ERROR in page(r) for r in responses)
    assert student_login(client, "2026102", PASSWORD)["Location"] == "/accueil/"


def test_one_students_lockout_never_blocks_another(client, bob, charlie):
    fail_logins(client, "2026102", 5)
    response = student_login(client, "2026103", PASSWORD)
    assert response["Location"] == "/accueil/"
    assert logged_in_user(client) == charlie


def test_unknown_numbers_lock_the_same_way(client, institution):
    # A locked number that does not exist reads like a locked one that does.
    responses = fail_logins(client, "2099999", 5)
    assert KEY_LOCKED in page(responses[4])


def test_employees_are_throttled_too(client, institution):
    employee = make_employee(institution, employee_number="50077")
    activate(employee, password=PASSWORD)
    for _ in range(5):
        employee_login(client, "50077", WRONG)
    response = employee_login(client, "50077", PASSWORD)
    assert KEY_LOCKED in page(response)
    assert logged_in_user(client) is None
    assert AuditEvent.objects.get(kind="lockout").identifier == "employee:50077"


# --- First use counts toward the same lock --------------------------------------------------


def test_failed_identity_checks_lock_the_number(client, alice):
    wrong = identity_data(alice, birthdate="2006-03-06")
    responses = [client.post(url("first_use"), wrong) for _ in range(5)]
    for response in responses[:4]:
        assert GENERIC_IDENTITY_ERROR in page(response)
    assert KEY_LOCKED in page(responses[4])

    # Even the right data is refused now.
    response = client.post(url("first_use"), identity_data(alice))
    assert response.status_code == 200
    assert KEY_LOCKED in page(response)
    assert not FirstUseFlow.objects.exists()
    assert AuditEvent.objects.filter(kind="lockout", identifier="student:2026101").exists()


def test_failed_identity_checks_lock_the_login(client, bob):
    wrong = identity_data(bob.student, birthdate="2006-03-06")
    for _ in range(5):
        client.post(url("first_use"), wrong)
    response = student_login(client, "2026102", PASSWORD)
    assert KEY_LOCKED in page(response)
    assert logged_in_user(client) is None


def test_identity_data_of_an_activated_account_does_not_reset_its_login_failures(client, bob):
    # Whoever knows Bob's code permanent and birthdate must not buy four more password
    # guesses by passing the first-use identity check (which ends on "déjà activé").
    fail_logins(client, "2026102", 4)
    response = client.post(url("first_use"), identity_data(bob.student))
    assert "Votre compte est déjà activé" in page(response)
    response = student_login(client, "2026102", WRONG)
    assert KEY_LOCKED in page(response)


def test_login_and_identity_failures_share_one_count(client, bob):
    fail_logins(client, "2026102", 3)
    wrong = identity_data(bob.student, birthdate="2006-03-06")
    client.post(url("first_use"), wrong)
    response = client.post(url("first_use"), wrong)
    assert KEY_LOCKED in page(response)
    assert KEY_LOCKED in page(student_login(client, "2026102", PASSWORD))


# --- Per client address ---------------------------------------------------------------------


def test_twenty_failures_from_one_address_lock_that_address(client, bob):
    responses = [
        student_login(client, f"20990{n:02d}", WRONG, REMOTE_ADDR="10.0.0.9") for n in range(20)
    ]
    assert all(UNIFORM_ERROR in page(r) for r in responses[:19])
    assert IP_LOCKED in page(responses[19])

    response = student_login(client, "2026102", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert IP_LOCKED in page(response)
    assert logged_in_user(client) is None
    response = student_login(client, "2026102", PASSWORD, REMOTE_ADDR="10.0.0.10")
    assert response["Location"] == "/accueil/"

    lockout = AuditEvent.objects.get(kind="lockout")
    assert lockout.details == {"scope": "ip"}
    assert lockout.ip_address == "10.0.0.9"


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(client, bob):
    for n in range(20):
        student_login(
            client,
            f"20990{n:02d}",
            WRONG,
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = student_login(
        client, "2026102", PASSWORD, REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="192.0.2.200"
    )
    assert IP_LOCKED in page(response)


def test_identity_failures_count_toward_the_address_lock(client, institution, alice):
    for n in range(19):
        student_login(client, f"20990{n:02d}", WRONG, REMOTE_ADDR="10.0.0.9")
    response = client.post(
        url("first_use"), identity_data(alice, identifier="2099920"), REMOTE_ADDR="10.0.0.9"
    )
    assert IP_LOCKED in page(response)
    response = client.post(url("first_use"), identity_data(alice), REMOTE_ADDR="10.0.0.9")
    assert IP_LOCKED in page(response)
    assert not FirstUseFlow.objects.exists()


# --- Expiry ---------------------------------------------------------------------------------


def test_the_lockout_expires_after_fifteen_minutes(client, bob, cache_clock):
    fail_logins(client, "2026102", 5)
    cache_clock(14 * 60)
    assert KEY_LOCKED in page(student_login(client, "2026102", PASSWORD))
    cache_clock(61)
    response = student_login(client, "2026102", PASSWORD)
    assert response["Location"] == "/accueil/"


def test_the_address_lockout_expires_after_five_minutes(client, bob, cache_clock):
    for n in range(20):
        student_login(client, f"20990{n:02d}", WRONG, REMOTE_ADDR="10.0.0.9")
    cache_clock(4 * 60)
    assert IP_LOCKED in page(student_login(client, "2026102", PASSWORD, REMOTE_ADDR="10.0.0.9"))
    cache_clock(61)
    response = student_login(client, "2026102", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert response["Location"] == "/accueil/"


def test_five_failures_spread_over_fifteen_minutes_still_lock(client, bob, cache_clock):
    fail_logins(client, "2026102", 4)
    cache_clock(6 * 60)
    response = student_login(client, "2026102", WRONG)
    assert KEY_LOCKED in page(response)


def test_failures_older_than_the_window_are_forgotten(client, bob, cache_clock):
    fail_logins(client, "2026102", 4)
    cache_clock(15 * 60 + 1)
    response = student_login(client, "2026102", WRONG)
    assert UNIFORM_ERROR in page(response)
    assert student_login(client, "2026102", PASSWORD)["Location"] == "/accueil/"


def test_address_failures_spread_over_more_than_a_minute_do_not_lock(client, bob, cache_clock):
    for n in range(19):
        student_login(client, f"20990{n:02d}", WRONG, REMOTE_ADDR="10.0.0.9")
    cache_clock(61)
    response = student_login(client, "2099019", WRONG, REMOTE_ADDR="10.0.0.9")
    assert UNIFORM_ERROR in page(response)


def test_lockout_expiry_with_short_limits_on_any_cache_backend(client, bob, settings):
    # The same rule with a three-second lockout, so that the real clock (and any backend,
    # Redis included) does the expiring. The database cache stores expiry times truncated to
    # the second, so a shorter lockout can be over before the next request on a slow machine.
    settings.PORTAL_RATE_LIMITS = {"login_failed": {"key": (2, 60, 3), "ip": (100, 60, 3)}}
    fail_logins(client, "2026102", 2)
    response = student_login(client, "2026102", PASSWORD)
    assert "Trop de tentatives infructueuses pour ce numéro." in page(response)
    time.sleep(3.1)
    assert student_login(client, "2026102", PASSWORD)["Location"] == "/accueil/"
