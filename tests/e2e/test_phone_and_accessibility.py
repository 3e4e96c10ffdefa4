"""The demo's people on a 390 px phone and a desktop: every page they open passes axe-core's
WCAG 2.1 A/AA rules, and on the phone nothing scrolls sideways and every table cell (final
grades with Cote R, marks, the statement's balance and due date, the cart's totals and
"Retirer", "Mes achats", a child's absences and lateness) lies inside the screen."""

import re
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD
from parents.demo import PARENT_PASSWORD
from tests.e2e.a11y import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_cells_inside_viewport,
    assert_no_sideways_scroll,
)
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in

WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@pytest.fixture
def demo(settings) -> None:
    settings.PORTAL_CAPTCHA_TEST_MODE = True
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def check(page: Page) -> None:
    assert_accessible(page)
    if page.viewport_size["width"] <= PHONE["width"]:
        assert_no_sideways_scroll(page)
        assert_cells_inside_viewport(page)


@WIDTHS
def test_student_pages(
    open_page: Callable[..., Page], demo: None, viewport: dict, console_errors: list[str]
) -> None:
    page = open_page(viewport=viewport)
    page.goto("/")
    check(page)
    page.get_by_role("link", name="Première utilisation ?", exact=True).click()
    check(page)

    page.goto("/")
    log_in(page, label="Matricule (7 chiffres)", number="2026001", password=DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Bienvenue, Éloïse")).to_be_visible()
    check(page)
    if viewport == PHONE:
        # What is new comes before the long services menu.
        news = page.get_by_test_id("home-whats-new").bounding_box()
        menu = page.get_by_role("navigation", name="Mes services").bounding_box()
        assert news["y"] < menu["y"]
    whats_new = page.get_by_role("region", name="Quoi de neuf ?")
    expect(whats_new).to_have_count(1)
    expect(whats_new).to_contain_text("350,00")

    for path, heading in (
        ("/horaire/", "Horaire en ligne — AUT-2026"),
        ("/resultats/", "Résultats — notes d'évaluation"),
        ("/notes-finales/", "Résultats — notes finales"),
        ("/paiement/", "État de compte"),
        ("/mio/", "MIO"),
        ("/mio/ecrire/", None),
        ("/profil/", None),
        ("/dossier/", None),
        ("/annuaire/", None),
        ("/documents/", None),
        ("/calendrier/", None),
        # The modules built since: course choice, enrolment confirmation, attestations, tax
        # slips, the library and Repères.
        (reverse("registration:choice"), None),
        (reverse("registration:confirmation"), None),
        (reverse("certificates:attestations"), None),
        (reverse("certificates:tax_slips"), None),
        (reverse("library:search") + "?q=histoire", None),
        (reverse("library:loans"), None),
        (reverse("library:holds"), None),
        (reverse("library:reperes"), None),
        # Modification d'horaire: the demo's alternatives for 2026001, as weekly grids.
        (reverse("registration:schedule_change") + "?continuer=1", "Modification d'horaire"),
    ):
        page.goto(path)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        check(page)

    page.goto("/notes-finales/")
    report = page.locator("table.report-card")
    for figure in ("Cote R", "Absences (heures)"):
        expect(report).to_contain_text(figure)
    page.goto("/resultats/")
    page.locator("main table a").first.click()
    check(page)

    page.goto("/paiement/")
    expect(page.locator("main table")).to_contain_text("300,00")
    page.get_by_role("button", name="Payer les factures sélectionnées").click()
    check(page)
    page.get_by_role("button", name="Payer votre facture").click()
    expect(page.get_by_label("Numéro de la carte de crédit")).to_be_visible()
    check(page)
    assert_no_csp_violation(console_errors)


@WIDTHS
def test_parent_pages(
    open_page: Callable[..., Page], demo: None, viewport: dict, console_errors: list[str]
) -> None:
    page = open_page(viewport=viewport)
    page.goto("/parents/")
    check(page)
    page.get_by_label("Courriel").fill("mireille.lalonde@parents.example")
    page.get_by_label(re.compile(r"^\s*Mot de passe\W*$")).fill(PARENT_PASSWORD)
    page.get_by_role("button", name="Valider", exact=True).click()
    check(page)

    page.get_by_role("link", name="Horaire, assiduité et crédits — Camille Haddad-Lalonde").click()
    expect(page.get_by_test_id("attendance-total")).to_be_visible()
    check(page)

    page.goto("/parents/accueil/")
    page.get_by_role("link", name="Services en ligne — Camille Haddad-Lalonde").click()
    check(page)
    page.get_by_role("button", name="Ajouter au panier").first.click()
    page.get_by_role("link", name=re.compile("Mon panier")).first.click()
    expect(page.get_by_test_id("cart-total")).to_be_visible()
    check(page)
    expect(page.get_by_role("button", name=re.compile("^Retirer")).first).to_be_in_viewport()
    page.get_by_role("button", name="Payer", exact=True).click()
    expect(page.get_by_label("Numéro de la carte de crédit")).to_be_visible()
    check(page)
    page.goto("/parents/achats/")
    expect(page.get_by_test_id("order").first).to_be_visible()
    check(page)
    assert_no_csp_violation(console_errors)


def test_a_form_error_is_announced_and_takes_the_focus(
    open_page: Callable[..., Page], demo: None
) -> None:
    page = open_page(viewport=PHONE)
    page.goto("/premiere-utilisation/")
    page.get_by_label("Matricule (7 chiffres)").fill("2026003")
    page.get_by_label("Code permanent").fill("DAML14510799")
    page.get_by_label("Date de naissance").fill("2007-01-14")
    page.get_by_role("textbox", name="Code de sécurité").fill("PASSED")
    page.get_by_role("button", name="Valider").click()
    summary = page.get_by_role("alert").filter(has_text="ne correspondent pas à nos dossiers")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    check(page)
