"""What registrar staff do to accounts from the admin: create employees, unlock, send a student
back to first use, read the audit log. Staff never see or choose a password or an answer, and
the admin login is throttled like every other."""

import datetime
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecretAnswer, User, UserSession
from portal.models import AuditEvent
from students.models import Employee, Student
from tests.accounts.test_first_use import logged_in_user, page, url, walk_first_use
from tests.accounts.test_login import UNIFORM_ERROR, student_login
from tests.accounts.test_throttle import KEY_LOCKED, fail_logins
from tests.conftest import PASSWORD
from tests.factories import enrol_totp, second_step

HOME = reverse("portal:home")
LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
USERS = reverse("admin:accounts_user_changelist")
STUDENTS = reverse("admin:students_student_changelist")
AUDIT = reverse("admin:portal_auditevent_changelist")
ADMIN_PASSWORD = "password"  # pytest-django's admin_user


def action_value(admin_client: Client, changelist: str, label: str) -> str:
    """The value of the action the registrar picks by its label in the list's menu."""
    text = page(admin_client.get(changelist))
    options = dict(
        (html_label.strip(), value)
        for value, html_label in re.findall(r'<option value="([^"]+)">([^<]+)</option>', text)
    )
    return options[label]


def run_action(admin_client: Client, changelist: str, label: str, *pks: int):
    return admin_client.post(
        changelist,
        {
            "action": action_value(admin_client, changelist, label),
            "_selected_action": list(pks),
            "index": 0,
        },
        follow=True,
    )


# --- Employees ------------------------------------------------------------------------------


def test_registrar_creates_an_employee_without_any_password(admin_client, institution, commit):
    add = reverse("admin:students_employee_add")
    response = admin_client.get(add)
    assert response.status_code == 200
    text = page(response)
    assert 'type="password"' not in text
    assert "Mot de passe" not in text
    assert "password" not in response.context["adminform"].form.fields

    response = admin_client.post(
        add,
        {
            "employee_number": "50077",
            "last_name": "Bergeron",
            "first_name": "Isabelle",
            "email": "ibergeron@cegep.example",
            "department": "Mathématiques",
            "office": "B-204",
            "phone_extension": "2231",
            "school": institution.schools.get(is_main=True).pk,
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    employee = Employee.objects.get(employee_number="50077")
    assert employee.user is None
    assert not User.objects.filter(audience="employee").exists()

    # The employee activates the account with a link sent to the email on file.
    with commit():
        Client().post(
            url("employee_first_use"),
            {"identifier": "50077", "captcha_0": "x", "captcha_1": "PASSED"},
        )
    assert [message.to for message in mail.outbox] == [["ibergeron@cegep.example"]]
    assert "/activer/" in mail.outbox[0].body


# --- Unlock ---------------------------------------------------------------------------------


def assert_locked(identifier: str) -> None:
    client = Client()
    assert KEY_LOCKED in page(student_login(client, identifier, PASSWORD))
    assert logged_in_user(client) is None


def test_unlock_from_the_user_list_lifts_a_lockout_before_it_expires(bob, admin_client, admin_user):
    fail_logins(Client(), "2026102", 5)
    assert_locked("2026102")

    response = run_action(
        admin_client, USERS, "Déverrouiller (annuler le blocage après trop d'essais)", bob.pk
    )
    assert "1 compte(s) déverrouillé(s)." in page(response)

    client = Client()
    assert student_login(client, "2026102", PASSWORD).status_code == 302
    assert logged_in_user(client) == bob
    event = AuditEvent.objects.get(kind="staff.unlock")
    assert event.actor == admin_user
    assert event.subject == bob
    assert event.identifier == "student:2026102"


def test_unlock_from_the_student_list(bob, charlie, admin_client, admin_user):
    fail_logins(Client(), "2026102", 5)
    fail_logins(Client(), "2026103", 5)
    record = Student.objects.get(user=bob)

    response = run_action(admin_client, STUDENTS, "Déverrouiller le compte", record.pk)
    assert "1 compte(s) déverrouillé(s)." in page(response)
    assert student_login(Client(), "2026102", PASSWORD).status_code == 302
    # Only the selected student.
    assert_locked("2026103")
    event = AuditEvent.objects.get(kind="staff.unlock")
    assert (event.actor, event.subject) == (admin_user, bob)


def test_unlock_also_reopens_the_secret_questions(bob, admin_client):
    recovery = Client()
    recovery.post(
        url("recovery"), {"identifier": "2026102", "captcha_0": "x", "captcha_1": "PASSED"}
    )
    form = recovery.get(url("recovery_questions")).context["form"]
    wrong = dict.fromkeys(form.fields, "Mauvaise réponse")
    for _ in range(3):
        response = recovery.post(url("recovery_questions"), wrong)
    assert "Trop de tentatives infructueuses" in page(response)

    run_action(
        admin_client, USERS, "Déverrouiller (annuler le blocage après trop d'essais)", bob.pk
    )
    answers = dict(zip(form.fields, ("Filou", "Rimouski", "Gabrielle"), strict=True))
    response = recovery.post(url("recovery_questions"), answers)
    assert response.status_code == 302
    assert response["Location"].startswith("/reinitialiser/")


# --- First use again ------------------------------------------------------------------------


def test_reset_first_use_makes_the_student_start_again(bob, admin_client, admin_user, commit):
    browser = Client()
    student_login(browser, "2026102")
    assert UserSession.objects.filter(user=bob).exists()

    response = run_action(admin_client, USERS, "Réinitialiser la première utilisation", bob.pk)
    assert "1 compte(s) devront refaire leur première utilisation." in page(response)

    bob.refresh_from_db()
    assert not bob.has_usable_password()
    assert bob.activated_at is None
    assert not SecretAnswer.objects.filter(user=bob).exists()
    assert not UserSession.objects.filter(user=bob).exists()
    assert browser.get(HOME)["Location"].startswith(LOGIN)
    assert UNIFORM_ERROR in page(student_login(Client(), "2026102", PASSWORD))
    event = AuditEvent.objects.get(kind="staff.first_use_reset")
    assert (event.actor, event.subject) == (admin_user, bob)
    assert event.identifier == "student:2026102"

    # First use is open again, and it is the same account that comes back.
    record = Student.objects.get(user=bob)
    client = Client()
    walk_first_use(client, record, commit=commit, password="Nouveau-Depart-2027")
    assert logged_in_user(client) == bob
    assert SecretAnswer.objects.filter(user=bob).count() == 3
    assert student_login(Client(), "2026102", "Nouveau-Depart-2027").status_code == 302


def test_reset_first_use_from_the_student_list(bob, charlie, admin_client):
    record = Student.objects.get(user=bob)
    response = run_action(
        admin_client, STUDENTS, "Réinitialiser la première utilisation", record.pk
    )
    assert "1 compte(s) devront refaire leur première utilisation." in page(response)
    bob.refresh_from_db()
    charlie.refresh_from_db()
    assert not bob.has_usable_password()
    assert charlie.has_usable_password()
    assert AuditEvent.objects.filter(kind="staff.first_use_reset").count() == 1


def test_staff_never_see_a_password_or_an_answer(bob, admin_client):
    hashes = [
        bob.password,
        *SecretAnswer.objects.filter(user=bob).values_list("answer_hash", flat=True),
    ]
    for path in (
        reverse("admin:accounts_user_change", args=[bob.pk]),
        reverse("admin:students_student_change", args=[Student.objects.get(user=bob).pk]),
        USERS,
        STUDENTS,
    ):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        text = page(response)
        assert 'type="password"' not in text, path
        assert "argon2" not in text, path
        for value in hashes:
            assert value not in text, path
        for answer in ("Filou", "Rimouski", "Gabrielle"):
            assert answer not in text, path
    # Secret answers have no admin page at all.
    assert admin_client.get("/admin/accounts/secretanswer/").status_code == 404


def test_staff_cannot_choose_a_students_password(bob, admin_client):
    # Django's UserAdmin has a "change password" page per account; a student's is not one
    # that staff may use.
    password_page = reverse("admin:auth_user_password_change", args=[bob.pk])
    response = admin_client.get(password_page)
    assert response.status_code in (403, 404)
    chosen = "Choisi-Par-Le-Personnel-1"
    response = admin_client.post(password_page, {"password1": chosen, "password2": chosen})
    assert response.status_code in (403, 404)
    bob.refresh_from_db()
    assert check_password(PASSWORD, bob.password)
    assert not check_password(chosen, bob.password)


# --- The admin login ------------------------------------------------------------------------


def admin_login(client: Client, password: str, username: str = "admin"):
    """The password, then the second step where the password led to it (staff have one)."""
    response = client.post(
        ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"}
    )
    return second_step(client, response)


def test_the_admin_login_is_throttled(admin_user):
    client = Client()
    responses = [admin_login(client, "Mauvais-Mot-2026") for _ in range(5)]
    for response in responses[:4]:
        assert response.status_code == 200
        assert "Trop de tentatives" not in page(response)
    assert KEY_LOCKED in page(responses[4])

    response = admin_login(client, ADMIN_PASSWORD)
    assert response.status_code == 200
    assert KEY_LOCKED in page(response)
    assert "_auth_user_id" not in client.session

    failures = AuditEvent.objects.filter(kind="login.failed", identifier="staff:admin")
    assert failures.count() == 6
    assert all(event.details.get("admin") for event in failures)
    assert failures.filter(details__reason="locked_key").count() == 1
    assert AuditEvent.objects.filter(kind="lockout", identifier="staff:admin").count() == 1
    assert not AuditEvent.objects.filter(kind="login.succeeded").exists()


def test_a_successful_admin_login_is_audited_and_clears_the_count(admin_user):
    enrol_totp(admin_user)
    client = Client()
    for _ in range(4):
        admin_login(client, "Mauvais-Mot-2026")
    response = admin_login(client, ADMIN_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    event = AuditEvent.objects.get(kind="login.succeeded")
    assert (event.subject, event.identifier, event.details) == (
        admin_user,
        "staff:admin",
        {"admin": True, "second_factor": "totp"},
    )
    # The four failures are forgotten: four more do not lock.
    other = Client()
    for _ in range(4):
        assert "Trop de tentatives" not in page(admin_login(other, "Mauvais-Mot-2026"))
    assert admin_login(other, ADMIN_PASSWORD).status_code == 302


def test_an_unknown_admin_username_is_throttled_alike(db, institution):
    client = Client()
    responses = [admin_login(client, "Mauvais-Mot-2026", username="personne") for _ in range(5)]
    assert KEY_LOCKED in page(responses[4])
    assert AuditEvent.objects.filter(kind="lockout", identifier="staff:personne").exists()


# --- The audit log --------------------------------------------------------------------------


@pytest.fixture
def events(bob, charlie) -> None:
    student_login(Client(REMOTE_ADDR="198.51.100.66"), "2026102", "Mauvais-Mot-2026")
    student_login(Client(), "2026102")
    student_login(Client(), "2026103", "Mauvais-Mot-2026")
    student_login(Client(), "2026103")
    old = AuditEvent.objects.get(kind="login.failed", identifier="student:2026103")
    AuditEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2025, 1, 15, 10, 0))
    )


def listed(response) -> list[AuditEvent]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_audit_log_is_read_only(events, admin_client):
    response = admin_client.get(AUDIT)
    text = page(response)
    # Two failures, two logins, each from a browser new to the account.
    assert len(listed(response)) == 6
    assert reverse("admin:portal_auditevent_add") not in text
    assert "delete_selected" not in text
    assert admin_client.get(reverse("admin:portal_auditevent_add")).status_code == 403

    event = AuditEvent.objects.filter(kind="login.succeeded").first()
    change = reverse("admin:portal_auditevent_change", args=[event.pk])
    response = admin_client.get(change)
    assert response.status_code == 200  # readable
    assert 'name="_save"' not in page(response)
    response = admin_client.post(change, {"kind": "logout", "identifier": "falsifié"})
    assert response.status_code == 403
    delete = reverse("admin:portal_auditevent_delete", args=[event.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.kind == "login.succeeded"
    assert AuditEvent.objects.count() >= 4


def test_the_audit_log_shows_actor_subject_address_and_no_secret(events, admin_client):
    text = page(admin_client.get(AUDIT))
    for column in ("Événement", "Identifiant saisi", "Adresse du client"):
        assert column.casefold() in text.casefold(), column
    assert "198.51.100.66" in text
    assert "Mauvais-Mot-2026" not in text
    assert PASSWORD not in text


def test_the_audit_log_filters_by_kind_and_date(events, admin_client):
    failed = listed(admin_client.get(AUDIT, {"kind": "login.failed"}))
    assert {event.kind for event in failed} == {"login.failed"}
    assert len(failed) == 2

    # The sidebar offers the same filter.
    assert 'href="?kind__exact=login.failed"' in page(admin_client.get(AUDIT))
    assert len(listed(admin_client.get(AUDIT, {"kind__exact": "login.failed"}))) == 2

    old = listed(admin_client.get(AUDIT, {"created_at__year": "2025"}))
    assert [(event.kind, event.identifier) for event in old] == [
        ("login.failed", "student:2026103")
    ]
    # "Aujourd'hui" in the date filter, as the sidebar links it.
    today = re.search(
        r'href="(\?created_at__gte=[^"]+)"[^>]*>Aujourd.hui<', page(admin_client.get(AUDIT))
    )
    recent = listed(admin_client.get(AUDIT + today.group(1)))
    assert len(recent) == 5
    assert all(event.created_at.year != 2025 for event in recent)


def test_the_audit_log_search_finds_an_identifier(events, admin_client):
    found = listed(admin_client.get(AUDIT, {"q": "2026102"}))
    assert len(found) == 3  # the failure, the login and its new device
    assert {event.identifier for event in found} == {"student:2026102"}
    assert listed(admin_client.get(AUDIT, {"q": "198.51.100.66"}))[0].identifier == (
        "student:2026102"
    )
    assert listed(admin_client.get(AUDIT, {"q": "2099999"})) == []
