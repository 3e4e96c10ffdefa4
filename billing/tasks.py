"""The payment centre's background work: the receipt emailed with its PDF (drawn by the worker,
not during the payment's request) and the reminders of invoices coming due."""

import base64

from django.utils import translation

from billing.models import Receipt
from billing.receipts import receipt_pdf
from portal.emails import email_send
from portal.selectors import institution_current
from portal.tasks import retried_task


@retried_task()
def receipt_email_deliver(*, receipt_id: int, email: str, language: str) -> None:
    """Draws the receipt's PDF and queues the email that carries it."""
    receipt = Receipt.objects.select_related("payment__student__school", "payment__payer").get(
        pk=receipt_id
    )
    institution = institution_current()
    with translation.override(language):
        pdf = receipt_pdf(receipt, institution, None)
    email_send(
        to=email,
        template="receipt",
        context={"receipt": receipt, "payment": receipt.payment},
        language=language,
        institution=institution,
        attachments=[(f"{receipt.number}.pdf", base64.b64encode(pdf).decode(), "application/pdf")],
    )
