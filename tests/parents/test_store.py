"""Services en ligne (seed 004) through HTTP: the store page of a child's school, the cart and
its limits, checkout into an invoice and an order, and "Mes achats" (cancel; another parent's
order is not found).

Adzo has two children on file: Zoé at Carrefour Jeunesse (which sells an agenda and a sweater)
and Noah at Gisèle-Lalonde (no store). Bruno, another parent, "should have no access to Adzo's
stuff". The fixtures and helpers at the top are also used by test_store_payment.py.
"""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from billing.models import Invoice, InvoiceLine, Payment
from parents.models import CartLine, Guardian, StoreItem, StoreOrder, StoreOrderLine
from parents.services.store import school_year
from portal.models import AuditEvent, Institution, School
from students.models import Student
from tests.accounts.test_first_use import page
from tests.billing.test_statement import visible
from tests.conftest import PASSWORD
from tests.factories import activate, make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent


def school(code: str) -> School:
    return School.objects.get(code=code)


def make_item(school: School, name: str = "Agenda scolaire", **fields) -> StoreItem:
    today = timezone.localdate()
    defaults = {
        "description": "L'agenda officiel de l'école.",
        "price": Decimal("12.50"),
        "limit_per_child": 2,
        "available_from": today - datetime.timedelta(days=10),
        "available_until": today + datetime.timedelta(days=30),
        "is_active": True,
    }
    defaults.update(fields)
    return StoreItem.objects.create(school=school, name=name, **defaults)


def store_url(student: Student) -> str:
    return reverse("parents:store", args=[student.pk])


def cart_url(student: Student) -> str:
    return reverse("parents:cart", args=[student.pk])


def add_url(student: Student) -> str:
    return reverse("parents:cart_add", args=[student.pk])


def checkout_url(student: Student) -> str:
    return reverse("parents:checkout", args=[student.pk])


ORDERS = reverse("parents:orders")


def order_pay_url(order: StoreOrder) -> str:
    return reverse("parents:order_pay", args=[order.invoice.number])


def order_cancel_url(order: StoreOrder) -> str:
    return reverse("parents:order_cancel", args=[order.invoice.number])


def messages_of(response) -> list[str]:
    """The messages the page after the redirect shows the parent (which uses them up)."""
    assert response.status_code == 302, response.status_code
    shown = response.client.get(response["Location"]).content.decode()
    found = re.findall(r'<div class="alert[^"]*" role="status">(.*?)</div>', shown, flags=re.S)
    return [html.unescape(message.strip()) for message in found]


def add(client: Client, student: Student, item: StoreItem, quantity: object = 1, **extra):
    """ "Ajouter au panier"; returns the messages the store page then shows."""
    response = client.post(add_url(student), {"item": item.pk, "quantity": quantity, **extra})
    assert response["Location"] == store_url(student)
    return messages_of(response)


def order_row(client: Client, order: StoreOrder) -> str:
    """The visible text of the order's row on "Mes achats"."""
    body = client.get(ORDERS).content.decode()
    match = re.search(rf'<tr\b[^>]*data-number="{order.invoice.number}".*?</tr>', body, flags=re.S)
    assert match, body
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def place_order(client: Client, student: Student, *lines: tuple[StoreItem, int]) -> StoreOrder:
    """Fills the cart and checks it out (the parent is then at the card form)."""
    for item, quantity in lines:
        assert add(client, student, item, quantity)[-1].endswith("au panier.")
    response = client.post(checkout_url(student))
    assert response.status_code == 302, messages_of(response)
    return StoreOrder.objects.filter(student=student).latest("pk")


@pytest.fixture
def cepeo(load_preset) -> Institution:
    return load_preset("cepeo")


@pytest.fixture
def zoe(cepeo) -> Student:
    child = make_student(
        cepeo,
        last_name="Testtest",
        first_name="Zoé",
        birthdate=birthday_years_ago(12),
        school=school("carrefour-jeunesse"),
    )
    make_guardian(child)
    return child


@pytest.fixture
def noah(cepeo) -> Student:
    child = make_student(
        cepeo,
        last_name="Testtest",
        first_name="Noah",
        sex="M",
        birthdate=birthday_years_ago(15),
        school=school("gisele-lalonde"),
    )
    make_guardian(child)
    return child


@pytest.fixture
def adzo(zoe, noah):
    return make_parent()


@pytest.fixture
def adzo_client(client: Client, adzo) -> Client:
    client.force_login(adzo)
    return client


@pytest.fixture
def bruno(cepeo):
    """Another parent, with his own child at the same school."""
    child = make_student(
        cepeo,
        last_name="Bélanger",
        first_name="Léa",
        birthdate=birthday_years_ago(11),
        school=school("carrefour-jeunesse"),
    )
    make_guardian(child, email="bruno@example.com", first_name="Bruno", last_name="Bélanger")
    return make_parent("bruno@example.com", first_name="Bruno", last_name="Bélanger")


@pytest.fixture
def bruno_client(bruno) -> Client:
    client = Client()
    client.force_login(bruno)
    return client


@pytest.fixture
def student_client(cepeo) -> Client:
    """A student of the school, logged in: not a parent."""
    record = make_student(cepeo, last_name="Gagnon", first_name="Bob", sex="M")
    client = Client()
    client.force_login(activate(record, password=PASSWORD))
    return client


@pytest.fixture
def agenda(cepeo) -> StoreItem:
    return make_item(school("carrefour-jeunesse"))


@pytest.fixture
def sweater(cepeo) -> StoreItem:
    return make_item(
        school("carrefour-jeunesse"),
        "Chandail de l'école",
        description="Coton ouaté, tailles enfant.",
        price=Decimal("30.25"),
        limit_per_child=3,
    )


def long_date(value: datetime.date) -> str:
    with translation.override("fr"):
        return dateformat.format(value, "j F Y")


# --- The store page -------------------------------------------------------------------------


def test_the_store_shows_the_articles_on_sale_today_at_the_childs_school(
    adzo_client, zoe, agenda, sweater
):
    today = timezone.localdate()
    carrefour, other = school("carrefour-jeunesse"), school("de-la-salle")
    make_item(carrefour, "Album des finissants", is_active=False)
    make_item(carrefour, "Sortie au musée", available_from=today + datetime.timedelta(days=1))
    make_item(carrefour, "Dictionnaire", available_until=today - datetime.timedelta(days=1))
    make_item(other, "Agenda De La Salle")
    make_item(carrefour, "Cadenas", available_from=today, available_until=today)

    response = adzo_client.get(store_url(zoe))

    assert response.status_code == 200
    text = visible(response)
    assert "Services en ligne — Carrefour Jeunesse" in text
    assert "Zoé Testtest" in text
    assert f'href="{reverse("parents:child", args=[zoe.pk])}"' in response.content.decode()
    names = re.findall(r'<h2 class="h5 card-title"[^>]*>([^<]+)</h2>', page(response))
    assert names == ["Agenda scolaire", "Cadenas", "Chandail de l'école"]
    assert "12,50 $" in text
    assert "30,25 $" in text
    assert "L'agenda officiel de l'école." in text
    assert "Limite : 2 par enfant" in text
    assert "Limite : 3 par enfant" in text
    assert text.count("Déjà commandé : 0") == 3
    assert f"En vente jusqu'au {long_date(agenda.available_until)}" in text
    assert text.count("Ajouter au panier") == 3
    assert "Quantité" in text
    assert "Mon panier (0)" in text


def test_a_school_without_the_store_answers_404(adzo_client, noah, agenda):
    for response in (
        adzo_client.get(store_url(noah)),
        adzo_client.get(cart_url(noah)),
        adzo_client.post(add_url(noah), {"item": agenda.pk, "quantity": 1}),
        adzo_client.post(checkout_url(noah)),
    ):
        assert response.status_code == 404
    assert not CartLine.objects.exists()


def test_the_store_is_a_parents_and_of_their_children_only(
    adzo_client, bruno_client, student_client, zoe, agenda
):
    assert bruno_client.get(store_url(zoe)).status_code == 404
    assert bruno_client.post(add_url(zoe), {"item": agenda.pk, "quantity": 1}).status_code == 404
    assert bruno_client.post(checkout_url(zoe)).status_code == 404
    # A student of the school is not a parent.
    assert student_client.get(store_url(zoe)).status_code == 404
    # A visitor goes to the parents' login.
    response = Client().get(store_url(zoe))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("parents:login"))
    # A child the file no longer lets Adzo see.
    Guardian.objects.filter(student=zoe).update(can_view=False)
    assert adzo_client.get(store_url(zoe)).status_code == 404


# --- The cart -------------------------------------------------------------------------------


def test_adding_to_the_cart(adzo_client, zoe, agenda, sweater):
    said = add(adzo_client, zoe, sweater, 2, price="0.01", unit_price="0.01")

    assert said == ["« Chandail de l'école » a été ajouté au panier."]
    line = CartLine.objects.get()
    assert (line.student, line.item, line.quantity) == (zoe, sweater, 2)
    text = visible(adzo_client.get(store_url(zoe)))
    assert "Mon panier (2)" in text
    assert "Dans votre panier : 2" in text

    add(adzo_client, zoe, sweater, 1)
    assert CartLine.objects.get().quantity == 3
    text = visible(adzo_client.get(store_url(zoe)))
    assert "Limite atteinte avec les articles de votre panier." in text
    assert text.count("Ajouter au panier") == 1


def test_the_limit_counts_the_cart_and_past_orders_but_not_cancelled_ones(
    adzo_client, zoe, agenda, sweater
):
    assert add(adzo_client, zoe, agenda, 3) == [
        "La limite est de 2 par enfant pour « Agenda scolaire » : vous pouvez en ajouter au plus 2."
    ]
    assert not CartLine.objects.exists()

    add(adzo_client, zoe, agenda, 1)
    assert add(adzo_client, zoe, agenda, 2) == [
        "La limite est de 2 par enfant pour « Agenda scolaire » : vous pouvez en ajouter au plus 1."
    ]
    assert CartLine.objects.get().quantity == 1

    order = place_order(adzo_client, zoe)  # the agenda in the cart: 1 bought
    assert not CartLine.objects.exists()
    assert "Déjà commandé : 1" in visible(adzo_client.get(store_url(zoe)))
    assert add(adzo_client, zoe, agenda, 2)[0].startswith("La limite est de 2")
    place_order(adzo_client, zoe, (agenda, 1))
    text = visible(adzo_client.get(store_url(zoe)))
    assert "Déjà commandé : 2" in text
    assert "Limite atteinte : cet article a déjà été acheté pour cet enfant." in text
    assert add(adzo_client, zoe, agenda, 1) == [
        "La limite de 2 par enfant est atteinte pour « Agenda scolaire »."
    ]

    adzo_client.post(order_cancel_url(order))
    assert "Déjà commandé : 1" in visible(adzo_client.get(store_url(zoe)))
    assert add(adzo_client, zoe, agenda, 1)[0].endswith("au panier.")


def test_another_parents_orders_for_the_same_child_count(adzo_client, zoe, agenda, cepeo):
    make_guardian(zoe, email="papa@example.com", first_name="Paul", relationship="père")
    papa = Client()
    papa.force_login(make_parent("papa@example.com", first_name="Paul"))
    place_order(papa, zoe, (agenda, 2))
    assert add(adzo_client, zoe, agenda, 1) == [
        "La limite de 2 par enfant est atteinte pour « Agenda scolaire »."
    ]


@pytest.mark.parametrize(
    "quantity, error",
    [
        (0, "La quantité doit être d'au moins 1."),
        (-3, "La quantité doit être d'au moins 1."),
        ("deux", "La quantité doit être un nombre entier."),
        ("", "Indiquez une quantité."),
        (1000, "La quantité ne peut pas dépasser 99."),
    ],
)
def test_a_wrong_quantity_is_refused(adzo_client, zoe, agenda, quantity, error):
    assert add(adzo_client, zoe, agenda, quantity) == [error]
    assert not CartLine.objects.exists()


def test_an_article_not_on_sale_for_this_child_is_refused(adzo_client, zoe, agenda):
    other = make_item(school("de-la-salle"), "Agenda De La Salle")
    withdrawn = make_item(school("carrefour-jeunesse"), "Album", is_active=False)
    later = make_item(
        school("carrefour-jeunesse"),
        "Sortie",
        available_from=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert add(adzo_client, zoe, other) == [
        "Cet article n'est pas offert à l'école de votre enfant."
    ]
    assert messages_of(adzo_client.post(add_url(zoe), {"item": 999999, "quantity": 1})) == [
        "Cet article n'est pas offert à l'école de votre enfant."
    ]
    for item in (withdrawn, later):
        assert add(adzo_client, zoe, item) == ["Cet article n'est plus en vente."]
    assert not CartLine.objects.exists()


def test_the_cart_shows_the_lines_and_the_total(adzo_client, zoe, agenda, sweater):
    add(adzo_client, zoe, agenda, 2)
    add(adzo_client, zoe, sweater, 1)

    response = adzo_client.get(cart_url(zoe))

    assert response.status_code == 200
    text = visible(response)
    assert "Mon panier" in text
    assert "Agenda scolaire 12,50 $" in text
    assert "25,00 $" in text
    assert "Chandail de l'école 30,25 $" in text
    assert "Total 55,25 $" in text
    html = response.content.decode()
    assert f'action="{checkout_url(zoe)}"' in html
    assert re.search(r'<button type="submit" class="btn btn-primary">Payer</button>', html)


def test_a_cart_line_is_updated_and_removed(adzo_client, zoe, agenda, sweater):
    add(adzo_client, zoe, agenda, 1)
    add(adzo_client, zoe, sweater, 1)
    agenda_line = CartLine.objects.get(item=agenda)

    response = adzo_client.post(
        cart_url(zoe), {"line": agenda_line.pk, "action": "update", "quantity": 2}
    )
    assert response["Location"] == cart_url(zoe)
    assert messages_of(response) == ["La quantité a été mise à jour."]
    assert CartLine.objects.get(pk=agenda_line.pk).quantity == 2

    response = adzo_client.post(
        cart_url(zoe), {"line": agenda_line.pk, "action": "update", "quantity": 3}
    )
    assert messages_of(response) == [
        "La limite est de 2 par enfant pour « Agenda scolaire » : au plus 2 dans le panier."
    ]
    assert CartLine.objects.get(pk=agenda_line.pk).quantity == 2

    response = adzo_client.post(
        cart_url(zoe), {"line": agenda_line.pk, "action": "update", "quantity": 0}
    )
    assert messages_of(response) == ["La quantité doit être d'au moins 1."]

    response = adzo_client.post(cart_url(zoe), {"line": agenda_line.pk, "action": "remove"})
    assert messages_of(response) == ["L'article a été retiré du panier."]
    assert list(CartLine.objects.values_list("item", flat=True)) == [sweater.pk]
    assert "Total 30,25 $" in visible(adzo_client.get(cart_url(zoe)))


def test_another_parents_cart_line_is_not_touched(adzo_client, bruno, zoe, agenda):
    theirs = CartLine.objects.create(
        parent=bruno, student=bruno.guardianships.get().student, item=agenda, quantity=1
    )
    response = adzo_client.post(
        cart_url(zoe), {"line": theirs.pk, "action": "update", "quantity": 2}
    )
    assert messages_of(response) == ["Cet article n'est plus dans votre panier."]
    adzo_client.post(cart_url(zoe), {"line": theirs.pk, "action": "remove"})
    assert CartLine.objects.get(pk=theirs.pk).quantity == 1


def test_a_line_no_longer_for_sale_is_flagged_and_blocks_payment(adzo_client, zoe, agenda, sweater):
    add(adzo_client, zoe, agenda, 1)
    add(adzo_client, zoe, sweater, 1)
    StoreItem.objects.filter(pk=agenda.pk).update(is_active=False)

    response = adzo_client.get(cart_url(zoe))

    text = visible(response)
    assert "Cet article n'est plus en vente : retirez-le du panier." in text
    assert "Certains articles de votre panier ne peuvent pas être achetés." in text
    assert re.search(r"<button[^>]*disabled[^>]*>Payer</button>", response.content.decode())


# --- Checkout -------------------------------------------------------------------------------


def test_checkout_creates_the_invoice_and_the_order_at_the_servers_prices(
    adzo_client, adzo, zoe, agenda, sweater
):
    add(adzo_client, zoe, agenda, 2)
    add(adzo_client, zoe, sweater, 1)
    # The price changes after the article was put in the cart: the current one is charged.
    StoreItem.objects.filter(pk=sweater.pk).update(price=Decimal("31.00"))

    response = adzo_client.post(
        checkout_url(zoe),
        {"price": "0.01", "amount": "0.01", "total": "0.01", "unit_price": "0.01"},
    )

    order = StoreOrder.objects.get()
    invoice = order.invoice
    assert (order.parent, order.student) == (adzo, zoe)
    assert re.fullmatch(r"BOU\d{8}", invoice.number)
    assert invoice.number == f"BOU{invoice.pk:08d}"
    assert invoice.student == zoe
    assert invoice.session == school_year(timezone.localdate())
    assert re.fullmatch(r"\d{4}-\d{4}", invoice.session)
    assert invoice.description == "Services en ligne — Carrefour Jeunesse"
    assert invoice.due_date == timezone.localdate()
    assert invoice.status == Invoice.Status.OPEN
    assert list(invoice.lines.values_list("description", "amount", "voluntary")) == [
        ("Agenda scolaire × 2", Decimal("25.00"), False),
        ("Chandail de l'école × 1", Decimal("31.00"), False),
    ]
    assert list(
        StoreOrderLine.objects.filter(order=order)
        .order_by("pk")
        .values_list("item", "quantity", "unit_price")
    ) == [(agenda.pk, 2, Decimal("12.50")), (sweater.pk, 1, Decimal("31.00"))]
    assert not CartLine.objects.exists()

    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:demo_pay", args=[payment.reference])
    assert (payment.student, payment.payer, payment.amount) == (zoe, adzo, Decimal("56.00"))
    assert payment.status == Payment.Status.PENDING
    assert list(payment.allocations.values_list("invoice", "amount")) == [
        (invoice.pk, Decimal("56.00"))
    ]

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.STORE_ORDER_PLACED)
    assert event.actor == adzo
    assert event.identifier == f"student:{zoe.matricule}"
    assert event.details == {
        "invoice": invoice.number,
        "amount": "56.00",
        "items": "Agenda scolaire × 2; Chandail de l'école × 1",
    }


@pytest.mark.parametrize("change", ["withdrawn", "ended", "limit"])
def test_checkout_with_a_line_that_can_no_longer_be_bought_writes_nothing(
    adzo_client, zoe, agenda, sweater, change
):
    add(adzo_client, zoe, agenda, 2)
    add(adzo_client, zoe, sweater, 1)
    if change == "withdrawn":
        StoreItem.objects.filter(pk=agenda.pk).update(is_active=False)
    elif change == "ended":
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        StoreItem.objects.filter(pk=agenda.pk).update(
            available_from=yesterday, available_until=yesterday
        )
    else:
        StoreItem.objects.filter(pk=agenda.pk).update(limit_per_child=1)

    response = adzo_client.post(checkout_url(zoe))

    assert response["Location"] == cart_url(zoe)
    assert messages_of(response) == [
        "Certains articles de votre panier ne peuvent pas être achetés. Corrigez le panier."
    ]
    assert not Invoice.objects.exists()
    assert not InvoiceLine.objects.exists()
    assert not StoreOrder.objects.exists()
    assert not Payment.objects.exists()
    assert CartLine.objects.count() == 2
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.STORE_ORDER_PLACED).exists()


def test_checkout_of_an_empty_cart(adzo_client, zoe, agenda):
    response = adzo_client.post(checkout_url(zoe))
    assert response["Location"] == cart_url(zoe)
    assert messages_of(response) == ["Votre panier est vide."]
    assert not Invoice.objects.exists()
    assert "Votre panier est vide." in visible(adzo_client.get(cart_url(zoe)))


def test_checkout_is_a_post(adzo_client, zoe, agenda):
    add(adzo_client, zoe, agenda, 1)
    assert adzo_client.get(checkout_url(zoe)).status_code == 405
    assert adzo_client.get(add_url(zoe)).status_code == 405
    assert not Invoice.objects.exists()


def test_the_school_year(db):
    assert school_year(datetime.date(2026, 9, 1)) == "2026-2027"
    assert school_year(datetime.date(2027, 6, 30)) == "2026-2027"
    assert school_year(datetime.date(2027, 7, 1)) == "2027-2028"


# --- Mes achats -----------------------------------------------------------------------------


def test_mes_achats_lists_the_orders(adzo_client, zoe, agenda, sweater):
    order = place_order(adzo_client, zoe, (agenda, 2), (sweater, 1))

    response = adzo_client.get(ORDERS)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page" href="/parents/achats/"' in html
    row = order_row(adzo_client, order)
    assert "Zoé Testtest" in row
    assert order.invoice.number in row
    assert "Agenda scolaire × 2" in row
    assert "Chandail de l'école × 1" in row
    assert "55,25 $" in row
    assert "À payer" in row
    assert "Payer" in row
    assert "Annuler la commande" in row
    assert f'action="{order_pay_url(order)}"' in html
    assert f'action="{order_cancel_url(order)}"' in html


def test_an_order_for_a_child_no_longer_visible_is_hidden(adzo_client, zoe, agenda):
    order = place_order(adzo_client, zoe, (agenda, 1))
    Guardian.objects.filter(student=zoe).update(can_view=False)
    assert order.invoice.number not in adzo_client.get(ORDERS).content.decode()
    assert adzo_client.post(order_pay_url(order)).status_code == 404
    assert adzo_client.post(order_cancel_url(order)).status_code == 404


def test_another_parents_order_is_not_found(adzo_client, bruno_client, zoe, agenda):
    order = place_order(adzo_client, zoe, (agenda, 1))
    payments = Payment.objects.count()

    assert bruno_client.post(order_pay_url(order)).status_code == 404
    assert bruno_client.post(order_cancel_url(order)).status_code == 404
    assert order.invoice.number not in bruno_client.get(ORDERS).content.decode()
    for number in ("BOU99999999", "FAC00000001"):
        assert adzo_client.post(reverse("parents:order_pay", args=[number])).status_code == 404
    assert Invoice.objects.get(pk=order.invoice_id).status == Invoice.Status.OPEN
    assert Payment.objects.count() == payments


def test_cancelling_an_order(adzo_client, adzo, zoe, agenda):
    order = place_order(adzo_client, zoe, (agenda, 2))
    attempt = Payment.objects.get()
    assert attempt.status == Payment.Status.PENDING

    response = adzo_client.post(order_cancel_url(order))

    assert response["Location"] == ORDERS
    assert messages_of(response) == [f"La commande {order.invoice.number} a été annulée."]
    assert Invoice.objects.get(pk=order.invoice_id).status == Invoice.Status.CANCELLED
    # The card form under way can no longer charge it.
    assert Payment.objects.get(pk=attempt.pk).status == Payment.Status.CANCELLED
    row = order_row(adzo_client, order)
    assert "Annulée" in row
    assert "Annuler la commande" not in row
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.STORE_ORDER_CANCELLED)
    assert event.actor == adzo
    assert event.details["invoice"] == order.invoice.number
    # The limit is free again; a cancelled order is neither paid nor cancelled twice.
    assert "Déjà commandé : 0" in visible(adzo_client.get(store_url(zoe)))
    assert messages_of(adzo_client.post(order_cancel_url(order))) == [
        "Cette commande ne peut plus être annulée."
    ]
    assert messages_of(adzo_client.post(order_pay_url(order))) == [
        "Cette commande n'est plus à payer."
    ]
    assert Payment.objects.count() == 1


def test_order_actions_are_posts(adzo_client, zoe, agenda):
    order = place_order(adzo_client, zoe, (agenda, 1))
    assert adzo_client.get(order_pay_url(order)).status_code == 405
    assert adzo_client.get(order_cancel_url(order)).status_code == 405
    assert Invoice.objects.get(pk=order.invoice_id).status == Invoice.Status.OPEN


# --- Query budget ---------------------------------------------------------------------------


def store_items(count: int) -> None:
    carrefour = school("carrefour-jeunesse")
    for n in range(count):
        make_item(carrefour, f"Article {n:02d}", limit_per_child=1 + n % 3)


def test_the_store_page_costs_the_same_for_3_or_40_articles(
    adzo_client, zoe, agenda, django_assert_max_num_queries
):
    place_order(adzo_client, zoe, (agenda, 1))
    add(adzo_client, zoe, agenda, 1)
    store_items(2)
    with django_assert_max_num_queries(12) as few:
        response = adzo_client.get(store_url(zoe))
    assert response.status_code == 200
    budget = len(few)
    store_items(37)
    with django_assert_max_num_queries(budget):
        response = adzo_client.get(store_url(zoe))
    assert visible(response).count("Limite :") == 40


def test_mes_achats_costs_the_same_for_1_or_10_orders(
    adzo_client, zoe, agenda, sweater, django_assert_max_num_queries
):
    place_order(adzo_client, zoe, (agenda, 1))
    with django_assert_max_num_queries(12) as few:
        adzo_client.get(ORDERS)
    budget = len(few)
    for _ in range(9):
        order = place_order(adzo_client, zoe, (sweater, 1))
        adzo_client.post(order_cancel_url(order))
    with django_assert_max_num_queries(budget):
        response = adzo_client.get(ORDERS)
    assert response.content.decode().count('data-testid="order"') == 10
