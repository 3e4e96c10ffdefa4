"""The parents' login, through HTTP: the email (any case) and the password, one uniform refusal,
the same lockouts as every login, `next` followed only within the site. A student's number is
no parent's login; an account whose link was never followed cannot log in."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.models import AuditEvent, Institution
from tests.accounts.test_first_use import logged_in_user, page
from tests.accounts.test_login import without_tokens
from tests.conftest import PASSWORD
from tests.factories import activate, make_student
from tests.parents.factories import PARENT_PASSWORD, make_parent
from tests.parents.test_signup import ADZO, has_label

PARENT_LOGIN = reverse("parents:login")
PARENT_HOME = reverse("parents:home")
UNIFORM = "Le courriel ou le mot de passe est incorrect."
KEY_LOCKED = (
    "Trop de tentatives infructueuses pour ce courriel. Pour votre sécurité, il est bloqué "
    "pendant 15 minutes."
)
WRONG = "pas le bon mot de passe 2026"


def parent_login(client: Client, email: str, password: str = PARENT_PASSWORD, **extra):
    return client.post(PARENT_LOGIN, {"email": email, "password": password}, **extra)


@pytest.fixture
def parent(cepeo: Institution) -> User:
    return make_parent(ADZO)


def test_the_login_page_has_the_guides_fields_and_links(client, cepeo):
    response = client.get(PARENT_LOGIN)
    assert response.status_code == 200
    text = page(response)
    for label in (
        "Portail des parents",
        "Nom d'utilisateur (courriel)",
        "Mot de passe",
        "Valider",
        "Créer mon compte",
        "Réinitialiser mon mot de passe",
        "Contacter l'école",
        "Aide",
    ):
        assert label in text, label
    assert has_label(text, "email") and has_label(text, "password")
    for name in ("parents:signup", "parents:reset", "parents:contact", "parents:faq"):
        assert f'href="{reverse(name)}"' in text, name


def test_a_parent_logs_in_with_the_email_in_any_case(client, parent):
    response = parent_login(client, "  Adzo.TEST@example.COM ")
    assert response.status_code == 302
    assert response["Location"] == PARENT_HOME
    assert logged_in_user(client) == parent
    assert AuditEvent.objects.filter(kind="login.succeeded", subject=parent).exists()
    # Logged in, the login page leads home.
    assert client.get(PARENT_LOGIN)["Location"] == PARENT_HOME


def test_every_refusal_looks_the_same(client, parent):
    wrong_password = parent_login(Client(), ADZO, WRONG)
    unknown = parent_login(Client(), "inconnu@example.com", WRONG)
    for response in (wrong_password, unknown):
        assert response.status_code == 200
        assert UNIFORM in page(response)
        assert WRONG not in page(response)
    assert without_tokens(wrong_password, ADZO) == without_tokens(unknown, "inconnu@example.com")


def test_a_students_number_is_no_parents_login(client, cepeo):
    student = make_student(cepeo)
    activate(student, password=PASSWORD)
    response = parent_login(client, student.matricule, PASSWORD)
    assert response.status_code == 200
    assert UNIFORM in page(response)
    assert logged_in_user(client) is None


def test_a_parent_cannot_log_in_on_the_students_page(client, parent):
    response = client.post(
        reverse("accounts:login"),
        {"student-identifier": ADZO, "student-password": PARENT_PASSWORD},
    )
    assert response.status_code == 200
    assert logged_in_user(client) is None


def test_an_account_not_activated_cannot_log_in(client, cepeo):
    user = User(
        audience=User.Audience.PARENT,
        identifier=ADZO,
        username=f"parent:{ADZO}",
        email=ADZO,
    )
    user.set_unusable_password()
    user.save()
    for password in ("", "!", PARENT_PASSWORD):
        response = parent_login(client, ADZO, password)
        assert response.status_code == 200
        assert logged_in_user(client) is None


def test_next_is_followed_only_within_the_site(parent):
    orders = reverse("parents:orders")
    client = Client()
    response = client.get(orders)
    assert response["Location"] == f"{PARENT_LOGIN}?next={orders}"
    form = page(client.get(response["Location"]))
    assert re.search(rf'name="next" value="{re.escape(orders)}"', form)
    client = Client()
    response = client.post(
        PARENT_LOGIN, {"email": ADZO, "password": PARENT_PASSWORD, "next": orders}
    )
    assert response["Location"] == orders

    client = Client()
    response = client.post(
        PARENT_LOGIN,
        {"email": ADZO, "password": PARENT_PASSWORD, "next": "https://ailleurs.example/"},
    )
    assert response["Location"] == PARENT_HOME


def test_five_failures_lock_the_email_even_with_the_right_password(client, parent):
    for _attempt in range(4):
        assert UNIFORM in page(parent_login(client, ADZO, WRONG))
    assert KEY_LOCKED in page(parent_login(client, ADZO, WRONG))
    response = parent_login(Client(REMOTE_ADDR="198.51.100.7"), "ADZO.test@example.com")
    assert KEY_LOCKED in page(response)
    assert logged_in_user(client) is None
    # Another parent is not locked.
    make_parent("autre.parent@example.com")
    assert parent_login(Client(), "autre.parent@example.com")["Location"] == PARENT_HOME


def test_quitter_leads_a_parent_back_to_the_parents_login(client, parent):
    parent_login(client, ADZO)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == PARENT_LOGIN
    assert logged_in_user(client) is None


def test_the_portals_login_page_leads_to_the_parents_portal(client, cepeo):
    text = page(client.get(reverse("accounts:login")))
    assert "Portail des parents" in text
    assert f'href="{PARENT_LOGIN}"' in text
    assert f'href="{reverse("parents:signup")}"' in text


def test_no_parents_link_where_the_institution_has_no_parents_portal(client, cepeo):
    cepeo.parent_portal_enabled = False
    cepeo.save(update_fields=["parent_portal_enabled"])
    text = page(client.get(reverse("accounts:login")))
    assert "Portail des parents" not in text
    assert client.get(PARENT_LOGIN).status_code == 404
