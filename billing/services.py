"""Writes of the payment centre. Every state change is atomic, locks the rows it decides on,
and is audited; emails leave after commit."""

import contextlib
import datetime
import uuid
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from billing.balances import invoice_balances_refresh
from billing.models import ZERO, Allocation, Invoice, InvoiceLine, Payment, Receipt
from billing.providers import CardResult, DemoProvider, provider_for
from billing.selectors import invoice_frozen, invoices_open, invoices_with_balance
from portal.confirmations import confirmation_issue, confirmation_number_new
from portal.models import AuditEvent, Confirmation
from portal.services import audit_record
from students.models import Student


class PaymentError(Exception):
    """A payment the centre turns down; the message is for the person."""


def _audit(kind: str, *, request: HttpRequest | None, student: Student, **details: Any) -> None:
    audit_record(
        kind=kind,
        request=request,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={key: str(value) for key, value in details.items()},
    )


def _reference() -> str:
    """A payment's reference: the portal's one confirmation-number format (K7QM-4TXD-92HP), so
    that an approved payment is looked up by staff like any other confirmation."""
    return confirmation_number_new()


def _confirmation_issue(payment: Payment) -> None:
    """Stores the approved payment's reference among the portal's confirmation numbers."""
    confirmation_issue(
        kind=Confirmation.Kind.PAYMENT,
        user=payment.payer or payment.student.user,
        identifier=payment.student.matricule,
        summary=f"{payment.amount} $ ({payment.reference})",
        number=payment.reference,
    )


# --- Voluntary contributions ----------------------------------------------------------------


@transaction.atomic
def contribution_set(
    *, request: HttpRequest, student: Student, line_id: int, kept: bool
) -> InvoiceLine:
    """Removes or puts back a voluntary contribution of an unpaid invoice of this student."""
    # The student's row first, as payment_start does: a contribution never changes while a
    # payment of the same invoices is being set up.
    Student.objects.select_for_update().filter(pk=student.pk).first()
    line = (
        InvoiceLine.objects.select_for_update(of=("self",))
        .select_related("invoice")
        .filter(
            pk=line_id,
            voluntary=True,
            invoice__student=student,
            invoice__status=Invoice.Status.OPEN,
        )
        .first()
    )
    if line is None:
        raise PaymentError("line")
    if invoice_frozen(line.invoice):
        raise PaymentError("paid")
    if line.removed == (not kept):
        return line
    line.removed = not kept
    line.save(update_fields=["removed"])
    invoice_balances_refresh([line.invoice_id])
    _audit(
        AuditEvent.Kind.CONTRIBUTION_RESTORED if kept else AuditEvent.Kind.CONTRIBUTION_REMOVED,
        request=request,
        student=student,
        invoice=line.invoice.number,
        line=line.description,
        amount=line.amount,
    )
    return line


# --- Paying online --------------------------------------------------------------------------


@transaction.atomic
def payment_start(
    *,
    request: HttpRequest,
    student: Student,
    invoice_numbers: list[str],
    provider: Any,
    payer: Any = None,
) -> Payment:
    """A pending payment of the selected invoices' balances, computed here from the invoices.
    `payer` is who pays when it is not the student (a parent in the school store): the
    payment's pages and receipt are then theirs too.

    A second click for the same selection while the first is still pending gets the same
    payment back (the student's row is locked meanwhile), so Stripe sees one session; never
    another person's, whose Checkout page and receipt are not this one's to see.
    """
    Student.objects.select_for_update().filter(pk=student.pk).first()
    invoices = list(invoices_open(student).filter(number__in=invoice_numbers))
    if not invoices or len(invoices) != len(set(invoice_numbers)):
        raise PaymentError("selection")
    wanted = {invoice.pk: invoice.balance for invoice in invoices}
    now = timezone.now()
    for pending in Payment.objects.filter(
        student=student,
        payer=payer,
        status=Payment.Status.PENDING,
        provider=provider.name,
        expires_at__gt=now,
    ).prefetch_related("allocations"):
        if {a.invoice_id: a.amount for a in pending.allocations.all()} == wanted:
            return pending
    _pending_cancel(student=student, invoice_ids=list(wanted), reason="superseded")
    payment = Payment.objects.create(
        student=student,
        reference=_reference(),
        provider=provider.name,
        amount=sum(wanted.values(), ZERO),
        idempotency_key=uuid.uuid4().hex,
        expires_at=now + provider.lifetime,
        payer=payer,
    )
    Allocation.objects.bulk_create(
        Allocation(payment=payment, invoice_id=pk, amount=amount) for pk, amount in wanted.items()
    )
    _audit(
        AuditEvent.Kind.PAYMENT_STARTED,
        request=request,
        student=student,
        payment=payment.reference,
        amount=payment.amount,
        provider=provider.name,
    )
    return payment


def payment_checkout_url(*, request: HttpRequest, payment: Payment, provider: Any) -> str | None:
    """Where the browser goes to pay: the provider's page (a Stripe Checkout page already made
    is reused, for a double click), or None when the provider cannot be reached, the attempt
    then marked failed so that nothing waits on it."""
    if payment.checkout_url:
        return payment.checkout_url
    try:
        return provider.start(payment)
    except stripe.StripeError:
        payment_fail(
            request=request, payment_id=payment.pk, status=Payment.Status.FAILED, reason="stripe"
        )
        return None


def _pending_cancel(*, student: Student, invoice_ids: list[int], reason: str) -> None:
    """Cancels the student's other attempts under way on any of these invoices, so that one
    invoice is never charged twice (two tabs, or a payment at the counter meanwhile). A Stripe
    attempt's Checkout page is closed at Stripe too."""
    ids = set(
        Allocation.objects.filter(
            invoice__in=invoice_ids,
            payment__student=student,
            payment__status=Payment.Status.PENDING,
        ).values_list("payment_id", flat=True)
    )
    # Locked by primary key: PostgreSQL refuses FOR UPDATE with the DISTINCT a join needs.
    stale = Payment.objects.select_for_update().filter(pk__in=ids, status=Payment.Status.PENDING)
    for payment in stale:
        if payment.provider == Payment.Provider.STRIPE:
            # An already expired or paid session refuses; a late payment is flagged at fulfil.
            with contextlib.suppress(stripe.StripeError):
                provider_for(payment).expire(payment)
        payment.status = Payment.Status.CANCELLED
        payment.reason = reason
        payment.save(update_fields=["status", "reason"])


def _still_due(payment: Payment) -> bool:
    """Whether every invoice of the payment is still open with at least its share to pay
    (the invoices' rows are locked first)."""
    allocations = list(payment.allocations.all())
    ids = [allocation.invoice_id for allocation in allocations]
    list(Invoice.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    balances = {
        invoice.pk: invoice.balance
        for invoice in invoices_with_balance(
            Invoice.objects.filter(pk__in=ids, status=Invoice.Status.OPEN)
        )
    }
    return all(balances.get(a.invoice_id, ZERO) >= a.amount for a in allocations)


def _receipt_issue(payment: Payment) -> Receipt:
    receipt = Receipt.objects.create(payment=payment, number=f"TMP-{payment.reference}")
    receipt.number = f"REC{receipt.pk:08d}"
    receipt.save(update_fields=["number"])
    return receipt


def _invoices_settle(payment: Payment) -> None:
    """Marks paid the invoices this payment brought to zero, and stores their new balance."""
    ids = list(payment.allocations.values_list("invoice_id", flat=True))
    invoice_balances_refresh(ids)
    paid = [
        invoice.pk
        for invoice in invoices_with_balance(Invoice.objects.filter(pk__in=ids))
        if invoice.balance <= 0
    ]
    Invoice.objects.filter(pk__in=paid).update(status=Invoice.Status.PAID)


@transaction.atomic
def payment_fulfil(
    *,
    request: HttpRequest | None,
    payment_id: int,
    card: CardResult,
    provider_payment_id: str = "",
    money_taken: bool = False,
) -> Payment:
    """Records an approved payment once, whoever asks first (the browser's return, the
    webhook, a retry): the payment row is locked and a second call finds it done.

    Before money is taken (the demo form), invoices paid another way meanwhile refuse the
    payment. Once a provider has taken the money (Stripe), it is recorded whatever happened,
    and an overpayment is flagged in the audit log for staff to refund.
    """
    payment = Payment.objects.select_for_update().select_related("student").get(pk=payment_id)
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED):
        # Done already, or refunded since: a late or repeated confirmation changes nothing.
        return payment
    if not money_taken and (
        payment.status != Payment.Status.PENDING or payment.expires_at <= timezone.now()
    ):
        # Before any money moves, only a live attempt can be approved (two tabs: a declined
        # card in one, an approved one in the other).
        raise PaymentError("closed")
    still_due = _still_due(payment)
    if not still_due and not money_taken:
        payment.status = Payment.Status.CANCELLED
        payment.reason = "already_paid"
        payment.save(update_fields=["status", "reason"])
        raise PaymentError("already_paid")
    payment.status = Payment.Status.SUCCEEDED
    payment.completed_at = timezone.now()
    payment.card_brand = card.brand
    payment.card_last4 = card.last4
    payment.authorization_number = card.authorization
    payment.provider_payment_id = provider_payment_id or payment.provider_payment_id
    payment.save()
    _invoices_settle(payment)
    receipt = _receipt_issue(payment)
    _confirmation_issue(payment)
    _audit(
        AuditEvent.Kind.PAYMENT_SUCCEEDED,
        request=request,
        student=payment.student,
        payment=payment.reference,
        amount=payment.amount,
        receipt=receipt.number,
        **({"overpaid": True} if not still_due else {}),
    )
    return payment


@transaction.atomic
def payment_fail(
    *, request: HttpRequest | None, payment_id: int, status: str, reason: str = ""
) -> Payment:
    """A declined card or an expired attempt: the invoices stay to pay."""
    payment = Payment.objects.select_for_update().select_related("student").get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return payment
    payment.status = status
    payment.reason = reason[:300]
    payment.completed_at = timezone.now()
    payment.save(update_fields=["status", "reason", "completed_at"])
    _audit(
        AuditEvent.Kind.PAYMENT_FAILED,
        request=request,
        student=payment.student,
        payment=payment.reference,
        status=status,
        reason=reason,
    )
    return payment


def stripe_session_fulfil(*, request: HttpRequest | None, session: Any) -> Payment | None:
    """Fulfils from a Checkout Session that Stripe itself returned or signed. Only a session
    whose payment_status is "paid" fulfils; "unpaid" waits for the async event."""
    payment = Payment.objects.filter(provider_session_id=session.get("id")).first()
    if payment is None or session.get("payment_status") != "paid":
        return payment
    provider = provider_for(payment)
    intent = session.get("payment_intent")
    intent_id = intent.get("id") if isinstance(intent, dict) else (intent or "")
    return payment_fulfil(
        request=request,
        payment_id=payment.pk,
        card=provider.card_of(session),
        provider_payment_id=intent_id,
        money_taken=True,
    )


# --- Cancelling an invoice ------------------------------------------------------------------


@transaction.atomic
def invoice_cancel(
    *,
    request: HttpRequest | None,
    actor: Any,
    invoice: Invoice,
    reason: str,
    audit_kind: str = AuditEvent.Kind.PAYMENT_CANCELLED,
) -> Invoice:
    """Cancels an invoice nobody paid (a school-store order given up), and the attempts under
    way on it, so that none can charge it afterwards. An invoice paid, even in part, is
    refused: giving that money back is a refund, staff's business.

    `audit_kind` names the event for the audit log (the store: STORE_ORDER_CANCELLED).
    """
    # The student's row first, as payment_start does: no new attempt starts meanwhile. Then
    # the attempts' rows before the invoice's, in the order payment_fulfil locks them, so a
    # card approved at this very moment either completes first (and this refuses) or finds
    # its attempt cancelled.
    Student.objects.select_for_update().filter(pk=invoice.student_id).first()
    attempts = set(
        Allocation.objects.filter(
            invoice=invoice, payment__status=Payment.Status.PENDING
        ).values_list("payment_id", flat=True)
    )
    list(Payment.objects.select_for_update().filter(pk__in=attempts).values_list("pk", flat=True))
    invoice = Invoice.objects.select_for_update().select_related("student").get(pk=invoice.pk)
    if (
        invoice.status == Invoice.Status.PAID
        or Allocation.objects.filter(
            invoice=invoice, payment__status=Payment.Status.SUCCEEDED
        ).exists()
    ):
        raise PaymentError("paid")
    if invoice.status != Invoice.Status.OPEN:
        raise PaymentError("status")
    _pending_cancel(student=invoice.student, invoice_ids=[invoice.pk], reason="invoice_cancelled")
    invoice.status = Invoice.Status.CANCELLED
    invoice.save(update_fields=["status"])
    audit_record(
        kind=audit_kind,
        request=request,
        actor=actor,
        subject=invoice.student.user,
        identifier=f"student:{invoice.student.matricule}",
        details={"invoice": invoice.number, "reason": reason},
    )
    return invoice


# --- Staff ----------------------------------------------------------------------------------


@transaction.atomic
def payment_record_in_person(
    *,
    request: HttpRequest,
    actor: Any,
    student: Student,
    invoices: list[Invoice],
    method: str,
    amount: Decimal | None = None,
) -> Payment:
    """A payment made at the counter (cash, debit, certified cheque, card), for the selected
    invoices' balances, or a part of them spread in due-date order."""
    if method not in Payment.IN_PERSON:
        raise PaymentError("method")
    balances = {
        invoice.pk: invoice.balance
        for invoice in invoices_open(student).filter(pk__in=[i.pk for i in invoices])
    }
    due = sum(balances.values(), ZERO)
    amount = due if amount is None else amount
    if not balances or amount <= 0 or amount > due:
        raise PaymentError("amount")
    _pending_cancel(student=student, invoice_ids=list(balances), reason="paid_in_person")
    try:
        payment = Payment.objects.create(
            student=student,
            reference=_reference(),
            provider=method,
            amount=amount,
            status=Payment.Status.SUCCEEDED,
            idempotency_key=uuid.uuid4().hex,
            completed_at=timezone.now(),
            recorded_by=actor,
        )
    except IntegrityError as error:  # a reference collision: vanishingly rare
        raise PaymentError("retry") from error
    left = amount
    allocations = []
    for invoice_pk, balance in balances.items():
        share = min(balance, left)
        if share > 0:
            allocations.append(Allocation(payment=payment, invoice_id=invoice_pk, amount=share))
            left -= share
    Allocation.objects.bulk_create(allocations)
    _invoices_settle(payment)
    receipt = _receipt_issue(payment)
    _confirmation_issue(payment)
    audit_record(
        kind=AuditEvent.Kind.PAYMENT_RECORDED,
        request=request,
        actor=actor,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={
            "payment": payment.reference,
            "amount": str(amount),
            "method": method,
            "receipt": receipt.number,
        },
    )
    return payment


@transaction.atomic
def payment_cancel(*, request: HttpRequest, actor: Any, payment: Payment, reason: str) -> Payment:
    """Cancels a pending payment, or refunds an approved one (Stripe refunds the card); the
    invoices it paid are open again. A reason is required."""
    if not reason.strip():
        raise PaymentError("reason")
    payment = Payment.objects.select_for_update().select_related("student").get(pk=payment.pk)
    stripe_payment = payment.provider == Payment.Provider.STRIPE
    if payment.status == Payment.Status.SUCCEEDED:
        if stripe_payment:
            try:
                provider_for(payment).refund(payment)
            except stripe.StripeError as error:
                raise PaymentError("refund") from error
        payment.status = Payment.Status.REFUNDED
        kind = AuditEvent.Kind.PAYMENT_REFUNDED
    elif payment.status == Payment.Status.PENDING:
        if stripe_payment:
            try:
                provider_for(payment).expire(payment)
            except stripe.StripeError as error:
                raise PaymentError("expire") from error
        payment.status = Payment.Status.CANCELLED
        kind = AuditEvent.Kind.PAYMENT_CANCELLED
    else:
        raise PaymentError("status")
    payment.reason = reason.strip()[:300]
    payment.save(update_fields=["status", "reason"])
    if payment.status == Payment.Status.REFUNDED:
        # Open again only what now has something to pay (another payment may cover it).
        reopened = [
            invoice.pk
            for invoice in invoices_with_balance(
                Invoice.objects.filter(allocations__payment=payment, status=Invoice.Status.PAID)
            )
            if invoice.balance > 0
        ]
        Invoice.objects.filter(pk__in=reopened).update(status=Invoice.Status.OPEN)
        invoice_balances_refresh(payment.allocations.values_list("invoice_id", flat=True))
    audit_record(
        kind=kind,
        request=request,
        actor=actor,
        subject=payment.student.user,
        identifier=f"student:{payment.student.matricule}",
        details={"payment": payment.reference, "amount": str(payment.amount), "reason": reason},
    )
    return payment


# "Prolonger" on the card form: each press gives the attempt its full time again, up to this
# many times (WCAG 2.2.1 asks for at least ten).
PAYMENT_EXTENSIONS_MAX = 10


@transaction.atomic
def payment_extend(*, payment_id: int, provider: Any) -> Payment:
    """Gives a pending, unexpired payment its full time again; PaymentError once it expired
    or was extended PAYMENT_EXTENSIONS_MAX times."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    now = timezone.now()
    if payment.status != Payment.Status.PENDING or payment.expires_at <= now:
        raise PaymentError("expired")
    if payment.extensions >= PAYMENT_EXTENSIONS_MAX:
        raise PaymentError("limit")
    payment.expires_at = now + provider.lifetime
    payment.extensions += 1
    payment.save(update_fields=["expires_at", "extensions"])
    return payment


def payment_retry(*, request: HttpRequest, payment: Payment, provider: Any) -> Payment:
    """A new attempt at what a declined or expired payment was for ("Réessayer"): the same
    invoices' balances, by the same payer."""
    numbers = list(payment.allocations.values_list("invoice__number", flat=True))
    return payment_start(
        request=request,
        student=payment.student,
        invoice_numbers=numbers,
        provider=provider,
        payer=payment.payer,
    )


def demo_payment_pay(
    *, request: HttpRequest, payment: Payment, card_number: str, receipt_email: str
) -> bool:
    """The demo processor's card form: approves (and records) or declines the payment; the
    receipt goes to the address typed, with its PDF, once committed. True when approved."""
    result = DemoProvider().charge(card_number)
    if not result.approved:
        payment_fail(
            request=request,
            payment_id=payment.pk,
            status=Payment.Status.FAILED,
            reason=result.decline_reason,
        )
        return False
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(receipt_email=receipt_email)
        payment = payment_fulfil(request=request, payment_id=payment.pk, card=result)
        if receipt_email:
            receipt = Receipt.objects.select_related(
                "payment__student__school", "payment__payer"
            ).get(payment=payment)
            receipt_send(request=request, receipt=receipt, email=receipt_email)
    return True


# --- Receipts -------------------------------------------------------------------------------


def receipt_send(*, request: HttpRequest, receipt: Receipt, email: str) -> None:
    """ "Envoyer": the receipt, with its PDF, to the address the person typed. The PDF is drawn
    by the worker (billing.tasks), once committed: the page does not wait for WeasyPrint."""
    from billing.tasks import receipt_email_deliver

    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: receipt_email_deliver.enqueue(receipt_id=receipt.pk, email=email, language=language)
    )
    _audit(
        AuditEvent.Kind.RECEIPT_SENT,
        request=request,
        student=receipt.payment.student,
        receipt=receipt.number,
    )


# --- Fees charged by other modules (late confirmation, schedule change) ---------------------


def invoice_fee_charge(
    *,
    student: Student,
    session: str,
    description: str,
    amount: Decimal,
    due_date: datetime.date,
) -> Invoice:
    """A new invoice of one line for a fee, payable in the payment centre (inside the caller's
    transaction: the caller makes sure it is charged once, and audits it)."""
    invoice = Invoice.objects.create(
        student=student,
        number=f"FRAIS-{_reference()}",
        session=session,
        description=description,
        due_date=due_date,
    )
    InvoiceLine.objects.create(invoice=invoice, description=description, amount=amount)
    invoice_balances_refresh([invoice.pk])
    return invoice
