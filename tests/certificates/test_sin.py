"""The NAS: validated (python-stdnum), encrypted at rest (Fernet, keys from the environment),
masked everywhere, never in a log; revealed in the admin only with the permission, and then
seen by the student in "Qui a consulté mon dossier"; refused without a key."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from certificates.models import TaxProfile
from certificates.sin import sin_decrypt
from portal.models import AuditEvent
from students.models import RecordAccess
from tests.certificates.conftest import text
from tests.conftest import PASSWORD

URL = reverse("certificates:tax_slips")
SIN = "130 692 544"
DIGITS = "130692544"
KEY = Fernet.generate_key().decode()


@pytest.fixture
def key(settings):
    settings.PORTAL_FIELD_KEYS = [KEY]
    return KEY


def raw_column() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sin_encrypted, sin_last3 FROM certificates_taxprofile")
        return [" ".join(row) for row in cursor.fetchall()]


def test_the_nas_is_stored_encrypted_and_shown_masked(bob_client, bob_record, key, caplog):
    caplog.set_level(logging.DEBUG)
    response = bob_client.post(
        URL, {"quebec_resident": "on", "sin": SIN, "current_password": PASSWORD}
    )
    assert response.status_code == 302
    profile = TaxProfile.objects.get(student=bob_record)
    assert profile.quebec_resident and profile.sin_last3 == "544"
    assert sin_decrypt(profile.sin_encrypted) == DIGITS
    for raw in raw_column():
        assert DIGITS not in raw and "692" not in raw.replace("544", "")
    page = text(bob_client.get(URL))
    assert "*** *** 544" in page and DIGITS not in page and "130 692" not in page
    event = AuditEvent.objects.get(kind="tax.profile_updated")
    assert event.details == {"changed": ["sin", "quebec_resident"]}
    assert DIGITS not in caplog.text and "130 692" not in caplog.text


def test_an_invalid_nas_gets_a_french_message_and_is_not_echoed(bob_client, key):
    response = bob_client.post(URL, {"sin": "130 692 545", "current_password": PASSWORD})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce numéro d'assurance sociale n'est pas valide." in text(response)
    assert "130 692 545" not in page
    assert not TaxProfile.objects.exclude(sin_encrypted="").exists()


def test_without_a_key_the_portal_refuses_and_says_why(bob_client, settings):
    settings.PORTAL_FIELD_KEYS = []
    page = text(bob_client.get(URL))
    assert "la clé de chiffrement n'est pas configurée" in page
    response = bob_client.post(
        URL, {"quebec_resident": "on", "sin": SIN, "current_password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Rien n'a été enregistré" in text(response)
    assert not TaxProfile.objects.exists()
    assert DIGITS not in " ".join(raw_column())


def test_keys_rotate_with_the_command(bob_client, bob_record, key, settings):
    bob_client.post(URL, {"sin": SIN, "current_password": PASSWORD})
    old_token = TaxProfile.objects.get().sin_encrypted
    new_key = Fernet.generate_key().decode()
    settings.PORTAL_FIELD_KEYS = [new_key, KEY]
    call_command("reencrypt_sin")
    token = TaxProfile.objects.get().sin_encrypted
    assert token != old_token
    settings.PORTAL_FIELD_KEYS = [new_key]  # the old key is gone: still readable
    assert sin_decrypt(token) == DIGITS


def test_the_admin_masks_and_reveals_only_with_the_permission(bob_client, bob_record, key):
    bob_client.post(URL, {"quebec_resident": "on", "sin": SIN, "current_password": PASSWORD})
    profile = TaxProfile.objects.get()
    staff = User.objects.create_user(
        "commis",
        password="Commis-Registrariat-2026",
        is_staff=True,
        first_name="Carole",
        last_name="Commis",
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_taxprofile"))
    admin = Client()
    admin.force_login(staff)
    listing = admin.get(reverse("admin:certificates_taxprofile_changelist")).content.decode()
    change = admin.get(reverse("admin:certificates_taxprofile_change", args=[profile.pk]))
    for html in (listing, change.content.decode()):
        assert "*** *** 544" in html and DIGITS not in html and "130 692" not in html
    reveal = reverse("admin:certificates_taxprofile_reveal", args=[profile.pk])
    assert admin.post(reveal).status_code == 403
    assert not RecordAccess.objects.filter(what="sin").exists()

    staff.user_permissions.add(Permission.objects.get(codename="reveal_sin"))
    admin = Client()
    admin.force_login(User.objects.get(pk=staff.pk))
    assert DIGITS not in admin.get(reveal).content.decode()  # a confirmation first
    shown = admin.post(reveal)
    assert "130 692 544" in shown.content.decode()
    assert "no-store" in shown["Cache-Control"] or "max-age=0" in shown["Cache-Control"]
    access = RecordAccess.objects.get(what="sin")
    assert access.student == bob_record and access.staff == staff
    # The student sees who looked, in Profil personnel.
    profile_page = text(bob_client.get(reverse("accounts:profile")))
    assert "Numéro d'assurance sociale" in profile_page and "Carole Commis" in profile_page


def test_the_password_is_typed_again(bob_client, key):
    response = bob_client.post(URL, {"sin": SIN, "current_password": "pas-le-bon"})
    assert response.status_code == 200
    assert "Votre mot de passe actuel n'est pas le bon." in text(response)
    assert not TaxProfile.objects.exists()
