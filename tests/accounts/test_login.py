"""Login and logout through HTTP: students, employees, one uniform error, sessions."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession as Session
from portal.models import AuditEvent
from tests.accounts.test_first_use import logged_in_user, page
from tests.conftest import PASSWORD
from tests.factories import activate, make_employee, second_step

UNIFORM_ERROR = "Le numéro ou le mot de passe est incorrect."
LOGIN = reverse("accounts:login")
LOGIN_EMPLOYEE = reverse("accounts:login_employee")
HOME = reverse("portal:home")


def student_login(client: Client, identifier: str, password: str = PASSWORD, **extra):
    return client.post(
        LOGIN, {"student-identifier": identifier, "student-password": password}, **extra
    )


def employee_login(client: Client, identifier: str, password: str = PASSWORD, **extra):
    """Employees have a second factor (every preset requires it): its step is passed too."""
    response = client.post(
        LOGIN_EMPLOYEE, {"employee-identifier": identifier, "employee-password": password}, **extra
    )
    return second_step(client, response)


def without_tokens(response, *typed: str) -> str:
    """The page with what legitimately differs between two refusals removed: the CSRF token
    and the values the person typed."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page(response))
    for value in typed:
        text = text.replace(value, "…")
    return text


@pytest.fixture
def employee(institution):
    record = make_employee(institution, employee_number="50042", first_name="Isabelle")
    activate(record, password=PASSWORD)
    return record


def test_login_page_shows_both_audiences_in_french(client, institution):
    response = client.get(LOGIN)
    assert response.status_code == 200
    text = page(response)
    for label in (
        "Étudiants",
        "Employés",
        "Matricule (7 chiffres)",
        "Mot de passe",
        "No d'employé",
        "Première utilisation ?",
        "Se connecter",
    ):
        assert label in text, label
    assert 'name="student-identifier"' in text
    assert 'name="employee-identifier"' in text


def test_student_logs_in_with_matricule_and_password(client, bob):
    response = student_login(client, "2026102")
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert logged_in_user(client) == bob
    response = client.get(HOME)
    assert "Bienvenue, Bob" in page(response)
    assert "Quitter" in page(response)
    event = AuditEvent.objects.get(kind="login.succeeded")
    assert event.subject == bob
    assert event.identifier == "student:2026102"


def test_employee_logs_in_with_employee_number(client, employee):
    response = employee_login(client, "50042")
    assert response["Location"] == HOME
    assert logged_in_user(client) == employee.user
    assert "Bienvenue, Isabelle" in page(client.get(HOME))


def test_audiences_do_not_mix(client, bob, employee):
    # A student's number and password do not open the employee form, and the reverse.
    response = employee_login(client, "2026102")
    assert UNIFORM_ERROR in page(response)
    response = student_login(client, "0050042")
    assert UNIFORM_ERROR in page(response)
    assert logged_in_user(client) is None


def test_one_uniform_error_for_wrong_password_and_unknown_number(client, bob, alice):
    wrong_password = student_login(client, "2026102", "Mauvais-Mot-2026")
    unknown = student_login(client, "2099999", "Mauvais-Mot-2026")
    not_activated = student_login(client, alice.matricule, "Mauvais-Mot-2026")
    for response in (wrong_password, unknown, not_activated):
        assert response.status_code == 200
        assert UNIFORM_ERROR in page(response)
    assert without_tokens(wrong_password, "2026102") == without_tokens(unknown, "2099999")
    assert without_tokens(wrong_password, "2026102") == without_tokens(
        not_activated, alice.matricule
    )
    assert logged_in_user(client) is None
    assert AuditEvent.objects.filter(kind="login.failed").count() == 3


def test_uniform_error_for_employees_too(client, employee):
    wrong_password = employee_login(client, "50042", "Mauvais-Mot-2026")
    unknown = employee_login(client, "59999", "Mauvais-Mot-2026")
    assert wrong_password.status_code == unknown.status_code == 200
    assert UNIFORM_ERROR in page(wrong_password)
    assert without_tokens(wrong_password, "50042") == without_tokens(unknown, "59999")


def test_a_deactivated_account_gets_the_uniform_error(client, bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    response = student_login(client, "2026102")
    assert response.status_code == 200
    assert UNIFORM_ERROR in page(response)
    assert logged_in_user(client) is None


def test_identifier_format_is_a_field_error(client, bob):
    response = student_login(client, "20261")
    assert response.status_code == 200
    assert "Ce numéro compte 7 chiffres." in page(response)
    assert UNIFORM_ERROR not in page(response)
    assert not AuditEvent.objects.filter(kind="login.failed").exists()


def test_spaces_around_the_number_do_not_matter(client, bob):
    response = student_login(client, " 2026 102 ")
    assert response["Location"] == HOME


def test_session_key_rotates_at_login(client, bob):
    session = client.session
    session["marker"] = "anonymous"
    session.save()
    before = session.session_key
    student_login(client, "2026102")
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.filter(session_key=after).exists()


def test_next_is_followed_only_within_the_site(client, bob):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={HOME}"
    response = client.post(
        f"{LOGIN}?next={HOME}", {"student-identifier": "2026102", "student-password": PASSWORD}
    )
    assert response["Location"] == HOME
    client.post(reverse("accounts:logout"))
    response = client.post(
        LOGIN,
        {
            "student-identifier": "2026102",
            "student-password": PASSWORD,
            "next": "https://ailleurs.example/voler",
        },
    )
    assert response["Location"] == HOME


def test_pages_are_private_by_default(client, institution):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={HOME}"


def test_a_logged_in_person_going_to_login_lands_home(client, bob):
    client.force_login(bob, backend="accounts.backends.AudienceBackend")
    assert client.get(LOGIN)["Location"] == HOME


def test_quitter_ends_the_session_on_the_server(client, bob):
    student_login(client, "2026102")
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not Session.objects.filter(session_key=session_key).exists()
    assert "Vous avez quitté le portail. À bientôt !" in page(client.get(LOGIN))
    assert AuditEvent.objects.filter(kind="logout", subject=bob).exists()

    response = client.get(HOME)
    assert response["Location"] == f"{LOGIN}?next={HOME}"
    # Someone who kept the old cookie gets nothing either.
    replay = Client()
    replay.cookies["sessionid"] = session_key
    assert replay.get(HOME)["Location"] == f"{LOGIN}?next={HOME}"


def test_logout_refuses_get(client, bob):
    student_login(client, "2026102")
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert logged_in_user(client) == bob
    assert client.get(HOME).status_code == 200


def test_pages_behind_login_are_not_stored(client, bob):
    student_login(client, "2026102")
    response = client.get(HOME)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_login_and_first_use_pages_are_not_stored_either(client, institution):
    for name in ("accounts:login", "accounts:first_use"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], name


def test_home_shows_the_record_and_the_institution(client, bob):
    student_login(client, "2026102")
    text = page(client.get(HOME))
    assert "2026102" in text
    assert "Cégep de Saint-Jérôme" in text
    assert "Mes services" in text
