"""Créer mon compte, through HTTP: the email, then the parent's and the youngest child's
details. Whatever was typed, the page answers the same; only an exact match sends an email, to
the address on the child's file. The activation link then sets the password and the secret
question, once, within 24 hours, and links the parent to every child whose file lists the email.

Adzo Testtest is on the files of Noah (De La Salle, the elder) and Léa (Carrefour Jeunesse, the
youngest); Zoé's file lists her too but gives her no access to the portal.

The helpers at the top (`signup`, `activation_path`, `activate_account`, …) are also used by the
login, reset and account tests.
"""

import datetime
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import SecretAnswer, SecretQuestion, User
from accounts.tokens import activation_token
from parents.models import Guardian
from parents.selectors import children_for_parent
from portal.models import AuditEvent, Institution, School
from portal.normalize import normalize_answer
from students.models import Student
from tests.accounts.test_first_use import logged_in_user, page, secrets_leak
from tests.accounts.test_login import without_tokens
from tests.accounts.test_reset_links import later, uidb64
from tests.conftest import PASSWORD
from tests.factories import activate, make_student
from tests.parents.factories import PARENT_ANSWER, PARENT_PASSWORD, make_guardian, make_parent

Commit = Callable[[], AbstractContextManager[list]]

SIGNUP = reverse("parents:signup")
DETAILS = reverse("parents:signup_details")
PARENT_HOME = reverse("parents:home")
ADZO = "adzo.test@example.com"
LEA_BIRTHDATE = datetime.date(2014, 9, 12)
NOAH_BIRTHDATE = datetime.date(2010, 5, 1)
SENT = (
    "Si les renseignements correspondent à ceux du dossier de votre enfant, un courriel vous a "
    "été envoyé. Suivez le lien qu'il contient, valide 24 heures, pour choisir votre mot de "
    "passe et votre question secrète."
)
INVALID = "Ce lien n'est plus valide"
ACTIVATION_PAGE = "Création d'un compte pour le portail des parents"
KEY_LOCKED = "Trop de demandes de création de compte pour ce courriel. Réessayez dans 60 minutes."
IP_LOCKED = (
    "Trop de demandes de création de compte depuis votre adresse. Réessayez dans 60 minutes."
)


@dataclass
class Family:
    lea: Student
    noah: Student
    zoe: Student
    carrefour: School
    de_la_salle: School


def school(code: str) -> School:
    return School.objects.get(code=code)


@pytest.fixture
def family(cepeo: Institution) -> Family:
    carrefour, de_la_salle = school("carrefour-jeunesse"), school("de-la-salle")
    lea = make_student(
        cepeo, first_name="Léa", last_name="Testtest", birthdate=LEA_BIRTHDATE, school=carrefour
    )
    noah = make_student(
        cepeo, first_name="Noah", last_name="Testtest", birthdate=NOAH_BIRTHDATE, school=de_la_salle
    )
    zoe = make_student(
        cepeo,
        first_name="Zoé",
        last_name="Mensah",
        birthdate=datetime.date(2016, 1, 20),
        school=carrefour,
    )
    make_guardian(lea, email=ADZO)
    make_guardian(noah, email="Adzo.Test@Example.com")  # stored in lower case
    make_guardian(zoe, email=ADZO, can_view=False)
    return Family(lea=lea, noah=noah, zoe=zoe, carrefour=carrefour, de_la_salle=de_la_salle)


def details(family: Family, **overrides: object) -> dict[str, object]:
    """The details that match Adzo's files: her names, Léa's birthdate and school, 2445."""
    data: dict[str, object] = {
        "last_name": "Testtest",
        "first_name": "Adzo",
        "birthdate": LEA_BIRTHDATE.isoformat(),
        "school": family.carrefour.pk,
        "civic_number": "2445",
    }
    data.update(overrides)
    return data


def signup(client: Client, email: str, data: dict[str, object], *, commit: Commit) -> HttpResponse:
    """ "Créer mon compte" from the email to the answer to "Confirmer"."""
    response = client.post(SIGNUP, {"email": email})
    assert response.status_code == 302, page(response)
    assert response["Location"] == DETAILS
    with commit():
        return client.post(DETAILS, data)


def emailed_path(message: EmailMessage) -> str:
    found = re.search(re.escape(settings.PORTAL_BASE_URL) + r"(/[^\s\"<]*)", message.body)
    assert found, message.body
    return found.group(1)


def activation_path(client: Client, family: Family, *, commit: Commit) -> str:
    """The link Adzo receives after a matching request (the outbox is then emptied)."""
    response = signup(client, ADZO, details(family), commit=commit)
    assert SENT in page(response)
    assert [m.to for m in mail.outbox] == [[ADZO]]
    path = emailed_path(mail.outbox[0])
    mail.outbox.clear()
    return path


def activation_data(
    password: str = PARENT_PASSWORD, *, answer: str = PARENT_ANSWER, confirm: str = ""
) -> dict[str, object]:
    question = SecretQuestion.objects.filter(is_active=True).order_by("position", "pk").first()
    return {
        "password1": password,
        "password2": confirm or password,
        "question": question.pk,
        "answer": answer,
    }


def activate_account(client: Client, path: str, **data: object) -> HttpResponse:
    """Follows the link and submits the activation form."""
    response = client.get(path)
    assert response.status_code == 302, page(response)
    return client.post(response["Location"], {**activation_data(), **data})


def has_label(text: str, field: str) -> bool:
    """A visible <label> for the field (crispy spreads it over several lines)."""
    return re.search(rf'<label\s+for="id_{field}"', text) is not None


def adzo() -> User:
    return User.objects.get(audience=User.Audience.PARENT, identifier=ADZO)


# --- Step 1: the email ----------------------------------------------------------------------


def test_the_email_step_keeps_the_email_and_checks_nothing(client, family):
    response = client.get(SIGNUP)
    text = page(response)
    assert response.status_code == 200
    for label in ("Création d'un compte de portail", "Courriel", "Valider le courriel"):
        assert label in text, label
    assert has_label(text, "email")

    for email in (ADZO, "personne@example.com"):
        response = Client().post(SIGNUP, {"email": f"  {email.upper()} "})
        assert response["Location"] == DETAILS
    assert "n'existe pas" not in text
    assert not User.objects.filter(audience=User.Audience.PARENT).exists()

    response = client.post(SIGNUP, {"email": "pas-un-courriel"})
    assert response.status_code == 200
    assert "Saisissez une adresse" in page(response)


def test_the_details_step_needs_the_email_first(client, family):
    assert client.get(DETAILS)["Location"] == SIGNUP
    assert client.post(DETAILS, details(family))["Location"] == SIGNUP


def test_the_details_page_shows_the_email_and_the_guides_fields(client, family):
    client.post(SIGNUP, {"email": "Adzo.Test@example.com"})
    text = page(client.get(DETAILS))
    assert ADZO in text
    for label in (
        "Information du parent",
        "Nom de famille",
        "Prénom",
        "Information sur votre enfant le plus jeune (inscrit dans l’une de nos écoles)",
        "Date de naissance",
        "École",
        "Choisir",
        "Carrefour Jeunesse",
        "École secondaire publique Gisèle-Lalonde",
        "Numéro civique du domicile",
        "Confirmer",
    ):
        assert label in text, label
    for field in ("last_name", "first_name", "birthdate", "school", "civic_number"):
        assert has_label(text, field), field
    assert 'placeholder="JJ/MM/AAAA"' in text  # one text field, JJ/MM/AAAA


def test_the_birthdate_must_be_plausible(client, family):
    client.post(SIGNUP, {"email": ADZO})
    for birthdate in ("2090-01-01", "1900-01-01"):
        response = client.post(DETAILS, details(family, birthdate=birthdate))
        assert "Cette date de naissance n'est pas valide." in page(response), birthdate
    assert mail.outbox == []


# --- Step 2: one answer whatever matched ----------------------------------------------------


def test_every_answer_is_the_same_and_only_the_match_sends_an_email(client, family, commit):
    other = make_student(family.lea.school.institution, birthdate=datetime.date(2013, 2, 2))
    make_guardian(other, email="ferme@example.com", can_view=False)
    cases = {
        "match": (ADZO, details(family)),
        "wrong last name": (ADZO, details(family, last_name="Mensah")),
        "wrong first name": (ADZO, details(family, first_name="Ama")),
        "wrong civic number": (ADZO, details(family, civic_number="2446")),
        "the elder child": (
            ADZO,
            details(family, birthdate=NOAH_BIRTHDATE.isoformat(), school=family.de_la_salle.pk),
        ),
        "wrong school": (ADZO, details(family, school=family.de_la_salle.pk)),
        "unknown email": ("inconnu@example.com", details(family)),
        "no access on file": ("ferme@example.com", details(family, birthdate="2013-02-02")),
    }
    bodies = {}
    for name, (email, data) in cases.items():
        cache.clear()  # each case on a fresh throttle: the throttles are tested below
        mail.outbox.clear()
        response = signup(Client(), email, data, commit=commit)
        assert response.status_code == 200, name
        assert SENT in page(response), name
        bodies[name] = without_tokens(response)
        if name == "match":
            assert [m.to for m in mail.outbox] == [[ADZO]]
        else:
            assert mail.outbox == [], name
    assert len(set(bodies.values())) == 1, [n for n in bodies if bodies[n] != bodies["match"]]
    text = bodies["match"]
    assert "courriels indésirables" in text
    assert f'href="{reverse("parents:contact")}"' in text
    assert "n'existe pas dans nos contacts" not in text


def test_names_and_civic_number_are_compared_loosely(client, family, commit):
    response = signup(
        client,
        " ADZO.test@EXAMPLE.com ",
        details(family, last_name="  TESTTEST ", first_name="adzó", civic_number=" 24 45 "),
        commit=commit,
    )
    assert SENT in page(response)
    assert [m.to for m in mail.outbox] == [[ADZO]]


def test_a_match_creates_an_account_that_cannot_log_in_yet(client, family, commit):
    signup(client, ADZO, details(family), commit=commit)
    user = adzo()
    assert (user.username, user.email) == (f"parent:{ADZO}", ADZO)
    assert (user.first_name, user.last_name) == ("Adzo", "Testtest")
    assert not user.has_usable_password()
    assert user.activated_at is None
    assert not Guardian.objects.filter(account=user).exists()  # linked at activation

    message = mail.outbox[0]
    assert "création" in message.subject
    assert "24 heures" in message.body
    assert emailed_path(message).startswith("/parents/activer/")
    assert AuditEvent.objects.filter(kind="parents.signup_requested", subject=user).exists()

    # A second request reuses the account and sends a new link.
    mail.outbox.clear()
    cache.clear()
    signup(Client(), ADZO, details(family), commit=commit)
    assert User.objects.filter(audience=User.Audience.PARENT).count() == 1
    assert [m.to for m in mail.outbox] == [[ADZO]]


def test_an_existing_account_gets_a_reminder_not_a_link_nor_a_password(client, family, commit):
    parent = make_parent(ADZO)
    response = signup(client, ADZO, details(family), commit=commit)
    assert SENT in page(response)
    assert [m.to for m in mail.outbox] == [[ADZO]]
    message = mail.outbox[0]
    assert "déjà un compte" in message.subject
    assert "Réinitialiser mon mot de passe" in message.body
    assert f"{settings.PORTAL_BASE_URL}{reverse('parents:reset')}" in message.body
    assert "/parents/activer/" not in message.body
    assert secrets_leak([PARENT_PASSWORD, PARENT_ANSWER]) == []
    parent.refresh_from_db()
    assert parent.check_password(PARENT_PASSWORD)


def test_a_refused_request_is_audited_without_the_details(client, family, commit):
    signup(client, ADZO, details(family, civic_number="9999"), commit=commit)
    event = AuditEvent.objects.get(kind="parents.signup_refused")
    assert event.identifier == f"parent:{ADZO}"
    assert "9999" not in str(event.details)
    assert "2014" not in str(event.details)


# --- Throttles ------------------------------------------------------------------------------


def test_the_sixth_request_for_one_email_is_refused_even_when_right(client, family, commit):
    for _attempt in range(5):
        response = signup(client, ADZO, details(family, civic_number="1"), commit=commit)
        assert SENT in page(response)
    response = signup(Client(REMOTE_ADDR="198.51.100.9"), ADZO, details(family), commit=commit)
    assert response.status_code == 200
    text = page(response)
    assert KEY_LOCKED in text
    assert SENT not in text
    assert mail.outbox == []
    assert not User.objects.filter(audience=User.Audience.PARENT).exists()
    # The lockout is about attempts, not records: an unknown email gets it just the same.
    for _attempt in range(5):
        signup(client, "inconnu@example.com", details(family), commit=commit)
    other = signup(
        Client(REMOTE_ADDR="198.51.100.9"), "inconnu@example.com", details(family), commit=commit
    )
    assert without_tokens(other, "inconnu@example.com") == without_tokens(response, ADZO)


def test_twenty_one_requests_from_one_address_are_refused(client, family, commit):
    for n in range(20):
        response = signup(client, f"parent{n}@example.com", details(family), commit=commit)
        assert SENT in page(response), n
    response = signup(client, ADZO, details(family), commit=commit)
    assert IP_LOCKED in page(response)
    assert mail.outbox == []
    # Another address is not locked.
    response = signup(Client(REMOTE_ADDR="198.51.100.9"), ADZO, details(family), commit=commit)
    assert SENT in page(response)
    assert [m.to for m in mail.outbox] == [[ADZO]]


# --- The activation link --------------------------------------------------------------------


def test_the_link_moves_its_token_out_of_the_url(client, family, commit):
    path = activation_path(client, family, commit=commit)
    token = path.rstrip("/").rsplit("/", 1)[1]
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].endswith("/nouveau/")
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"

    response = client.get(response["Location"])
    text = page(response)
    assert response.status_code == 200
    for label in (
        ACTIVATION_PAGE,
        "Courriel",
        ADZO,
        "Mot de passe",
        "Confirmation du mot de passe",
        "Question secrète",
        "Choisir",
        "Votre réponse",
        "* Cette question vous sera posée si vous oubliez votre mot de passe",
        "Confirmer",
    ):
        assert label in text, label
    for field in ("password1", "password2", "question", "answer"):
        assert has_label(text, field), field
    assert token not in text
    # Another browser, without the token in its session, gets nothing at the token-free URL.
    assert INVALID in page(Client().get(response.request["PATH_INFO"]))


def test_activation_sets_everything_links_the_children_and_logs_in(client, family, commit):
    path = activation_path(client, family, commit=commit)
    with commit():
        response = activate_account(client, path)
    assert response.status_code == 302, page(response)
    assert response["Location"] == PARENT_HOME

    user = adzo()
    assert user.check_password(PARENT_PASSWORD)
    assert user.activated_at is not None
    assert logged_in_user(client) == user
    (answer,) = SecretAnswer.objects.filter(user=user)
    assert check_password(normalize_answer(PARENT_ANSWER), answer.answer_hash)
    assert PARENT_ANSWER not in answer.answer_hash
    # Every file with the email is linked; what the parent sees is what the files allow.
    assert set(Guardian.objects.filter(account=user).values_list("student", flat=True)) == {
        family.lea.pk,
        family.noah.pk,
        family.zoe.pk,
    }
    assert list(children_for_parent(user, family.lea.school.institution)) == [
        family.noah,
        family.lea,
    ]
    assert AuditEvent.objects.filter(kind="parents.activated", subject=user).exists()
    assert secrets_leak([PARENT_PASSWORD, PARENT_ANSWER]) == []

    # The parent now logs in with the email.
    browser = Client()
    response = browser.post(reverse("parents:login"), {"email": ADZO, "password": PARENT_PASSWORD})
    assert response["Location"] == PARENT_HOME


def test_the_link_works_once(client, family, commit):
    path = activation_path(client, family, commit=commit)
    assert activate_account(client, path)["Location"] == PARENT_HOME
    again = Client()
    response = again.get(path)
    assert INVALID in page(response)
    assert response["Referrer-Policy"] == "no-referrer"
    assert f'href="{SIGNUP}"' in page(response)
    assert "Créer mon compte" in page(response)
    assert logged_in_user(again) is None
    assert adzo().check_password(PARENT_PASSWORD)


def test_the_link_expires_after_24_hours(client, family, commit, monkeypatch):
    path = activation_path(client, family, commit=commit)
    later(monkeypatch, activation_token, 24 * 60 * 60 - 60)
    assert client.get(path).status_code == 302
    later(monkeypatch, activation_token, 24 * 60 * 60 + 1)
    response = Client().get(path)
    assert INVALID in page(response)
    assert not adzo().has_usable_password()
    assert AuditEvent.objects.filter(kind="recovery.link_refused").exists()


def test_the_password_follows_the_policy_and_the_answer_is_not_trivial(client, family, commit):
    path = activation_path(client, family, commit=commit)
    form_url = client.get(path)["Location"]
    for data, error in (
        (activation_data("Court-1"), "Le mot de passe doit compter au moins 12 caractères."),
        (
            activation_data(confirm="une autre phrase de passe 2026"),
            "Les deux mots de passe ne correspondent pas.",
        ),
        (
            activation_data("adzo testtest 2026 ok"),
            "Il ne doit contenir ni votre nom, ni votre courriel.",
        ),
        (activation_data(answer="1234"), "Cette réponse est trop facile à deviner."),
        (activation_data(answer="Testtest"), "La réponse ne peut pas être votre nom"),
        ({**activation_data(), "question": ""}, "Ce champ est obligatoire."),
    ):
        response = client.post(form_url, data)
        assert response.status_code == 200
        text = page(response)
        assert error in text, (data, text[:200])
        assert str(data["password1"]) not in text  # never shown back
    assert not adzo().has_usable_password()
    assert not Guardian.objects.filter(account__isnull=False).exists()
    # The form still works after the errors.
    response = client.post(form_url, activation_data())
    assert response["Location"] == PARENT_HOME


def test_a_link_for_an_account_that_is_not_a_parents_is_invalid(client, family, cepeo):
    employee_user = User.objects.create(
        audience=User.Audience.EMPLOYEE,
        identifier="50001",
        username="employee:50001",
        email="employe@example.com",
    )
    employee_user.set_unusable_password()
    employee_user.save()
    student = make_student(cepeo)
    student_user = activate(student, password=PASSWORD)
    student_user.set_unusable_password()
    student_user.save()
    for user in (employee_user, student_user):
        path = reverse(
            "parents:activate",
            kwargs={"uidb64": uidb64(user), "token": activation_token.make_token(user)},
        )
        response = Client().get(path)
        assert INVALID in page(response), user
        user.refresh_from_db()
        assert not user.has_usable_password()


def test_the_parents_pages_are_404_when_the_portal_is_off(client, family):
    institution = family.lea.school.institution
    institution.parent_portal_enabled = False
    institution.save(update_fields=["parent_portal_enabled"])
    for name in ("parents:login", "parents:signup", "parents:signup_details", "parents:reset"):
        assert client.get(reverse(name)).status_code == 404, name


# --- Where the parents' portal meets the other accounts ---------------------------------------


def test_a_parents_link_is_refused_by_the_employees_activation_page(client, family, commit):
    path = activation_path(client, family, commit=commit)
    assert path.startswith("/parents/activer/")
    response = client.get(path.removeprefix("/parents"), follow=True)
    assert "plus valide" in page(response)
    assert 'name="password1"' not in page(response)
    assert not User.objects.get(audience=User.Audience.PARENT).has_usable_password()


def test_an_expired_parent_session_goes_back_to_the_parents_login(client, cepeo):
    client.force_login(make_parent("expire@example.com"))
    home = reverse("parents:home")
    assert client.get(home).status_code == 200
    session = client.session
    session["_portal_seen"] -= 31 * 60
    session.save()
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("parents:login") + "?next=")


def test_nothing_of_the_request_stays_in_the_session(client, family, commit):
    signup(client, ADZO, details(family), commit=commit)
    assert ADZO not in page(client.get(SIGNUP))
    assert client.get(DETAILS)["Location"] == SIGNUP
