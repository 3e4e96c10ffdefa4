"""The attestation as a PDF (WeasyPrint), on the institution's letterhead, in the language the
student chose, with its verification code and a QR code (segno) to the public page."""

import segno
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from certificates.codes import code_display
from certificates.models import Attestation
from portal.models import Institution


def verification_url(request: HttpRequest, attestation: Attestation) -> str:
    return request.build_absolute_uri(
        reverse("certificates:verify_code", kwargs={"code": attestation.code})
    )


def attestation_pdf(
    attestation: Attestation, institution: Institution, request: HttpRequest
) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only PDFs need

    url = verification_url(request, attestation)
    student = attestation.student
    school = student.school
    context = {
        "attestation": attestation,
        "student": student,
        "institution": institution,
        "school": school,
        "address": (school.address if school else "") or institution.address,
        "code": code_display(attestation.code),
        "verification_url": url,
        "verification_page": request.build_absolute_uri(reverse("certificates:verify")),
        "qr": segno.make(url, error="m").png_data_uri(scale=4, border=2),
    }
    with translation.override(attestation.language):
        html = render_to_string("certificates/attestation_pdf.html", context)
    return HTML(string=html, base_url=str(settings.STATIC_ROOT)).write_pdf()
