"""MIO in a real browser: a student writes to her teacher, the teacher logs in with the
employee form and replies, the student finds the reply unread in her inbox and reads it."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from messaging.models import Message
from portal.models import Institution
from students.models import Student
from tests.conftest import PASSWORD
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in
from tests.factories import activate, make_employee, make_student, totp_code
from tests.students.factories_courses import enrol, make_course, make_section, make_term

LOGIN = "Matricule (7 chiffres)"


@pytest.fixture
def student(institution: Institution) -> Student:
    record = make_student(
        institution, matricule="2026160", last_name="Lavoie", first_name="Léa", sex="F"
    )
    activate(record, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))
    return record


@pytest.fixture
def teacher(institution: Institution, student: Student) -> User:
    employee = make_employee(
        institution, employee_number="50200", first_name="Isabelle", last_name="Bergeron"
    )
    user = activate(employee, password=PASSWORD)
    section = make_section(make_term(current=True), make_course(), teacher=employee)
    enrol(student, section)
    return user


def log_in_employee(page: Page, number: str) -> None:
    employees = page.get_by_role("region", name="Employés")
    employees.get_by_label("No d'employé").fill(number)
    employees.get_by_label("Mot de passe").fill(PASSWORD)
    employees.get_by_role("button", name="Se connecter").click()
    # Employees have a second factor (every preset requires it): the app's code.
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    user = User.objects.get(audience=User.Audience.EMPLOYEE, identifier=number)
    page.get_by_label("Code à 6 chiffres ou code de récupération").fill(totp_code(user))
    page.get_by_role("button", name="Valider").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Quitter").click()


def test_student_writes_teacher_replies_student_reads(
    page: Page, student: Student, teacher: User, console_errors: list[str]
) -> None:
    page.goto("/")
    log_in(page, label=LOGIN, number=student.matricule, password=PASSWORD)
    page.goto("/mio/ecrire/")
    page.get_by_label("Destinataire").select_option(label="Isabelle Bergeron")
    page.get_by_label("Objet").fill("Remise du laboratoire 2")
    page.get_by_label("Message").fill("Puis-je remettre le laboratoire lundi?")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Message envoyé à 1 destinataire(s).")).to_be_visible()
    expect(page.get_by_role("link", name="Remise du laboratoire 2")).to_be_visible()
    log_out(page)

    log_in_employee(page, teacher.identifier)
    page.goto("/mio/")
    row = page.get_by_test_id("mio-row").filter(has_text="Remise du laboratoire 2")
    expect(row.get_by_text("non lu")).to_be_visible()
    row.get_by_role("link", name="Remise du laboratoire 2").click()
    expect(page.get_by_text("Puis-je remettre le laboratoire lundi?")).to_be_visible()
    page.get_by_label("Message").fill("Oui, lundi au plus tard à midi.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_text("Réponse envoyée.")).to_be_visible()
    log_out(page)

    log_in(page, label=LOGIN, number=student.matricule, password=PASSWORD)
    # The home page's "Quoi de neuf ?" tells her, and leads to the inbox.
    page.goto("/accueil/")
    page.get_by_role("link", name="1 nouveau message MIO").click()
    row = page.get_by_test_id("mio-row").filter(has_text="RE : Remise du laboratoire 2")
    expect(row.get_by_text("non lu")).to_be_visible()
    expect(page.get_by_test_id("mio-counts")).to_contain_text("1 non lu(s)")
    row.get_by_role("link", name="RE : Remise du laboratoire 2").click()
    expect(page.get_by_text("Oui, lundi au plus tard à midi.")).to_be_visible()
    expect(page.get_by_text("Messages précédents")).to_be_visible()
    page.goto("/mio/")
    row = page.get_by_test_id("mio-row").filter(has_text="RE : Remise du laboratoire 2")
    expect(row).to_be_visible()
    expect(row.get_by_text("non lu")).to_have_count(0)
    expect(page.get_by_test_id("mio-counts")).to_contain_text("0 non lu(s)")
    assert Message.objects.filter(parent__isnull=False, sender=teacher).count() == 1
    assert_no_csp_violation(console_errors)
