"""Réinitialiser mon mot de passe, through HTTP: the email, then the account's secret question.
The right answer emails a single-use link (1 hour) to the address on file, never a password;
a wrong answer, an unknown email and an account never activated all get the same page; three
wrong answers lock the route for 15 minutes and count as failed logins."""

import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import SecretQuestion, User
from accounts.tokens import recovery_token
from portal.models import AuditEvent, Institution
from tests.accounts.test_first_use import logged_in_user, page, secrets_leak
from tests.accounts.test_login import without_tokens
from tests.accounts.test_reset_links import later
from tests.parents.factories import PARENT_ANSWER, PARENT_PASSWORD, make_parent
from tests.parents.test_parent_login import PARENT_HOME, UNIFORM, parent_login
from tests.parents.test_signup import ADZO, emailed_path, has_label

RESET = reverse("parents:reset")
QUESTION = reverse("parents:reset_question")
WRONG_ANSWER = "La réponse ne correspond pas à celle de votre compte."
LINK_SENT = "Un courriel vous a été envoyé avec un lien pour choisir un nouveau mot de passe."
KEY_LOCKED = (
    "Trop de tentatives infructueuses pour ce courriel. Pour votre sécurité, il est bloqué "
    "pendant 15 minutes."
)
NEW_PASSWORD = "un tout nouveau mot de passe 2027"
UNKNOWN = "inconnu@example.com"


@pytest.fixture
def parent(cepeo: Institution) -> User:
    return make_parent(ADZO)


def start(client: Client, email: str) -> HttpResponse:
    response = client.post(RESET, {"email": email})
    assert response.status_code == 302, page(response)
    assert response["Location"] == QUESTION
    return response


def answer(client: Client, email: str, text: str, *, commit) -> HttpResponse:
    start(client, email)
    with commit():
        return client.post(QUESTION, {"answer": text})


def shown_question(client: Client) -> str:
    text = page(client.get(QUESTION))
    found = re.search(r'data-testid="secret-question">([^<]*)<', text)
    assert found, text
    return found.group(1)


def masked(response: HttpResponse, email: str) -> str:
    """The page without what legitimately differs: the CSRF token, the email typed, the
    question's text."""
    text = without_tokens(response, email)
    return re.sub(r'data-testid="secret-question">[^<]*<', "QUESTION", text)


def test_the_pages_carry_the_guides_wording(client, parent):
    text = page(client.get(RESET))
    assert "Nom d'utilisateur (Courriel)" in text
    assert has_label(text, "email")
    start(client, "Adzo.Test@Example.com")
    text = page(client.get(QUESTION))
    question = SecretQuestion.objects.order_by("position", "pk").first()
    assert "Question secrète :" in text
    assert question.text in text
    assert ADZO in text
    assert "Votre réponse" in text and has_label(text, "answer")
    assert "Confirmer" in text


def test_the_question_step_needs_the_email_first(client, parent):
    assert client.get(QUESTION)["Location"] == RESET
    assert client.post(QUESTION, {"answer": PARENT_ANSWER})["Location"] == RESET
    assert mail.outbox == []


def test_the_right_answer_sends_a_link_that_resets_the_password(client, parent, commit):
    response = answer(client, ADZO, "  tintin ", commit=commit)
    assert response.status_code == 200
    assert LINK_SENT in page(response)
    assert [m.to for m in mail.outbox] == [[ADZO]]
    message = mail.outbox[0]
    assert "heure" in message.body
    link = emailed_path(message)
    assert link.startswith("/reinitialiser/")
    mail.outbox.clear()

    browser = Client()
    response = browser.get(link)
    assert response.status_code == 302
    with commit():
        response = browser.post(
            response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert response["Location"] == reverse("accounts:reset_done")
    done = page(browser.get(response["Location"]))
    assert "Votre mot de passe a été modifié" in done
    assert f'href="{reverse("parents:login")}"' in done
    # "Retourner au portail" leads a parent back to the parents' login, not the students'.
    assert re.search(
        rf'<a class="btn btn-primary" href="{reverse("parents:login")}">Retourner au portail', done
    )
    # The owner is told; no password in any email.
    assert [m.to for m in mail.outbox] == [[ADZO]]
    assert secrets_leak([NEW_PASSWORD, PARENT_PASSWORD, PARENT_ANSWER]) == []

    assert UNIFORM in page(parent_login(Client(), ADZO, PARENT_PASSWORD))
    assert parent_login(Client(), ADZO, NEW_PASSWORD)["Location"] == PARENT_HOME
    # The link served once.
    assert "Ce lien n'est plus valide" in page(Client().get(link))


def test_the_link_lasts_one_hour(client, parent, commit, monkeypatch):
    answer(client, ADZO, PARENT_ANSWER, commit=commit)
    link = emailed_path(mail.outbox[0])
    later(monkeypatch, recovery_token, 60 * 60 + 1)
    assert "Ce lien n'est plus valide" in page(Client().get(link))


def test_wrong_answer_unknown_email_and_an_account_never_activated_look_alike(
    parent, cepeo, commit
):
    pending = User(
        audience=User.Audience.PARENT,
        identifier="pas.active@example.com",
        username="parent:pas.active@example.com",
        email="pas.active@example.com",
    )
    pending.set_unusable_password()
    pending.save()

    wrong = answer(Client(), ADZO, "Milou", commit=commit)
    unknown = answer(Client(), UNKNOWN, "Milou", commit=commit)
    not_active = answer(Client(), pending.email, "Milou", commit=commit)
    for response in (wrong, unknown, not_active):
        assert response.status_code == 200
        assert WRONG_ANSWER in page(response)
        assert "Milou" not in page(response)  # an answer is never written back
    assert masked(wrong, ADZO) == masked(unknown, UNKNOWN) == masked(not_active, pending.email)
    assert mail.outbox == []


def test_an_unknown_email_always_gets_the_same_question(client, parent):
    start(client, UNKNOWN)
    first = shown_question(client)
    assert first
    other = Client()
    start(other, UNKNOWN)
    assert shown_question(other) == first
    start(other, ADZO)
    assert shown_question(other) == SecretQuestion.objects.order_by("position", "pk").first().text


def test_three_wrong_answers_lock_the_route_and_count_as_failed_logins(client, parent, commit):
    for _attempt in range(2):
        assert WRONG_ANSWER in page(answer(client, ADZO, "Milou", commit=commit))
    assert KEY_LOCKED in page(answer(client, ADZO, "Milou", commit=commit))
    response = answer(Client(REMOTE_ADDR="198.51.100.3"), ADZO, PARENT_ANSWER, commit=commit)
    assert KEY_LOCKED in page(response)
    assert mail.outbox == []
    assert AuditEvent.objects.filter(kind="recovery.failed").count() == 3
    # Three failures of five for the login: two wrong passwords lock it too.
    for _attempt in range(2):
        parent_login(Client(), ADZO, "encore un mauvais mot 1")
    response = parent_login(client, ADZO, PARENT_PASSWORD)
    assert "Trop de tentatives infructueuses pour ce courriel" in page(response)
    assert logged_in_user(client) is None
