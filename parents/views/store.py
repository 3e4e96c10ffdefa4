"""Services en ligne (seed 004): a child's store page and cart, checkout, and "Mes achats",
where an order is paid (through the payment centre) or cancelled. Only for a child whose school
offers the store; an order of another parent, or of a child no longer visible, answers 404."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import services as billing
from billing.models import Invoice
from billing.providers import provider_current
from parents.forms.store import CartAddForm, CartLineForm, form_error_text
from parents.models import StoreOrder
from parents.services import store as services
from parents.views.common import child_page, parent_page
from students.models import Student


def _store_open(student: Student) -> None:
    if not student.school.offers_store:
        raise Http404


def _pay(request: HttpRequest, order: StoreOrder) -> HttpResponse:
    """Sends the parent to the payment provider for an open order (the demo card form, or
    Stripe Checkout where it is configured)."""
    provider = provider_current()
    try:
        payment = services.store_order_payment_start(
            request=request, parent=request.user, order=order, provider=provider
        )
    except services.StoreError as error:
        messages.error(request, str(error))
        return redirect("parents:orders")
    url = billing.payment_checkout_url(request=request, payment=payment, provider=provider)
    if url is None:
        messages.error(
            request,
            _("Le service de paiement est présentement indisponible. Réessayez dans un moment."),
        )
        return redirect("parents:orders")
    return redirect(url)


@require_GET
@child_page
def store(request: HttpRequest, student: Student) -> HttpResponse:
    """The articles the child's school sells today, each with its limit and what this child
    already has, and "Ajouter au panier"."""
    _store_open(student)
    return render(
        request,
        "parents/store.html",
        {
            "student": student,
            "entries": services.store_catalogue(request.user, student, timezone.localdate()),
            "cart_count": services.cart_count(request.user, student),
        },
    )


@require_POST
@child_page
def cart_add(request: HttpRequest, student: Student) -> HttpResponse:
    _store_open(student)
    form = CartAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("parents:store", student_id=student.pk)
    try:
        line = services.cart_line_add(
            parent=request.user,
            student=student,
            item_id=form.cleaned_data["item"],
            quantity=form.cleaned_data["quantity"],
            today=timezone.localdate(),
        )
    except services.StoreError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("« %(item)s » a été ajouté au panier.") % {"item": line.item.name}
        )
    return redirect("parents:store", student_id=student.pk)


@require_http_methods(["GET", "POST"])
@child_page
def cart(request: HttpRequest, student: Student) -> HttpResponse:
    """The cart for this child: quantities to change, lines to remove, and "Payer"."""
    _store_open(student)
    if request.method == "POST":
        form = CartLineForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_error_text(form))
        elif form.cleaned_data["action"] == CartLineForm.REMOVE:
            services.cart_line_remove(
                parent=request.user, student=student, line_id=form.cleaned_data["line"]
            )
            messages.success(request, _("L'article a été retiré du panier."))
        else:
            try:
                services.cart_line_update(
                    parent=request.user,
                    student=student,
                    line_id=form.cleaned_data["line"],
                    quantity=form.cleaned_data["quantity"],
                )
            except services.StoreError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("La quantité a été mise à jour."))
        return redirect("parents:cart", student_id=student.pk)
    return render(
        request,
        "parents/cart.html",
        {
            "student": student,
            "review": services.cart_review(request.user, student, timezone.localdate()),
        },
    )


@require_POST
@child_page
def checkout(request: HttpRequest, student: Student) -> HttpResponse:
    """ "Payer": the cart becomes an order, then the parent goes to the card form."""
    _store_open(student)
    try:
        order = services.store_checkout(request=request, parent=request.user, student=student)
    except services.StoreError as error:
        messages.error(request, str(error))
        return redirect("parents:cart", student_id=student.pk)
    return _pay(request, order)


@require_GET
@parent_page
def orders(request: HttpRequest) -> HttpResponse:
    """Mes achats: every order for the children the parent sees, its state and what to do."""
    return render(
        request,
        "parents/orders.html",
        {"rows": services.orders_for_parent(request.user, request.institution)},
    )


@require_POST
@parent_page
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    order = services.order_for_parent(request.user, number, request.institution)
    if order.invoice.status != Invoice.Status.OPEN:
        messages.error(request, _("Cette commande n'est plus à payer."))
        return redirect("parents:orders")
    return _pay(request, order)


@require_POST
@parent_page
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    order = services.order_for_parent(request.user, number, request.institution)
    try:
        services.store_order_cancel(request=request, parent=request.user, order=order)
    except services.StoreError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("La commande %(number)s a été annulée.") % {"number": order.invoice.number}
        )
    return redirect("parents:orders")
