"""The school store ("Services en ligne", seed 004): a parent fills a cart per child with the
articles the child's school sells, then checks it out into an invoice on the child's statement
(a `StoreOrder`), paid through the payment centre with the parent as payer.

Every amount is computed here from the articles' prices, never taken from the browser. An
article's limit per child counts the child's orders that are not cancelled, whichever parent
placed them, plus the cart being checked out.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404, HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing import services as billing
from billing.balances import invoice_balances_refresh
from billing.models import ZERO, Invoice, InvoiceLine, Payment, Receipt
from billing.selectors import receipts_by_invoice
from parents.models import CartLine, StoreItem, StoreOrder, StoreOrderLine
from parents.selectors import visible_guardianships
from portal.models import AuditEvent, Institution
from portal.services import audit_record
from students.models import Student

INVOICE_PREFIX = "BOU"


class StoreError(Exception):
    """A store action the rules refuse; the message is for the parent."""


def school_year(today: datetime.date) -> str:
    """The school year a date belongs to, as "2026-2027". It starts on the 1st of July (Quebec's
    Loi sur l'instruction publique; Ontario's boards count July and August with the year
    about to start too): what is sold in summer is for the coming year."""
    start = today.year if today.month >= 7 else today.year - 1
    return f"{start}-{start + 1}"


# --- Reads ----------------------------------------------------------------------------------


def _on_sale(today: datetime.date) -> Q:
    return Q(is_active=True, available_from__lte=today, available_until__gte=today)


def items_on_sale(school: Any, today: datetime.date) -> QuerySet[StoreItem]:
    """The articles a school sells today."""
    return StoreItem.objects.filter(_on_sale(today), school=school).order_by("name", "pk")


def _item_on_sale(item: StoreItem, student: Student, today: datetime.date) -> bool:
    return (
        item.school_id == student.school_id
        and item.is_active
        and item.available_from <= today <= item.available_until
    )


def quantities_bought(student: Student) -> dict[int, int]:
    """How many of each article the child's orders hold, cancelled orders left out."""
    rows = (
        StoreOrderLine.objects.filter(order__student=student)
        .exclude(order__invoice__status=Invoice.Status.CANCELLED)
        .values("item_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("item_id", "quantity")
    )
    return dict(rows)


def _cart_lines(parent: Any, student: Student) -> QuerySet[CartLine]:
    return (
        CartLine.objects.filter(parent=parent, student=student)
        .select_related("item")
        .order_by("added_at", "pk")
    )


def cart_count(parent: Any, student: Student) -> int:
    """The number of articles (quantities added up) in the parent's cart for this child."""
    return (
        CartLine.objects.filter(parent=parent, student=student).aggregate(count=Sum("quantity"))[
            "count"
        ]
        or 0
    )


@dataclass(frozen=True)
class StoreEntry:
    """One article on the store page, as this child stands with it."""

    item: StoreItem
    bought: int
    in_cart: int
    sold_out: str  # why no more can be added for this child; "" when some can

    @property
    def left(self) -> int:
        return max(0, self.item.limit_per_child - self.bought - self.in_cart)


def store_catalogue(parent: Any, student: Student, today: datetime.date) -> list[StoreEntry]:
    """The store page: the child's school's articles on sale today, with what this child
    already bought and what the cart holds. Three queries, whatever the number of articles."""
    bought = quantities_bought(student)
    in_cart = dict(
        CartLine.objects.filter(parent=parent, student=student).values_list("item_id", "quantity")
    )
    entries = []
    for item in items_on_sale(student.school_id, today):
        had, held = bought.get(item.pk, 0), in_cart.get(item.pk, 0)
        if had >= item.limit_per_child:
            sold_out = _("Limite atteinte : cet article a déjà été acheté pour cet enfant.")
        elif had + held >= item.limit_per_child:
            sold_out = _("Limite atteinte avec les articles de votre panier.")
        else:
            sold_out = ""
        entries.append(StoreEntry(item=item, bought=had, in_cart=held, sold_out=sold_out))
    return entries


@dataclass(frozen=True)
class CartEntry:
    line: CartLine
    total: Decimal
    problem: str  # why this line cannot be paid as it is; "" when it can


@dataclass(frozen=True)
class CartReview:
    entries: list[CartEntry] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((entry.total for entry in self.entries), ZERO)

    @property
    def blocked(self) -> bool:
        return any(entry.problem for entry in self.entries)

    @property
    def count(self) -> int:
        return sum(entry.line.quantity for entry in self.entries)


def _review(lines: list[CartLine], student: Student, today: datetime.date) -> CartReview:
    bought = quantities_bought(student)
    entries = []
    for line in lines:
        item = line.item
        had = bought.get(item.pk, 0)
        if not _item_on_sale(item, student, today):
            problem = _("Cet article n'est plus en vente : retirez-le du panier.")
        elif had + line.quantity > item.limit_per_child:
            problem = _(
                "La limite est de %(limit)s par enfant (déjà acheté : %(bought)s) : réduisez "
                "la quantité ou retirez l'article."
            ) % {"limit": item.limit_per_child, "bought": had}
        else:
            problem = ""
        entries.append(CartEntry(line=line, total=item.price * line.quantity, problem=problem))
    return CartReview(entries=entries)


def cart_review(parent: Any, student: Student, today: datetime.date) -> CartReview:
    """The cart page: each line with its total and, when it can no longer be bought as it
    is (article withdrawn, limit reached by an order placed since), why."""
    return _review(list(_cart_lines(parent, student)), student, today)


@dataclass(frozen=True)
class OrderRow:
    """One order on "Mes achats"."""

    order: StoreOrder
    total: Decimal
    receipt: Receipt | None


def _visible_students(parent: Any, institution: Institution) -> QuerySet:
    return visible_guardianships(parent, institution).values("student_id")


def orders_for_parent(parent: Any, institution: Institution) -> list[OrderRow]:
    """The parent's orders for the children they can still see, newest first, each with its
    total and, once paid by this parent, the receipt. Three queries whatever their number."""
    orders = list(
        StoreOrder.objects.filter(parent=parent, student__in=_visible_students(parent, institution))
        .select_related("student", "invoice")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=StoreOrderLine.objects.select_related("item").order_by("pk"),
            )
        )
        .order_by("-created_at", "-pk")
    )
    receipts = receipts_by_invoice(parent, [order.invoice_id for order in orders])
    return [
        OrderRow(
            order=order,
            total=sum((line.unit_price * line.quantity for line in order.lines.all()), ZERO),
            receipt=receipts.get(order.invoice_id),
        )
        for order in orders
    ]


def order_for_parent(parent: Any, number: str, institution: Institution) -> StoreOrder:
    """One of the parent's orders by its number, or 404 alike for a missing order, another
    parent's, and one for a child this parent no longer sees."""
    order = (
        StoreOrder.objects.filter(
            parent=parent,
            invoice__number=number,
            student__in=_visible_students(parent, institution),
        )
        .select_related("student", "invoice")
        .first()
    )
    if order is None:
        raise Http404
    return order


# --- Writes ---------------------------------------------------------------------------------


def _lock_parent(parent: Any) -> None:
    """The parent's row, locked: two tabs of one parent add, check out and pay one at a time."""
    get_user_model().objects.select_for_update().filter(pk=parent.pk).first()


def _room(item: StoreItem, student: Student, *, besides: int) -> int:
    """How many more of the article this child may get, `besides` those already counted in a
    cart."""
    return item.limit_per_child - quantities_bought(student).get(item.pk, 0) - besides


def _limit_error(item: StoreItem, room: int) -> StoreError:
    if room <= 0:
        return StoreError(
            _("La limite de %(limit)s par enfant est atteinte pour « %(item)s ».")
            % {"limit": item.limit_per_child, "item": item.name}
        )
    return StoreError(
        _(
            "La limite est de %(limit)s par enfant pour « %(item)s » : vous pouvez en ajouter "
            "au plus %(room)s."
        )
        % {"limit": item.limit_per_child, "item": item.name, "room": room}
    )


@transaction.atomic
def cart_line_add(
    *, parent: Any, student: Student, item_id: int, quantity: int, today: datetime.date
) -> CartLine:
    """ "Ajouter au panier": an article of the child's school, on sale, within the limit per
    child (what the cart holds and what was bought count)."""
    if quantity < 1:
        raise StoreError(_("La quantité doit être d'au moins 1."))
    _lock_parent(parent)
    item = StoreItem.objects.filter(pk=item_id, school=student.school_id).first()
    if item is None:
        raise StoreError(_("Cet article n'est pas offert à l'école de votre enfant."))
    if not _item_on_sale(item, student, today):
        raise StoreError(_("Cet article n'est plus en vente."))
    line = CartLine.objects.filter(parent=parent, student=student, item=item).first()
    held = line.quantity if line else 0
    room = _room(item, student, besides=held)
    if quantity > room:
        raise _limit_error(item, room)
    if line is None:
        return CartLine.objects.create(parent=parent, student=student, item=item, quantity=quantity)
    line.quantity = held + quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def cart_line_update(*, parent: Any, student: Student, line_id: int, quantity: int) -> CartLine:
    """A new quantity for a cart line, within the limit per child."""
    if quantity < 1:
        raise StoreError(_("La quantité doit être d'au moins 1."))
    _lock_parent(parent)
    line = _cart_lines(parent, student).filter(pk=line_id).first()
    if line is None:
        raise StoreError(_("Cet article n'est plus dans votre panier."))
    if quantity > line.quantity:
        room = _room(line.item, student, besides=0)
        if quantity > room:
            raise StoreError(
                _(
                    "La limite est de %(limit)s par enfant pour « %(item)s » : au plus "
                    "%(room)s dans le panier."
                )
                % {"limit": line.item.limit_per_child, "item": line.item.name, "room": max(0, room)}
            )
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


def cart_line_remove(*, parent: Any, student: Student, line_id: int) -> None:
    """ "Retirer": gone from the cart (a line already gone is no error)."""
    CartLine.objects.filter(parent=parent, student=student, pk=line_id).delete()


@transaction.atomic
def store_checkout(*, request: HttpRequest, parent: Any, student: Student) -> StoreOrder:
    """ "Payer": the cart becomes an order and its invoice on the child's statement, in one
    transaction. Every line is checked again with the rows locked (the parent's: two tabs;
    the child's: the other parent's cart), at the articles' current prices; the cart is
    emptied. Paying it is the next step (`store_order_payment_start`)."""
    _lock_parent(parent)
    Student.objects.select_for_update().filter(pk=student.pk).first()
    today = timezone.localdate()
    lines = list(_cart_lines(parent, student))
    if not lines:
        raise StoreError(_("Votre panier est vide."))
    review = _review(lines, student, today)
    if review.blocked:
        raise StoreError(
            _("Certains articles de votre panier ne peuvent pas être achetés. Corrigez le panier.")
        )
    # What is written in the records is in the institution's language, not the parent's.
    with translation.override(settings.LANGUAGE_CODE):
        description = _("Services en ligne — %(school)s") % {"school": student.school.name}
    invoice = Invoice.objects.create(
        student=student,
        number=f"TMP-{uuid.uuid4().hex[:16]}",
        session=school_year(today),
        description=description[:200],
        due_date=today,
        status=Invoice.Status.OPEN,
    )
    invoice.number = f"{INVOICE_PREFIX}{invoice.pk:08d}"
    invoice.save(update_fields=["number"])
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            description=f"{entry.line.item.name} × {entry.line.quantity}"[:200],
            amount=entry.total,
            position=position,
        )
        for position, entry in enumerate(review.entries)
    )
    invoice_balances_refresh([invoice.pk])
    order = StoreOrder.objects.create(parent=parent, student=student, invoice=invoice)
    StoreOrderLine.objects.bulk_create(
        StoreOrderLine(
            order=order,
            item=entry.line.item,
            quantity=entry.line.quantity,
            unit_price=entry.line.item.price,
        )
        for entry in review.entries
    )
    CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
    audit_record(
        kind=AuditEvent.Kind.STORE_ORDER_PLACED,
        request=request,
        actor=parent,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={
            "invoice": invoice.number,
            "amount": str(review.total),
            "items": "; ".join(
                f"{entry.line.item.name} × {entry.line.quantity}" for entry in review.entries
            ),
        },
    )
    return order


def store_order_payment_start(
    *, request: HttpRequest, parent: Any, order: StoreOrder, provider: Any
) -> Payment:
    """The payment of an open order, by the parent, through the payment centre (a payment
    already under way for it, by this parent, is reused)."""
    try:
        return billing.payment_start(
            request=request,
            student=order.student,
            invoice_numbers=[order.invoice.number],
            provider=provider,
            payer=parent,
        )
    except billing.PaymentError as error:
        raise StoreError(_("Cette commande n'est plus à payer.")) from error


def store_order_cancel(*, request: HttpRequest, parent: Any, order: StoreOrder) -> StoreOrder:
    """ "Annuler la commande": its invoice is cancelled (with any payment under way), which
    frees the articles' limit. A paid order cannot be cancelled here."""
    try:
        billing.invoice_cancel(
            request=request,
            actor=parent,
            invoice=order.invoice,
            reason="store_order_cancelled",
            audit_kind=AuditEvent.Kind.STORE_ORDER_CANCELLED,
        )
    except billing.PaymentError as error:
        raise StoreError(_("Cette commande ne peut plus être annulée.")) from error
    order.invoice.refresh_from_db(fields=["status"])
    return order
