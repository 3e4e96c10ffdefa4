"""The card form's time limit in a real browser (WCAG 2.2.1): a minute before the end a warning
is announced, "Prolonger" gives 3:00 again and keeps what was typed; the page passes axe."""

import datetime
from collections.abc import Callable

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD
from billing.models import Payment
from tests.e2e.a11y import PHONE, assert_accessible
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in


def test_the_warning_then_prolonger_keeps_what_was_typed(
    open_page: Callable[..., Page], console_errors: list[str]
) -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = open_page(viewport=PHONE)
    page.goto("/")
    log_in(page, label="Matricule (7 chiffres)", number="2026001", password=DEMO_PASSWORD)
    page.goto("/paiement/")
    page.get_by_role("button", name="Payer les factures sélectionnées").click()
    page.get_by_role("button", name="Payer votre facture").click()
    card = page.get_by_label("Numéro de la carte de crédit")
    expect(card).to_be_visible()
    expect(page.get_by_label("Adresse électronique (confirmation de transaction)")).to_have_value(
        "eloise.tremblay@etudiant.example"
    )

    # 62 seconds left: the warning comes within a few seconds, the typed number stays.
    payment = Payment.objects.get(status=Payment.Status.PENDING)
    Payment.objects.filter(pk=payment.pk).update(
        expires_at=timezone.now() + datetime.timedelta(seconds=62)
    )
    page.reload()
    card.fill("4242 4242 4242 4242")
    warning = page.get_by_role("alert").filter(has_text="Il reste moins d'une minute")
    expect(warning).to_be_visible(timeout=8_000)
    assert_accessible(page)

    page.get_by_role("button", name="Prolonger").click()
    expect(page.get_by_text("Le délai est prolongé : vous avez de nouveau 3:00.")).to_be_visible()
    expect(card).to_have_value("4242 4242 4242 4242")
    expect(warning).to_be_hidden()
    assert Payment.objects.get(pk=payment.pk).extensions == 1
    assert_no_csp_violation(console_errors)
