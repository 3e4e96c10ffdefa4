"""A forgotten password in a real browser: secret questions, the link read from the outgoing
email, a new password, then a login with it."""

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from portal.models import Institution
from tests.conftest import PASSWORD
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in
from tests.factories import activate, make_student

EMAIL = "delphine@etudiant.example"
ANSWERS = ("Filou", "Trois-Rivières", "Gabrielle")
# What she types months later: the second answer in capitals and without its accent.
TYPED = ("Filou", "TROIS-RIVIERES", "Gabrielle")
NEW_PASSWORD = "Riviere-Bleue-73"


@pytest.fixture
def delphine(institution: Institution) -> User:
    """An activated cstj student with an email on file: recovery ends with a link."""
    student = make_student(
        institution, matricule="2026104", last_name="Roy", first_name="Delphine", email=EMAIL
    )
    return activate(student, password=PASSWORD, answers=ANSWERS)


def test_forgotten_password_by_questions_then_emailed_link_then_login(
    page: Page, live_server: LiveServer, delphine: User, console_errors: list[str]
) -> None:
    page.goto("/")
    students = page.get_by_role("region", name="Étudiants")
    students.get_by_role("link", name="Mot de passe oublié ?").click()

    page.get_by_label("Matricule (7 chiffres)").fill(delphine.identifier)
    page.get_by_role("textbox", name="Code de sécurité").fill("PASSED")
    page.get_by_role("button", name="Valider").click()

    # Her own three questions, in the order she chose them at first use.
    expect(page.get_by_role("heading", name="Questions en cas d'oubli")).to_be_visible()
    questions = [
        answer.question.text
        for answer in delphine.secret_answers.select_related("question").order_by("position")
    ]
    assert len(questions) == 3
    expect(page.locator("input[name^='answer_']")).to_have_count(3)
    for question, answer in zip(questions, TYPED, strict=True):
        page.get_by_role("textbox", name=question).fill(answer)
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", name="Vérifiez vos courriels")).to_be_visible()
    email = mail.outbox[-1]
    assert email.to == [EMAIL]
    link = re.search(r"https?://\S+/reinitialiser/\S+/", email.body).group(0)
    assert link.startswith(settings.PORTAL_BASE_URL + "/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    page.goto(live_server.url + link.removeprefix(settings.PORTAL_BASE_URL))

    # Django's design: the token moves into the session and leaves the address bar.
    expect(page).to_have_url(re.compile(r"/nouveau/$"))
    assert token not in page.url
    expect(page.get_by_role("heading", name="Choix d'un nouveau mot de passe")).to_be_visible()
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    page.get_by_label("Confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", name="Votre mot de passe a été modifié")).to_be_visible()
    assert mail.outbox[-1].to == [EMAIL]
    assert "mot de passe a été modifié" in mail.outbox[-1].subject
    assert NEW_PASSWORD not in mail.outbox[-1].body
    delphine.refresh_from_db()
    assert delphine.check_password(NEW_PASSWORD)

    page.get_by_role("link", name="Retourner au portail").click()
    log_in(page, label="Matricule (7 chiffres)", number=delphine.identifier, password=NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Bienvenue, Delphine")).to_be_visible()
    assert_no_csp_violation(console_errors)
