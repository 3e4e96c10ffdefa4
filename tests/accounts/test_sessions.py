"""Sessions through HTTP: the institution's idle limit and the 12-hour lifetime, the warning
before the end, "Rester connecté", the cookie's flags, and an account disabled in the admin."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from portal.models import AuditEvent
from tests.accounts.test_first_use import logged_in_user, page, url
from tests.accounts.test_login import UNIFORM_ERROR, student_login

HOME = reverse("portal:home")
LOGIN = reverse("accounts:login")
PING = url("session_ping")
EXPIRED = "Votre session a expiré. Veuillez vous connecter de nouveau."


@pytest.fixture
def bobs_client(bob) -> Client:
    client = Client()
    assert student_login(client, "2026102").status_code == 302
    return client


def shift(client: Client, **seconds_back: int) -> None:
    """Pretends the session's clocks (`_portal_seen`, `_portal_started`) are that many seconds
    older, the way time passing would leave them, by editing the session on the server."""
    session = client.session
    for name, seconds in seconds_back.items():
        session[f"_portal_{name}"] -= seconds
    session.save()


def assert_expired(client: Client, response, *, user, reason: str, key: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={HOME.replace('/', '%2F')}"
    assert EXPIRED in page(client.get(response["Location"]))
    assert logged_in_user(client) is None
    # Gone on the server, not only in this browser.
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(kind="session.expired")
    assert event.subject == user
    assert event.details == {"reason": reason}


# --- Idle time ------------------------------------------------------------------------------


def test_a_session_idle_past_the_institutions_limit_ends(bob, institution, bobs_client):
    assert institution.session_idle_minutes == 30
    key = bobs_client.session.session_key
    shift(bobs_client, seen=31 * 60)
    response = bobs_client.get(HOME)
    assert_expired(bobs_client, response, user=bob, reason="idle", key=key)

    # The old cookie opens nothing any more.
    assert bobs_client.get(HOME)["Location"].startswith(LOGIN)


def test_activity_under_the_limit_keeps_the_session(bob, bobs_client):
    for _ in range(3):  # 87 minutes in all, never 30 without a page
        shift(bobs_client, seen=29 * 60)
        response = bobs_client.get(HOME)
        assert response.status_code == 200
        assert "Bienvenue, Bob" in page(response)
    assert logged_in_user(bobs_client) == bob
    assert not AuditEvent.objects.filter(kind="session.expired").exists()


def test_the_idle_limit_is_the_institutions(bob, institution):
    institution.session_idle_minutes = 10
    institution.save(update_fields=["session_idle_minutes"])
    client = Client()
    student_login(client, "2026102")
    assert 'data-session-idle="600"' in page(client.get(HOME))

    shift(client, seen=9 * 60)
    assert client.get(HOME).status_code == 200
    key = client.session.session_key
    shift(client, seen=11 * 60)
    assert_expired(client, client.get(HOME), user=bob, reason="idle", key=key)


# --- Absolute lifetime ----------------------------------------------------------------------


def test_twelve_hours_after_login_the_session_ends_even_with_activity(bob, bobs_client):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    shift(bobs_client, started=12 * 60 * 60 - 60)
    assert bobs_client.get(HOME).status_code == 200

    key = bobs_client.session.session_key
    shift(bobs_client, started=61)  # 12 hours and 1 second; the last page was just now
    assert_expired(bobs_client, bobs_client.get(HOME), user=bob, reason="lifetime", key=key)


def test_the_lifetime_is_not_reset_by_a_password_change(bob, bobs_client):
    # A password change rotates the session key, never its age.
    shift(bobs_client, started=12 * 60 * 60 - 60)
    new = "Riviere-Bleue-2027"
    bobs_client.post(
        url("password_change"),
        {"current_password": "Bonjour-Portail-42", "password1": new, "password2": new},
    )
    shift(bobs_client, started=61)
    response = bobs_client.get(HOME)
    assert response.status_code == 302
    assert EXPIRED in page(bobs_client.get(response["Location"]))


# --- The warning and "Rester connecté" -----------------------------------------------------


def test_pages_behind_login_carry_the_idle_warning(bobs_client):
    for path in (HOME, url("profile")):
        text = page(bobs_client.get(path))
        body = re.search(r"<body[^>]*>", text).group(0)
        assert 'data-session-idle="1800"' in body, path
        assert f'data-session-ping="{PING}"' in body, path
        box = re.search(r'<div id="session-warning"[^>]*>', text).group(0)
        assert " hidden" in box
        assert 'role="alertdialog"' in box
        warning = text[text.index('id="session-warning"') :].split("</div>", 1)[0]
        assert "Votre session se terminera bientôt en raison d'inactivité." in warning
        assert "Rester connecté" in warning
        assert 'src="/static/js/session.js"' in text


def test_public_pages_have_no_idle_warning(client, institution):
    text = page(client.get(LOGIN))
    assert "data-session-idle" not in text
    assert "session-warning" not in text


def test_the_ping_keeps_a_session_alive_and_refuses_strangers(bob, bobs_client, client):
    shift(bobs_client, seen=25 * 60)
    response = bobs_client.get(PING)
    assert response.status_code == 204
    assert response.content == b""
    # "Rester connecté" counted as activity: 25 more minutes are fine.
    shift(bobs_client, seen=25 * 60)
    assert bobs_client.get(HOME).status_code == 200

    response = client.get(PING)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_ping_after_the_limit_sends_to_login(bob, bobs_client):
    shift(bobs_client, seen=31 * 60)
    response = bobs_client.get(PING)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert logged_in_user(bobs_client) is None


# --- Cookies --------------------------------------------------------------------------------


def test_the_session_cookie_is_httponly_lax_and_ends_with_the_browser(client, bob):
    response = student_login(client, "2026102")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # served over plain HTTP here (PORTAL_HTTPS off)
    # Never written to disk by the browser: a shared computer keeps nothing after closing.
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    csrf = client.get(LOGIN).cookies.get(settings.CSRF_COOKIE_NAME) or client.cookies.get(
        settings.CSRF_COOKIE_NAME
    )
    assert csrf["samesite"] == "Lax"


def test_cookies_are_secure_over_https(settings, bob):
    # What PORTAL_HTTPS=1 sets (portal/settings.py reads it at import time).
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    csrf = client.get(LOGIN, secure=True).cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] is True
    response = student_login(client, "2026102", secure=True)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# --- Disabled in the admin ------------------------------------------------------------------


def user_change_data(admin_client: Client, user) -> dict:
    """The user's change form in the admin, as the registrar sees it filled in."""
    response = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = value
    return data


def test_disabling_a_user_in_the_admin_ends_their_sessions(
    bob, bobs_client, admin_client, admin_user
):
    phone = Client()
    student_login(phone, "2026102")
    assert UserSession.objects.filter(user=bob).count() == 2

    data = user_change_data(admin_client, bob)
    assert data.pop("is_active") is True  # unticking the box
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[bob.pk]), {**data, "_save": "Enregistrer"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    bob.refresh_from_db()
    assert bob.is_active is False
    assert not UserSession.objects.filter(user=bob).exists()
    for browser in (bobs_client, phone):
        assert browser.get(HOME)["Location"].startswith(LOGIN)
    event = AuditEvent.objects.get(kind="account.disabled")
    assert event.subject == bob
    assert event.actor == admin_user
    assert UNIFORM_ERROR in page(student_login(Client(), "2026102"))


def test_the_disable_action_ends_sessions_at_once(
    bob, charlie, bobs_client, admin_client, admin_user
):
    charlies = Client()
    student_login(charlies, "2026103")
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "disable", "_selected_action": [bob.pk], "index": 0},
        follow=True,
    )
    assert "1 compte(s) désactivé(s)." in page(response)
    assert not UserSession.objects.filter(user=bob).exists()
    assert bobs_client.get(HOME)["Location"].startswith(LOGIN)
    # Only the selected account.
    assert charlies.get(HOME).status_code == 200
    event = AuditEvent.objects.get(kind="account.disabled")
    assert (event.subject, event.actor) == (bob, admin_user)


def test_saving_a_user_without_disabling_keeps_their_sessions(bob, bobs_client, admin_client):
    data = user_change_data(admin_client, bob)
    data["first_name"] = "Robert"
    admin_client.post(reverse("admin:accounts_user_change", args=[bob.pk]), data)
    bob.refresh_from_db()
    assert bob.first_name == "Robert"
    assert bobs_client.get(HOME).status_code == 200
    assert not AuditEvent.objects.filter(kind="account.disabled").exists()
