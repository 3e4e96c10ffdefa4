"""The parents' portal in a real browser: a CEPEO parent with two children in two schools
creates the account ("Créer mon compte", the youngest child's details, the link read from the
outgoing email, password and secret question), sees both children, switches from one to the
other, and buys an item of the school store with the demo card."""

import datetime
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from billing.models import Invoice, Payment
from parents.models import StoreItem, StoreOrder
from portal.models import Institution, School
from students.models import Student
from tests.e2e.test_first_use_flow import assert_no_csp_violation
from tests.factories import make_student
from tests.parents.factories import make_guardian

EMAIL = "adzo.test@example.com"
PASSWORD = "Une longue phrase de passe 2026"
APPROVED_CARD = "4242 4242 4242 4242"


@pytest.fixture
def cepeo(load_preset: Callable[[str], Institution]) -> Institution:
    return load_preset("cepeo")


@pytest.fixture
def family(cepeo: Institution) -> tuple[Student, Student]:
    """Two children on file with the same guardian: the elder at De La Salle, the youngest at
    Carrefour Jeunesse (whose store sells an agenda)."""
    de_la_salle = School.objects.get(code="de-la-salle")
    carrefour = School.objects.get(code="carrefour-jeunesse")
    elder = make_student(
        cepeo,
        matricule="300000101",
        last_name="Testtest",
        first_name="Kofi",
        sex="M",
        birthdate=datetime.date(2010, 4, 12),
        school=de_la_salle,
        grade="11e année",
    )
    youngest = make_student(
        cepeo,
        matricule="300000102",
        last_name="Testtest",
        first_name="Ama",
        birthdate=datetime.date(2013, 1, 1),
        school=carrefour,
        grade="8e année",
    )
    for child in (elder, youngest):
        make_guardian(child, email=EMAIL)
    today = datetime.date.today()
    StoreItem.objects.create(
        school=carrefour,
        name="Agenda scolaire",
        description="L'agenda de l'école pour l'année.",
        price="12.50",
        limit_per_child=1,
        available_from=today - datetime.timedelta(days=10),
        available_until=today + datetime.timedelta(days=30),
    )
    return elder, youngest


def test_parent_creates_the_account_sees_both_children_and_buys_in_the_store(
    page: Page,
    live_server: LiveServer,
    family: tuple[Student, Student],
    console_errors: list[str],
) -> None:
    elder, youngest = family
    page.goto("/parents/")
    page.get_by_role("link", name="Créer mon compte").click()

    page.get_by_label("Courriel").fill(EMAIL)
    page.get_by_role("button", name="Valider le courriel").click()

    page.get_by_label("Nom de famille").fill("TESTTEST")
    page.get_by_label("Prénom").fill("adzo")
    page.get_by_label("Date de naissance").fill("2013-01-01")
    page.get_by_label("École").select_option(label="Carrefour Jeunesse")
    page.get_by_label("Numéro civique du domicile").fill("2445")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("un courriel vous a été envoyé")).to_be_visible()

    email = mail.outbox[-1]
    assert email.to == [EMAIL]
    link = re.search(r"https?://\S+/parents/activer/\S+/", email.body).group(0)
    page.goto(live_server.url + link.removeprefix(settings.PORTAL_BASE_URL))
    expect(page).to_have_url(re.compile(r"/nouveau/$"))

    page.get_by_label(re.compile(r"^\s*Mot de passe\W*$")).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_label("Question secrète").select_option(index=1)
    page.get_by_label("Votre réponse").fill("Tintin au Congo")
    page.get_by_role("button", name="Confirmer").click()

    # Logged in, one card per child.
    expect(page.get_by_role("heading", name=re.compile("Bonjour, Adzo"))).to_be_visible()
    for child in (elder, youngest):
        expect(page.get_by_role("heading", name=child.full_name)).to_be_visible()
    expect(page.get_by_text("École secondaire publique De La Salle").first).to_be_visible()

    # The elder's page, then the switch to the youngest.
    page.get_by_role("link", name="Horaire, assiduité et crédits").first.click()
    page.get_by_role("navigation", name=re.compile("enfants", re.I)).get_by_role(
        "link", name=re.compile(youngest.first_name)
    ).click()
    expect(page.get_by_role("heading", name=youngest.full_name).first).to_be_visible()

    # The store of the youngest's school: the agenda, the cart, the demo card.
    page.get_by_role("link", name="Services en ligne").first.click()
    expect(page.get_by_role("heading", name="Agenda scolaire")).to_be_visible()
    page.get_by_role("button", name="Ajouter au panier").click()
    page.get_by_role("link", name=re.compile("Mon panier")).first.click()
    expect(page.get_by_text("12,50 $").first).to_be_visible()
    page.get_by_role("button", name="Payer").click()

    expect(page.get_by_role("heading", name=re.compile("Paiement en ligne"))).to_be_visible()
    page.get_by_label("Numéro de la carte de crédit").fill(APPROVED_CARD)
    page.get_by_label("Date d'expiration (MM/AA)").fill(
        f"12/{(datetime.date.today().year + 4) % 100:02d}"
    )
    page.get_by_label("Code de sécurité (CVC)").fill("123")
    page.get_by_role("button", name="Effectuer le paiement").click()

    expect(page.get_by_text("Approuvée – Merci")).to_be_visible()
    order = StoreOrder.objects.get(student=youngest)
    assert order.invoice.status == Invoice.Status.PAID
    assert Payment.objects.get(payer=order.parent).status == Payment.Status.SUCCEEDED
    assert PASSWORD not in "".join(message.body for message in mail.outbox)
    assert_no_csp_violation(console_errors)
