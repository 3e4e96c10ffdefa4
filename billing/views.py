"""Centre de paiement: statement, details, selection, payment, receipts; Stripe's return and
webhook. The statement and its steps are the logged-in student's own. A payment's pages and its
receipt are also open to the parent who made it (school store): anyone else's invoice, payment
or receipt answers 404 like a missing one."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import receipts, selectors, services
from billing.forms import ReceiptEmailForm, selected_numbers
from billing.models import Payment
from billing.providers import StripeProvider, provider_current
from portal.http import client_ip
from portal.throttle import throttle_check, throttle_fail
from students.forms import ContactForm
from students.home import student_of
from students.models import Student
from students.services import student_contact_update

CONTACT_CONFIRMED_KEY = "billing_contact_confirmed"
logger = logging.getLogger(__name__)


def student_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The payment centre is a student's, and only where the institution offers it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        student = student_of(request)
        if student is None or not request.institution.module_enabled("payments"):
            raise Http404
        return view(request, student, *args, **kwargs)

    return wrapped


def _payments_of(request: HttpRequest) -> QuerySet[Payment] | None:
    """The payments this person may see: a student's own (where the payment centre is on), a
    parent's those they made (where the parents' portal is on); None for anyone else."""
    user = request.user
    if user.is_authenticated and user.audience == "parent":
        if not request.institution.parent_portal_enabled:
            return None
        return selectors.payments_of_payer(user, request.institution)
    student = student_of(request)
    if student is None or not request.institution.module_enabled("payments"):
        return None
    return selectors.payments_of_student(student)


def payment_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of one payment or receipt: the view gets the payments in the person's reach."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        payments = _payments_of(request)
        if payments is None:
            raise Http404
        return view(request, payments, *args, **kwargs)

    return wrapped


def _back(request: HttpRequest) -> str:
    """Where "back" and a failure lead: a parent's purchases (by name: billing does not import
    the parents' app), or the student's statement."""
    if request.user.audience == "parent":
        return reverse("parents:orders")
    return reverse("billing:statement")


def _back_context(request: HttpRequest) -> dict[str, Any]:
    for_parent = request.user.audience == "parent"
    return {
        "for_parent": for_parent,
        "back_url": _back(request),
        "back_label": _("Retour à mes achats") if for_parent else _("Retour à l'état de compte"),
    }


@student_page
def statement(request: HttpRequest, student: Student) -> HttpResponse:
    """État de compte: the invoices to pay, each with its balance, and the total."""
    invoices = selectors.statement_invoices(student)
    return render(
        request,
        "billing/statement.html",
        {
            "student": student,
            "invoices": invoices,
            "total": sum((invoice.balance for invoice in invoices), services.ZERO),
            "now": timezone.localtime(),
            "payments": selectors.statement_payments(student),
        },
        using="jinja2",
    )


@require_http_methods(["GET", "POST"])
@student_page
def invoice_detail(request: HttpRequest, student: Student, number: str) -> HttpResponse:
    """Détails: the fees, and the voluntary contributions the student may remove or add."""
    invoice = selectors.invoice_for_student(student, number)
    if request.method == "POST":
        try:
            services.contribution_set(
                request=request,
                student=student,
                line_id=int(request.POST.get("line", "0") or 0),
                kept=request.POST.get("action") == "keep",
            )
        except (services.PaymentError, ValueError):
            messages.error(
                request, _("Cette cotisation ne peut plus être modifiée pour cette facture.")
            )
        else:
            messages.success(request, _("Votre choix a été enregistré."))
        return redirect("billing:invoice", number=invoice.number)
    return render(
        request,
        "billing/invoice.html",
        {"invoice": invoice, "student": student, "frozen": selectors.invoice_frozen(invoice)},
    )


@require_GET
@student_page
def selection(request: HttpRequest, student: Student) -> HttpResponse:
    """Factures sélectionnées: what will be paid and the total, from the server's figures."""
    numbers = selected_numbers(request.GET)
    invoices = list(selectors.invoices_open(student).filter(number__in=numbers))
    if not numbers or len(invoices) != len(numbers):
        messages.error(request, _("Sélectionnez au moins une facture à payer."))
        return redirect("billing:statement")
    if request.institution.payment_confirm_contact and not request.session.get(
        CONTACT_CONFIRMED_KEY
    ):
        return redirect(
            f"{reverse('billing:contact')}?{urlencode({'factures': numbers}, doseq=True)}"
        )
    return render(
        request,
        "billing/selection.html",
        {
            "invoices": invoices,
            "total": sum((invoice.balance for invoice in invoices), services.ZERO),
            "provider": provider_current(),
        },
    )


@require_http_methods(["GET", "POST"])
@student_page
def contact(request: HttpRequest, student: Student) -> HttpResponse:
    """ "Omnivox peut vous demander de confirmer vos coordonnées": confirm or correct them."""
    numbers = selected_numbers(request.GET if request.method == "GET" else request.POST)
    form = ContactForm(request.POST or None, instance=student)
    if request.method == "POST" and form.is_valid():
        student_contact_update(
            request=request,
            student=Student.objects.get(pk=student.pk),
            changes={name: form.cleaned_data[name] for name in form.changed_data},
        )
        request.session[CONTACT_CONFIRMED_KEY] = True
        return redirect(
            f"{reverse('billing:selection')}?{urlencode({'factures': numbers}, doseq=True)}"
        )
    return render(request, "billing/contact.html", {"form": form, "numbers": numbers})


@require_POST
@student_page
def pay(request: HttpRequest, student: Student) -> HttpResponse:
    """Starts the payment of the selected invoices with the current provider."""
    provider = provider_current()
    try:
        payment = services.payment_start(
            request=request,
            student=student,
            invoice_numbers=selected_numbers(request.POST),
            provider=provider,
        )
    except services.PaymentError:
        messages.error(
            request, _("Ces factures ne peuvent pas être payées. Vérifiez votre état de compte.")
        )
        return redirect("billing:statement")
    url = services.payment_checkout_url(request=request, payment=payment, provider=provider)
    if url is None:
        messages.error(
            request,
            _("Le service de paiement est présentement indisponible. Réessayez dans un moment."),
        )
        return redirect("billing:statement")
    return redirect(url)


@payment_page
def stripe_return(request: HttpRequest, payments: QuerySet[Payment]) -> HttpResponse:
    """Stripe sends the browser back here. The URL proves nothing: the session is fetched
    from Stripe, and only a paid session of this person's payment is fulfilled."""
    session_id = request.GET.get("session_id", "")
    payment = payments.filter(
        provider=Payment.Provider.STRIPE, provider_session_id=session_id
    ).first()
    if not session_id or payment is None:
        raise Http404
    if payment.status == Payment.Status.PENDING:
        try:
            session = StripeProvider().retrieve(session_id)
        except stripe.StripeError:
            session = None
        if session is not None:
            try:
                services.stripe_session_fulfil(request=request, session=session)
            except services.PaymentError:
                logger.error("Stripe session %s paid for a closed payment", session_id)
        payment.refresh_from_db()
    return redirect("billing:payment", reference=payment.reference)


FULFIL_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
FAIL_EVENTS = {"checkout.session.async_payment_failed", "checkout.session.expired"}


@csrf_exempt
@login_not_required
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events, verified with the signing secret on the raw body (a bad signature or a
    stale timestamp gets a 400). Fulfilment is idempotent: duplicates and any order are fine."""
    try:
        event = stripe.Webhook.construct_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
        )
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponse(status=400)
    session = event["data"]["object"].to_dict()
    if event["type"] in FULFIL_EVENTS:
        # The event's copy has no card details: ask Stripe for the session with its charge.
        try:
            session = StripeProvider().retrieve(session["id"])
        except stripe.StripeError:
            logger.warning("Stripe session %s could not be retrieved", session.get("id"))
        try:
            services.stripe_session_fulfil(request=None, session=session)
        except services.PaymentError:
            # Paid after staff cancelled it: answered 200 so Stripe stops retrying; the
            # payment needs a refund by staff.
            logger.error("Stripe session %s paid for a closed payment", session.get("id"))
    elif event["type"] in FAIL_EVENTS:
        payment = Payment.objects.filter(provider_session_id=session.get("id")).first()
        if payment is not None:
            status = (
                Payment.Status.EXPIRED
                if event["type"] == "checkout.session.expired"
                else Payment.Status.FAILED
            )
            services.payment_fail(
                request=None, payment_id=payment.pk, status=status, reason=event["type"]
            )
    return HttpResponse(status=200)


# --- Receipts -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@payment_page
def receipt(request: HttpRequest, payments: QuerySet[Payment], number: str) -> HttpResponse:
    """Relevé de transaction, with "Envoyer" to an address the person types (5 an hour)."""
    found = selectors.receipt_for(payments, number)
    form = ReceiptEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key, ip = f"receipt:{request.user.pk}", client_ip(request)
        if throttle_check("receipt_email", key=key, ip=ip):
            messages.error(request, _("Trop d'envois en peu de temps. Réessayez plus tard."))
        else:
            throttle_fail("receipt_email", key=key, ip=ip)
            services.receipt_send(
                request=request,
                receipt=found,
                email=form.cleaned_data["email"],
            )
            messages.success(
                request,
                _("Le relevé a été envoyé à %(email)s.") % {"email": form.cleaned_data["email"]},
            )
        return redirect("billing:receipt", number=found.number)
    return render(
        request,
        "billing/receipt.html",
        {
            **receipts.receipt_context(found, request.institution),
            "form": form,
            **_back_context(request),
        },
    )


@payment_page
def receipt_pdf(request: HttpRequest, payments: QuerySet[Payment], number: str) -> HttpResponse:
    found = selectors.receipt_for(payments, number)
    response = HttpResponse(
        receipts.receipt_pdf(found, request.institution, request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{found.number}.pdf"'
    return response
