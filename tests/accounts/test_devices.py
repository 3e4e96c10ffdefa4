"""A sign-in from a browser the account has not seen sends "Nouvelle connexion à votre compte";
its "Ce n'était pas vous ?" link ends every session and starts the password reset."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import KnownDevice, User, UserSession
from accounts.services import devices
from portal.models import AuditEvent
from tests.accounts.test_first_use import logged_in_user, page
from tests.accounts.test_login import student_login
from tests.accounts.test_recovery import emailed_path
from tests.conftest import PASSWORD
from tests.factories import activate, make_student

NEW_SIGN_IN = "nouvelle connexion à votre compte"
NEW_PASSWORD = "Riviere-Du-Nord-77"


@pytest.fixture
def eve(institution) -> User:
    student = make_student(
        institution, matricule="2026150", first_name="Ève", email="eve@etudiant.example"
    )
    return activate(student, password=PASSWORD)


def sign_ins() -> list:
    return [m for m in mail.outbox if NEW_SIGN_IN in m.subject]


def login(client: Client, commit) -> None:
    with commit():
        response = student_login(client, "2026150")
    assert response.status_code == 302


def test_a_new_browser_gets_an_email_once_and_a_known_one_none(eve, commit):
    laptop = Client(HTTP_USER_AGENT="Firefox sur le portable")
    login(laptop, commit)
    assert len(sign_ins()) == 1
    message = sign_ins()[0]
    assert message.to == ["eve@etudiant.example"]
    assert "Nouvelle connexion à votre compte" in message.body
    assert "Ce n'était pas vous ?" in message.body
    assert "Firefox sur le portable" in message.body
    cookie = laptop.cookies[devices.DEVICE_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"

    # The same browser again (after "Quitter"): known, no email.
    laptop.post(reverse("accounts:logout"))
    login(laptop, commit)
    assert len(sign_ins()) == 1
    # Another browser: a new email.
    login(Client(), commit)
    assert len(sign_ins()) == 2
    assert KnownDevice.objects.filter(user=eve).count() == 2
    assert AuditEvent.objects.filter(kind="login.new_device", subject=eve).count() == 2
    # Only a hash of the device id is stored.
    device_id = laptop.cookies[devices.DEVICE_COOKIE].value.split(":")[0]
    assert not KnownDevice.objects.filter(device_hash=device_id).exists()


def test_a_forged_device_cookie_counts_as_a_new_browser(eve, commit):
    browser = Client()
    browser.cookies[devices.DEVICE_COOKIE] = "un-appareil-invente"
    login(browser, commit)
    assert len(sign_ins()) == 1


def test_the_not_me_link_ends_every_session_and_starts_a_reset(eve, commit):
    phone, laptop = Client(), Client()
    login(phone, commit)
    login(laptop, commit)
    assert UserSession.objects.filter(user=eve).count() == 2
    link = emailed_path(sign_ins()[-1])

    stranger = Client()
    redirect = stranger.get(link)
    assert redirect["Referrer-Policy"] == "no-referrer"
    assert redirect["Location"] == reverse("accounts:not_me_confirm")
    confirm = stranger.get(redirect["Location"])
    assert "Fermer toutes mes sessions et changer mon mot de passe" in page(confirm)
    # Showing the page changes nothing: an email scanner's visit ends no session.
    assert UserSession.objects.filter(user=eve).count() == 2

    response = stranger.post(reverse("accounts:not_me_confirm"))
    assert UserSession.objects.filter(user=eve).count() == 0
    assert logged_in_user(phone) is None and logged_in_user(laptop) is None
    assert AuditEvent.objects.get(kind="sessions.not_me").subject == eve
    # The reset of her audience follows, at the token-free page a reset link leads to.
    form = stranger.get(response["Location"])
    assert "Mot de passe" in page(form)
    with commit():
        response = stranger.post(
            form.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert response["Location"] == reverse("accounts:reset_done")
    eve.refresh_from_db()
    assert eve.check_password(NEW_PASSWORD)

    # Single use.
    again = Client()
    again.get(link)
    assert "Ce lien n'est plus valide" in page(again.get(reverse("accounts:not_me_confirm")))


def test_an_expired_not_me_link_does_nothing(eve, commit, monkeypatch):
    login(Client(), commit)
    link = emailed_path(sign_ins()[-1])
    monkeypatch.setattr(devices, "NOT_ME_MAX_AGE", -1)
    client = Client()
    client.get(link)
    response = client.post(reverse("accounts:not_me_confirm"))
    assert "Ce lien n'est plus valide" in page(response)
    assert UserSession.objects.filter(user=eve).count() == 1


def test_the_token_is_never_in_the_audit_log(eve, commit):
    login(Client(), commit)
    token = emailed_path(sign_ins()[-1]).rstrip("/").rsplit("/", 1)[1]
    client = Client()
    client.get(emailed_path(sign_ins()[-1]))
    client.post(reverse("accounts:not_me_confirm"))
    for event in AuditEvent.objects.all():
        assert token not in str(event.details) and token not in event.identifier
