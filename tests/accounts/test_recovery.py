"""Forgotten passwords through HTTP: students by their secret questions, members (caomsc) by
their identity data. Every answer is the same for an existing and a missing account; wrong
answers count as failed logins and lock the route; nothing secret is shown, sent or logged.

The helpers at the top (`recover`, `emailed_path`, `make_dora`, …) are also used by the reset
link and employee tests.
"""

import datetime
import re
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.mail import EmailMessage
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import SecretQuestion, User
from accounts.services import recovery
from portal.models import AuditEvent, Institution
from students.models import Student
from tests.accounts.test_first_use import identity_data, logged_in_user, page, secrets_leak
from tests.accounts.test_login import UNIFORM_ERROR, student_login, without_tokens
from tests.accounts.test_throttle import KEY_LOCKED, WRONG, cache_clock  # noqa: F401
from tests.conftest import PASSWORD
from tests.factories import activate, make_student

Commit = Callable[[], AbstractContextManager[list]]

RECOVERY = reverse("accounts:recovery")
QUESTIONS = reverse("accounts:recovery_questions")
MEMBER_RECOVERY = reverse("accounts:member_recovery")
LOGIN = reverse("accounts:login")
HOME = reverse("portal:home")
CAPTCHA = {"captcha_0": "x", "captcha_1": "PASSED"}

WRONG_ANSWERS = (
    "Les réponses ne correspondent pas à celles de votre dossier. Vérifiez-les et réessayez."
)
LINK_SENT = "Vérifiez vos courriels"
MEMBER_ANSWER = "Si les renseignements correspondent, un courriel a été envoyé"
BOB_ANSWERS = ("Filou", "Rimouski", "Gabrielle")
DORA_ANSWERS = ("Pistache", "Sherbrooke", "Émilie")
DORA_EMAIL = "dora@etudiant.example"
# cstj: at least 10 characters, a letter, a digit and an uppercase letter.
NEW_PASSWORD = "Riviere-Du-Nord-77"
MISSING = "2026999"


def make_dora(institution: Institution) -> User:
    """Dora: an activated cstj student with an email on her record. Her account's own address
    is an older one, so that a test can tell which address a link went to."""
    student = make_student(
        institution,
        matricule="2026104",
        last_name="Lavoie",
        first_name="Dora",
        email=DORA_EMAIL,
    )
    user = activate(student, password=PASSWORD, answers=DORA_ANSWERS)
    user.email = "dora.ancienne@courriel.example"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def dora(institution: Institution) -> User:
    return make_dora(institution)


def recovery_start(client: Client, identifier: str) -> HttpResponse:
    return client.post(RECOVERY, {"identifier": identifier, **CAPTCHA})


def shown_questions(client: Client) -> list[SecretQuestion]:
    response = client.get(QUESTIONS)
    assert response.status_code == 200, page(response)
    return list(response.context["form"].questions)


def answers_data(questions: list[SecretQuestion], answers: tuple[str, ...]) -> dict[str, str]:
    return {f"answer_{q.pk}": answer for q, answer in zip(questions, answers, strict=True)}


def submit_answers(client: Client, answers: tuple[str, ...], *, commit: Commit) -> HttpResponse:
    """Answers the questions the page shows, in the order it shows them."""
    questions = shown_questions(client)
    with commit():
        return client.post(QUESTIONS, answers_data(questions, answers))


def recover(
    client: Client, identifier: str, answers: tuple[str, ...], *, commit: Commit
) -> HttpResponse:
    """ "Oublié votre mot de passe ?" from the number to the answers' response."""
    response = recovery_start(client, identifier)
    assert response["Location"] == QUESTIONS
    return submit_answers(client, answers, commit=commit)


def emailed_path(message: EmailMessage) -> str:
    """The path of the link in an email (links point at PORTAL_BASE_URL)."""
    found = re.search(re.escape(settings.PORTAL_BASE_URL) + r"(/[^\s\"<]*)", message.body)
    assert found, message.body
    return found.group(1)


def masked(response: HttpResponse, *typed: str) -> str:
    """The page without what legitimately differs between two accounts' question pages: the
    CSRF token, the number typed, the questions' texts and primary keys."""
    text = without_tokens(response, *typed)
    form = response.context["form"] if response.context else None
    for question in getattr(form, "questions", []):
        text = text.replace(question.localized_text, "QUESTION")
    return re.sub(r"answer_\d+", "answer_N", text)


# --- Students: the questions ---------------------------------------------------------------


def test_login_page_links_to_recovery_and_the_start_page_is_french(client, institution):
    response = client.get(LOGIN)
    assert f'href="{RECOVERY}"' in page(response)
    assert "Mot de passe oublié ?" in page(response)
    response = client.get(RECOVERY)
    assert response.status_code == 200
    text = page(response)
    assert "Mot de passe oublié ?" in text
    assert "Matricule (7 chiffres)" in text
    assert "Code de sécurité" in text  # cstj asks for the CAPTCHA


def test_the_questions_page_needs_a_number_first(client, institution):
    response = client.get(QUESTIONS)
    assert response["Location"] == RECOVERY


def test_the_start_needs_the_captcha_where_the_institution_asks(client, bob):
    response = client.post(RECOVERY, {"identifier": bob.identifier})
    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    response = client.post(
        RECOVERY, {"identifier": bob.identifier, "captcha_0": "x", "captcha_1": "NON"}
    )
    assert response.status_code == 200
    assert client.get(QUESTIONS)["Location"] == RECOVERY


def test_the_account_questions_are_shown_and_never_change(client, bob):
    recovery_start(client, bob.identifier)
    first = shown_questions(client)
    assert [q.pk for q in first] == list(bob.secret_answers.values_list("question_id", flat=True))
    assert shown_questions(client) == first
    other = Client()
    recovery_start(other, bob.identifier)
    assert shown_questions(other) == first
    response = client.get(QUESTIONS)
    text = page(response)
    assert "Questions en cas d'oubli de mot de passe" in text
    for question in first:
        assert question.text in text
        assert f'name="answer_{question.pk}"' in text
    assert "Les majuscules, les accents et les espaces ne comptent pas." in text


def test_a_missing_number_gets_the_same_page_with_questions_that_never_change(client, bob):
    recovery_start(client, bob.identifier)
    existing = client.get(QUESTIONS)

    other = Client()
    response = recovery_start(other, MISSING)
    assert response.status_code == 302
    assert response["Location"] == QUESTIONS
    missing = other.get(QUESTIONS)
    questions = list(missing.context["form"].questions)
    assert len(questions) == Institution.objects.get().secret_question_count
    assert len(set(questions)) == len(questions)
    assert shown_questions(other) == questions
    third = Client()
    recovery_start(third, MISSING)
    assert shown_questions(third) == questions

    assert missing.status_code == existing.status_code == 200
    assert masked(missing, MISSING) == masked(existing, bob.identifier)


def test_a_student_with_an_email_gets_a_link_at_the_address_on_file(client, dora, commit):
    response = recover(client, dora.identifier, DORA_ANSWERS, commit=commit)
    assert response.status_code == 200
    text = page(response)
    assert LINK_SENT in text
    assert "valide pendant une heure" in text
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    # The registrar's record, not the account's older address, and never a typed one.
    assert message.to == [DORA_EMAIL]
    assert "choisir un nouveau mot de passe" in message.subject
    assert "Bonjour Dora" in message.body
    assert re.fullmatch(r"/reinitialiser/[\w-]+/[\w-]+/", emailed_path(message))
    assert emailed_path(message) in message.alternatives[0][0]
    assert not logged_in_user(client)
    verified = AuditEvent.objects.get(kind=AuditEvent.Kind.RECOVERY_VERIFIED)
    assert verified.subject == dora
    assert verified.identifier == "student:2026104"
    sent = AuditEvent.objects.get(kind=AuditEvent.Kind.RESET_LINK_SENT)
    assert sent.details == {"purpose": "recovery"}
    # The answers were used up: going back to the questions starts over.
    assert client.get(QUESTIONS)["Location"] == RECOVERY


@pytest.mark.parametrize(
    "answers",
    [
        ("  pistache ", "SHERBROOKE", "emilie"),
        ("PISTACHE", "sherbrooké", "  ÉMILIE  "),
        # A soft hyphen pasted along, a zero-width space, an accent typed as a combining mark.
        ("Pis\u00adtache", "Sherbrooke\u200b", "E\u0301milie"),
    ],
)
def test_answers_count_without_case_accents_or_spaces(client, dora, commit, answers):
    response = recover(client, dora.identifier, answers, commit=commit)
    assert LINK_SENT in page(response)
    assert len(mail.outbox) == 1


def test_bobs_answers_with_other_accents_and_case(client, bob, commit):
    response = recover(client, bob.identifier, ("  filou ", "RÎMOUSKI", "gabriellé"), commit=commit)
    assert response.status_code == 302
    assert response["Location"].endswith("/nouveau/")


def test_a_student_without_email_sets_the_password_in_the_same_session(client, bob, commit):
    response = recover(client, bob.identifier, BOB_ANSWERS, commit=commit)
    assert response.status_code == 302
    uidb64 = recovery.session_reset_token(bob)[0]
    assert response["Location"] == reverse(
        "accounts:reset", kwargs={"uidb64": uidb64, "token": "nouveau"}
    )
    assert mail.outbox == []

    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "Choix d'un nouveau mot de passe" in page(response)
    with commit():
        response = client.post(
            response.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert response["Location"] == reverse("accounts:reset_done")
    assert "Votre mot de passe a été modifié" in page(client.get(response["Location"]))
    assert mail.outbox == []  # no address on file: nothing to send, nowhere else either
    assert client.get(HOME)["Location"].startswith(LOGIN)

    assert student_login(Client(), bob.identifier, PASSWORD).status_code == 200
    assert student_login(client, bob.identifier, NEW_PASSWORD)["Location"] == HOME
    reset = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_RESET)
    assert reset.subject == bob


def test_another_browser_cannot_use_the_same_session_step(client, bob, commit):
    response = recover(client, bob.identifier, BOB_ANSWERS, commit=commit)
    response = Client().get(response["Location"])
    assert "Ce lien n'est plus valide" in page(response)


# --- Students: wrong answers ---------------------------------------------------------------


def test_one_generic_message_whichever_answer_is_wrong(client, bob, commit):
    recovery_start(client, bob.identifier)
    pages = []
    for answers in (
        ("Mauvais", "Rimouski", "Gabrielle"),
        ("Filou", "Mauvais", "Gabrielle"),
    ):
        response = submit_answers(client, answers, commit=commit)
        assert response.status_code == 200
        text = page(response)
        assert WRONG_ANSWERS in text
        assert "is-invalid" not in text  # no field is singled out
        assert response.context["form"].non_field_errors() == [WRONG_ANSWERS]
        pages.append(masked(response, *answers))
    assert pages[0] == pages[1]
    assert mail.outbox == []
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_FAILED).count() == 2


def test_wrong_answers_for_a_missing_number_get_the_same_page(client, bob, commit):
    answers = ("Mauvais", "Faux", "Inconnu")
    recovery_start(client, bob.identifier)
    existing = submit_answers(client, answers, commit=commit)
    other = Client()
    recovery_start(other, MISSING)
    missing = submit_answers(other, answers, commit=commit)
    assert missing.status_code == existing.status_code == 200
    assert WRONG_ANSWERS in page(missing)
    assert masked(missing, MISSING) == masked(existing, bob.identifier)
    assert mail.outbox == []
    failed = AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_FAILED)
    assert sorted(failed.values_list("identifier", flat=True)) == [
        "student:2026102",
        f"student:{MISSING}",
    ]


def test_a_student_without_an_account_is_answered_like_a_missing_number(client, alice, commit):
    recovery_start(client, alice.matricule)
    response = submit_answers(client, BOB_ANSWERS, commit=commit)
    assert WRONG_ANSWERS in page(response)
    assert mail.outbox == []


def test_the_hasher_runs_as_often_for_a_missing_number(client, bob, commit, monkeypatch):
    calls = []

    def counting(password: str, encoded: str) -> bool:
        calls.append(encoded)
        return check_password(password, encoded)

    monkeypatch.setattr(recovery, "check_password", counting)
    counts = {}
    for identifier, answers in (
        (bob.identifier, ("Mauvais", "Faux", "Inconnu")),
        (MISSING, ("Mauvais", "Faux", "Inconnu")),
        (bob.identifier, BOB_ANSWERS),
    ):
        calls.clear()
        recover(Client(), identifier, answers, commit=commit)
        counts[identifier, answers] = len(calls)
    assert set(counts.values()) == {3}


def test_three_wrong_submissions_lock_the_route_even_for_the_right_answers(client, bob, commit):
    recovery_start(client, bob.identifier)
    wrong = ("Mauvais", "Faux", "Inconnu")
    for _ in range(2):
        assert WRONG_ANSWERS in page(submit_answers(client, wrong, commit=commit))
    response = submit_answers(client, wrong, commit=commit)
    assert KEY_LOCKED in page(response)
    assert WRONG_ANSWERS not in page(response)

    response = submit_answers(client, BOB_ANSWERS, commit=commit)
    assert response.status_code == 200
    assert KEY_LOCKED in page(response)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_VERIFIED).exists()
    lockout = AuditEvent.objects.get(kind=AuditEvent.Kind.LOCKOUT)
    assert lockout.identifier == "student:2026102"
    # Starting over changes nothing.
    recovery_start(Client(), bob.identifier)
    assert KEY_LOCKED in page(recover(Client(), bob.identifier, BOB_ANSWERS, commit=commit))


def test_a_missing_number_is_locked_alike(client, institution, commit):
    recovery_start(client, MISSING)
    wrong = ("Mauvais", "Faux", "Inconnu")
    pages = [page(submit_answers(client, wrong, commit=commit)) for _ in range(4)]
    assert [WRONG_ANSWERS in text for text in pages] == [True, True, False, False]
    assert KEY_LOCKED in pages[2]
    assert KEY_LOCKED in pages[3]


def test_the_lock_expires_after_15_minutes(client, bob, commit, cache_clock):  # noqa: F811
    recovery_start(client, bob.identifier)
    for _ in range(3):
        submit_answers(client, ("Mauvais", "Faux", "Inconnu"), commit=commit)
    cache_clock(14 * 60)
    assert KEY_LOCKED in page(submit_answers(client, BOB_ANSWERS, commit=commit))
    cache_clock(60 + 1)
    response = submit_answers(client, BOB_ANSWERS, commit=commit)
    assert response.status_code == 302
    assert response["Location"].endswith("/nouveau/")


def test_one_students_lock_does_not_block_another(client, bob, charlie, commit):
    recover(client, bob.identifier, ("Mauvais", "Faux", "Inconnu"), commit=commit)
    for _ in range(2):
        submit_answers(client, ("Mauvais", "Faux", "Inconnu"), commit=commit)
    assert KEY_LOCKED in page(recover(client, bob.identifier, BOB_ANSWERS, commit=commit))
    response = recover(client, charlie.identifier, ("Minou", "Québec", "Roxanne"), commit=commit)
    assert response.status_code == 302
    assert response["Location"].endswith("/nouveau/")
    # Nor does it lock the login of the one locked out of recovery with fewer than 5 failures.
    assert student_login(Client(), bob.identifier)["Location"] == HOME


def test_wrong_answers_count_as_failed_logins(client, bob, commit):
    recovery_start(client, bob.identifier)
    for _ in range(2):
        submit_answers(client, ("Mauvais", "Faux", "Inconnu"), commit=commit)
    other = Client()
    for _ in range(2):
        assert UNIFORM_ERROR in page(student_login(other, bob.identifier, WRONG))
    assert KEY_LOCKED in page(student_login(other, bob.identifier, WRONG))
    response = student_login(other, bob.identifier, PASSWORD)
    assert KEY_LOCKED in page(response)
    assert logged_in_user(other) is None
    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds.count(AuditEvent.Kind.RECOVERY_FAILED) == 2
    assert kinds.count(AuditEvent.Kind.LOCKOUT) == 1


def test_a_locked_login_closes_the_recovery_route_too(client, bob, commit):
    for _ in range(5):
        student_login(Client(), bob.identifier, WRONG)
    assert KEY_LOCKED in page(recover(client, bob.identifier, BOB_ANSWERS, commit=commit))
    assert mail.outbox == []


def test_the_error_page_does_not_give_the_typed_answers_back(client, dora, commit):
    # Answers are secrets like a password: two right ones typed with a wrong one must not sit
    # in the page (history, a shared screen), as a password field would not.
    recovery_start(client, dora.identifier)
    response = submit_answers(client, ("Pistache", "Sherbrooke", "Mauvaise"), commit=commit)
    text = page(response)
    assert WRONG_ANSWERS in text
    for answer in ("Pistache", "Sherbrooke", "Mauvaise"):
        assert f'value="{answer}"' not in text, answer


def test_no_page_email_or_audit_row_holds_a_password_or_an_answer(client, dora, commit):
    recovery_start(client, dora.identifier)
    submit_answers(client, ("Pistache", "Sherbrooke", "Mauvaise"), commit=commit)
    seen = []
    response = submit_answers(client, DORA_ANSWERS, commit=commit)
    seen.append(page(response))
    response = client.get(emailed_path(mail.outbox[0]), follow=True)
    seen.append(page(response))
    with commit():
        response = client.post(
            response.request["PATH_INFO"],
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            follow=True,
        )
    seen.append(page(response))
    assert "Votre mot de passe a été modifié" in seen[-1]
    secrets = [PASSWORD, NEW_PASSWORD, *DORA_ANSWERS, "Mauvaise"]
    assert secrets_leak(secrets) == []
    for text in seen:
        for secret in secrets:
            assert secret.casefold() not in text.casefold(), secret


# --- Members (caomsc): identity data --------------------------------------------------------

MEMBER_EMAIL = "lea.damour@membre.example"
MEMBER_PASSWORD = "Huard7342kb"  # caomsc: 8 to 12 characters, 3 letters, 3 digits


@pytest.fixture
def member(load_preset: Callable[[str], Institution]) -> Student:
    institution = load_preset("caomsc")
    student = make_student(
        institution,
        matricule="00875",
        last_name="D'Amour",
        first_name="Léa",
        birthdate=datetime.date(1990, 7, 14),
        postal_code="H2X 1Y4",
        email=MEMBER_EMAIL,
    )
    activate(student, password=MEMBER_PASSWORD)
    return student


def test_caomsc_login_page_links_to_member_recovery(client, member):
    text = page(client.get(LOGIN))
    assert "Mot de passe perdu ou oublié ?" in text
    assert f'href="{MEMBER_RECOVERY}"' in text
    assert f'href="{RECOVERY}"' not in text


def test_question_recovery_redirects_members_to_identity_recovery(client, member):
    response = client.get(RECOVERY)
    assert response["Location"] == MEMBER_RECOVERY
    response = client.get(MEMBER_RECOVERY)
    text = page(response)
    for label in ("Matricule (5 chiffres)", "Nom de famille", "Date de naissance", "Code postal"):
        assert label in text, label
    assert "Code de sécurité" in text
    assert 'name="email"' not in text


def test_matching_member_data_send_a_link_to_the_address_on_file(client, member, commit):
    with commit():
        response = client.post(
            MEMBER_RECOVERY,
            identity_data(member, last_name="d'amour", email="pirate@ailleurs.example"),
        )
    assert response.status_code == 200
    assert MEMBER_ANSWER in page(response)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [MEMBER_EMAIL]
    path = emailed_path(mail.outbox[0])
    assert path.startswith("/reinitialiser/")
    assert "pirate@ailleurs.example" not in str(
        list(AuditEvent.objects.values_list("details", flat=True))
    )

    # The member finishes with a password under caomsc's own policy, then logs in.
    response = client.get(path, follow=True)
    assert "Choix d'un nouveau mot de passe" in page(response)
    with commit():
        response = client.post(
            response.request["PATH_INFO"],
            {"password1": "Lac5812bleu", "password2": "Lac5812bleu"},
        )
    assert response["Location"] == reverse("accounts:reset_done")
    assert student_login(client, "00875", "Lac5812bleu")["Location"] == HOME
    assert mail.outbox[-1].to == [MEMBER_EMAIL]
    assert "votre mot de passe a été modifié" in mail.outbox[-1].subject


@pytest.mark.parametrize(
    "overrides",
    [
        {"identifier": "09999"},
        {"postal_code": "G1R 2B5"},
        {"last_name": "Lamour"},
        {"birthdate": "1990-07-15"},
    ],
    ids=["missing", "postal_code", "last_name", "birthdate"],
)
def test_non_matching_member_data_get_the_same_page_and_no_email(client, member, commit, overrides):
    with commit():
        matching = client.post(MEMBER_RECOVERY, identity_data(member))
    with commit():
        other = Client().post(MEMBER_RECOVERY, identity_data(member, **overrides))
    assert other.status_code == matching.status_code == 200
    assert without_tokens(other) == without_tokens(matching)
    assert len(mail.outbox) == 1  # the matching request's only
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_FAILED).count() == 1


def test_a_member_without_email_gets_the_same_page_and_no_email(client, member, commit):
    Student.objects.filter(pk=member.pk).update(email="")
    User.objects.filter(pk=member.user_id).update(email="")
    with commit():
        response = client.post(MEMBER_RECOVERY, identity_data(member))
    assert MEMBER_ANSWER in page(response)
    assert mail.outbox == []


def test_member_recovery_refuses_a_wrong_captcha(client, member, commit):
    with commit():
        response = client.post(MEMBER_RECOVERY, identity_data(member, captcha_1="FAUX"))
    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    assert MEMBER_ANSWER not in page(response)
    assert mail.outbox == []


def test_three_emails_an_hour_for_one_matricule_and_the_same_page(client, member, commit):
    pages = []
    for _ in range(5):
        with commit():
            response = client.post(MEMBER_RECOVERY, identity_data(member))
        assert response.status_code == 200
        pages.append(without_tokens(response))
    assert len(set(pages)) == 1
    assert MEMBER_ANSWER in pages[0]
    assert len(mail.outbox) == 3
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RESET_LINK_SENT).count() == 3


def test_member_recovery_leaks_no_identity_data_or_password(client, member, commit):
    with commit():
        client.post(MEMBER_RECOVERY, identity_data(member))
    with commit():
        client.post(MEMBER_RECOVERY, identity_data(member, postal_code="G1R 2B5"))
    assert secrets_leak([MEMBER_PASSWORD, "H2X 1Y4", "G1R 2B5", "1990-07-14"]) == []
