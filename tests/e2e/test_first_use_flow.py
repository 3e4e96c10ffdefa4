"""First use, then a normal login, in a real browser: what a student sees and clicks."""

import datetime
import re
from collections.abc import Callable

from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from portal.models import Institution
from students.models import Student
from tests.factories import make_student

ANSWERS = ("Filou", "Rimouski", "Gabrielle")
PHONE = {"width": 375, "height": 740}


def log_in(page: Page, *, label: str, number: str, password: str) -> None:
    students = page.get_by_role("region", name="Étudiants")
    students.get_by_label(label).fill(number)
    students.get_by_label("Mot de passe").fill(password)
    students.get_by_role("button", name="Se connecter").click()


def assert_no_csp_violation(console_errors: list[str]) -> None:
    violations = [text for text in console_errors if "Content Security Policy" in text]
    assert violations == []


def test_cstj_first_use_with_emailed_code_then_login(
    page: Page,
    alice: Student,
    console_errors: list[str],
    screenshot: Callable[[Page, str], None],
) -> None:
    password = "Montagne-Verte-88"
    page.goto("/")
    page.get_by_role("link", name="Première utilisation ?", exact=True).click()

    page.get_by_label("Matricule (7 chiffres)").fill(alice.matricule)
    page.get_by_label("Code permanent").fill(alice.code_permanent.lower())
    page.get_by_label("Date de naissance").fill("05/03/2006")  # JJ/MM/AAAA, as the label says
    page.get_by_role("textbox", name="Code de sécurité").fill("PASSED")
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", name="Code de vérification")).to_be_visible()
    expect(page.get_by_text("à l'adresse a••••@etudiant.example")).to_be_visible()
    assert mail.outbox[-1].to == ["alice@etudiant.example"]
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("Code reçu par courriel").fill(code)
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", name="Questions en cas d'oubli")).to_be_visible()
    for n, answer in enumerate(ANSWERS, 1):
        page.get_by_label(f"Question #{n}").select_option(index=n)
        page.locator(f"#id_answer_{n}").fill(answer)
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", name="Choix du mot de passe")).to_be_visible()
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_label("Confirmation").fill(password)
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", name="Bienvenue, Alice")).to_be_visible()
    screenshot(page, "home.png")
    user = User.objects.get(identifier=alice.matricule)
    assert user.activated_at is not None
    assert user.secret_answers.count() == 3

    page.get_by_role("button", name="Quitter").click()
    expect(page.get_by_text("Vous avez quitté le portail")).to_be_visible()
    log_in(page, label="Matricule (7 chiffres)", number=alice.matricule, password=password)
    expect(page.get_by_role("heading", name="Bienvenue, Alice")).to_be_visible()
    assert_no_csp_violation(console_errors)


def test_caomsc_first_use_with_member_identity_then_login(
    page: Page,
    load_preset: Callable[[str], Institution],
    console_errors: list[str],
) -> None:
    # The CAOMSC's 5-digit matricules start with zeros that must survive every step.
    member = make_student(
        load_preset("caomsc"),
        matricule="00875",
        last_name="Desjardins",
        first_name="Noémie",
        birthdate=datetime.date(1988, 7, 14),
        postal_code="G1R 5G5",
        email="",
    )
    page.goto("/")
    page.get_by_role("link", name="Première utilisation ?", exact=True).click()

    page.get_by_label("Matricule (5 chiffres)").fill("00875")
    page.get_by_label("Nom de famille").fill("Desjardins")
    page.get_by_label("Date de naissance").fill("1988-07-14")
    page.get_by_label("Code postal").fill("g1r 5g5")
    page.get_by_role("textbox", name="Code de sécurité").fill("PASSED")
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", name="Votre courriel")).to_be_visible()
    # Not "Confirmez votre courriel"; crispy adds "*" to required fields' labels.
    page.get_by_label(re.compile(r"^\s*Courriel")).fill("noemie.desjardins@example.org")
    page.get_by_label("Confirmez votre courriel").fill("noemie.desjardins@example.org")
    page.get_by_role("button", name="Valider").click()

    # "Entre 8 et 12 caractères, contenant au minimum 3 lettres et 3 chiffres"
    expect(page.get_by_role("heading", name="Choix du mot de passe")).to_be_visible()
    page.get_by_label("Mot de passe").fill("abc123xyz7")
    page.get_by_label("Confirmation").fill("abc123xyz7")
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", name="Bienvenue, Noémie")).to_be_visible()
    user = User.objects.get(identifier="00875")
    assert user.email == "noemie.desjardins@example.org"
    member.refresh_from_db()
    assert member.user == user

    page.get_by_role("button", name="Quitter").click()
    log_in(page, label="Matricule (5 chiffres)", number="00875", password="abc123xyz7")
    expect(page.get_by_role("heading", name="Bienvenue, Noémie")).to_be_visible()
    assert_no_csp_violation(console_errors)


def test_login_page_fits_a_phone_and_switches_to_english(
    open_page: Callable[..., Page],
    institution: Institution,
    console_errors: list[str],
    screenshot: Callable[[Page, str], None],
) -> None:
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/")
    expect(page.get_by_role("region", name="Étudiants")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "login-phone.png")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Français")).to_be_visible()
    students = page.get_by_role("region", name="Students")
    expect(students.get_by_label("Student ID (7 digits)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_csp_violation(console_errors)
