"""Profil personnel through HTTP: password, secret questions and email changes, the user's
sessions and their own security events. Charlie never sees anything of Bob's."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecretAnswer, User, UserSession
from portal.models import AuditEvent
from portal.modules import ALL_MODULE_SLUGS
from portal.normalize import normalize_answer
from students.models import Student
from tests.accounts.test_first_use import page, question_ids, secrets_leak, url
from tests.accounts.test_login import UNIFORM_ERROR, student_login
from tests.conftest import PASSWORD
from tests.factories import activate

HOME = reverse("portal:home")
LOGIN = reverse("accounts:login")
PROFILE = url("profile")
NEW_PASSWORD = "Riviere-Bleue-2027"
WRONG = "Mauvais-Mot-2026"

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1"


def logged_in_client(identifier: str, *, ua: str = FIREFOX, ip: str = "203.0.113.10") -> Client:
    """A browser of its own (device and address on every request), logged in as the student."""
    client = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    response = student_login(client, identifier)
    assert response.status_code == 302, page(response)
    return client


def is_logged_in(client: Client) -> bool:
    response = client.get(HOME)
    if response.status_code == 302:
        assert response["Location"].startswith(LOGIN)
        return False
    assert response.status_code == 200
    return True


def sessions_section(response) -> str:
    text = page(response)
    return text[text.index("Mes sessions ouvertes") : text.index("Activité récente")]


def events_section(response) -> str:
    text = page(response)
    return text[text.index("Activité récente") :]


def table_rows(html: str) -> list[str]:
    return [row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "<td" in row]


def emailed_link(message, base_url: str = "") -> str:
    """The path of the portal link in an email, checked to start with the canonical address."""
    base_url = base_url or settings.PORTAL_BASE_URL
    found = re.search(r"(https?://\S+)", message.body).group(1)
    assert found.startswith(base_url + "/"), found
    return found[len(base_url) :]


@pytest.fixture
def alice_active(alice: Student) -> User:
    """Alice after her first use: unlike Bob, she has an email on file."""
    return activate(alice, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))


# --- The page and its menu entry ------------------------------------------------------------


def test_home_menu_leads_to_the_profile(bob):
    client = logged_in_client("2026102")
    home = page(client.get(HOME))
    assert f'href="{PROFILE}">Profil personnel</a>' in home

    response = client.get(PROFILE)
    assert response.status_code == 200
    text = page(response)
    for label in (
        "Profil personnel",
        "Modification de mot de passe",
        "Questions en cas d'oubli de mot de passe",
        "Modification du courriel",
        "Aucun courriel au dossier",
        "Mes sessions ouvertes",
        "Fermer mes autres sessions",
        "Activité récente de mon compte",
    ):
        assert label in text, label


def test_profile_pages_need_a_login(client, bob):
    for name in ("profile", "password_change", "questions_change", "email_change"):
        response = client.get(url(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(LOGIN)
    response = client.post(url("sessions_end_others"))
    assert response["Location"].startswith(LOGIN)


def test_a_disabled_profile_module_is_a_404_and_greyed_in_the_menu(bob, institution):
    institution.enabled_modules = [slug for slug in ALL_MODULE_SLUGS if slug != "profile"]
    institution.save(update_fields=["enabled_modules"])
    client = logged_in_client("2026102")

    for name in ("profile", "password_change", "questions_change", "email_change"):
        assert client.get(url(name)).status_code == 404, name
    response = client.post(
        url("password_change"),
        {"current_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    assert check_password(PASSWORD, User.objects.get(pk=bob.pk).password)

    home = page(client.get(HOME))
    assert f'href="{PROFILE}"' not in home
    entry = home[home.index("Profil personnel") :][:200]
    assert "présentement désactivé" in entry


# --- Password -------------------------------------------------------------------------------


def test_password_change_refuses_a_wrong_current_password(bob):
    client = logged_in_client("2026102")
    response = client.post(
        url("password_change"),
        {"current_password": WRONG, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Votre mot de passe actuel n'est pas le bon." in page(response)
    bob.refresh_from_db()
    assert check_password(PASSWORD, bob.password)
    assert not AuditEvent.objects.filter(kind="password.changed").exists()
    assert is_logged_in(client)


def test_the_new_password_follows_the_institutions_policy(bob):
    client = logged_in_client("2026102")
    response = client.get(url("password_change"))
    assert "Mot de passe actuel" in page(response)
    for weak in ("Court-1", "sansmajuscule42", "Bob-Gagnon-2026"):
        response = client.post(
            url("password_change"),
            {"current_password": PASSWORD, "password1": weak, "password2": weak},
        )
        assert response.status_code == 200, weak
        assert response.context["form"].errors.get("password1"), weak
    response = client.post(
        url("password_change"),
        {"current_password": PASSWORD, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "Choisissez un mot de passe différent de l'actuel." in page(response)
    bob.refresh_from_db()
    assert check_password(PASSWORD, bob.password)


def test_password_change_keeps_this_browser_and_ends_the_others(bob, commit):
    laptop = logged_in_client("2026102", ua=FIREFOX, ip="203.0.113.10")
    phone = logged_in_client("2026102", ua=IPHONE, ip="198.51.100.7")
    assert UserSession.objects.filter(user=bob).count() == 2
    old_key = laptop.session.session_key

    with commit():
        response = laptop.post(
            url("password_change"),
            {"current_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    text = page(laptop.get(PROFILE))
    assert "Votre mot de passe a été modifié. Vos autres sessions ont été fermées." in text

    # This browser is still in, under a new session key; the phone is out.
    assert is_logged_in(laptop)
    assert laptop.session.session_key != old_key
    assert list(UserSession.objects.filter(user=bob).values_list("session_key", flat=True)) == [
        laptop.session.session_key
    ]
    assert not is_logged_in(phone)

    assert UNIFORM_ERROR in page(student_login(Client(), "2026102", PASSWORD))
    assert student_login(Client(), "2026102", NEW_PASSWORD).status_code == 302

    event = AuditEvent.objects.get(kind="password.changed")
    assert event.subject == bob
    assert event.actor == bob
    assert event.ip_address == "203.0.113.10"
    # Bob has no email on file: nothing to send.
    assert mail.outbox == []
    assert secrets_leak([PASSWORD, NEW_PASSWORD]) == []


def test_password_change_is_told_to_the_email_on_file(alice_active, commit):
    client = logged_in_client(alice_active.identifier, ip="203.0.113.44")
    with commit():
        client.post(
            url("password_change"),
            {"current_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@etudiant.example"]
    assert "Bonjour Alice" in message.body
    assert "203.0.113.44" in message.body
    assert secrets_leak([PASSWORD, NEW_PASSWORD]) == []


# --- Secret questions -----------------------------------------------------------------------


def recovery_answers(client: Client, identifier: str, answers: dict[str, str]):
    """ "Oublié votre mot de passe ?" as a logged-out student: number, then the questions,
    answered by question text."""
    client.post(
        url("recovery"), {"identifier": identifier, "captcha_0": "x", "captcha_1": "PASSED"}
    )
    form = client.get(url("recovery_questions")).context["form"]
    data = {}
    for name, field in form.fields.items():
        data[name] = answers.get(str(field.label), "")
    return client.post(url("recovery_questions"), data)


def test_questions_change_needs_the_password_and_new_answers_work_for_recovery(bob):
    client = logged_in_client("2026102")
    before = sorted(SecretAnswer.objects.filter(user=bob).values_list("answer_hash", flat=True))
    new_ids = question_ids(6)[3:]
    data = {}
    new_answers = ("Érable Rouge", "Saint-Sauveur", "Marguerite")
    for i, (pk, answer) in enumerate(zip(new_ids, new_answers, strict=True), start=1):
        data[f"question_{i}"] = pk
        data[f"answer_{i}"] = answer

    response = client.get(url("questions_change"))
    assert response.status_code == 200
    assert "Mot de passe actuel" in page(response)
    response = client.post(url("questions_change"), {**data, "current_password": WRONG})
    assert "Votre mot de passe actuel n'est pas le bon." in page(response)
    assert (
        sorted(SecretAnswer.objects.filter(user=bob).values_list("answer_hash", flat=True))
        == before
    )

    response = client.post(url("questions_change"), {**data, "current_password": PASSWORD})
    assert response["Location"] == PROFILE
    assert "Vos questions en cas d'oubli de mot de passe ont été modifiées." in page(
        client.get(PROFILE)
    )
    stored = list(SecretAnswer.objects.filter(user=bob).order_by("position"))
    assert [answer.question_id for answer in stored] == new_ids
    assert not set(before) & {answer.answer_hash for answer in stored}
    # Hashed, never kept in clear.
    assert all(answer.answer_hash.startswith("argon2") for answer in stored)
    assert check_password(normalize_answer("Érable Rouge"), stored[0].answer_hash)
    event = AuditEvent.objects.get(kind="questions.changed")
    assert event.subject == bob
    assert secrets_leak(list(new_answers)) == []

    # The old answers no longer open recovery; the new ones do, in another case, unaccented.
    questions = {answer.question.text: answer for answer in stored}
    texts = list(questions)
    old = recovery_answers(
        Client(), "2026102", dict(zip(texts, ("Filou", "Rimouski", "Gabrielle"), strict=True))
    )
    assert "Les réponses ne correspondent pas" in page(old)
    response = recovery_answers(
        Client(),
        "2026102",
        dict(zip(texts, ("erable rouge", "SAINT-SAUVEUR", "marguerite"), strict=True)),
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/reinitialiser/")


def test_questions_change_keeps_the_first_use_rules(bob):
    client = logged_in_client("2026102")
    ids = question_ids(3)
    data = {"current_password": PASSWORD}
    for i, answer in enumerate(("Filou", "Filou", "Gagnon"), start=1):
        data[f"question_{i}"] = ids[0] if i < 3 else ids[1]
        data[f"answer_{i}"] = answer
    response = client.post(url("questions_change"), data)
    text = page(response)
    assert "Choisissez des questions différentes." in text
    assert "Donnez une réponse différente à chaque question." in text
    assert "La réponse ne peut pas être votre numéro, votre nom" in text
    assert not AuditEvent.objects.filter(kind="questions.changed").exists()


# --- Email ----------------------------------------------------------------------------------


def email_change(client: Client, email: str, password: str = PASSWORD):
    return client.post(
        url("email_change"),
        {"current_password": password, "email": email, "email_confirm": email},
    )


def test_email_change_needs_the_password(bob, commit):
    client = logged_in_client("2026102")
    response = client.get(url("email_change"))
    assert "Nouveau courriel" in page(response)
    with commit():
        response = email_change(client, "bob@nouveau.example", password=WRONG)
    assert "Votre mot de passe actuel n'est pas le bon." in page(response)
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(kind="email.change_requested").exists()


def test_email_change_is_verified_by_a_link_to_the_new_address(alice_active, commit):
    client = logged_in_client(alice_active.identifier)
    with commit():
        response = email_change(client, "alice@nouveau.example")
    assert response["Location"] == PROFILE
    assert "Un lien de confirmation a été envoyé à votre nouvelle adresse." in page(
        client.get(PROFILE)
    )

    verify, notice = sorted(mail.outbox, key=lambda m: m.to != ["alice@nouveau.example"])
    assert verify.to == ["alice@nouveau.example"]
    assert notice.to == ["alice@etudiant.example"]
    assert "alice@nouveau.example" in notice.body
    assert "/profil/courriel/confirmer/" not in notice.body  # the old address gets no link
    link = emailed_link(verify)
    assert AuditEvent.objects.get(kind="email.change_requested").subject == alice_active

    # Nothing changes until the link is followed.
    alice_active.refresh_from_db()
    assert alice_active.email == "alice@etudiant.example"
    assert Student.objects.get(user=alice_active).email == "alice@etudiant.example"

    # Followed from any browser, logged in or not.
    anonymous = Client()
    response = anonymous.get(link, follow=True)
    assert response.status_code == 200
    assert "Votre courriel a été modifié" in page(response)
    alice_active.refresh_from_db()
    assert alice_active.email == "alice@nouveau.example"
    assert Student.objects.get(user=alice_active).email == "alice@nouveau.example"
    event = AuditEvent.objects.get(kind="email.changed")
    assert event.subject == alice_active
    assert "alice@nouveau.example" in page(client.get(PROFILE))

    # Single use.
    response = anonymous.get(link, follow=True)
    assert "Ce lien n'est plus valide" in page(response)
    assert AuditEvent.objects.filter(kind="email.changed").count() == 1


def test_email_change_without_an_email_on_file_and_forged_links(bob, commit):
    client = logged_in_client("2026102")
    with commit():
        email_change(client, "bob@nouveau.example")
    assert [message.to for message in mail.outbox] == [["bob@nouveau.example"]]
    link = emailed_link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]

    for forged in (
        "forged-token",
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        token.replace(":", ":x", 1),
    ):
        response = Client().get(
            reverse("accounts:email_confirm", kwargs={"token": forged}), follow=True
        )
        assert response.status_code == 200
        assert "Ce lien n'est plus valide" in page(response), forged
    bob.refresh_from_db()
    assert bob.email == ""
    assert not AuditEvent.objects.filter(kind="email.changed").exists()

    assert "Votre courriel a été modifié" in page(client.get(link, follow=True))
    bob.refresh_from_db()
    assert bob.email == "bob@nouveau.example"
    assert Student.objects.get(user=bob).email == "bob@nouveau.example"
    assert "Ce lien n'est plus valide" in page(client.get(link, follow=True))


def test_an_older_email_link_dies_when_a_newer_one_is_used(alice_active, commit):
    client = logged_in_client(alice_active.identifier)
    with commit():
        email_change(client, "premiere@nouveau.example")
        email_change(client, "seconde@nouveau.example")
    first = emailed_link(next(m for m in mail.outbox if m.to == ["premiere@nouveau.example"]))
    second = emailed_link(next(m for m in mail.outbox if m.to == ["seconde@nouveau.example"]))
    assert "Votre courriel a été modifié" in page(Client().get(second, follow=True))
    assert "Ce lien n'est plus valide" in page(Client().get(first, follow=True))
    alice_active.refresh_from_db()
    assert alice_active.email == "seconde@nouveau.example"


# --- Sessions -------------------------------------------------------------------------------


def test_the_sessions_table_shows_device_address_and_this_session(bob):
    logged_in_client("2026102", ua=IPHONE, ip="198.51.100.7")
    laptop = logged_in_client("2026102", ua=FIREFOX, ip="203.0.113.10")

    rows = table_rows(sessions_section(laptop.get(PROFILE)))
    assert len(rows) == 2
    by_device = {("iPhone" if "iPhone" in row else "Firefox"): row for row in rows}
    assert "198.51.100.7" in by_device["iPhone"]
    assert "203.0.113.10" in by_device["Firefox"]
    assert "cette session" in by_device["Firefox"]
    assert "cette session" not in by_device["iPhone"]

    session = UserSession.objects.get(session_key=laptop.session.session_key)
    assert session.user == bob
    assert session.ip_address == "203.0.113.10"
    assert session.user_agent == FIREFOX


def test_close_my_other_sessions_ends_only_the_others(bob, charlie):
    laptop = logged_in_client("2026102", ua=FIREFOX)
    phone = logged_in_client("2026102", ua=IPHONE, ip="198.51.100.7")
    tablet = logged_in_client("2026102", ua="Tablette", ip="198.51.100.8")
    charlies = logged_in_client("2026103")

    response = laptop.post(url("sessions_end_others"))
    assert response["Location"] == PROFILE
    text = page(laptop.get(PROFILE))
    assert "Vos autres sessions ont été fermées." in text
    assert len(table_rows(sessions_section(laptop.get(PROFILE)))) == 1

    assert is_logged_in(laptop)
    assert not is_logged_in(phone)
    assert not is_logged_in(tablet)
    assert is_logged_in(charlies)
    assert UserSession.objects.filter(user=bob).count() == 1
    assert UserSession.objects.filter(user=charlie).count() == 1
    event = AuditEvent.objects.get(kind="sessions.ended")
    assert event.subject == bob
    assert event.details == {"count": 2}

    laptop.post(url("sessions_end_others"))
    assert "Aucune autre session n'était ouverte." in page(laptop.get(PROFILE))
    assert AuditEvent.objects.filter(kind="sessions.ended").count() == 1


def test_close_my_other_sessions_is_post_only(bob):
    client = logged_in_client("2026102")
    assert client.get(url("sessions_end_others")).status_code == 405


# --- Security events ------------------------------------------------------------------------


def test_recent_events_show_my_logins_failures_and_changes(bob, charlie):
    # Someone tries Bob's number from elsewhere; Charlie's account has its own story.
    student_login(Client(REMOTE_ADDR="198.51.100.66"), "2026102", WRONG)
    logged_in_client("2026103", ip="192.0.2.77")
    student_login(Client(REMOTE_ADDR="192.0.2.78"), "2026103", WRONG)

    client = logged_in_client("2026102", ip="203.0.113.10")
    client.post(
        url("password_change"),
        {"current_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    events = events_section(client.get(PROFILE))
    rows = table_rows(events)
    assert len(rows) == 4
    assert "Mot de passe modifié" in rows[0]
    # The login came from a browser the account had not seen: that is an event of its own.
    assert "Connexion depuis un nouvel appareil" in rows[1]
    assert "Connexion réussie" in rows[2]
    assert "203.0.113.10" in rows[2]
    assert "Connexion refusée" in rows[3]
    assert "198.51.100.66" in rows[3]
    # Never Charlie's logins or failures.
    assert "192.0.2.77" not in events
    assert "192.0.2.78" not in events


def test_charlie_never_sees_bobs_sessions_or_events(bob, charlie):
    bobs = logged_in_client("2026102", ua="Navigateur-de-Bob", ip="203.0.113.10")
    student_login(Client(REMOTE_ADDR="198.51.100.66"), "2026102", WRONG)
    bobs.post(url("sessions_end_others"))

    charlies = logged_in_client("2026103", ua="Navigateur-de-Charlie", ip="192.0.2.77")
    text = page(charlies.get(PROFILE))
    assert "192.0.2.77" in text  # his own session (devices are named in words)
    for bobs_trace in ("Navigateur-de-Bob", "203.0.113.10", "198.51.100.66"):
        assert bobs_trace not in text, bobs_trace
    assert "Connexion refusée" not in text
    assert "Autres sessions fermées" not in text
    shown = {event.pk for event in charlies.get(PROFILE).context["events"]}
    mine = AuditEvent.objects.filter(subject=charlie) | AuditEvent.objects.filter(
        identifier="student:2026103", subject__isnull=True
    )
    assert shown <= set(mine.values_list("pk", flat=True))

    # Charlie ending "his other sessions" never touches Bob's.
    charlies.post(url("sessions_end_others"))
    assert is_logged_in(bobs)


def test_sessions_that_can_no_longer_be_used_are_not_listed(bob, institution):
    laptop = logged_in_client("2026102", ua=FIREFOX)
    phone = logged_in_client("2026102", ua=IPHONE, ip="198.51.100.7")
    tablet = logged_in_client("2026102", ua="Tablette", ip="198.51.100.8")
    now = timezone.now()
    # The phone's session passed Django's own expiry date; the tablet has been idle for longer
    # than the institution allows: both are refused at their next request.
    UserSession.objects.filter(session_key=phone.session.session_key).update(
        expire_date=now - datetime.timedelta(seconds=1)
    )
    idle = institution.session_idle_minutes + 2
    session = tablet.session
    session["_portal_seen"] -= idle * 60
    session.save()
    UserSession.objects.filter(session_key=session.session_key).update(
        last_seen=now - datetime.timedelta(minutes=idle)
    )

    rows = table_rows(sessions_section(laptop.get(PROFILE)))
    assert len(rows) == 1
    assert "Firefox sur Linux" in rows[0]
    assert "cette session" in rows[0]


def test_the_password_typed_again_is_throttled_like_a_login(client, bob):
    """A session left open is no way to guess the password: wrong re-entries count as failed
    logins, and the lockout then refuses even the right one."""
    student_login(client, "2026102")
    change = url("password_change")
    new = {"password1": "Autre-Secret-2026x", "password2": "Autre-Secret-2026x"}
    for _attempt in range(5):
        response = client.post(change, {"current_password": "pas-le-bon", **new})
        assert response.status_code == 200
    response = client.post(change, {"current_password": PASSWORD, **new})
    assert "Trop de tentatives infructueuses" in page(response)
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)
    assert AuditEvent.objects.filter(kind="login.failed", subject=bob).count() == 5
