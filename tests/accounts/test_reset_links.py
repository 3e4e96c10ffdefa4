"""The reset link every route ends with, after Django's design: the token is checked, moved
into the session and replaced by "nouveau" in the URL; it dies once used, after one hour, or
when the password changes; a recovery link is no activation link. After a reset nobody is
logged in, every session of the account has ended, and the owner is told by email."""

import datetime

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User, UserSession
from accounts.tokens import TimedTokenGenerator, activation_token, recovery_token
from portal.models import AuditEvent, Institution
from tests.accounts.test_first_use import logged_in_user, page, secrets_leak
from tests.accounts.test_login import UNIFORM_ERROR, student_login
from tests.accounts.test_recovery import (
    DORA_ANSWERS,
    DORA_EMAIL,
    HOME,
    LOGIN,
    NEW_PASSWORD,
    emailed_path,
    make_dora,
    recover,
)
from tests.conftest import PASSWORD
from tests.factories import make_employee

INVALID = "Ce lien n'est plus valide"
RESET_DONE = reverse("accounts:reset_done")
NEW_PASSWORD_PAGE = "Choix d'un nouveau mot de passe"
TOO_SHORT = "Le mot de passe doit compter au moins 10 caractères."


@pytest.fixture
def dora(institution: Institution) -> User:
    return make_dora(institution)


def request_link(client: Client, user: User, *, commit) -> str:
    """The path of the link Dora receives after answering her questions (the outbox is then
    emptied, so that a test sees only what comes after)."""
    recover(client, user.identifier, DORA_ANSWERS, commit=commit)
    path = emailed_path(mail.outbox[-1])
    mail.outbox.clear()
    return path


@pytest.fixture
def link(client: Client, dora: User, commit) -> str:
    return request_link(client, dora, commit=commit)


def later(monkeypatch: pytest.MonkeyPatch, generator: TimedTokenGenerator, seconds: float) -> None:
    """Moves one token generator's clock forward, and nothing else's."""
    moved = datetime.datetime.now() + datetime.timedelta(seconds=seconds)
    monkeypatch.setattr(generator, "_now", lambda: moved)


def new_password(client: Client, path: str, password: str, confirm: str = "") -> HttpResponse:
    return client.post(path, {"password1": password, "password2": confirm or password})


def uidb64(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def reset(client: Client, link: str, password: str = NEW_PASSWORD, *, commit) -> HttpResponse:
    """Follows the link and sets the password."""
    response = client.get(link)
    assert response.status_code == 302, page(response)
    with commit():
        return new_password(client, response["Location"], password)


# --- The link ------------------------------------------------------------------------------


def test_the_token_moves_into_the_session_and_out_of_the_url(client, dora, link):
    token = link.rstrip("/").rsplit("/", 1)[1]
    response = Client().get(link)
    assert response.status_code == 302
    assert response["Location"] == f"/reinitialiser/{uidb64(dora)}/nouveau/"
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"

    browser = Client()
    response = browser.get(link, follow=True)
    assert response.redirect_chain == [(f"/reinitialiser/{uidb64(dora)}/nouveau/", 302)]
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"  # a form page: see decision 0004
    assert "no-store" in response["Cache-Control"]
    text = page(response)
    assert NEW_PASSWORD_PAGE in text
    assert "Saisissez le mot de passe désiré à deux reprises." in text
    assert token not in text
    assert 'type="password"' in text
    # Another browser without the token in its session gets nothing at the token-free URL.
    assert INVALID in page(Client().get(response.request["PATH_INFO"]))


def test_the_new_password_follows_the_institutions_policy(client, dora, link, commit):
    path = client.get(link)["Location"]
    with commit():
        response = new_password(client, path, "Court-1A")
    assert response.status_code == 200
    text = page(response)
    assert TOO_SHORT in text
    assert "Court-1A" not in text  # a password is never shown back
    with commit():
        response = new_password(client, path, "riviere-du-nord-77")
    assert "Le mot de passe doit contenir au moins 1 majuscule." in page(response)
    with commit():
        response = new_password(client, path, NEW_PASSWORD, "Riviere-Du-Nord-78")
    assert "Les deux mots de passe ne correspondent pas." in page(response)
    dora.refresh_from_db()
    assert dora.check_password(PASSWORD)
    assert mail.outbox == []

    with commit():
        response = new_password(client, path, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == RESET_DONE
    response = client.get(RESET_DONE)
    assert "Votre mot de passe a été modifié" in page(response)
    assert "Toutes les sessions ouvertes avec l'ancien mot de passe ont été fermées." in page(
        response
    )


def test_after_a_reset_nobody_is_logged_in_and_every_session_has_ended(client, dora, commit):
    laptop, phone = Client(), Client()
    for browser in (laptop, phone):
        assert student_login(browser, dora.identifier)["Location"] == HOME
        assert browser.get(HOME).status_code == 200
    assert UserSession.objects.filter(user=dora).count() == 2
    # The link comes after the logins: a login (last_login) ends a link, as in Django.
    link = request_link(client, dora, commit=commit)

    response = reset(client, link, commit=commit)
    assert response["Location"] == RESET_DONE

    assert logged_in_user(client) is None
    assert client.get(HOME)["Location"].startswith(LOGIN)
    for browser in (laptop, phone):
        assert browser.get(HOME)["Location"].startswith(LOGIN)
    assert not UserSession.objects.filter(user=dora).exists()

    dora.refresh_from_db()
    assert not dora.check_password(PASSWORD)
    assert UNIFORM_ERROR in page(student_login(Client(), dora.identifier, PASSWORD))
    assert student_login(Client(), dora.identifier, NEW_PASSWORD)["Location"] == HOME

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_RESET)
    assert event.subject == dora
    assert event.identifier == "student:2026104"


def test_the_owner_is_told_by_email_without_any_password(client, dora, link, commit):
    reset(client, link, commit=commit)
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [DORA_EMAIL]
    assert "votre mot de passe a été modifié" in notice.subject
    assert "Bonjour Dora" in notice.body
    assert "Les sessions ouvertes ont été fermées." in notice.body
    assert secrets_leak([PASSWORD, NEW_PASSWORD, *DORA_ANSWERS]) == []


def test_a_reset_while_logged_in_in_the_same_browser_ends_that_session_too(client, dora, commit):
    assert student_login(client, dora.identifier)["Location"] == HOME
    link = request_link(client, dora, commit=commit)
    response = reset(client, link, commit=commit)
    assert response.status_code == 302
    assert response["Location"] == RESET_DONE
    assert client.get(HOME)["Location"].startswith(LOGIN)
    assert not UserSession.objects.filter(user=dora).exists()


# --- When a link no longer works -----------------------------------------------------------


def test_a_link_works_only_once(client, dora, link, commit):
    reset(client, link, commit=commit)
    for browser in (client, Client()):
        response = browser.get(link)
        assert response.status_code == 200
        text = page(response)
        assert INVALID in text
        assert NEW_PASSWORD_PAGE not in text
        assert 'type="password"' not in text
        assert response["Referrer-Policy"] == "no-referrer"
    # Nor can the token-free URL be posted to again from the browser that used it.
    with commit():
        response = new_password(
            client, f"/reinitialiser/{uidb64(dora)}/nouveau/", "Autre-Mot-De-Passe-5"
        )
    assert INVALID in page(response)
    dora.refresh_from_db()
    assert dora.check_password(NEW_PASSWORD)


def test_a_link_is_valid_for_one_hour(client, dora, link, monkeypatch):
    later(monkeypatch, recovery_token, 59 * 60)
    assert client.get(link).status_code == 302
    later(monkeypatch, recovery_token, 60 * 60 + 1)
    response = Client().get(link)
    assert response.status_code == 200
    assert INVALID in page(response)


def test_a_link_that_expires_after_it_was_opened_is_refused(client, dora, link, monkeypatch):
    path = client.get(link)["Location"]
    later(monkeypatch, recovery_token, 60 * 60 + 1)
    response = new_password(client, path, NEW_PASSWORD)
    assert INVALID in page(response)
    dora.refresh_from_db()
    assert dora.check_password(PASSWORD)


def test_a_token_made_two_hours_ago_is_refused(client, dora):
    two_hours_ago = recovery_token._num_seconds(recovery_token._now()) - 2 * 60 * 60
    token = recovery_token._make_token_with_timestamp(dora, two_hours_ago, recovery_token.secret)
    response = client.get(
        reverse("accounts:reset", kwargs={"uidb64": uidb64(dora), "token": token})
    )
    assert INVALID in page(response)


def test_a_link_dies_when_the_password_changes_another_way(client, dora, link, commit):
    browser = Client()
    student_login(browser, dora.identifier)
    response = browser.post(
        reverse("accounts:password_change"),
        {
            "current_password": PASSWORD,
            "password1": "Autre-Mot-De-Passe-5",
            "password2": "Autre-Mot-De-Passe-5",
        },
    )
    assert response.status_code == 302, page(response)
    dora.refresh_from_db()
    assert dora.check_password("Autre-Mot-De-Passe-5")
    assert INVALID in page(client.get(link))


def test_a_link_dies_when_the_account_logs_in(client, dora, link):
    # Django's tokens cover last_login: whoever remembers the password ends pending links.
    assert student_login(Client(), dora.identifier)["Location"] == HOME
    assert INVALID in page(client.get(link))


def test_an_older_link_dies_when_a_newer_one_is_used(client, dora, link, commit, monkeypatch):
    later(monkeypatch, recovery_token, 5 * 60)
    newer = request_link(Client(), dora, commit=commit)
    assert newer != link
    reset(Client(), newer, commit=commit)
    assert INVALID in page(client.get(link))


def test_a_link_works_only_for_its_own_account(client, dora, charlie, link):
    token = link.rstrip("/").rsplit("/", 1)[1]
    path = reverse("accounts:reset", kwargs={"uidb64": uidb64(charlie), "token": token})
    assert INVALID in page(client.get(path))
    assert INVALID in page(client.get("/reinitialiser/bm9wZQ/" + token + "/"))


def test_a_recovery_link_does_not_activate_and_an_activation_link_does_not_reset(
    client, dora, link, institution
):
    token = link.rstrip("/").rsplit("/", 1)[1]
    response = client.get(
        reverse("accounts:activate", kwargs={"uidb64": uidb64(dora), "token": token})
    )
    assert response.status_code == 200
    assert INVALID in page(response)

    token = activation_token.make_token(dora)
    response = Client().get(
        reverse("accounts:reset", kwargs={"uidb64": uidb64(dora), "token": token})
    )
    assert response.status_code == 200
    assert INVALID in page(response)
    # An activation token is made for an employee's first use: an employee's is accepted where
    # it belongs (the salt, not the token, made the difference), a student's is not.
    path = reverse("accounts:activate", kwargs={"uidb64": uidb64(dora), "token": token})
    assert INVALID in page(Client().get(path))
    employee = make_employee(institution, email="emile@cstj.example")
    user = User.objects.create(
        username=User.username_for(User.Audience.EMPLOYEE, employee.employee_number),
        audience=User.Audience.EMPLOYEE,
        identifier=employee.employee_number,
    )
    user.set_unusable_password()
    user.save()
    token = activation_token.make_token(user)
    path = reverse("accounts:activate", kwargs={"uidb64": uidb64(user), "token": token})
    assert Client().get(path).status_code == 302
