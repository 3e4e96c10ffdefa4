"""A tax slip as a PDF (WeasyPrint): the boxes named as on the official forms; the NAS masked."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from certificates.models import TaxSlip
from certificates.sin import sin_mask
from portal.models import Institution

# Box numbers and names, as printed on the forms (T2202: CRA; Relevé 8: Revenu Québec).
T2202_BOXES = {
    "periods": "23",
    "fees": "24",
    "part_time": "25",
    "full_time": "26",
}
RL8_BOXES = {
    "fees": "A",
    "full_time": "B",
    "part_time": "C",
}


def slip_context(slip: TaxSlip, institution: Institution) -> dict[str, Any]:
    school = slip.student.school
    return {
        "slip": slip,
        "student": slip.student,
        "institution": institution,
        "address": (school.address if school else "") or institution.address,
        "sin": sin_mask(slip.sin_last3),
        "boxes": T2202_BOXES if slip.kind == TaxSlip.Kind.T2202 else RL8_BOXES,
        "periods": slip.periods,
    }


def slip_pdf(slip: TaxSlip, institution: Institution) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only PDFs need

    html = render_to_string("certificates/tax_slip_pdf.html", slip_context(slip, institution))
    return HTML(string=html, base_url=str(settings.STATIC_ROOT)).write_pdf()
