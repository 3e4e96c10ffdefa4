"""Help for parents: "Contacter l'école" (the "Formulaire d'aide aux parents", sent to the
school's address and stored for staff) and the frequent questions."""

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from parents.models import HelpRequest
from portal.models import AuditEvent, Institution, School
from tests.factories import make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent

CONTACT = reverse("parents:contact")
FAQ = reverse("parents:faq")


def visible(response) -> str:
    """What the person reads: the body's text without tags, blanks collapsed."""
    body = response.content.decode().split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def school(institution: Institution, code: str) -> School:
    return institution.schools.get(code=code)


def form_data(institution: Institution, **fields: str) -> dict[str, str]:
    return {
        "parent_last_name": "Testtest",
        "parent_first_name": "Adzo",
        "email": "Adzo.Test@Example.com",
        "day_phone": "613-555-0101",
        "child_last_name": "Testtest",
        "child_first_name": "Kofi",
        "grade": "9e année",
        "school": str(school(institution, "de-la-salle").pk),
        "description": "Je ne reçois pas le courriel pour créer mon compte.",
        **fields,
    }


# --- The form -----------------------------------------------------------------------------------


def test_the_form_has_the_seeds_boxes_with_visible_labels(client, cepeo):
    response = client.get(CONTACT)

    assert response.status_code == 200
    text = visible(response)
    for words in (
        "Formulaire d'aide aux parents",
        "Votre information",
        "Information sur votre/un de vos enfant(s) au CEPEO",
        "Téléphone de jour",
        "Année d'étude",
        "École",
        "Description du problème",
        "Toutes les boîtes doivent être remplies avant l'envoi du formulaire.",
    ):
        assert words in text, words
    content = html.unescape(response.content.decode())
    for name in (
        "parent_last_name",
        "parent_first_name",
        "email",
        "day_phone",
        "child_last_name",
        "child_first_name",
        "grade",
        "school",
        "description",
    ):
        assert re.search(rf'<label[^>]+for="id_{name}"', content), name
    assert '<button type="submit" class="btn btn-primary">Envoyer le formulaire</button>' in content
    # The selects start on "Choisir"; the schools are the institution's.
    assert content.count('<option value="" selected>Choisir</option>') == 2
    assert ">Maternelle</option>" in content and ">12e année</option>" in content
    assert "École secondaire publique De La Salle" in content
    assert "<script" not in content.split("<body", 1)[1]  # no inline script


def test_every_box_is_required_with_its_own_message(client, cepeo, mailoutbox, commit):
    with commit():
        response = client.post(CONTACT, {})

    assert response.status_code == 200
    text = visible(response)
    for message in (
        "Entrez votre nom de famille.",
        "Entrez votre prénom.",
        "Entrez votre adresse courriel.",
        "Entrez un numéro de téléphone où vous joindre le jour.",
        "Entrez le nom de famille de l'enfant.",
        "Entrez le prénom de l'enfant.",
        "Choisissez l'année d'étude de l'enfant.",
        "Choisissez l'école de l'enfant.",
        "Décrivez le problème.",
    ):
        assert text.count(message) == 1, message
    assert not HelpRequest.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("name", ["parent_first_name", "day_phone", "school", "description"])
def test_one_missing_box_refuses_the_form(client, cepeo, mailoutbox, commit, name):
    with commit():
        response = client.post(CONTACT, form_data(cepeo, **{name: "  "}))
    assert response.status_code == 200
    assert not HelpRequest.objects.exists()
    assert mailoutbox == []


def test_a_phone_and_an_email_are_checked(client, cepeo):
    response = client.post(CONTACT, form_data(cepeo, day_phone="555-01", email="adzo@"))

    text = visible(response)
    assert "Le numéro de téléphone compte 10 chiffres, ex. : 514 555-0123." in text
    assert "Entrez une adresse courriel valide, ex. : nom@exemple.ca." in text
    assert not HelpRequest.objects.exists()


def test_a_school_of_another_institution_or_a_made_up_grade_is_refused(client, cepeo):
    response = client.post(CONTACT, form_data(cepeo, school="999999", grade="13e année"))

    text = visible(response)
    assert "Choisissez l'école de l'enfant dans la liste." in text
    assert "Choisissez l'année d'étude de l'enfant dans la liste." in text


# --- Sending ------------------------------------------------------------------------------------


def test_the_form_is_stored_and_emailed_to_the_schools_address(client, cepeo, mailoutbox, commit):
    with commit():
        response = client.post(CONTACT, form_data(cepeo))

    assert response.status_code == 302
    assert response["Location"] == CONTACT
    help_request = HelpRequest.objects.get()
    assert help_request.email == "adzo.test@example.com"
    assert help_request.day_phone == "613 555-0101"
    assert help_request.grade == "9e année"
    assert help_request.school.code == "de-la-salle"
    assert help_request.account is None
    assert help_request.answered_at is None

    [mail] = mailoutbox
    assert mail.to == ["de.la.salle@cepeo.example"]
    assert mail.reply_to == ["adzo.test@example.com"]  # "Répondre" reaches the parent
    assert "Formulaire d'aide aux parents" in mail.subject

    assert "Adzo Testtest" in mail.subject
    for detail in (
        "Testtest",
        "Adzo",
        "adzo.test@example.com",
        "613 555-0101",
        "Kofi",
        "9e année",
        "École secondaire publique De La Salle",
        "Je ne reçois pas le courriel pour créer mon compte.",
        f"/admin/parents/helprequest/{help_request.pk}/change/",
    ):
        assert detail in mail.body, detail

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PARENT_HELP_REQUESTED)
    assert event.identifier == "parent:adzo.test@example.com"
    assert event.details == {
        "help_request": help_request.pk,
        "school": "de-la-salle",
        "emailed_to": "de.la.salle@cepeo.example",
    }

    confirmation = client.get(CONTACT)
    assert (
        "Votre demande a été transmise à l'école. La secrétaire de l'école vous répondra dans "
        "les meilleurs délais." in visible(confirmation)
    )
    # Shown once: the next visit is the form again.
    assert "Envoyer le formulaire" in visible(client.get(CONTACT))


def test_a_school_without_an_address_sends_to_the_institutions(client, cepeo, mailoutbox, commit):
    School.objects.filter(code="de-la-salle").update(email="")

    with commit():
        client.post(CONTACT, form_data(cepeo))

    [mail] = mailoutbox
    assert mail.to == [cepeo.email] == ["portail.parents@cepeo.example"]
    assert HelpRequest.objects.count() == 1


def test_nothing_is_emailed_before_the_transaction_commits(client, cepeo, mailoutbox):
    client.post(CONTACT, form_data(cepeo))
    assert HelpRequest.objects.count() == 1
    assert mailoutbox == []


def test_too_many_forms_are_refused_and_nothing_is_stored_or_sent(
    client, cepeo, mailoutbox, commit
):
    limit = settings.PORTAL_RATE_LIMITS["parent_help"]["key"][0]
    for _n in range(limit):
        with commit():
            assert client.post(CONTACT, form_data(cepeo)).status_code == 302

    with commit():
        response = client.post(CONTACT, form_data(cepeo))

    assert response.status_code == 429
    assert "votre demande n'a pas été envoyée" in visible(response)
    assert HelpRequest.objects.count() == limit
    assert len(mailoutbox) == limit
    # Another parent on another computer is not held back by this one's limit.
    other = client.__class__(REMOTE_ADDR="192.0.2.44")
    with commit():
        response = other.post(CONTACT, form_data(cepeo, email="kwame.test@example.com"))
    assert response.status_code == 302


def test_the_form_is_prefilled_for_a_logged_in_parent(client, cepeo, mailoutbox, commit):
    child = make_student(cepeo, birthdate=birthday_years_ago(12))
    make_guardian(child, email="adzo.test@example.com", phone="613 555-0177")
    parent = make_parent("adzo.test@example.com")
    client.force_login(parent)

    content = html.unescape(client.get(CONTACT).content.decode())

    assert re.search(r'name="parent_last_name" value="Testtest"', content)
    assert re.search(r'name="parent_first_name" value="Adzo"', content)
    assert re.search(r'name="email" value="adzo.test@example.com"', content)
    assert re.search(r'name="day_phone" value="613 555-0177"', content)
    assert 'name="child_first_name" value=' not in content  # the child's boxes stay empty
    assert "Mes enfants" in content  # the parent's menu

    with commit():
        client.post(CONTACT, form_data(cepeo))
    assert HelpRequest.objects.get().account == parent
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PARENT_HELP_REQUESTED)
    assert (event.actor, event.subject) == (parent, parent)


def test_the_pages_are_not_there_without_the_parents_portal(client, load_preset):
    load_preset("thetford")
    assert client.get(CONTACT).status_code == 404
    assert client.get(FAQ).status_code == 404


# --- The frequent questions ---------------------------------------------------------------------

ANSWERS = [
    # 1: the same answer for every email; no email means another email is on file.
    "la réponse à l'écran est toujours la même, quelle que soit l'adresse entrée.",
    "l'adresse entrée n'est probablement pas celle qui est inscrite au dossier de votre enfant",
    # 2: details that do not match.
    "communiquez avec l'école pour faire mettre à jour le dossier de l'enfant",
    # 3: reset with the secret question, then a link; never a password by email.
    "cliquez sur le lien « Réinitialiser mon mot de passe »",
    "répondez à votre question secrète : un lien pour choisir un nouveau mot de passe",
    "le portail n'envoie jamais de mot de passe par courriel",
    # 4: one account sees every child whose file lists the email.
    "Non, un seul compte par parent.",
    "chacun de vos enfants dont le dossier à l'école inscrit votre adresse courriel",
    "Remplissez le formulaire « Contacter l'école »",
    # And: links valid 24 hours, the access ends at 18.
    "est valide 24 heures",
    "prend fin quand l'enfant atteint 18 ans, sauf si son dossier à l'école permet de le maintenir",
]


def test_the_frequent_questions_answer_for_this_portal(client, cepeo):
    response = client.get(FAQ)

    assert response.status_code == 200
    text = visible(response)
    for answer in ANSWERS:
        assert answer in text, answer
    for number in range(1, 5):
        assert f"Question {number} :" in text
    # Never the seed's message, which tells anyone whose email is on file.
    assert "n'existe pas dans nos contacts" not in text
    content = response.content.decode()
    for name in ("login", "signup", "reset", "contact"):
        assert f'href="{reverse(f"parents:{name}")}"' in content, name


def test_the_age_in_the_answer_is_the_institutions(client, cepeo):
    Institution.objects.update(parent_access_until_age=21)
    assert "atteint 21 ans" in visible(client.get(FAQ))
    Institution.objects.update(parent_access_until_age=None)
    assert "prend fin quand l'enfant atteint" not in visible(client.get(FAQ))


@pytest.fixture
def back_to_french():
    """A request in English leaves English active in the thread: the next tests start in
    French."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_pages_are_in_english_too(client, cepeo, back_to_french):
    """Every answer and label goes through gettext and the English catalogue covers them: in
    English, none of the French wording is left."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    faq = html.unescape(client.get(FAQ).content.decode())
    contact = html.unescape(client.get(CONTACT).content.decode())

    assert 'lang="en"' in faq
    for answer in ANSWERS:
        assert answer not in faq, answer
    for label in ("Formulaire d'aide aux parents", "Téléphone de jour", "Envoyer le formulaire"):
        assert label not in contact, label
    assert "Contact the school" in contact


def test_a_too_long_email_is_a_form_error_and_nothing_is_stored(client, cepeo):
    email = "a" * 250 + "@example.com"
    response = client.post(CONTACT, form_data(cepeo, email=email))
    assert response.status_code == 200
    assert not HelpRequest.objects.exists()


def test_the_plain_text_email_is_not_html_escaped(client, cepeo, mailoutbox, commit):
    with commit():
        client.post(CONTACT, form_data(cepeo, description="Je n'arrive pas à l'ouvrir <vite>."))
    [mail] = mailoutbox
    assert "Je n'arrive pas à l'ouvrir <vite>." in mail.body
    assert "&#x27;" not in mail.body + mail.subject
