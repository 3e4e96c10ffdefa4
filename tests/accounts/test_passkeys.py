"""Passkeys through HTTP, with a software authenticator standing in for the browser's: register
several, name them, remove them, sign in with one instead of the password or as the second
step. The relying party comes from PORTAL_BASE_URL."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Passkey
from portal.models import AuditEvent
from tests.accounts.test_first_use import logged_in_user, page
from tests.accounts.test_login import student_login
from tests.accounts.webauthn_authenticator import SoftPasskey
from tests.conftest import PASSWORD
from tests.factories import activate, make_employee

BASE = "https://portail.cegep.example"
PROFILE = reverse("accounts:profile")
HOME = reverse("portal:home")
STEP = reverse("accounts:second_factor")
REFUSED = "La clé d'accès n'a pas pu être vérifiée."


@pytest.fixture(autouse=True)
def _base_url(settings) -> None:
    settings.PORTAL_BASE_URL = BASE


def authenticator() -> SoftPasskey:
    return SoftPasskey(origin=BASE, rp_id="portail.cegep.example")


def options(client: Client, name: str) -> dict:
    response = client.post(reverse(name))
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def register(client: Client, key: SoftPasskey, name: str):
    credential = key.create(options(client, "accounts:passkey_register_options"))
    return client.post(
        reverse("accounts:passkey_add"), {"name": name, "credential": credential}, follow=True
    )


def sign_in(client: Client, key: SoftPasskey, **extra):
    credential = key.get(options(client, "accounts:passkey_login_options"))
    return client.post(
        reverse("accounts:passkey_login_verify"), {"credential": credential, **extra}
    )


def test_registration_options_name_the_portal_and_require_user_verification(client, bob):
    client.force_login(bob)
    data = options(client, "accounts:passkey_register_options")
    assert data["rp"]["id"] == "portail.cegep.example"
    assert data["authenticatorSelection"]["userVerification"] == "required"
    assert data["authenticatorSelection"]["residentKey"] == "required"
    assert data["user"]["name"] == "2026102"


def test_register_several_name_them_remove_one(client, bob):
    client.force_login(bob)
    laptop, phone = authenticator(), authenticator()
    response = register(client, laptop, "Portable")
    assert "La clé d'accès « Portable » a été ajoutée." in page(response)
    register(client, phone, "Téléphone")
    text = page(client.get(PROFILE))
    assert "Portable" in text and "Téléphone" in text
    # Already registered keys are excluded from a new registration.
    excluded = options(client, "accounts:passkey_register_options")["excludeCredentials"]
    assert len(excluded) == 2
    assert AuditEvent.objects.filter(kind="passkey.added", subject=bob).count() == 2

    portable = Passkey.objects.get(name="Portable")
    response = client.post(reverse("accounts:passkey_remove", args=[portable.pk]), follow=True)
    assert "La clé d'accès « Portable » a été retirée." in page(response)
    assert list(Passkey.objects.values_list("name", flat=True)) == ["Téléphone"]
    assert AuditEvent.objects.get(kind="passkey.removed").details == {"name": "Portable"}


def test_someone_elses_passkey_cannot_be_removed(client, bob, charlie):
    client.force_login(bob)
    register(client, authenticator(), "Portable")
    other = Client()
    other.force_login(charlie)
    passkey = Passkey.objects.get()
    assert other.post(reverse("accounts:passkey_remove", args=[passkey.pk])).status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_a_forged_or_unverified_registration_is_refused(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("accounts:passkey_add"), {"name": "Faux", "credential": '{"id": "x"}'}, follow=True
    )
    assert "n'a pas pu être enregistrée" in page(response)
    unverified = authenticator()
    unverified.verified = False
    assert "n'a pas pu être enregistrée" in page(register(client, unverified, "Sans NIP"))
    response = client.post(reverse("accounts:passkey_add"), {"name": "Sans JS"}, follow=True)
    assert "Les clés d'accès demandent JavaScript" in page(response)
    assert not Passkey.objects.exists()


def test_a_key_for_another_site_is_refused(client, bob):
    client.force_login(bob)
    phishing = SoftPasskey(origin="https://portail-cegep.example", rp_id="portail-cegep.example")
    assert "n'a pas pu être enregistrée" in page(register(client, phishing, "Hameçon"))
    assert not Passkey.objects.exists()


def test_sign_in_with_a_passkey_instead_of_the_password(client, bob):
    key = authenticator()
    client.force_login(bob)
    register(client, key, "Portable")
    client.post(reverse("accounts:logout"))

    response = sign_in(client, key)
    assert response["Location"] == HOME
    assert logged_in_user(client) == bob
    event = AuditEvent.objects.get(kind="login.succeeded")
    assert event.details == {"passkey": True}
    assert Passkey.objects.get().last_used_at is not None
    assert Passkey.objects.get().sign_count == 1


def test_a_replayed_answer_is_refused(client, bob):
    key = authenticator()
    client.force_login(bob)
    register(client, key, "Portable")
    client.post(reverse("accounts:logout"))
    credential = key.get(options(client, "accounts:passkey_login_options"))
    url = reverse("accounts:passkey_login_verify")
    assert client.post(url, {"credential": credential})["Location"] == HOME
    client.post(reverse("accounts:logout"))
    response = client.post(url, {"credential": credential}, follow=True)
    assert REFUSED in page(response)
    assert logged_in_user(client) is None


def test_a_passkey_is_the_second_step_after_the_password(client, bob, charlie):
    key = authenticator()
    client.force_login(bob)
    register(client, key, "Portable")
    client.post(reverse("accounts:logout"))

    assert student_login(client, "2026102")["Location"] == STEP
    text = page(client.get(STEP))
    assert "Utiliser une clé d'accès" in text
    allowed = options(client, "accounts:passkey_login_options")["allowCredentials"]
    assert [item["id"] for item in allowed] == [Passkey.objects.get().credential_id]
    response = sign_in(client, key)
    assert response["Location"] == HOME
    assert logged_in_user(client) == bob
    event = AuditEvent.objects.get(kind="login.succeeded")
    assert event.details == {"second_factor": "passkey"}


def test_another_accounts_passkey_does_not_pass_the_second_step(client, bob, charlie):
    charlies_key = authenticator()
    other = Client()
    other.force_login(charlie)
    register(other, charlies_key, "Charlie")
    client.force_login(bob)
    register(client, authenticator(), "Bob")
    client.post(reverse("accounts:logout"))

    student_login(client, "2026102")
    response = sign_in(client, charlies_key)
    assert response["Location"] == STEP
    assert logged_in_user(client) is None
    assert REFUSED in page(client.get(STEP))


def test_the_last_passkey_of_a_required_second_factor_stays(client, institution):
    user = activate(make_employee(institution, employee_number="50400"), password=PASSWORD)
    client.force_login(user)
    register(client, authenticator(), "Clé USB")
    client.post(reverse("accounts:second_factor_disable"), {"current_password": PASSWORD})
    passkey = Passkey.objects.get()
    response = client.post(reverse("accounts:passkey_remove", args=[passkey.pk]), follow=True)
    assert "Votre établissement exige la double authentification" in page(response)
    assert Passkey.objects.filter(pk=passkey.pk).exists()
