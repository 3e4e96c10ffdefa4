"""First use through HTTP: every preset's flow, every wrong field, and every way to abuse it.

The helpers at the top (`identity_data`, `walk_first_use`, …) are also used by the login,
throttle, query-budget and security-header tests.
"""

import datetime
import html
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import FirstUseFlow, SecretAnswer, SecretQuestion, User
from portal.models import AuditEvent, Institution
from portal.normalize import normalize_answer
from students.models import Student
from tests.conftest import PASSWORD
from tests.factories import activate, make_student

Commit = Callable[[], AbstractContextManager[list]]

GENERIC_IDENTITY_ERROR = (
    "Les renseignements saisis ne correspondent pas à nos dossiers. Vérifiez-les et réessayez."
)
FLOW_GONE = "Votre première utilisation a expiré ou n'a pas commencé. Veuillez recommencer."
ALREADY_ACTIVE = "Votre compte est déjà activé"
ANSWERS = ("Filou", "Rimouski", "Gabrielle")
CSTJ_PASSWORD = "Montagne-Verte-88"


def page(response: HttpResponse) -> str:
    """What the user reads: the HTML with its entities decoded (so "n'est" matches)."""
    return html.unescape(response.content.decode())


def url(name: str) -> str:
    return reverse(f"accounts:{name}")


def identity_data(student: Student, **overrides: str) -> dict[str, str]:
    """The identity step's fields, right for this student under the current institution."""
    institution = Institution.objects.get()
    data = {"identifier": student.matricule, "birthdate": student.birthdate.isoformat()}
    if institution.uses_code_permanent:
        data["code_permanent"] = student.code_permanent
    else:
        data["last_name"] = student.last_name
        data["postal_code"] = student.postal_code
    if institution.captcha_enabled:
        data.update({"captcha_0": "x", "captcha_1": "PASSED"})
    data.update(overrides)
    return data


def question_ids(count: int = 3) -> list[int]:
    return list(SecretQuestion.objects.filter(is_active=True).values_list("pk", flat=True)[:count])


def questions_data(answers: tuple[str, ...] = ANSWERS, ids: list[int] | None = None) -> dict:
    count = Institution.objects.get().secret_question_count
    ids = ids or question_ids(count)
    data: dict[str, Any] = {}
    for i, (pk, answer) in enumerate(zip(ids, answers[:count], strict=True), start=1):
        data[f"question_{i}"] = pk
        data[f"answer_{i}"] = answer
    return data


def emailed_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def walk_first_use(
    client: Client,
    student: Student,
    *,
    commit: Commit,
    until: str = "portal:home",
    password: str = CSTJ_PASSWORD,
    email: str = "nouveau@courriel.example",
    answers: tuple[str, ...] = ANSWERS,
) -> HttpResponse:
    """Goes through the flow the way a person would, following the portal's redirects, and
    stops at the response that redirects to `until` (a URL name)."""
    with commit():
        response = client.post(url("first_use"), identity_data(student))
    target = reverse(until)
    while True:
        assert response.status_code == 302, page(response)
        location = response["Location"]
        if location == target:
            return response
        if location == url("first_use_code"):
            data = {"code": emailed_code()}
        elif location == url("first_use_questions"):
            data = questions_data(answers)
        elif location == url("first_use_email"):
            data = {"email": email, "email_confirm": email}
        elif location == url("first_use_password"):
            data = {"password1": password, "password2": password}
        else:
            raise AssertionError(f"unexpected redirect to {location}")
        with commit():
            response = client.post(location, data)


def flow_of(student: Student) -> FirstUseFlow:
    return FirstUseFlow.objects.get(student=student, completed_at__isnull=True)


def logged_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def secrets_leak(secrets: list[str]) -> list[str]:
    """Every place where one of these secrets shows up in the audit log or an email."""
    found = []
    for event in AuditEvent.objects.all():
        stored = f"{event.identifier} {event.user_agent} {event.details}".casefold()
        found += [f"audit {event.kind}: {s}" for s in secrets if s.casefold() in stored]
    for message in mail.outbox:
        parts = [message.subject, message.body, *(c for c, _t in message.alternatives)]
        stored = " ".join(parts).casefold()
        found += [f"email {message.subject}: {s}" for s in secrets if s.casefold() in stored]
    return found


# --- Every preset's first use ---------------------------------------------------------------


def test_cstj_first_use_with_emailed_code(client, alice, commit):
    response = client.get(url("first_use"))
    assert response.status_code == 200
    assert "Code permanent" in page(response)
    assert "Code de sécurité" in page(response)  # the CAPTCHA

    with commit():
        response = client.post(
            url("first_use"),
            identity_data(
                alice, code_permanent=alice.code_permanent.lower(), birthdate="05/03/2006"
            ),
        )
    assert response["Location"] == url("first_use_code")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@etudiant.example"]
    assert "Bonjour Alice" in mail.outbox[0].body
    response = client.get(url("first_use_code"))
    assert "a••••@etudiant.example" in page(response)  # the address on file, masked
    assert "alice@etudiant.example" not in page(response)

    response = client.post(url("first_use_code"), {"code": emailed_code()})
    assert response["Location"] == url("first_use_questions")
    response = client.get(url("first_use_questions"))
    assert "Étape 3 sur 4" in page(response)
    response = client.post(url("first_use_questions"), questions_data())
    assert response["Location"] == url("first_use_password")
    response = client.post(
        url("first_use_password"), {"password1": CSTJ_PASSWORD, "password2": CSTJ_PASSWORD}
    )
    assert response["Location"] == reverse("portal:home")

    response = client.get(reverse("portal:home"))
    assert "Bienvenue, Alice" in page(response)
    assert "Votre compte est activé. N'oubliez pas votre mot de passe" in page(response)
    user = User.objects.get(audience="student", identifier="2026101")
    assert logged_in_user(client) == user
    assert user.check_password(CSTJ_PASSWORD)
    assert user.activated_at is not None
    assert user.email == "alice@etudiant.example"
    alice.refresh_from_db()
    assert alice.user == user
    assert list(user.secret_answers.values_list("question_id", flat=True)) == question_ids()
    assert AuditEvent.objects.filter(kind="first_use.completed", subject=user, actor=user).exists()
    verified = AuditEvent.objects.get(kind="first_use.identity_verified")
    assert verified.details == {"code_sent": True}
    flow = FirstUseFlow.objects.get(student=alice)
    assert flow.completed_at is not None
    assert flow.answers == []  # the hashes now live on the account only


def test_cstj_student_without_email_has_no_code_step(client, institution, commit):
    student = make_student(institution, first_name="Benoît", last_name="Lévesque", sex="M")
    assert student.email == ""
    with commit():
        response = client.post(url("first_use"), identity_data(student))
    assert response["Location"] == url("first_use_questions")
    assert mail.outbox == []
    assert "Étape 2 sur 3" in page(client.get(url("first_use_questions")))
    walk_first_use(client, student, commit=commit)
    assert "Bienvenue, Benoît" in page(client.get(reverse("portal:home")))
    assert mail.outbox == []


def test_emailed_code_off_means_no_code_step_even_with_an_email(client, institution, commit):
    institution.emailed_code_enabled = False
    institution.save()
    student = make_student(institution, email="eloise@etudiant.example")
    with commit():
        response = client.post(url("first_use"), identity_data(student))
    assert response["Location"] == url("first_use_questions")
    assert mail.outbox == []


PRESET_CASES = {
    # preset: (student fields, password under the institution's policy, steps after identity)
    "thetford": (
        {"first_name": "Mathis", "last_name": "Roy", "sex": "M"},
        "soleil2026",
        ["questions", "password"],
    ),
    "conservatoire": (
        {"first_name": "Léa", "last_name": "Bouchard"},
        "violoncelle du matin",
        ["questions", "password"],
    ),
    "caomsc": (
        {"matricule": "00875", "first_name": "Jacinthe", "last_name": "D'Amour-Côté"},
        "tulipe482",
        ["email", "password"],
    ),
    "cepeo": (
        {"first_name": "Noah", "last_name": "Lalonde", "sex": "M", "postal_code": "K1G 6C3"},
        "erable rouge du parc",
        ["questions", "password"],
    ),
}


@pytest.mark.parametrize("preset", list(PRESET_CASES))
def test_every_preset_first_use_then_login_again(client, load_preset, commit, preset):
    institution = load_preset(preset)
    fields, password, steps = PRESET_CASES[preset]
    student = make_student(institution, **fields)
    assert len(student.matricule) == institution.identifier_length

    walk_first_use(
        client, student, commit=commit, password=password, email="membre@courriel.example"
    )
    assert FirstUseFlow.objects.get(student=student).steps == steps
    response = client.get(reverse("portal:home"))
    assert f"Bienvenue, {fields['first_name']}" in page(response)
    user = User.objects.get(audience="student", identifier=student.matricule)
    assert user.secret_answers.count() == institution.secret_question_count
    assert AuditEvent.objects.filter(kind="first_use.completed", subject=user).exists()
    assert mail.outbox == []  # none of these institutions emails a code

    client.post(reverse("accounts:logout"))
    response = client.post(
        url("login"), {"student-identifier": student.matricule, "student-password": password}
    )
    assert response["Location"] == reverse("portal:home")
    assert logged_in_user(client) == user


def test_thetford_has_no_captcha_and_takes_a_seven_digit_dossier(client, load_preset):
    institution = load_preset("thetford")
    response = client.get(url("first_use"))
    assert "Numéro de dossier (7 chiffres)" in page(response)
    assert "captcha" not in page(response).lower()
    student = make_student(institution, first_name="Mathis", last_name="Roy", sex="M")
    response = client.post(url("first_use"), identity_data(student))
    assert response["Location"] == url("first_use_questions")


def test_conservatoire_takes_a_nine_digit_student_number(client, load_preset):
    institution = load_preset("conservatoire")
    assert "Numéro d'étudiant (9 chiffres)" in page(client.get(url("first_use")))
    student = make_student(institution)
    response = client.post(
        url("first_use"), identity_data(student, identifier=student.matricule[1:])
    )
    assert response.status_code == 200
    assert "Ce numéro compte 9 chiffres." in page(response)


def test_caomsc_member_identity_email_twice_and_its_password_policy(client, load_preset):
    institution = load_preset("caomsc")
    member = make_student(
        institution,
        matricule="00875",
        last_name="D'Amour-Côté",
        first_name="Jacinthe",
        birthdate=datetime.date(1979, 11, 23),
        postal_code="H2T 2C8",
        email="ancienne@courriel.example",
    )
    response = client.get(url("first_use"))
    for label in ("Matricule (5 chiffres)", "Nom de famille", "Date de naissance", "Code postal"):
        assert label in page(response)
    assert "Code permanent" not in page(response)

    # Leading zeros kept; the name and the postal code are compared loosely; JJ/MM/AAAA.
    response = client.post(
        url("first_use"),
        identity_data(
            member, last_name="damour cote", birthdate="23/11/1979", postal_code="h2t2c8"
        ),
    )
    assert response["Location"] == url("first_use_email")

    response = client.post(
        url("first_use_email"),
        {"email": "jacinthe@courriel.example", "email_confirm": "jacynthe@courriel.example"},
    )
    assert response.status_code == 200
    assert "Les deux adresses courriel ne correspondent pas." in page(response)
    response = client.post(
        url("first_use_email"), {"email": "pas-un-courriel", "email_confirm": "pas-un-courriel"}
    )
    assert response.status_code == 200
    assert flow_of(member).current_step == "email"
    response = client.post(
        url("first_use_email"),
        {"email": "jacinthe@courriel.example", "email_confirm": "Jacinthe@Courriel.example"},
    )
    assert response["Location"] == url("first_use_password")

    for password, message in (
        ("ab12345", "Le mot de passe doit compter au moins 8 caractères."),
        ("tulipe4821234", "Le mot de passe doit compter au plus 12 caractères."),
        ("ab123456", "Le mot de passe doit contenir au moins 3 lettres."),
        ("tulipes48", "Le mot de passe doit contenir au moins 3 chiffres."),
    ):
        response = client.post(
            url("first_use_password"), {"password1": password, "password2": password}
        )
        assert response.status_code == 200
        assert message in page(response), password
    assert not User.objects.filter(identifier="00875").exists()

    response = client.post(
        url("first_use_password"), {"password1": "tulipe482", "password2": "tulipe482"}
    )
    assert response["Location"] == reverse("portal:home")
    assert "Bienvenue, Jacinthe" in page(client.get(reverse("portal:home")))
    user = User.objects.get(audience="student", identifier="00875")
    assert user.email == "jacinthe@courriel.example"
    assert user.secret_answers.count() == 0
    member.refresh_from_db()
    assert member.email == "jacinthe@courriel.example"
    assert AuditEvent.objects.filter(kind="first_use.email_set").exists()


def test_cepeo_asks_one_secret_question(client, load_preset):
    institution = load_preset("cepeo")
    student = make_student(institution, last_name="Lalonde", first_name="Noah", sex="M")
    response = client.post(url("first_use"), identity_data(student))
    assert response["Location"] == url("first_use_questions")
    response = client.get(url("first_use_questions"))
    assert "question_1" in page(response)
    assert "question_2" not in page(response)
    response = client.post(url("first_use_questions"), questions_data(("Filou",)))
    assert response["Location"] == url("first_use_password")
    response = client.post(url("first_use_password"), {"password1": "court", "password2": "court"})
    assert "Le mot de passe doit compter au moins 12 caractères." in page(response)


# --- Identity: one generic message, whatever was wrong --------------------------------------


def _other_students_code(institution: Institution) -> str:
    return make_student(institution, last_name="Gagnon", first_name="Zoé").code_permanent


CSTJ_WRONG_FIELDS: dict[str, Callable[[Student, Institution], dict[str, str]]] = {
    "unknown matricule": lambda s, i: {"identifier": "2099999"},
    "another student's code permanent": lambda s, i: {"code_permanent": _other_students_code(i)},
    "code permanent that is not the one on file": lambda s, i: {
        "code_permanent": s.code_permanent[:10] + ("98" if s.code_permanent[10:] != "98" else "97")
    },
    "code permanent with the male month": lambda s, i: {
        "code_permanent": s.code_permanent[:6] + "03" + s.code_permanent[8:]
    },
    "wrong birthdate": lambda s, i: {"birthdate": "2006-03-06"},
}


@pytest.mark.parametrize("case", list(CSTJ_WRONG_FIELDS))
def test_cstj_each_wrong_field_looks_like_a_missing_account(client, alice, case):
    missing = client.post(url("first_use"), identity_data(alice, identifier="2099998"))
    assert GENERIC_IDENTITY_ERROR in page(missing)

    data = identity_data(alice, **CSTJ_WRONG_FIELDS[case](alice, Institution.objects.get()))
    response = client.post(url("first_use"), data)
    assert response.status_code == missing.status_code == 200
    assert GENERIC_IDENTITY_ERROR in page(response)
    assert "CAPTCHA" not in page(response)
    assert not FirstUseFlow.objects.exists()
    assert "first_use_flow" not in client.session


def test_without_a_code_permanent_on_file_no_code_opens_first_use(client, institution):
    # A record imported without a code permanent: even a code that agrees with the record's
    # names, birthdate and sex is refused, since anyone who knows those could build it.
    student = make_student(institution, code_permanent="", last_name="Ng", first_name="Anh")
    consistent = "NGXA05530699"  # "Ng" padded with X, woman born 2006-03-05
    for code in ("NGXA05030699", "NGXB05530699", consistent):
        response = client.post(url("first_use"), identity_data(student, code_permanent=code))
        assert response.status_code == 200
        assert GENERIC_IDENTITY_ERROR in page(response), code
    assert not FirstUseFlow.objects.filter(student=student).exists()


CAOMSC_WRONG_FIELDS = {
    "unknown matricule": {"identifier": "00876"},
    "matricule without its leading zeros": {"identifier": "875"},
    "wrong last name": {"last_name": "Amour"},
    "wrong birthdate": {"birthdate": "24/11/1979"},
    "wrong postal code": {"postal_code": "H2T 2C9"},
}


@pytest.mark.parametrize("case", list(CAOMSC_WRONG_FIELDS))
def test_caomsc_each_wrong_field_looks_like_a_missing_account(client, load_preset, case):
    institution = load_preset("caomsc")
    member = make_student(
        institution,
        matricule="00875",
        last_name="D'Amour",
        first_name="Jacinthe",
        birthdate=datetime.date(1979, 11, 23),
        postal_code="H2T 2C8",
    )
    missing = client.post(url("first_use"), identity_data(member, identifier="99999"))
    assert GENERIC_IDENTITY_ERROR in page(missing)

    response = client.post(url("first_use"), identity_data(member, **CAOMSC_WRONG_FIELDS[case]))
    assert not FirstUseFlow.objects.exists()
    if case == "matricule without its leading zeros":
        # The number's format is the one thing the form may point at: it says nothing about
        # who is on file.
        assert response.status_code == 200
        assert "Ce numéro compte 5 chiffres." in page(response)
        assert GENERIC_IDENTITY_ERROR not in page(response)
        return
    assert response.status_code == missing.status_code == 200
    assert GENERIC_IDENTITY_ERROR in page(response)


@pytest.mark.parametrize("identifier", ["202610", "20261011", "2026a01"])
def test_identifier_format_is_a_field_error_and_not_counted(client, alice, identifier):
    response = client.post(url("first_use"), identity_data(alice, identifier=identifier))
    assert response.status_code == 200
    assert "Ce numéro compte 7 chiffres." in page(response)
    assert GENERIC_IDENTITY_ERROR not in page(response)
    assert not AuditEvent.objects.filter(kind="first_use.identity_failed").exists()


def test_code_permanent_format_is_a_field_error(client, alice):
    response = client.post(url("first_use"), identity_data(alice, code_permanent="TREA0553"))
    assert response.status_code == 200
    assert "Le code permanent compte 4 lettres suivies de 8 chiffres" in page(response)
    assert GENERIC_IDENTITY_ERROR not in page(response)
    assert not AuditEvent.objects.filter(kind="first_use.identity_failed").exists()


def test_identity_failure_is_audited_without_the_data_typed(client, alice):
    client.post(url("first_use"), identity_data(alice, birthdate="2006-03-06"))
    event = AuditEvent.objects.get(kind="first_use.identity_failed")
    assert event.identifier == "student:2026101"
    assert secrets_leak([alice.code_permanent, "2006-03-06"]) == []


# --- Steps run in order -----------------------------------------------------------------------


def test_no_flow_in_session_sends_to_the_start_with_a_message(client, alice):
    for step in ("first_use_code", "first_use_questions", "first_use_email", "first_use_password"):
        response = client.get(url(step))
        assert response["Location"] == url("first_use"), step
        response = client.post(url(step), {"password1": "x", "password2": "x", "code": "123456"})
        assert response["Location"] == url("first_use"), step
    response = client.get(url("first_use"))
    assert FLOW_GONE in page(response)
    assert not User.objects.filter(identifier=alice.matricule).exists()


def test_later_steps_cannot_be_skipped(client, alice, commit):
    with commit():
        client.post(url("first_use"), identity_data(alice))
    for step in ("first_use_questions", "first_use_email", "first_use_password"):
        assert client.get(url(step))["Location"] == url("first_use_code"), step
    response = client.post(
        url("first_use_password"), {"password1": CSTJ_PASSWORD, "password2": CSTJ_PASSWORD}
    )
    assert response["Location"] == url("first_use_code")
    response = client.post(url("first_use_questions"), questions_data())
    assert response["Location"] == url("first_use_code")
    flow = flow_of(alice)
    assert flow.current_step == "code"
    assert flow.answers == []
    assert not User.objects.filter(identifier=alice.matricule).exists()


def test_done_steps_cannot_be_replayed(client, alice, commit):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_password")
    flow = flow_of(alice)
    answers_before = flow.answers
    code = emailed_code()

    response = client.post(url("first_use_code"), {"code": code})
    assert response["Location"] == url("first_use_password")
    response = client.post(
        url("first_use_questions"),
        questions_data(("Minou", "Québec", "Roxanne"), question_ids(6)[3:]),
    )
    assert response["Location"] == url("first_use_password")
    flow.refresh_from_db()
    assert flow.current_step == "password"
    assert flow.answers == answers_before
    assert flow.code_attempts == 1

    client.post(url("first_use_password"), {"password1": CSTJ_PASSWORD, "password2": CSTJ_PASSWORD})
    user = User.objects.get(identifier=alice.matricule)
    assert [a.question_id for a in user.secret_answers.all()] == question_ids()

    # Finished: the password step cannot be posted again to change the password.
    response = client.post(
        url("first_use_password"),
        {"password1": "Autre-Chose-2026", "password2": "Autre-Chose-2026"},
    )
    assert response["Location"] == url("first_use")
    user.refresh_from_db()
    assert user.check_password(CSTJ_PASSWORD)
    assert client.get(url("first_use"))["Location"] == reverse("portal:home")


def test_expired_flow_sends_to_the_start(client, alice, commit):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_questions")
    flow = flow_of(alice)
    assert timezone.now() + datetime.timedelta(minutes=29) < flow.expires_at
    assert flow.expires_at <= timezone.now() + datetime.timedelta(minutes=30)

    FirstUseFlow.objects.filter(pk=flow.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.post(url("first_use_questions"), questions_data())
    assert response["Location"] == url("first_use")
    assert FLOW_GONE in page(client.get(url("first_use")))
    assert "first_use_flow" not in client.session
    flow.refresh_from_db()
    assert flow.answers == []


def test_starting_again_replaces_the_unfinished_flow(client, alice, commit):
    other = Client()
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_questions")
    walk_first_use(other, alice, commit=commit, until="accounts:first_use_questions")
    assert FirstUseFlow.objects.filter(student=alice).count() == 1
    # The first browser's flow died with the second start.
    assert client.get(url("first_use_questions"))["Location"] == url("first_use")
    assert other.get(url("first_use_questions")).status_code == 200


def test_the_session_holds_only_the_flow_id(client, alice, commit):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_questions")
    session = dict(client.session.items())
    assert session == {"first_use_flow": str(flow_of(alice).pk)}


def test_identity_step_rotates_the_session_key(client, alice, commit):
    session = client.session
    session["marker"] = "before"
    session.save()
    before = session.session_key
    with commit():
        client.post(url("first_use"), identity_data(alice))
    assert client.session.session_key != before


# --- Tampering ------------------------------------------------------------------------------


def test_extra_fields_cannot_turn_the_flow_onto_another_student(client, alice, institution, commit):
    victim = make_student(institution, last_name="Côté", first_name="Charlotte", sex="F")
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_code")
    other_flow = FirstUseFlow.objects.create(
        student=victim,
        steps=["questions", "password"],
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    tamper = {
        "student": victim.pk,
        "student_id": victim.pk,
        "matricule": victim.matricule,
        "identifier": victim.matricule,
        "flow": str(other_flow.pk),
        "first_use_flow": str(other_flow.pk),
    }
    client.post(url("first_use_code"), {"code": emailed_code(), **tamper})
    client.post(url("first_use_questions"), {**questions_data(), **tamper})
    response = client.post(
        url("first_use_password"),
        {"password1": CSTJ_PASSWORD, "password2": CSTJ_PASSWORD, **tamper},
    )
    assert response["Location"] == reverse("portal:home")

    alice.refresh_from_db()
    victim.refresh_from_db()
    assert alice.user is not None
    assert alice.user.identifier == alice.matricule
    assert victim.user is None
    assert logged_in_user(client) == alice.user
    assert "Bienvenue, Alice" in page(client.get(reverse("portal:home")))
    other_flow.refresh_from_db()
    assert other_flow.position == 0
    assert other_flow.answers == []


def test_two_students_in_two_browsers_stay_separate(alice, institution, commit):
    benoit = make_student(institution, last_name="Lévesque", first_name="Benoît", sex="M")
    first, second = Client(), Client()
    walk_first_use(first, alice, commit=commit, until="accounts:first_use_questions")
    walk_first_use(second, benoit, commit=commit, until="accounts:first_use_password")
    first.post(url("first_use_questions"), questions_data())
    second.post(
        url("first_use_password"),
        {"password1": "Riviere-Noire-77", "password2": "Riviere-Noire-77"},
    )
    first.post(url("first_use_password"), {"password1": CSTJ_PASSWORD, "password2": CSTJ_PASSWORD})

    alice.refresh_from_db()
    benoit.refresh_from_db()
    assert logged_in_user(first) == alice.user
    assert logged_in_user(second) == benoit.user
    assert alice.user.check_password(CSTJ_PASSWORD)
    assert benoit.user.check_password("Riviere-Noire-77")
    assert "Bienvenue, Alice" in page(first.get(reverse("portal:home")))
    assert "Bienvenue, Benoît" in page(second.get(reverse("portal:home")))


# --- An account already activated -----------------------------------------------------------


def test_an_activated_student_cannot_do_first_use_again(client, bob):
    student = bob.student
    response = client.post(url("first_use"), identity_data(student))
    assert response.status_code == 200
    assert ALREADY_ACTIVE in page(response)
    assert "Mot de passe oublié ?" in page(response)
    assert not FirstUseFlow.objects.filter(student=student).exists()
    assert "first_use_flow" not in client.session
    assert client.get(url("first_use_questions"))["Location"] == url("first_use")
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)
    assert AuditEvent.objects.filter(kind="first_use.already_active", subject=bob).exists()


def test_a_student_who_finished_cannot_start_over_after_logout(client, alice, commit):
    walk_first_use(client, alice, commit=commit)
    client.post(reverse("accounts:logout"))
    with commit():
        response = client.post(url("first_use"), identity_data(alice))
    assert ALREADY_ACTIVE in page(response)
    assert len(mail.outbox) == 1  # no new code sent


def test_activation_elsewhere_during_the_flow_is_caught_at_the_password_step(client, alice, commit):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_password")
    activate(alice, password=PASSWORD)
    response = client.post(
        url("first_use_password"), {"password1": CSTJ_PASSWORD, "password2": CSTJ_PASSWORD}
    )
    assert ALREADY_ACTIVE in page(response)
    alice.refresh_from_db()
    assert alice.user.check_password(PASSWORD)
    assert logged_in_user(client) is None


# --- The emailed code -----------------------------------------------------------------------


def test_wrong_code_is_refused_and_counted(client, alice, commit):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_code")
    code = emailed_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(url("first_use_code"), {"code": wrong})
    assert response.status_code == 200
    assert "Ce code n'est pas le bon." in page(response)
    assert flow_of(alice).code_attempts == 1
    assert AuditEvent.objects.filter(kind="first_use.code_failed").count() == 1
    response = client.post(url("first_use_code"), {"code": "abcdef"})
    assert "Le code compte 6 chiffres." in page(response)
    response = client.post(url("first_use_code"), {"code": code})
    assert response["Location"] == url("first_use_questions")


def test_expired_code_is_refused(client, alice, commit):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_code")
    flow = flow_of(alice)
    assert flow.code_expires_at <= timezone.now() + datetime.timedelta(minutes=15)
    assert flow.code_expires_at > timezone.now() + datetime.timedelta(minutes=14)
    FirstUseFlow.objects.filter(pk=flow.pk).update(
        code_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.post(url("first_use_code"), {"code": emailed_code()})
    assert response.status_code == 200
    assert "Ce code a expiré. Demandez-en un nouveau." in page(response)
    assert flow_of(alice).current_step == "code"


def test_five_wrong_codes_end_the_flow(client, alice, commit):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_code")
    code = emailed_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(4):
        response = client.post(url("first_use_code"), {"code": wrong})
        assert "Ce code n'est pas le bon." in page(response)
    response = client.post(url("first_use_code"), {"code": wrong})
    assert response["Location"] == url("first_use")
    assert "Trop d'essais avec ce code. Veuillez recommencer la première utilisation." in page(
        client.get(url("first_use"))
    )
    # Even the right code no longer helps: the browser has no flow left.
    response = client.post(url("first_use_code"), {"code": code})
    assert response["Location"] == url("first_use")
    assert FirstUseFlow.objects.get(student=alice).code_attempts == 5


def test_resend_sends_a_new_code_and_the_old_one_dies(client, alice, commit):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_code")
    first = emailed_code()
    with commit():
        response = client.post(url("first_use_code"), {"resend": "1"})
    assert response["Location"] == url("first_use_code")
    assert "Un nouveau code a été envoyé à votre courriel." in page(
        client.get(url("first_use_code"))
    )
    assert len(mail.outbox) == 2
    second = emailed_code()
    if first != second:
        response = client.post(url("first_use_code"), {"code": first})
        assert "Ce code n'est pas le bon." in page(response)
    response = client.post(url("first_use_code"), {"code": second})
    assert response["Location"] == url("first_use_questions")


def test_resend_is_limited(client, alice, commit):
    walk_first_use(client, alice, commit=commit, until="accounts:first_use_code")
    with commit():
        client.post(url("first_use_code"), {"resend": "1"})
        client.post(url("first_use_code"), {"resend": "1"})
        client.post(url("first_use_code"), {"resend": "1"})
    assert len(mail.outbox) == 3
    assert "Vous avez atteint le nombre maximal d'envois de code." in page(
        client.get(url("first_use_code"))
    )


# --- Secret questions -----------------------------------------------------------------------


def _at_questions(client: Client, student: Student, commit: Commit) -> None:
    walk_first_use(client, student, commit=commit, until="accounts:first_use_questions")


def test_questions_must_be_different(client, alice, commit):
    _at_questions(client, alice, commit)
    ids = question_ids()
    response = client.post(url("first_use_questions"), questions_data(ids=[ids[0], ids[0], ids[1]]))
    assert response.status_code == 200
    assert "Choisissez des questions différentes." in page(response)
    assert flow_of(alice).current_step == "questions"


def test_each_answer_must_be_different(client, alice, commit):
    _at_questions(client, alice, commit)
    response = client.post(url("first_use_questions"), questions_data(("Filou", "FILOU", "Rex")))
    assert "Donnez une réponse différente à chaque question." in page(response)
    assert flow_of(alice).current_step == "questions"


def test_a_retired_question_cannot_be_chosen(client, alice, commit):
    _at_questions(client, alice, commit)
    retired = SecretQuestion.objects.create(text="Question retirée ?", is_active=False)
    ids = question_ids()
    response = client.post(url("first_use_questions"), questions_data(ids=[retired.pk, *ids[1:]]))
    assert response.status_code == 200
    assert flow_of(alice).current_step == "questions"


@pytest.mark.parametrize("answer", ["123", "aaa", "  A a a ", "abc", "oui", "x"])
def test_trivial_answers_are_refused(client, alice, commit, answer):
    _at_questions(client, alice, commit)
    response = client.post(
        url("first_use_questions"), questions_data((answer, "Rimouski", "Gabrielle"))
    )
    assert response.status_code == 200
    assert "Cette réponse est trop facile à deviner." in page(response)
    assert flow_of(alice).current_step == "questions"


PERSONAL_ANSWERS = {
    "matricule": "2026101",
    "first name": "alice",
    "last name": "TREMBLAY",
    "full name": "Alice Tremblay",
    "birthdate ISO": "2006-03-05",
    "birthdate JJ/MM/AAAA": "05/03/2006",
    "code permanent": "code permanent",  # replaced by Alice's own below
}


@pytest.mark.parametrize("case", list(PERSONAL_ANSWERS))
def test_answers_cannot_be_the_students_own_data(client, alice, commit, case):
    answer = alice.code_permanent.lower() if case == "code permanent" else PERSONAL_ANSWERS[case]
    _at_questions(client, alice, commit)
    response = client.post(
        url("first_use_questions"), questions_data(("Filou", answer, "Gabrielle"))
    )
    assert response.status_code == 200
    assert (
        "La réponse ne peut pas être votre numéro, votre nom, votre date de naissance ni votre "
        "code permanent." in page(response)
    )
    assert flow_of(alice).current_step == "questions"


def test_answers_are_normalised_and_stored_hashed(client, alice, commit):
    answers = ("  Filou ", "Trois-Rivières", "Gabrielle Roy")
    walk_first_use(client, alice, commit=commit, answers=answers)
    stored = list(SecretAnswer.objects.filter(user__identifier=alice.matricule))
    assert len(stored) == 3
    for secret, answer in zip(stored, answers, strict=True):
        assert secret.answer_hash.startswith("argon2")
        assert normalize_answer(answer) not in secret.answer_hash.casefold()
        assert answer.strip().casefold() not in secret.answer_hash.casefold()
        assert check_password(normalize_answer(answer), secret.answer_hash)
    # Case, accents and spaces do not count.
    assert check_password(normalize_answer("TROIS-RIVIERES"), stored[1].answer_hash)


# --- Password -------------------------------------------------------------------------------


def _at_password(client: Client, student: Student, commit: Commit) -> None:
    walk_first_use(client, student, commit=commit, until="accounts:first_use_password")


def test_passwords_must_match(client, alice, commit):
    _at_password(client, alice, commit)
    response = client.post(
        url("first_use_password"), {"password1": CSTJ_PASSWORD, "password2": CSTJ_PASSWORD + "x"}
    )
    assert response.status_code == 200
    assert "Les deux mots de passe ne correspondent pas." in page(response)
    assert not User.objects.filter(identifier=alice.matricule).exists()


CSTJ_BAD_PASSWORDS = {
    "Court-1": "Le mot de passe doit compter au moins 10 caractères.",
    "montagne-verte-88": "Le mot de passe doit contenir au moins 1 majuscule.",
    "Montagne-Verte": "Le mot de passe doit contenir au moins 1 chiffre.",
    "1234567890-!": "Le mot de passe doit contenir au moins 1 lettre.",
    "Tremblay-2026x": "Le mot de passe contient votre nom. Il ne doit pas contenir votre nom",
    "X2026101-montagne": "Le mot de passe contient votre matricule. Il ne doit pas contenir",
    "Password123": "Ce mot de passe est trop courant.",
}


@pytest.mark.parametrize("password", list(CSTJ_BAD_PASSWORDS))
def test_cstj_password_policy_messages(client, alice, commit, password):
    _at_password(client, alice, commit)
    response = client.post(
        url("first_use_password"), {"password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert CSTJ_BAD_PASSWORDS[password] in page(response)
    assert not User.objects.filter(identifier=alice.matricule).exists()
    assert flow_of(alice).current_step == "password"


THETFORD_BAD_PASSWORDS = {
    "soleil": "Le mot de passe doit se terminer par 4 chiffres.",
    "soleilé2026": "Seuls les chiffres (0 à 9) et les lettres non accentuées (a à z) sont permis.",
    "soleil-2026": "Seuls les chiffres (0 à 9) et les lettres non accentuées (a à z) sont permis.",
    "soleilsol2026": "Le mot de passe doit compter au plus 12 caractères.",
    "2026": "Le mot de passe doit compter au moins 5 caractères.",
}


@pytest.mark.parametrize("password", list(THETFORD_BAD_PASSWORDS))
def test_thetford_password_policy_messages(client, load_preset, commit, password):
    institution = load_preset("thetford")
    student = make_student(institution, first_name="Mathis", last_name="Roy", sex="M")
    _at_password(client, student, commit)
    response = client.post(
        url("first_use_password"), {"password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert THETFORD_BAD_PASSWORDS[password] in page(response)
    assert not User.objects.filter(identifier=student.matricule).exists()


def test_password_step_shows_the_policy(client, alice, commit):
    _at_password(client, alice, commit)
    response = client.get(url("first_use_password"))
    assert "de 10 à 128 caractères" in page(response)
    assert "au moins 1 majuscule" in page(response)


def test_no_secret_reaches_the_audit_log_or_an_email(client, alice, commit):
    answers = ("Pistache", "Chicoutimi", "Gabrielle")
    walk_first_use(client, alice, commit=commit, answers=answers)
    code = emailed_code()
    assert len(mail.outbox) == 1
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {
        "first_use.identity_verified",
        "first_use.code_verified",
        "first_use.questions_set",
        "first_use.completed",
    } <= kinds
    assert secrets_leak([CSTJ_PASSWORD, *answers, alice.code_permanent]) == []
    # The code is in the one email that carries it, never in the log.
    assert all(code not in str(e.details) for e in AuditEvent.objects.all())
