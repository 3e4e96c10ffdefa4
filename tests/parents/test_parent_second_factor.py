"""Parents and the second factor: the parents' login leads to the second step, the parents'
reset (email, secret question, link) leads to it too, and "Exigée" for parents sends a new
parent to the enrolment right after the password."""

import pyotp
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import TOTPDevice
from portal.models import Institution
from tests.accounts.test_first_use import logged_in_user, page
from tests.factories import enrol_totp
from tests.parents.factories import PARENT_ANSWER, PARENT_PASSWORD, make_parent
from tests.parents.test_parent_login import PARENT_HOME, parent_login
from tests.parents.test_parent_reset import NEW_PASSWORD, answer
from tests.parents.test_signup import ADZO, emailed_path

STEP = reverse("accounts:second_factor")
SETUP = reverse("accounts:second_factor_setup")


def test_the_parents_reset_leads_to_the_second_step(client, cepeo, commit):
    parent = make_parent(ADZO)
    secret = enrol_totp(parent)
    answer(client, ADZO, PARENT_ANSWER, commit=commit)
    link = emailed_path(mail.outbox[-1])
    form = client.get(client.get(link)["Location"])
    with commit():
        response = client.post(
            form.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert response["Location"] == STEP
    assert logged_in_user(client) is None
    assert client.get(PARENT_HOME)["Location"] == STEP
    response = client.post(STEP, {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == PARENT_HOME
    assert logged_in_user(client) == parent


def test_a_required_second_factor_for_parents_is_set_up_after_the_password(client, cepeo):
    Institution.objects.update(second_factor_parents="required")
    parent = make_parent(ADZO)
    response = parent_login(client, ADZO, PARENT_PASSWORD)
    assert response["Location"] == SETUP
    assert client.get(PARENT_HOME)["Location"] == SETUP
    assert "Votre établissement exige une double authentification" in page(client.get(SETUP))
    secret = TOTPDevice.objects.get(user=parent).secret
    client.post(SETUP, {"code": pyotp.TOTP(secret).now()})
    assert f'href="{PARENT_HOME}" data-continue' in page(
        client.get(reverse("accounts:recovery_codes"))
    )
    assert client.get(PARENT_HOME).status_code == 200


def test_parents_enrol_from_gestion_de_mon_compte(client, cepeo):
    parent = make_parent(ADZO)
    client.force_login(parent)
    text = page(client.get(reverse("accounts:profile")))
    assert "Gestion de mon compte" in text
    assert "Activer la double authentification" in text
    assert "Ajouter une clé d'accès" in text
    assert Client().get(SETUP)["Location"] == reverse("accounts:login")
