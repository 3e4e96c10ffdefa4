"""Demo data: a paid attestation de fréquentation and last year's tax slips for the first demo
student (README, "Attestation de fréquentation et relevés d'impôt")."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from billing import services as billing
from billing.balances import invoice_balances_refresh
from billing.models import Invoice, InvoiceLine
from billing.providers import DemoProvider
from certificates.codes import code_display
from certificates.models import Attestation, TaxProfile
from certificates.services import attestation_issue_if_paid, attestation_request
from certificates.sin import keys_configured, sin_encrypt
from certificates.tax_slips import tax_slips_generate
from portal.demo import demo_step
from portal.models import Institution
from students.models import Course, Enrolment, Section, Student, Term

DEMO_FEE = Decimal("10.00")
DEMO_SIN = "130692544"  # a valid test number (Luhn), not a real person's
APPROVED_CARD = "4242424242424242"


def _pay(student: Student, invoice: Invoice) -> None:
    if invoice.status != Invoice.Status.OPEN:
        return
    payment = billing.payment_start(
        request=None, student=student, invoice_numbers=[invoice.number], provider=DemoProvider()
    )
    billing.demo_payment_pay(
        request=None, payment=payment, card_number=APPROVED_CARD, receipt_email=""
    )


def _last_year(student: Student, year: int) -> None:
    """Winter part time (2 courses), autumn full time (4 courses), tuition paid."""
    courses = list(Course.objects.filter(program=student.program).order_by("code")[:4])
    terms = [
        (f"HIV-{year}", datetime.date(year, 1, 20), datetime.date(year, 5, 16), 2, "90.00"),
        (f"AUT-{year}", datetime.date(year, 8, 20), datetime.date(year, 12, 19), 4, "175.00"),
    ]
    for code, starts, ends, count, tuition in terms:
        term, _created = Term.objects.get_or_create(
            code=code, defaults={"starts_on": starts, "ends_on": ends}
        )
        for course in courses[:count]:
            section, _created = Section.objects.get_or_create(term=term, course=course, group="01")
            Enrolment.objects.get_or_create(student=student, section=section)
        invoice, created = Invoice.objects.get_or_create(
            number=f"FAC-DEMO-{code}",
            defaults={
                "student": student,
                "session": code,
                "description": "Droits de scolarité",
                "due_date": starts,
            },
        )
        if created:
            InvoiceLine.objects.bulk_create(
                [
                    InvoiceLine(
                        invoice=invoice,
                        description="Droits d'inscription et de scolarité",
                        amount=Decimal(tuition),
                        tax_eligible=True,
                    ),
                    InvoiceLine(
                        invoice=invoice,
                        description="Association étudiante",
                        amount=Decimal("25.00"),
                        voluntary=True,
                        position=1,
                    ),
                ]
            )
            invoice_balances_refresh([invoice.pk])
        _pay(student, invoice)


@demo_step(order=60)
@transaction.atomic
def demo_certificates(institution: Institution) -> list[str]:
    length = institution.identifier_length
    matricule = "2026001"[-length:].rjust(length, "0")
    student = Student.objects.filter(matricule=matricule).select_related("program").first()
    if student is None or student.program is None:
        return []
    lines = [""]
    if institution.module_enabled("attendance_certificate"):
        if not institution.attestation_fee:
            institution.attestation_fee = DEMO_FEE
            institution.save(update_fields=["attestation_fee"])
        term = (
            Term.objects.filter(
                sections__enrolments__student=student, starts_on__lte=timezone.localdate()
            )
            .order_by("-starts_on")
            .first()
        )
        attestation = Attestation.objects.filter(student=student).first()
        if attestation is None and term is not None:
            attestation = attestation_request(
                request=None,
                student=student,
                term=term,
                purpose=Attestation.Purpose.INSURANCE,
                language=Attestation.Language.FR,
                institution=institution,
            )
        if attestation is not None:
            if attestation.invoice is not None:
                _pay(student, attestation.invoice)
                attestation.invoice.refresh_from_db(fields=["status"])
            attestation_issue_if_paid(attestation)
            lines.append(
                f"Attestation de fréquentation ({attestation.fee:.2f} $, paid): {matricule}, "
                f"{attestation.term.code}, verification code {code_display(attestation.code)} "
                "(/verifier/)."
            )
    if institution.module_enabled("tax_slips"):
        year = timezone.localdate().year - 1
        _last_year(student, year)
        profile, _created = TaxProfile.objects.get_or_create(
            student=student, defaults={"quebec_resident": True}
        )
        if keys_configured() and not profile.has_sin:
            profile.sin_encrypted, profile.sin_last3 = sin_encrypt(DEMO_SIN), DEMO_SIN[-3:]
            profile.save(update_fields=["sin_encrypted", "sin_last3"])
        tax_slips_generate(request=None, year=year, institution=institution, actor=None)
        rl8 = (
            "T2202 and Relevé 8"
            if profile.has_sin
            else (
                "T2202 (the Relevé 8 waits for a NAS: set PORTAL_FIELD_KEYS and run the demo again)"
            )
        )
        lines.append(f"Tax slips {year} for {matricule}: {rl8}, in Relevés d'impôt.")
    return lines
