"""The second factor through HTTP: the step after the password (codes on a frozen clock,
recovery codes, the lockout), the stage that cannot be skipped, the required enrolment, the
reset that leads to the second step, and the registrar's reset from the admin."""

import re

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import RecoveryCode, TOTPDevice, User
from accounts.services import second_factor
from portal.models import AuditEvent, Institution
from tests.accounts.test_first_use import logged_in_user, page
from tests.accounts.test_login import employee_login, student_login
from tests.accounts.test_recovery import BOB_ANSWERS, NEW_PASSWORD, recover
from tests.accounts.test_staff_admin import USERS, run_action
from tests.accounts.test_throttle import cache_clock  # noqa: F401
from tests.conftest import PASSWORD
from tests.factories import activate, enrol_totp, make_employee, make_student
from tests.parents.factories import PARENT_PASSWORD, make_parent

STEP = reverse("accounts:second_factor")
SETUP = reverse("accounts:second_factor_setup")
CODES = reverse("accounts:recovery_codes")
HOME = reverse("portal:home")
PROFILE = reverse("accounts:profile")
INVALID_CODE = "Ce code n'est pas valide. Vérifiez-le et réessayez."
LOCKED = "la vérification est bloquée pendant 15 minutes"
# A fixed instant, in the middle of a 30-second window.
NOW = 1_790_000_015.0


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(second_factor, "clock", lambda: NOW)


@pytest.fixture
def bob_secret(bob: User) -> str:
    return enrol_totp(bob)


def code_at(secret: str, seconds: float) -> str:
    return pyotp.TOTP(secret).at(NOW + seconds)


def password_step(client: Client, identifier: str = "2026102"):
    response = student_login(client, identifier)
    assert response["Location"] == STEP
    return response


def enter(client: Client, code: str):
    return client.post(STEP, {"code": code})


def enrol_through_profile(client: Client) -> list[str]:
    """Activates the app from the profile as a person would; returns the recovery codes."""
    text = page(client.get(SETUP))
    assert "Activer la double authentification" in text
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+"', text)
    secret = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", text).group(1)
    assert len(secret.split()) == 8  # grouped by four
    response = client.post(SETUP, {"code": pyotp.TOTP(secret.replace(" ", "")).now()})
    assert response["Location"] == CODES
    codes = re.findall(
        r'<code class="fs-5">([a-z0-9]{5}-[a-z0-9]{5})</code>', page(client.get(CODES))
    )
    assert len(codes) == 10
    return codes


# --- Codes on a frozen clock ------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-30, 0, 30])
def test_codes_of_the_previous_current_and_next_window_are_accepted(
    client, bob, bob_secret, frozen, offset
):
    password_step(client)
    assert logged_in_user(client) is None  # the password alone logs nobody in
    response = enter(client, code_at(bob_secret, offset))
    assert response["Location"] == HOME
    assert logged_in_user(client) == bob
    event = AuditEvent.objects.get(kind="login.succeeded")
    assert event.details == {"second_factor": "totp"}


@pytest.mark.parametrize("offset", [-60, 60, -300])
def test_older_and_later_codes_are_refused(client, bob, bob_secret, frozen, offset):
    password_step(client)
    response = enter(client, code_at(bob_secret, offset))
    assert response.status_code == 200
    assert INVALID_CODE in page(response)
    assert logged_in_user(client) is None
    assert AuditEvent.objects.filter(kind="2fa.failed", subject=bob).count() == 1


def test_a_code_is_never_accepted_twice_nor_an_older_one(client, bob, bob_secret, frozen):
    password_step(client)
    assert enter(client, code_at(bob_secret, 0))["Location"] == HOME
    for code in (code_at(bob_secret, 0), code_at(bob_secret, -30)):
        other = Client()
        password_step(other)
        assert INVALID_CODE in page(enter(other, code))
        assert logged_in_user(other) is None
    # The next window's code is still good.
    third = Client()
    password_step(third)
    assert enter(third, code_at(bob_secret, 30))["Location"] == HOME
    assert TOTPDevice.objects.get(user=bob).last_step == int(NOW + 30) // 30


def test_five_wrong_codes_lock_the_step_for_fifteen_minutes(
    client,
    bob,
    bob_secret,
    frozen,
    cache_clock,  # noqa: F811
):
    password_step(client)
    responses = [enter(client, "000000" if n % 2 else "aaaaa-bbbbb") for n in range(5)]
    for response in responses[:4]:
        assert INVALID_CODE in page(response)
    assert LOCKED in page(responses[4])
    # Even the right code is refused while the lock holds, from another browser too.
    assert LOCKED in page(enter(client, code_at(bob_secret, 0)))
    other = Client()
    password_step(other)
    assert LOCKED in page(enter(other, code_at(bob_secret, 0)))
    assert logged_in_user(client) is None
    assert AuditEvent.objects.filter(kind="lockout", subject=bob).count() == 1
    cache_clock(15 * 60 + 1)
    assert enter(other, code_at(bob_secret, 0))["Location"] == HOME


# --- The stage cannot be skipped --------------------------------------------------------------


def test_the_second_step_cannot_be_skipped_by_asking_for_another_page(client, bob, bob_secret):
    password_step(client)
    for path in (
        HOME,
        PROFILE,
        reverse("accounts:login"),
        reverse("parents:home"),
        reverse("admin:index"),
        SETUP,
        "/paiement/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == STEP, path
    assert logged_in_user(client) is None
    assert "_auth_user_id" not in client.session
    # The pending state is the server's: a new session (cookie dropped) starts from nothing.
    assert Client().get(STEP)["Location"] == reverse("accounts:login")


def test_cancel_ends_the_pending_step(client, bob, bob_secret):
    password_step(client)
    response = client.post(reverse("accounts:login_stage_cancel"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(STEP)["Location"] == reverse("accounts:login")
    assert client.get(HOME)["Location"].startswith(reverse("accounts:login"))


def test_the_pending_step_expires(client, bob, bob_secret, monkeypatch):
    password_step(client)
    session = client.session
    session["_portal_login_stage"]["until"] = 0
    session.save()
    assert client.get(STEP)["Location"] == reverse("accounts:login")


# --- Enrolment and recovery codes -------------------------------------------------------------


def test_enrolment_from_the_profile_then_login_with_the_app(client, bob):
    client.force_login(bob)
    assert "Activer la double authentification" in page(client.get(PROFILE))
    enrol_through_profile(client)
    # Shown once: the page does not show them again.
    assert client.get(CODES)["Location"] == PROFILE
    assert "10 codes de récupération inutilisés" in page(client.get(PROFILE))
    assert AuditEvent.objects.filter(kind="2fa.enrolled", subject=bob).count() == 1
    # Hashed like passwords, never in clear.
    assert all(code.code_hash.startswith("argon2$") for code in RecoveryCode.objects.all())

    client.post(reverse("accounts:logout"))
    password_step(client)
    device = TOTPDevice.objects.get(user=bob)
    code = pyotp.TOTP(device.secret).at((device.last_step + 1) * 30)
    assert enter(client, code)["Location"] == HOME


def test_a_wrong_first_code_does_not_enrol(client, bob):
    client.force_login(bob)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "123456"})
    assert "Ce code n'est pas celui de l'application" in page(response)
    assert TOTPDevice.objects.get(user=bob).confirmed_at is None
    # Not enrolled: the next login needs no code.
    client.post(reverse("accounts:logout"))
    assert student_login(client, "2026102")["Location"] == HOME


def test_recovery_codes_work_once(client, bob):
    client.force_login(bob)
    codes = enrol_through_profile(client)
    client.post(reverse("accounts:logout"))

    password_step(client)
    response = enter(client, codes[3].upper().replace("-", " "))
    assert response["Location"] == HOME
    assert "Il vous en reste 9" in page(client.get(HOME))
    assert AuditEvent.objects.get(kind="2fa.recovery_code_used").details == {"left": 9}
    client.post(reverse("accounts:logout"))

    password_step(client)
    assert INVALID_CODE in page(enter(client, codes[3]))
    assert enter(client, codes[4])["Location"] == HOME


def test_new_recovery_codes_replace_the_old_ones(client, bob):
    client.force_login(bob)
    old = enrol_through_profile(client)
    response = client.post(reverse("accounts:recovery_codes_renew"))
    assert response["Location"] == CODES
    new = re.findall(r"([a-z0-9]{5}-[a-z0-9]{5})</code>", page(client.get(CODES)))
    assert len(new) == 10 and not set(new) & set(old)
    client.post(reverse("accounts:logout"))
    password_step(client)
    assert INVALID_CODE in page(enter(client, old[0]))
    assert enter(client, new[0])["Location"] == HOME


def test_turning_the_app_off_needs_the_password(client, bob, bob_secret):
    client.force_login(bob)
    url = reverse("accounts:second_factor_disable")
    response = client.post(url, {"current_password": "Mauvais-Mot-2026"})
    assert "Votre mot de passe actuel n'est pas le bon." in page(response)
    assert TOTPDevice.objects.filter(user=bob).exists()
    assert client.post(url, {"current_password": PASSWORD})["Location"] == PROFILE
    assert not TOTPDevice.objects.filter(user=bob).exists()
    assert AuditEvent.objects.filter(kind="2fa.disabled", subject=bob).exists()


def test_an_employee_cannot_turn_off_a_required_second_factor(client, institution):
    record = make_employee(institution, employee_number="50300")
    user = activate(record, password=PASSWORD)
    client.force_login(user)
    response = client.post(reverse("accounts:second_factor_disable"), follow=True)
    assert "ne peut pas être désactivée" in page(response)
    assert TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


# --- Required enrolment -----------------------------------------------------------------------


def test_a_required_second_factor_is_set_up_right_after_the_password(client, bob, institution):
    Institution.objects.update(second_factor_students="required")
    response = student_login(client, "2026102")
    assert response["Location"] == SETUP
    assert logged_in_user(client) is None
    for path in (HOME, PROFILE, STEP):
        assert client.get(path)["Location"] == SETUP
    text = page(client.get(SETUP))
    assert "Votre établissement exige une double authentification" in text
    codes_redirect = client.post(
        SETUP, {"code": pyotp.TOTP(TOTPDevice.objects.get(user=bob).secret).now()}
    )
    assert codes_redirect["Location"] == CODES
    assert logged_in_user(client) == bob
    codes_page = page(client.get(CODES))
    assert f'href="{HOME}" data-continue' in codes_page
    assert client.get(HOME).status_code == 200


def test_staff_set_up_the_second_factor_at_the_admin_login(admin_user):
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": "password", "next": "/admin/"}
    )
    assert response["Location"] == SETUP
    assert client.get("/admin/")["Location"] == SETUP
    assert "Votre établissement exige une double authentification" in page(client.get(SETUP))
    secret = TOTPDevice.objects.get(user=admin_user).secret
    assert client.post(SETUP, {"code": pyotp.TOTP(secret).now()})["Location"] == CODES
    assert 'href="/admin/" data-continue' in page(client.get(CODES))
    assert client.get("/admin/").status_code == 200


def test_an_enrolled_employee_passes_the_second_step(client, institution):
    activate(make_employee(institution, employee_number="50301"), password=PASSWORD)
    response = client.post(
        reverse("accounts:login_employee"),
        {"employee-identifier": "50301", "employee-password": PASSWORD},
    )
    assert response["Location"] == STEP
    assert employee_login(Client(), "50301")["Location"] == HOME


def test_a_parent_with_the_app_passes_the_second_step(client, institution):
    parent = make_parent()
    secret = enrol_totp(parent)
    response = client.post(
        reverse("parents:login"), {"email": parent.identifier, "password": PARENT_PASSWORD}
    )
    assert response["Location"] == STEP
    response = enter(client, pyotp.TOTP(secret).now())
    assert response["Location"] == reverse("parents:home")
    assert logged_in_user(client) == parent


# --- Recovery never bypasses the second factor ------------------------------------------------


def test_the_secret_questions_lead_to_the_second_step_not_into_the_portal(
    client, bob, bob_secret, commit
):
    response = recover(client, "2026102", BOB_ANSWERS, commit=commit)
    form_page = client.get(response["Location"])
    with commit():
        response = client.post(
            form_page.request["PATH_INFO"],
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response["Location"] == STEP
    assert logged_in_user(client) is None
    assert client.get(HOME)["Location"] == STEP
    assert enter(client, pyotp.TOTP(bob_secret).now())["Location"] == HOME
    event = AuditEvent.objects.get(kind="login.succeeded")
    assert event.details == {"via": "recovery", "second_factor": "totp"}


def test_a_reset_link_leads_to_the_second_step(client, institution, commit):
    from tests.accounts.test_recovery import (
        DORA_ANSWERS,
        emailed_path,
        make_dora,
        recovery_start,
        submit_answers,
    )

    dora = make_dora(institution)
    secret = enrol_totp(dora)
    recovery_start(client, "2026104")
    submit_answers(client, DORA_ANSWERS, commit=commit)
    link = emailed_path(mail.outbox[-1])
    form_page = client.get(client.get(link)["Location"])
    with commit():
        response = client.post(
            form_page.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert response["Location"] == STEP
    assert logged_in_user(client) is None
    assert enter(client, pyotp.TOTP(secret).now())["Location"] == HOME
    assert logged_in_user(client) == dora


# --- The registrar's reset --------------------------------------------------------------------


def test_the_registrar_resets_a_lost_second_factor_audited_and_the_person_told(
    admin_client, admin_user, institution, commit
):
    student = make_student(institution, matricule="2026140", email="eve@etudiant.example")
    eve = activate(student, password=PASSWORD)
    enrol_totp(eve)
    RecoveryCode.objects.create(user=eve, code_hash="x")
    eves = Client()
    eves.force_login(eve)
    with commit():
        response = run_action(
            admin_client,
            USERS,
            "Réinitialiser la double authentification (identité vérifiée)",
            eve.pk,
        )
    assert "double authentification réinitialisée, personne avisée" in page(response)
    assert not TOTPDevice.objects.filter(user=eve).exists()
    assert not RecoveryCode.objects.filter(user=eve).exists()
    event = AuditEvent.objects.get(kind="2fa.staff_reset")
    assert (event.actor, event.subject) == (admin_user, eve)
    sent = [m for m in mail.outbox if "double authentification a été réinitialisée" in m.subject]
    assert [m.to for m in sent] == [["eve@etudiant.example"]]
    # Her sessions ended; her next login needs no code (students: optional).
    assert eves.get(HOME).status_code == 302
    assert student_login(Client(), "2026140")["Location"] == HOME


def test_a_reset_during_the_pending_step_starts_the_login_over(client, bob, bob_secret):
    password_step(client)
    TOTPDevice.objects.filter(user=bob).delete()  # what the registrar's reset removes
    assert client.get(STEP)["Location"] == reverse("accounts:login")
    assert logged_in_user(client) is None
    assert client.get(HOME)["Location"].startswith(reverse("accounts:login"))
