"""The registrar's side: presets, the demo, and the admin pages a registrar uses."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from portal.models import Institution, School
from portal.presets import PRESET_NAMES
from students.models import Student
from tests.factories import activate, make_student


@pytest.fixture
def registrar(db):
    return User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_load_institution_loads_each_preset(db, preset, capsys):
    call_command("load_institution", preset)
    institution = Institution.objects.get()
    assert institution.preset == preset
    assert institution.schools.filter(is_main=True).count() == 1
    assert "loaded" in capsys.readouterr().out


def test_switching_preset_keeps_one_institution_and_schools_with_records(db):
    call_command("load_institution", "cstj")
    institution = Institution.objects.get()
    make_student(institution)
    call_command("load_institution", "caomsc")
    institution = Institution.objects.get()
    assert institution.identifier_length == 5
    assert institution.secret_question_count == 0
    # The cstj school that holds a student is still there, no longer the main one.
    assert School.objects.get(code="cstj").is_main is False
    assert School.objects.get(code="caomsc").is_main is True


def test_demo_prints_people_and_can_run_twice(db, capsys):
    call_command("demo")
    first = capsys.readouterr().out
    assert "2026003" in first and "registraire" in first
    count = Student.objects.count()
    call_command("demo")
    # accounts.demo's 20 students, and the parents' demo children (parents.demo).
    assert Student.objects.count() == count == 22
    names = set(Student.objects.values_list("last_name", flat=True))
    assert {"D'Amour", "Gagnon-Roy", "McDonald", "MacIntyre", "Ng", "Côté"} <= names
    activated = Student.objects.filter(user__isnull=False).count()
    assert 0 < activated < 20


def test_demo_accounts_log_in(client, db):
    call_command("demo")
    response = client.post(
        reverse("accounts:login"),
        {"student-identifier": "2026001", "student-password": "Portail-Demo-2026"},
    )
    assert response.status_code == 302
    assert "Bienvenue, Éloïse" in client.get(reverse("portal:home")).content.decode()


def test_registrar_edits_institution_rules_in_admin(client, registrar, institution):
    client.force_login(registrar)
    url = reverse("admin:portal_institution_change", args=[institution.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Politique de mot de passe" in page.content.decode()
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in {"enabled_modules", "preset"}
    }
    data.update(
        {
            "password_min_length": 14,
            "enabled_modules": ["home", "profile"],
            "schools-TOTAL_FORMS": 0,
            "schools-INITIAL_FORMS": 0,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    institution.refresh_from_db()
    assert institution.password_min_length == 14
    assert institution.enabled_modules == ["home", "profile"]


def test_admin_refuses_inconsistent_password_policy(institution):
    institution.password_min_length = 20
    institution.password_max_length = 12
    with pytest.raises(ValidationError, match="longueur maximale"):
        institution.full_clean()


def test_registrar_sees_who_has_activated(client, registrar, institution):
    waiting = make_student(institution, last_name="Attente", first_name="Paul")
    done = make_student(institution, last_name="Active", first_name="Julie")
    activate(done, password="Montagne-Verte-88")
    client.force_login(registrar)
    url = reverse("admin:students_student_changelist")
    activated = client.get(url, {"activated": "yes"}).content.decode()
    not_activated = client.get(url, {"activated": "no"}).content.decode()
    assert done.matricule in activated and waiting.matricule not in activated
    assert waiting.matricule in not_activated and done.matricule not in not_activated


def test_admin_pages_load(client, registrar, institution, bob):
    client.force_login(registrar)
    for name in [
        "admin:index",
        "admin:accounts_user_changelist",
        "admin:accounts_secretquestion_changelist",
        "admin:portal_auditevent_changelist",
        "admin:students_employee_changelist",
        "admin:students_program_changelist",
    ]:
        assert client.get(reverse(name)).status_code == 200, name


def test_audit_log_is_read_only(client, registrar, institution):
    client.force_login(registrar)
    assert client.get(reverse("admin:portal_auditevent_add")).status_code == 403


def test_secret_answers_are_not_shown_in_admin(client, registrar, bob):
    client.force_login(registrar)
    page = client.get(reverse("admin:accounts_user_change", args=[bob.pk])).content.decode()
    assert "answer_hash" not in page
    assert "Filou" not in page
    assert bob.secret_answers.first().answer_hash not in page


def test_home_greys_disabled_and_unbuilt_modules(client, institution, bob):
    institution.enabled_modules = ["home"]
    institution.save()
    client.force_login(bob)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Centre de paiement" in page
    assert "présentement désactivé" in page
    assert 'href="/accueil/"' in page
