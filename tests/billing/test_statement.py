"""Centre de paiement through HTTP: the home page's balance, the statement, "Détails" and the
voluntary contributions, the selection, paying what the server says, and the contact check.

The helpers at the top (`login`, `pay_start`, `counter_payment`, …) are also used by the
demo-provider, admin, overdue and query-budget tests.
"""

import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, translation

from accounts.models import User
from billing import services
from billing.models import Invoice, InvoiceLine, Payment
from portal.models import AuditEvent, Institution
from students.models import Student
from tests.accounts.test_first_use import page
from tests.accounts.test_login import student_login
from tests.factories import make_invoice

HOME = reverse("portal:home")
STATEMENT = reverse("billing:statement")
SELECTION = reverse("billing:selection")
CONTACT = reverse("billing:contact")
PAY = reverse("billing:pay")

# Seed 002's invoice: fees, and a voluntary contribution the student may remove.
TUITION = (
    ("Droits d'inscription", "175.00", False),
    ("Frais de services aux étudiants", "100.00", False),
    ("Association étudiante", "75.00", True),
)
REFUSED_CONTRIBUTION = "Cette cotisation ne peut plus être modifiée pour cette facture."
REFUSED_SELECTION = "Sélectionnez au moins une facture à payer."
REFUSED_PAYMENT = "Ces factures ne peuvent pas être payées. Vérifiez votre état de compte."


def visible(response) -> str:
    """What the person reads: the body's text without tags, blanks collapsed, so that
    assertions survive a change of markup."""
    body = response.content.decode().split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def row(response, number: str) -> str:
    """The visible text of the statement's table row of one invoice."""
    rows = re.findall(r"<tr\b.*?</tr>", response.content.decode(), flags=re.S)
    [found] = [r for r in rows if f'value="{number}"' in r]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found)).split())


def student_of(user: User) -> Student:
    return Student.objects.get(user=user)


def login(client: Client, user: User) -> Client:
    response = student_login(client, user.identifier)
    assert response.status_code == 302
    return client


def invoice_url(invoice: Invoice) -> str:
    return reverse("billing:invoice", args=[invoice.number])


def french_date(value) -> str:
    with translation.override("fr"):
        return dateformat.format(value, "j N Y")


def pay_start(client: Client, *invoices: Invoice, **extra: str) -> Payment:
    """Posts "Payer votre facture" for these invoices; returns the pending payment."""
    response = client.post(PAY, {"factures": [invoice.number for invoice in invoices], **extra})
    assert response.status_code == 302, page(response)
    reference = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Payment.objects.get(reference=reference)


def counter_payment(user: User, *invoices: Invoice, amount: str | None = None) -> Payment:
    """A payment made at the registrar's counter, as staff record it (for setting up)."""
    return services.payment_record_in_person(
        request=None,
        actor=None,
        student=student_of(user),
        invoices=list(invoices),
        method=Payment.Provider.CASH,
        amount=Decimal(amount) if amount else None,
    )


def balance_shown(client: Client) -> str:
    """ "VOTRE SOLDE" as the statement shows it, e.g. "350,00"."""
    return re.search(r"VOTRE SOLDE\s*:?\s*(\d[\d\s]*,\d\d)\s*\$", visible(client.get(STATEMENT)))[1]


@pytest.fixture
def bob_client(client: Client, bob: User) -> Client:
    return login(client, bob)


@pytest.fixture
def tuition(bob: User) -> Invoice:
    return make_invoice(student_of(bob), number="FAC00000397", lines=TUITION, due_in_days=20)


@pytest.fixture
def activities(bob: User) -> Invoice:
    return make_invoice(
        student_of(bob),
        number="FAC00000398",
        description="Activités parascolaires",
        lines=(("Activités sportives et culturelles", "40.00", False),),
        due_in_days=45,
    )


@pytest.fixture
def charlies(charlie: User) -> Invoice:
    return make_invoice(student_of(charlie), number="FAC00000401", lines=TUITION)


# --- Home page ------------------------------------------------------------------------------


def test_home_shows_the_balance_in_french_with_a_link_to_the_payment_centre(bob_client, tuition):
    response = bob_client.get(HOME)
    text = visible(response)
    assert "Solde à payer de 350,00 $" in text
    assert "Consultez votre état de compte maintenant" in text
    assert f'href="{STATEMENT}"' in page(response)


def test_home_with_nothing_to_pay(bob_client, bob, tuition):
    counter_payment(bob, tuition)
    text = visible(bob_client.get(HOME))
    assert "Vous n'avez aucun solde à payer" in text
    assert "Solde à payer de" not in text


# --- État de compte -------------------------------------------------------------------------


def test_statement_lists_each_invoice_and_the_total(bob_client, tuition, activities):
    response = bob_client.get(STATEMENT)
    assert response.status_code == 200
    text = visible(response)
    assert "État de compte" in text
    assert "en date du" in text
    assert "Bob Gagnon (2026102)" in text
    for invoice, description, balance in (
        (tuition, "Droits de scolarité *", "350,00"),
        (activities, "Activités parascolaires", "40,00"),
    ):
        shown = row(response, invoice.number)
        due = french_date(invoice.due_date)
        assert f"AUT-2026 {invoice.number} {description} {due} {balance} $ Détails" in shown
        assert f'href="{invoice_url(invoice)}"' in page(response)
    assert balance_shown(bob_client) == "390,00"
    assert "Payer les factures sélectionnées" in text
    assert "* Cette facture peut comporter des cotisations volontaires" in text


def test_paid_and_cancelled_invoices_are_not_listed(bob_client, bob, tuition, activities):
    counter_payment(bob, activities)
    cancelled = make_invoice(student_of(bob), number="FAC00000500")
    cancelled.status = Invoice.Status.CANCELLED
    cancelled.save(update_fields=["status"])
    text = page(bob_client.get(STATEMENT))
    assert f'value="{tuition.number}"' in text
    assert f'value="{activities.number}"' not in text
    assert cancelled.number not in text
    assert balance_shown(bob_client) == "350,00"


def test_a_partly_paid_invoice_shows_what_is_left(bob_client, bob, tuition):
    counter_payment(bob, tuition, amount="100.00")
    assert " 250,00 $ Détails" in row(bob_client.get(STATEMENT), tuition.number)
    assert balance_shown(bob_client) == "250,00"
    assert Invoice.objects.get(pk=tuition.pk).status == Invoice.Status.OPEN


def test_nothing_to_pay(bob_client):
    text = visible(bob_client.get(STATEMENT))
    assert "Vous n'avez aucune facture à payer" in text
    assert balance_shown(bob_client) == "0,00"


def test_my_payments_link_their_receipts_and_a_payment_without_one_is_listed_plainly(
    bob_client, bob, tuition, activities
):
    # The statement is a Jinja2 page: a payment with no receipt (payment.receipt raises
    # DoesNotExist, which Django's templates silenced) is listed without a link, not a 500.
    kept = counter_payment(bob, tuition)
    bare = counter_payment(bob, activities)
    bare.receipt.delete()
    response = bob_client.get(STATEMENT)
    assert response.status_code == 200
    text = visible(response)
    assert "Mes paiements" in text
    assert f"Relevé de transaction {kept.receipt.number}" in text
    assert f'href="{reverse("billing:receipt", args=[kept.receipt.number])}"' in page(response)
    assert text.count("Relevé de transaction") == 1
    assert "— 40,00 $ —" in text


# --- Détails and voluntary contributions ----------------------------------------------------


def test_details_lists_the_lines(bob_client, tuition):
    response = bob_client.get(invoice_url(tuition))
    assert response.status_code == 200
    text = visible(response)
    assert "Facture FAC00000397" in text
    assert "Droits d'inscription 175,00" in text
    assert "Frais de services aux étudiants 100,00" in text
    assert "Association étudiante * (cotisation volontaire) 75,00" in text
    assert "Retirer cette cotisation" in text
    assert "Solde 350,00 $" in text


def test_removing_a_contribution_lowers_the_balance_and_is_audited(bob_client, bob, tuition):
    line = tuition.lines.get(voluntary=True)
    response = bob_client.post(invoice_url(tuition), {"line": line.pk, "action": "remove"})
    assert response.status_code == 302
    assert response["Location"] == invoice_url(tuition)
    text = visible(bob_client.get(invoice_url(tuition)))
    assert "Votre choix a été enregistré." in text
    assert "(cotisation volontaire, retirée)" in text
    assert "Ajouter cette cotisation" in text
    assert "Solde 275,00 $" in text
    assert InvoiceLine.objects.get(pk=line.pk).removed is True
    assert balance_shown(bob_client) == "275,00"
    event = AuditEvent.objects.get(kind="billing.contribution_removed")
    assert event.subject == bob
    assert event.actor == bob
    assert event.identifier == "student:2026102"
    assert event.details == {
        "invoice": "FAC00000397",
        "line": "Association étudiante",
        "amount": "75.00",
    }

    bob_client.post(invoice_url(tuition), {"line": line.pk, "action": "keep"})
    assert InvoiceLine.objects.get(pk=line.pk).removed is False
    assert balance_shown(bob_client) == "350,00"
    assert AuditEvent.objects.filter(kind="billing.contribution_restored", subject=bob).exists()


def test_a_fee_that_is_not_voluntary_cannot_be_removed(bob_client, tuition):
    fee = tuition.lines.get(description="Droits d'inscription")
    response = bob_client.post(
        invoice_url(tuition), {"line": fee.pk, "action": "remove"}, follow=True
    )
    assert REFUSED_CONTRIBUTION in page(response)
    assert InvoiceLine.objects.get(pk=fee.pk).removed is False
    assert balance_shown(bob_client) == "350,00"
    assert not AuditEvent.objects.filter(kind__startswith="billing.contribution").exists()


@pytest.mark.parametrize("line", ["", "abc", "999999"])
def test_a_missing_or_malformed_line_is_refused(bob_client, tuition, line):
    response = bob_client.post(invoice_url(tuition), {"line": line, "action": "remove"})
    assert response.status_code == 302
    assert REFUSED_CONTRIBUTION in page(bob_client.get(invoice_url(tuition)))
    assert not InvoiceLine.objects.filter(removed=True).exists()


def test_another_students_line_cannot_be_touched(bob_client, tuition, charlies):
    theirs = charlies.lines.get(voluntary=True)
    response = bob_client.post(
        invoice_url(tuition), {"line": theirs.pk, "action": "remove"}, follow=True
    )
    assert REFUSED_CONTRIBUTION in page(response)
    assert InvoiceLine.objects.get(pk=theirs.pk).removed is False
    assert not AuditEvent.objects.filter(kind__startswith="billing.contribution").exists()


def test_contributions_are_frozen_while_a_payment_is_pending(bob_client, tuition):
    line = tuition.lines.get(voluntary=True)
    pay_start(bob_client, tuition)
    response = bob_client.post(
        invoice_url(tuition), {"line": line.pk, "action": "remove"}, follow=True
    )
    assert REFUSED_CONTRIBUTION in page(response)
    assert InvoiceLine.objects.get(pk=line.pk).removed is False


def test_contributions_are_frozen_once_part_is_paid(bob_client, bob, tuition):
    line = tuition.lines.get(voluntary=True)
    counter_payment(bob, tuition, amount="50.00")
    text = visible(bob_client.get(invoice_url(tuition)))
    assert "Retirer cette cotisation" not in text
    assert "Déjà payé 50,00" in text
    response = bob_client.post(
        invoice_url(tuition), {"line": line.pk, "action": "remove"}, follow=True
    )
    assert REFUSED_CONTRIBUTION in page(response)
    assert InvoiceLine.objects.get(pk=line.pk).removed is False
    assert balance_shown(bob_client) == "300,00"


def test_an_abandoned_attempt_does_not_freeze_contributions_for_ever(bob_client, tuition):
    # The student opened the card form, then closed the tab: the 3:00 are long gone, and
    # nobody came back to the demo page to mark the attempt expired.
    line = tuition.lines.get(voluntary=True)
    payment = pay_start(bob_client, tuition)
    Payment.objects.filter(pk=payment.pk).update(expires_at=payment.created_at)
    bob_client.post(invoice_url(tuition), {"line": line.pk, "action": "remove"})
    assert InvoiceLine.objects.get(pk=line.pk).removed is True
    assert balance_shown(bob_client) == "275,00"


# --- Another student's things, and missing ones: 404 alike ----------------------------------


def test_another_students_invoice_answers_like_a_missing_one(bob_client, charlies):
    foreign = bob_client.get(invoice_url(charlies))
    missing = bob_client.get(reverse("billing:invoice", args=["FAC99999999"]))
    assert foreign.status_code == missing.status_code == 404
    line = charlies.lines.get(voluntary=True)
    response = bob_client.post(invoice_url(charlies), {"line": line.pk, "action": "remove"})
    assert response.status_code == 404
    assert InvoiceLine.objects.get(pk=line.pk).removed is False


def test_another_students_payments_and_receipts_answer_404(bob_client, bob, charlie, charlies):
    charlie_client = login(Client(), charlie)
    pending = pay_start(charlie_client, charlies)
    paid = counter_payment(charlie, make_invoice(student_of(charlie), number="FAC00000402"))
    for url in (
        reverse("billing:demo_pay", args=[pending.reference]),
        reverse("billing:payment", args=[pending.reference]),
        reverse("billing:payment", args=[paid.reference]),
        reverse("billing:receipt", args=[paid.receipt.number]),
        reverse("billing:receipt_pdf", args=[paid.receipt.number]),
    ):
        assert bob_client.get(url).status_code == 404, url
        assert charlie_client.get(url).status_code in (200, 302), url
    response = bob_client.post(
        reverse("billing:demo_pay", args=[pending.reference]),
        {"card_number": "4242424242424242", "expiry": "12/40", "cvc": "123"},
    )
    assert response.status_code == 404
    assert Payment.objects.get(pk=pending.pk).status == Payment.Status.PENDING


# --- Factures sélectionnées -----------------------------------------------------------------


def test_selection_shows_the_servers_total(bob_client, tuition, activities):
    response = bob_client.get(SELECTION, {"factures": [tuition.number, activities.number]})
    assert response.status_code == 200
    text = visible(response)
    assert "Factures sélectionnées" in text
    assert "AUT-2026 FAC00000397 Droits de scolarité 350,00" in text
    assert "AUT-2026 FAC00000398 Activités parascolaires 40,00" in text
    assert "TOTAL À PAYER 390,00 $" in text
    assert "Payer votre facture" in text
    one = visible(bob_client.get(SELECTION, {"factures": [activities.number]}))
    assert "TOTAL À PAYER 40,00 $" in one
    assert tuition.number not in one


def test_the_selection_follows_a_removed_contribution(bob_client, tuition):
    line = tuition.lines.get(voluntary=True)
    bob_client.post(invoice_url(tuition), {"line": line.pk, "action": "remove"})
    text = visible(bob_client.get(SELECTION, {"factures": [tuition.number]}))
    assert "TOTAL À PAYER 275,00 $" in text


@pytest.mark.parametrize("kind", ["empty", "foreign", "unknown", "paid"])
def test_a_bad_selection_goes_back_to_the_statement(bob_client, bob, tuition, charlies, kind):
    paid = make_invoice(student_of(bob), number="FAC00000500")
    counter_payment(bob, paid)
    numbers = {
        "empty": [],
        "foreign": [tuition.number, charlies.number],
        "unknown": [tuition.number, "FAC99999999"],
        "paid": [tuition.number, paid.number],
    }[kind]
    response = bob_client.get(SELECTION, {"factures": numbers})
    assert response.status_code == 302
    assert response["Location"] == STATEMENT
    assert REFUSED_SELECTION in page(bob_client.get(STATEMENT))


# --- Paying: amounts come from the server ---------------------------------------------------


def test_tampered_amounts_have_no_effect(bob_client, bob, tuition, activities):
    payment = pay_start(
        bob_client,
        tuition,
        activities,
        amount="1.00",
        total="0.01",
        price="0.01",
        montant="0.01",
    )
    assert payment.amount == Decimal("390.00")
    assert payment.student == student_of(bob)
    assert payment.status == Payment.Status.PENDING
    assert {a.invoice.number: a.amount for a in payment.allocations.all()} == {
        tuition.number: Decimal("350.00"),
        activities.number: Decimal("40.00"),
    }
    text = visible(bob_client.get(reverse("billing:demo_pay", args=[payment.reference])))
    assert "390,00 $ CAD" in text
    event = AuditEvent.objects.get(kind="billing.payment_started")
    assert event.details["amount"] == "390.00"


@pytest.mark.parametrize("mixed", [False, True])
def test_another_students_invoice_number_in_the_form_is_refused(
    bob_client, tuition, charlies, mixed
):
    numbers = [tuition.number, charlies.number] if mixed else [charlies.number]
    response = bob_client.post(PAY, {"factures": numbers})
    assert response.status_code == 302
    assert response["Location"] == STATEMENT
    assert REFUSED_PAYMENT in page(bob_client.get(STATEMENT))
    assert not Payment.objects.exists()


def test_paying_nothing_is_refused(bob_client, tuition):
    response = bob_client.post(PAY, {})
    assert response["Location"] == STATEMENT
    assert not Payment.objects.exists()


def test_pay_refuses_get(bob_client, tuition):
    assert bob_client.get(PAY, {"factures": tuition.number}).status_code == 405
    assert not Payment.objects.exists()


def test_a_double_click_makes_one_payment(bob_client, tuition, activities):
    data = {"factures": [tuition.number, activities.number]}
    first = bob_client.post(PAY, data)
    second = bob_client.post(PAY, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Payment.objects.count() == 1
    assert AuditEvent.objects.filter(kind="billing.payment_started").count() == 1


def test_a_different_selection_is_a_different_payment(bob_client, tuition, activities):
    first = pay_start(bob_client, tuition, activities)
    second = pay_start(bob_client, activities)
    assert first.pk != second.pk
    assert second.amount == Decimal("40.00")


# --- Confirming contact details first (an institution's setting) ---------------------------


@pytest.fixture
def confirm_contact(institution: Institution) -> Institution:
    institution.payment_confirm_contact = True
    institution.save(update_fields=["payment_confirm_contact"])
    return institution


def contact_data(**overrides: str) -> dict[str, str]:
    return {
        "address": "455, rue Fournier, Saint-Jérôme",
        "postal_code": "j7z4v2",
        "phone": "(450) 555-0101",
        "phone_alt": "",
        "email": "bob@etudiant.example",
        **overrides,
    }


def test_contact_details_are_confirmed_before_the_selection(
    bob_client, bob, tuition, confirm_contact
):
    response = bob_client.get(SELECTION, {"factures": [tuition.number]})
    assert response.status_code == 302
    assert response["Location"] == f"{CONTACT}?factures={tuition.number}"
    text = page(bob_client.get(response["Location"]))
    assert "Confirmez vos coordonnées" in text
    assert f'name="factures" value="{tuition.number}"' in text

    response = bob_client.post(
        CONTACT, {"factures": tuition.number, **contact_data(postal_code="12345", phone="123")}
    )
    assert response.status_code == 200
    text = page(response)
    assert "Le code postal doit avoir la forme A1A 1A1." in text
    assert "Le numéro de téléphone compte 10 chiffres, ex. : 514 555-0123." in text
    record = student_of(bob)
    assert (record.postal_code, record.phone) == ("J7Z 4V2", "")
    # Still asked: a refused form confirms nothing.
    assert bob_client.get(SELECTION, {"factures": [tuition.number]})["Location"].startswith(CONTACT)

    response = bob_client.post(CONTACT, {"factures": tuition.number, **contact_data()})
    assert response.status_code == 302
    assert response["Location"] == f"{SELECTION}?factures={tuition.number}"
    record = student_of(bob)
    assert record.postal_code == "J7Z 4V2"
    assert record.phone == "450 555-0101"
    assert record.address == "455, rue Fournier, Saint-Jérôme"
    event = AuditEvent.objects.get(kind="students.contact_confirmed")
    assert event.subject == bob
    # The email is not on this form: it changes only through Profil personnel.
    assert set(event.details["changed"]) == {"address", "phone"}

    text = visible(bob_client.get(response["Location"]))
    assert "Factures sélectionnées" in text
    assert "TOTAL À PAYER 350,00 $" in text


def test_without_the_setting_there_is_no_contact_step(bob_client, tuition):
    response = bob_client.get(SELECTION, {"factures": [tuition.number]})
    assert response.status_code == 200
    assert "Factures sélectionnées" in page(response)


# --- The module itself ----------------------------------------------------------------------


def test_the_payment_centre_is_a_students(client, institution, admin_user, tuition):
    client.force_login(admin_user)
    assert client.get(STATEMENT).status_code == 404


def test_the_payment_centre_is_behind_login(client, tuition):
    response = client.get(STATEMENT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_institution_without_payments_has_no_payment_centre(bob_client, institution, tuition):
    institution.enabled_modules = [m for m in institution.enabled_modules if m != "payments"]
    institution.save(update_fields=["enabled_modules"])
    assert bob_client.get(STATEMENT).status_code == 404
    assert "Solde à payer" not in page(bob_client.get(HOME))
