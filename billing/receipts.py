"""The "Relevé de transaction" as a page's context and as a PDF (WeasyPrint)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

from billing.models import Receipt
from portal.models import Institution


def receipt_context(receipt: Receipt, institution: Institution) -> dict[str, Any]:
    """What the receipt shows: the issuing school's address (seed 002), the client, the card."""
    payment = receipt.payment
    school = payment.student.school
    return {
        "receipt": receipt,
        "payment": payment,
        "student": payment.student,
        "issuer_address": school.address or institution.address,
        "issuer_name": institution.name,
        "school": school,
    }


def receipt_pdf(receipt: Receipt, institution: Institution, request: HttpRequest | None) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only this needs

    html = render_to_string(
        "billing/receipt_pdf.html", receipt_context(receipt, institution), request
    )
    return HTML(string=html, base_url=str(settings.STATIC_ROOT)).write_pdf()
