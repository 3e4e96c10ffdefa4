"""Employees, "Première utilisation ?" and "Oublié votre mot de passe ?" under the employee
form: whatever the number, the same answer; an employee on file with an email gets a
single-use link (24 hours to activate, one hour to reset) and chooses the password under the
institution's policy. Staff create the Employee record and never set its password."""

import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tokens import activation_token, recovery_token
from portal.models import AuditEvent, Institution
from students.models import Employee
from tests.accounts.test_first_use import page, secrets_leak
from tests.accounts.test_login import UNIFORM_ERROR, employee_login, without_tokens
from tests.accounts.test_recovery import CAPTCHA, HOME, LOGIN, emailed_path
from tests.accounts.test_reset_links import INVALID, RESET_DONE, TOO_SHORT, later, new_password
from tests.conftest import PASSWORD
from tests.factories import activate, enrol_at_setup, make_employee

FIRST_USE = reverse("accounts:employee_first_use")
RECOVERY = reverse("accounts:employee_recovery")
REQUESTED = (
    "Si ce numéro correspond à un dossier d'employé, un courriel contenant un lien a été envoyé "
    "à l'adresse inscrite à ce dossier."
)
ISABELLE_EMAIL = "isabelle.bergeron@cegep.example"
# cstj: at least 10 characters, a letter, a digit and an uppercase letter.
EMPLOYEE_PASSWORD = "Tableau-Noir-2026"
MISSING = "59999"
# After the password, a new employee sets up the second factor every preset requires of them.
SETUP = reverse("accounts:second_factor_setup")


@pytest.fixture
def isabelle(institution: Institution) -> Employee:
    """Isabelle: an employee the registrar put on file, with an email, not yet activated."""
    return make_employee(
        institution,
        employee_number="50077",
        first_name="Isabelle",
        last_name="Bergeron",
        email=ISABELLE_EMAIL,
    )


def ask(client: Client, url: str, number: str, **extra: str) -> HttpResponse:
    """Posts a number to an employee page, with the CAPTCHA where the institution has one."""
    data = {"identifier": number, **extra}
    if Institution.objects.get().captcha_enabled:
        data = {**CAPTCHA, **data}
    return client.post(url, data)


def requested_link(client: Client, url: str, number: str, *, commit) -> str:
    with commit():
        response = ask(client, url, number)
    assert REQUESTED in page(response)
    return emailed_path(mail.outbox[-1])


def choose_password(client: Client, link: str, password: str, *, commit) -> HttpResponse:
    response = client.get(link)
    assert response.status_code == 302, page(response)
    assert response["Location"].endswith("/nouveau/")
    with commit():
        return new_password(client, response["Location"], password)


# --- The pages -----------------------------------------------------------------------------


def test_the_login_page_offers_both_links_under_the_employee_form(client, institution):
    text = page(client.get(LOGIN))
    employees = text[text.index("Employés") :]
    assert f'href="{FIRST_USE}"' in employees
    assert f'href="{RECOVERY}"' in employees


@pytest.mark.parametrize(
    ("url", "title"),
    [
        (FIRST_USE, "Première utilisation - Employés"),
        (RECOVERY, "Mot de passe oublié ? - Employés"),
    ],
)
def test_the_pages_ask_for_the_employee_number_in_french(client, institution, url, title):
    response = client.get(url)
    assert response.status_code == 200
    text = page(response)
    assert title in text
    assert "No d'employé" in text
    assert "Code de sécurité" in text  # cstj has a CAPTCHA
    assert 'type="password"' not in text


@pytest.mark.parametrize("url", [FIRST_USE, RECOVERY])
def test_every_number_gets_the_same_answer(client, institution, isabelle, commit, url):
    without_email = make_employee(institution, email="")
    responses = []
    for number in (isabelle.employee_number, without_email.employee_number, MISSING):
        with commit():
            responses.append(ask(Client(), url, number))
    assert {response.status_code for response in responses} == {200}
    assert REQUESTED in page(responses[0])
    assert len({without_tokens(response) for response in responses}) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ISABELLE_EMAIL]
    assert not User.objects.filter(identifier__in=[without_email.employee_number, MISSING])
    started = AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_STARTED)
    assert started.count() == 3


@pytest.mark.parametrize("url", [FIRST_USE, RECOVERY])
def test_the_captcha_is_required_where_the_institution_has_one(client, isabelle, commit, url):
    with commit():
        response = client.post(url, {"identifier": isabelle.employee_number})
    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    with commit():
        response = ask(client, url, isabelle.employee_number, captcha_1="FAUX")
    assert "captcha" in response.context["form"].errors
    assert REQUESTED not in page(response)
    assert mail.outbox == []


# --- First use ------------------------------------------------------------------------------


def test_an_employee_activates_with_the_emailed_link_and_logs_in(client, isabelle, commit):
    assert UNIFORM_ERROR in page(employee_login(Client(), isabelle.employee_number, PASSWORD))
    link = requested_link(client, FIRST_USE, isabelle.employee_number, commit=commit)
    assert re.fullmatch(r"/activer/[\w-]+/[\w-]+/", link)
    message = mail.outbox[0]
    assert message.to == [ISABELLE_EMAIL]
    assert "première utilisation de votre compte d'employé" in message.subject
    assert "Bonjour Isabelle" in message.body
    assert "valide pendant 24 heures" in message.body
    # The account exists now, without a password anyone chose for her.
    isabelle.refresh_from_db()
    user = isabelle.user
    assert user.audience == User.Audience.EMPLOYEE
    assert user.identifier == "50077"
    assert not user.has_usable_password()
    assert user.activated_at is None
    mail.outbox.clear()

    redirect = client.get(link)
    assert redirect["Referrer-Policy"] == "no-referrer"
    response = client.get(redirect["Location"])
    assert "Première utilisation - Choix du mot de passe" in page(response)
    path = response.request["PATH_INFO"]
    for password, error in (
        ("Court-1A", TOO_SHORT),
        ("tableau-noir-2026", "Le mot de passe doit contenir au moins 1 majuscule."),
        ("Tableau-Noir-Vert", "Le mot de passe doit contenir au moins 1 chiffre."),
    ):
        with commit():
            response = new_password(client, path, password)
        assert response.status_code == 200
        assert error in page(response)
        assert password not in page(response)
    with commit():
        response = new_password(client, path, EMPLOYEE_PASSWORD)
    assert response["Location"] == RESET_DONE
    # Not logged in by the link: the employee logs in with the "Employés" form.
    assert client.get(HOME)["Location"].startswith(LOGIN)
    response = employee_login(client, isabelle.employee_number, EMPLOYEE_PASSWORD)
    # The institution requires a second factor of employees: set up before the portal opens.
    assert response["Location"] == reverse("accounts:second_factor_setup")
    assert client.get(HOME)["Location"] == reverse("accounts:second_factor_setup")
    enrol_at_setup(client, response)
    assert "Bienvenue, Isabelle" in page(client.get(HOME))

    user.refresh_from_db()
    assert user.activated_at is not None
    activated = AuditEvent.objects.get(kind=AuditEvent.Kind.EMPLOYEE_ACTIVATED)
    assert activated.subject == user
    assert activated.identifier == "employee:50077"
    assert [m.to for m in mail.outbox] == [[ISABELLE_EMAIL]]
    assert "votre mot de passe a été modifié" in mail.outbox[0].subject
    assert secrets_leak([EMPLOYEE_PASSWORD, "Court-1A", "tableau-noir-2026"]) == []


def test_an_activation_link_is_valid_for_24_hours(client, isabelle, commit, monkeypatch):
    link = requested_link(client, FIRST_USE, isabelle.employee_number, commit=commit)
    later(monkeypatch, activation_token, 23 * 60 * 60)
    assert Client().get(link).status_code == 302
    later(monkeypatch, activation_token, 24 * 60 * 60 + 1)
    response = Client().get(link)
    assert response.status_code == 200
    assert INVALID in page(response)


def test_an_activation_link_works_once(client, isabelle, commit):
    link = requested_link(client, FIRST_USE, isabelle.employee_number, commit=commit)
    response = choose_password(client, link, EMPLOYEE_PASSWORD, commit=commit)
    assert response["Location"] == RESET_DONE
    assert INVALID in page(Client().get(link))
    assert INVALID in page(client.get(link))
    response = client.post(
        link.replace(link.rstrip("/").rsplit("/", 1)[1], "nouveau"),
        {"password1": "Autre-Tableau-99", "password2": "Autre-Tableau-99"},
    )
    assert INVALID in page(response)
    assert employee_login(Client(), "50077", EMPLOYEE_PASSWORD)["Location"] == SETUP


def test_an_activation_link_is_no_reset_link(client, isabelle, commit):
    link = requested_link(client, FIRST_USE, isabelle.employee_number, commit=commit)
    assert INVALID in page(client.get(link.replace("/activer/", "/reinitialiser/")))


def test_two_activation_requests_send_the_same_kind_of_link(client, isabelle, commit):
    first = requested_link(client, FIRST_USE, isabelle.employee_number, commit=commit)
    second = requested_link(Client(), RECOVERY, isabelle.employee_number, commit=commit)
    # A forgotten password that was never set: the first-use link again, for the same account.
    assert first.startswith("/activer/")
    assert second.startswith("/activer/")
    assert User.objects.filter(identifier="50077").count() == 1


def test_three_links_an_hour_for_one_number(client, isabelle, commit):
    pages: dict[str, set[str]] = {FIRST_USE: set(), RECOVERY: set()}
    for url in (FIRST_USE, RECOVERY, FIRST_USE, RECOVERY, FIRST_USE):
        with commit():
            response = ask(Client(), url, isabelle.employee_number)
        assert REQUESTED in page(response)
        pages[url].add(without_tokens(response))
    assert len(mail.outbox) == 3
    # Past the third, nothing is sent, and nothing on the page says so.
    assert len(pages[FIRST_USE]) == len(pages[RECOVERY]) == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RESET_LINK_SENT).count() == 3


def test_a_disabled_account_gets_no_link(client, isabelle, commit):
    user = activate(isabelle, password=PASSWORD)
    User.objects.filter(pk=user.pk).update(is_active=False)
    with commit():
        disabled = ask(client, RECOVERY, isabelle.employee_number)
    with commit():
        missing = ask(Client(), RECOVERY, MISSING)
    assert without_tokens(disabled) == without_tokens(missing)
    assert mail.outbox == []


def test_an_institution_without_captcha_uses_its_own_policy(client, load_preset, commit):
    institution = load_preset("thetford")
    employee = make_employee(institution, employee_number="50088", email="prof@thetford.example")
    assert "Code de sécurité" not in page(client.get(FIRST_USE))
    link = requested_link(client, FIRST_USE, employee.employee_number, commit=commit)
    response = choose_password(client, link, EMPLOYEE_PASSWORD, commit=commit)
    assert response.status_code == 200
    assert "Seuls les chiffres (0 à 9) et les lettres non accentuées (a à z)" in page(response)
    with commit():
        response = new_password(client, response.request["PATH_INFO"], "erable2026")
    assert response["Location"] == RESET_DONE
    assert employee_login(client, "50088", "erable2026")["Location"] == SETUP


# --- Forgotten password ---------------------------------------------------------------------


@pytest.fixture
def active_isabelle(isabelle: Employee) -> User:
    return activate(isabelle, password=PASSWORD)


def test_an_active_employee_gets_a_reset_link_valid_one_hour(
    client, active_isabelle, commit, monkeypatch
):
    link = requested_link(client, RECOVERY, "50077", commit=commit)
    assert re.fullmatch(r"/reinitialiser/[\w-]+/[\w-]+/", link)
    message = mail.outbox[0]
    assert message.to == [ISABELLE_EMAIL]
    assert "choisir un nouveau mot de passe" in message.subject
    assert "valide pendant 1 heure" in message.body
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.RESET_LINK_SENT).details == {
        "purpose": "recovery"
    }
    later(monkeypatch, recovery_token, 59 * 60)
    assert Client().get(link).status_code == 302
    later(monkeypatch, recovery_token, 60 * 60 + 1)
    assert INVALID in page(Client().get(link))
    monkeypatch.undo()

    response = choose_password(client, link, EMPLOYEE_PASSWORD, commit=commit)
    # Her second factor is set up: the reset leads to the second step, not into the portal.
    assert response["Location"] == reverse("accounts:second_factor")
    assert UNIFORM_ERROR in page(employee_login(Client(), "50077", PASSWORD))
    assert employee_login(Client(), "50077", EMPLOYEE_PASSWORD)["Location"] == HOME
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_RESET).count() == 1
    assert INVALID in page(Client().get(link))


def test_first_use_for_an_active_employee_sends_a_reset_link(client, active_isabelle, commit):
    link = requested_link(client, FIRST_USE, "50077", commit=commit)
    assert link.startswith("/reinitialiser/")
    assert "choisir un nouveau mot de passe" in mail.outbox[0].subject
    # Asking cannot take the account away: the password is unchanged until the link is used.
    assert employee_login(Client(), "50077", PASSWORD)["Location"] == HOME


# --- Staff ----------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["add", "change"])
def test_staff_never_set_an_employees_password(
    admin_client, active_isabelle, isabelle, view
) -> None:
    args = [isabelle.pk] if view == "change" else []
    response = admin_client.get(reverse(f"admin:students_employee_{view}", args=args))
    assert response.status_code == 200
    text = page(response)
    assert 'name="employee_number"' in text
    assert 'name="email"' in text
    assert 'type="password"' not in text
    assert not re.search(r'name="[^"]*password', text)


def test_the_registrar_creates_an_employee_who_then_activates(
    admin_client, institution: Institution, commit
) -> None:
    school = institution.schools.get(is_main=True)
    response = admin_client.post(
        reverse("admin:students_employee_add"),
        {
            "employee_number": "50123",
            "last_name": "Ouellet",
            "first_name": "Marc",
            "email": "marc.ouellet@cegep.example",
            "department": "Physique",
            "school": school.pk,
        },
    )
    assert response.status_code == 302, page(response)
    employee = Employee.objects.get(employee_number="50123")
    assert employee.user is None
    link = requested_link(Client(), FIRST_USE, "50123", commit=commit)
    assert choose_password(Client(), link, EMPLOYEE_PASSWORD, commit=commit)["Location"] == (
        RESET_DONE
    )
    assert employee_login(Client(), "50123", EMPLOYEE_PASSWORD)["Location"] == SETUP
