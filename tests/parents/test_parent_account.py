"""Gestion de mon compte: Profil personnel as a parent sees it. It comes with the parents'
portal (even where the institution's "profile" module is off), keeps one secret question, and an
email change moves the parent's login to the new address, the children staying linked."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import SecretAnswer, SecretQuestion, User
from parents.models import Guardian
from portal.models import AuditEvent, Institution
from portal.modules import ALL_MODULE_SLUGS
from tests.accounts.test_first_use import logged_in_user, page
from tests.accounts.test_profile import emailed_link, logged_in_client
from tests.factories import make_student
from tests.parents.factories import PARENT_ANSWER, PARENT_PASSWORD, make_guardian, make_parent
from tests.parents.test_parent_login import PARENT_HOME, UNIFORM, parent_login
from tests.parents.test_parent_reset import QUESTION, RESET
from tests.parents.test_signup import ADZO

PROFILE = reverse("accounts:profile")
NEW_EMAIL = "adzo.nouveau@example.com"


@pytest.fixture
def parent(cepeo: Institution) -> User:
    child = make_student(cepeo, first_name="Léa", last_name="Testtest")
    make_guardian(child, email=ADZO)
    return make_parent(ADZO)


def logged_in(email: str = ADZO) -> Client:
    client = Client()
    assert parent_login(client, email)["Location"] == PARENT_HOME
    return client


def change_email(client: Client, email: str, *, commit) -> str:
    """Asks for the change and returns the confirmation link sent to the new address."""
    with commit():
        response = client.post(
            reverse("accounts:email_change"),
            {"current_password": PARENT_PASSWORD, "email": email, "email_confirm": email},
        )
    assert response.status_code == 302, page(response)
    message = next(m for m in mail.outbox if m.to == [email])
    mail.outbox.clear()
    return emailed_link(message)


def test_a_parents_profile_is_gestion_de_mon_compte(parent):
    client = logged_in()
    response = client.get(PROFILE)
    assert response.status_code == 200
    text = page(response)
    assert "<h1" in text and "Gestion de mon compte</h1>" in text
    assert "Profil personnel" not in text
    # The parents' menu, with this page current.
    assert f'href="{reverse("parents:home")}"' in text
    assert f'aria-current="page" href="{PROFILE}"' in text
    for label in (
        "Changer mon mot de passe",
        "Changer ma question secrète",
        "Modifier mon adresse courriel",
        ADZO,
    ):
        assert label in text, label


def test_it_comes_with_the_parents_portal_even_without_the_profile_module(parent, cepeo):
    cepeo.enabled_modules = [slug for slug in ALL_MODULE_SLUGS if slug != "profile"]
    cepeo.save(update_fields=["enabled_modules"])
    client = logged_in()
    for name in ("profile", "password_change", "questions_change", "email_change"):
        assert client.get(reverse(f"accounts:{name}")).status_code == 200, name
    cepeo.parent_portal_enabled = False
    cepeo.save(update_fields=["parent_portal_enabled"])
    assert client.get(PROFILE).status_code == 404


def test_a_parent_changes_one_secret_question(parent, cepeo):
    cepeo.secret_question_count = 3  # the institution's count is the students'
    cepeo.save(update_fields=["secret_question_count"])
    client = logged_in()
    url = reverse("accounts:questions_change")
    text = page(client.get(url))
    assert "Changer ma question secrète" in text
    assert "question_1" in text and "question_2" not in text
    question = SecretQuestion.objects.filter(is_active=True).order_by("-position", "-pk").first()
    response = client.post(
        url,
        {"current_password": PARENT_PASSWORD, "question_1": question.pk, "answer_1": "Haddock"},
    )
    assert response["Location"] == PROFILE
    (stored,) = SecretAnswer.objects.filter(user=parent)
    assert stored.question == question

    # The reset asks the new question and takes the new answer.
    browser = Client()
    browser.post(RESET, {"email": ADZO})
    assert question.text in page(browser.get(QUESTION))
    response = browser.post(QUESTION, {"answer": "haddock"})
    assert "Un courriel vous a été envoyé" in page(response)
    browser.post(RESET, {"email": ADZO})
    response = browser.post(QUESTION, {"answer": PARENT_ANSWER})
    assert "La réponse ne correspond pas à celle de votre compte." in page(response)


def test_an_email_change_moves_the_login_and_keeps_the_children(parent, commit):
    client = logged_in()
    link = change_email(client, "Adzo.Nouveau@Example.com", commit=commit)
    response = client.get(link, follow=True)
    assert "Votre courriel a été modifié" in page(response)

    parent.refresh_from_db()
    assert (parent.email, parent.identifier, parent.username) == (
        NEW_EMAIL,
        NEW_EMAIL,
        f"parent:{NEW_EMAIL}",
    )
    assert Guardian.objects.filter(account=parent).count() == 1
    assert logged_in_user(client) == parent  # this browser stays logged in

    assert UNIFORM in page(parent_login(Client(), ADZO))
    assert parent_login(Client(), NEW_EMAIL)["Location"] == PARENT_HOME


def test_an_email_already_another_parents_login_fails_cleanly(parent, commit):
    other = make_parent("autre.parent@example.com", first_name="Kofi", last_name="Mensah")
    client = logged_in()
    link = change_email(client, "autre.parent@example.com", commit=commit)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    text = page(response)
    assert "Votre courriel n'a pas été modifié" in text
    assert "déjà le nom d'utilisateur d'un autre compte" in text
    parent.refresh_from_db()
    assert (parent.email, parent.identifier) == (ADZO, ADZO)
    other.refresh_from_db()
    assert other.identifier == "autre.parent@example.com"
    assert not AuditEvent.objects.filter(kind="email.changed").exists()
    assert parent_login(Client(), ADZO)["Location"] == PARENT_HOME


def test_a_students_profile_is_unchanged(bob):
    text = page(logged_in_client("2026102").get(PROFILE))
    assert "Profil personnel" in text
    assert "Gestion de mon compte" not in text
