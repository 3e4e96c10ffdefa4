"""Dossier personnel: the student's own coordinates, validated for Canada, and audited."""

from django.urls import reverse

from portal.models import AuditEvent
from students.models import Student
from tests.accounts.test_login import student_login

URL = reverse("students:personal_file")


def test_the_student_sees_and_updates_their_coordinates(client, bob):
    student_login(client, "2026102")
    page = client.get(URL).content.decode()
    assert "Dossier personnel" in page and "2026102" in page
    response = client.post(
        URL,
        {
            "address": "12, rue des Érables, Saint-Jérôme",
            "postal_code": "j7z4v2",
            "phone": "1 (450) 555-0101",
            "phone_alt": "",
            "email": "pirate@evil.example",  # not a field here: ignored
        },
    )
    assert response.status_code == 302
    student = Student.objects.get(matricule="2026102")
    assert student.postal_code == "J7Z 4V2"
    assert student.phone == "450 555-0101"
    assert student.address == "12, rue des Érables, Saint-Jérôme"
    event = AuditEvent.objects.get(kind="students.contact_confirmed")
    # "j7z4v2" normalises to the code already on file: not a change.
    assert set(event.details["changed"]) == {"address", "phone"}
    # The email, where reset links go, changes only through Profil personnel.
    assert student.email != "pirate@evil.example"
    assert "Érables" not in str(event.details)  # names of fields, never their values


def test_bad_postal_code_and_phone_get_clear_french_errors_and_nothing_is_saved(client, bob):
    student_login(client, "2026102")
    before = Student.objects.get(matricule="2026102")
    response = client.post(
        URL,
        {"address": "1, rue X", "postal_code": "12345", "phone": "123", "email": "x@example.org"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le code postal doit avoir la forme A1A 1A1." in page
    assert "Le numéro de téléphone compte 10 chiffres" in page
    after = Student.objects.get(matricule="2026102")
    assert (after.postal_code, after.phone, after.address) == (
        before.postal_code,
        before.phone,
        before.address,
    )


def test_only_the_students_own_record_and_only_where_enabled(client, bob, charlie, institution):
    student_login(client, "2026102")
    assert "2026103" not in client.get(URL).content.decode()
    institution.enabled_modules = ["home"]
    institution.save()
    assert client.get(URL).status_code == 404
    home = client.get(reverse("portal:home")).content.decode()
    assert "Dossier personnel" in home and "présentement désactivé" in home


def test_staff_have_no_personal_file(admin_client, institution):
    assert admin_client.get(URL).status_code == 404
