"""The demo processor's card form ("P@iement en ligne") and a payment's outcome page.

The form's 3:00 (WCAG 2.2.1): a warning a minute before the end, "Prolonger" (up to
services.PAYMENT_EXTENSIONS_MAX times, enforced here on the server), and when the time ran out
anyway, what was typed comes back on a new attempt's form instead of being lost. A declined
card's page offers "Réessayer" (a new attempt for the same invoices).
"""

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing import selectors, services
from billing.forms import DemoCardForm
from billing.models import Payment, Receipt
from billing.providers import provider_current
from billing.views import _back, _back_context, payment_page

EXTEND = "prolonger"


def _typed(request: HttpRequest) -> dict[str, str]:
    """What the person typed in the card form, to show it again (never stored)."""
    names = DemoCardForm.base_fields
    return {name: value for name, value in request.POST.items() if name in names}


def _email_on_file(request: HttpRequest, payment: Payment) -> str:
    payer = payment.payer or request.user
    return getattr(payer, "email", "") or payment.student.email


def _form_page(
    request: HttpRequest, payment: Payment, form: DemoCardForm, *, status: int = 200
) -> HttpResponse:
    seconds = max(0, int((payment.expires_at - timezone.now()).total_seconds()))
    return render(
        request,
        "billing/demo_pay.html",
        {
            "payment": payment,
            "form": form,
            "seconds": seconds,
            "countdown": f"{seconds // 60}:{seconds % 60:02d}",
            "can_extend": payment.extensions < services.PAYMENT_EXTENSIONS_MAX,
            "extensions_left": services.PAYMENT_EXTENSIONS_MAX - payment.extensions,
            "allocations": payment.allocations.select_related("invoice"),
            **_back_context(request),
        },
        status=status,
    )


def _expired(request: HttpRequest, payment: Payment) -> HttpResponse:
    services.payment_fail(
        request=request, payment_id=payment.pk, status=Payment.Status.EXPIRED, reason="timeout"
    )
    if request.method != "POST":
        return redirect("billing:payment", reference=payment.reference)
    # Time ran out while the person was typing: a new attempt, with what they typed.
    try:
        fresh = services.payment_retry(
            request=request, payment=payment, provider=provider_current()
        )
    except services.PaymentError:
        return redirect("billing:payment", reference=payment.reference)
    if fresh.provider != Payment.Provider.DEMO:
        return redirect("billing:payment", reference=payment.reference)
    messages.warning(
        request,
        _(
            "Le délai était écoulé : une nouvelle tentative commence. Ce que vous aviez saisi "
            "est conservé ; vérifiez-le, puis effectuez le paiement."
        ),
    )
    return _form_page(request, fresh, DemoCardForm(initial=_typed(request)))


@require_http_methods(["GET", "POST"])
@payment_page
def demo_pay(request: HttpRequest, payments: QuerySet[Payment], reference: str) -> HttpResponse:
    """P@iement en ligne (démonstration): the card form and its 3:00 countdown."""
    payment = selectors.payment_for(payments, reference)
    if payment.provider != Payment.Provider.DEMO or payment.status != Payment.Status.PENDING:
        return redirect("billing:payment", reference=payment.reference)
    if payment.expires_at <= timezone.now():
        return _expired(request, payment)
    if request.method == "POST" and EXTEND in request.POST:
        try:
            payment = services.payment_extend(payment_id=payment.pk, provider=provider_current())
        except services.PaymentError:
            messages.error(request, _("Le délai ne peut plus être prolongé."))
        else:
            messages.success(request, _("Le délai est prolongé : vous avez de nouveau 3:00."))
        return _form_page(request, payment, DemoCardForm(initial=_typed(request)))
    form = DemoCardForm(request.POST or None, initial={"email": _email_on_file(request, payment)})
    if request.method == "POST" and form.is_valid():
        try:
            approved = services.demo_payment_pay(
                request=request,
                payment=payment,
                card_number=form.cleaned_data["card_number"],
                receipt_email=form.cleaned_data["email"],
            )
        except services.PaymentError:
            messages.error(
                request,
                _(
                    "Ces factures ont été payées autrement entre-temps : aucun montant n'a "
                    "été prélevé."
                ),
            )
            return redirect(_back(request))
        if approved:
            return redirect("billing:receipt", number=Receipt.objects.get(payment=payment).number)
        return redirect("billing:payment", reference=payment.reference)
    return _form_page(request, payment, form)


@require_http_methods(["GET", "POST"])
@payment_page
def payment_status(
    request: HttpRequest, payments: QuerySet[Payment], reference: str
) -> HttpResponse:
    """A payment's outcome; "Réessayer" (POST) starts a new attempt for the same invoices."""
    payment = selectors.payment_for(payments, reference)
    if payment.status == Payment.Status.SUCCEEDED:
        return redirect("billing:receipt", number=payment.receipt.number)
    retryable = payment.status in (Payment.Status.FAILED, Payment.Status.EXPIRED)
    if request.method == "POST" and retryable:
        provider = provider_current()
        try:
            fresh = services.payment_retry(request=request, payment=payment, provider=provider)
        except services.PaymentError:
            messages.error(
                request, _("Ces factures ne peuvent plus être payées. Vérifiez votre solde.")
            )
            return redirect(_back(request))
        url = services.payment_checkout_url(request=request, payment=fresh, provider=provider)
        return redirect(url or _back(request))
    resume_url = ""
    if payment.status == Payment.Status.PENDING and payment.expires_at > timezone.now():
        resume_url = payment.checkout_url or (
            reverse("billing:demo_pay", kwargs={"reference": payment.reference})
            if payment.provider == Payment.Provider.DEMO
            else ""
        )
    context: dict[str, Any] = {"payment": payment, "resume_url": resume_url, "retry": retryable}
    return render(request, "billing/payment_status.html", {**context, **_back_context(request)})
