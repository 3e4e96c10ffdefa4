"""The registrar's admin in a real browser, on the demo: the students' list shows "Compte
activé" within 1280 px without sideways scrolling, and the lists, forms, inlines and the import
page pass axe-core (the `open_page` fixture checks every page at 1280 px and 390 px)."""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.demo import REGISTRAR
from accounts.models import User
from billing.models import Invoice
from messaging.models import Document
from portal.models import Institution
from students.models import Student
from tests.e2e.a11y import DESKTOP


@pytest.fixture
def registrar_page(open_page: Callable[..., Page], live_server: LiveServer) -> Page:
    """The demo's registrar, signed in (the session of a test client: the password and second
    steps are the login tests' business)."""
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = Client()
    client.force_login(User.objects.get(username=REGISTRAR[0]))
    page = open_page(viewport=DESKTOP)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def header_inside(page: Page, name: str) -> None:
    header = page.locator("#result_list thead th").filter(has_text=name)
    expect(header).to_have_count(1)
    box = header.bounding_box()
    assert box is not None and box["x"] >= 0
    assert box["x"] + box["width"] <= page.viewport_size["width"], f"{name!r}: {box}"


def test_the_students_list_shows_its_key_columns_at_1280_px(registrar_page: Page) -> None:
    page = registrar_page
    page.goto(reverse("admin:students_student_changelist"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("étudiant")
    for name in ("Matricule", "Nom de famille", "Prénom", "Programme", "Compte activé"):
        header_inside(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert page.evaluate(
        "(() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth <= r.clientWidth + 1; })()"
    ), "the students' list scrolls sideways at 1280 px"
    # Every filter link says what it filters.
    empty = page.evaluate(
        "[...document.querySelectorAll('#changelist-filter a')]"
        ".filter((a) => !a.textContent.trim()).map((a) => a.href)"
    )
    assert empty == []

    page.get_by_role("link", name="Importer un fichier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importer")
    page.goto(reverse("admin:students_student_change", args=[Student.objects.first().pk]))
    expect(page.get_by_label("Matricule")).to_be_visible()


def unnamed_fields(page: Page) -> list[str]:
    """The fields of the inline rows that a screen reader could not name."""
    return page.evaluate(
        "[...document.querySelectorAll('.inline-related input:not([type=hidden]),"
        " .inline-related select, .inline-related textarea')]"
        ".filter((field) => !field.labels.length && !field.getAttribute('aria-label')"
        " && !field.getAttribute('aria-labelledby')).map((field) => field.name)"
    )


def test_amounts_inlines_and_forms_in_french(registrar_page: Page) -> None:
    page = registrar_page
    page.goto(reverse("admin:billing_invoice_changelist"))
    expect(page.locator("#result_list")).to_contain_text("300,00\N{NO-BREAK SPACE}$")
    invoice = Invoice.objects.filter(lines__voluntary=True).first()
    page.goto(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    expect(page.locator("#lines-group h2")).to_have_text("Lignes de facture")
    assert unnamed_fields(page) == []

    page.goto(reverse("admin:portal_institution_change", args=[Institution.objects.get().pk]))
    expect(page.locator(".inline-group").first).to_be_visible()
    assert unnamed_fields(page) == []

    page.goto(reverse("admin:messaging_document_change", args=[Document.objects.first().pk]))
    recipients = page.locator(".inline-group").first
    expect(recipients).to_contain_text("Étudiant")
    expect(recipients).not_to_contain_text("Student")

    page.goto(reverse("admin:billing_payment_changelist"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_in_english_amounts_read_the_english_way(
    registrar_page: Page, live_server: LiveServer
) -> None:
    page = registrar_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(reverse("admin:billing_invoice_changelist"))
    expect(page.locator("#result_list")).to_contain_text("$300.00")
    expect(page.locator("#result_list thead")).to_contain_text("Balance")
