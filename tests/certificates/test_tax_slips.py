"""Relevés d'impôt: the worked examples of docs/tax-slips.md (the figures asserted here are the
ones the document prints), the availability date, corrections kept with the original, the PDFs
read back, the admin's production and the invoices import's tax_eligible column."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from billing import services as billing
from billing.balances import invoice_balances_refresh
from billing.models import Invoice, InvoiceLine, Payment
from billing.providers import provider_current
from certificates.models import TaxProfile, TaxSlip
from certificates.sin import sin_encrypt
from certificates.tax_slips import slips_available_years, tax_slips_generate
from portal.models import AuditEvent
from students.models import Student
from tests.certificates.conftest import text
from tests.factories import make_student
from tests.pdf import pdf_text
from tests.students.factories_courses import enrol, make_course, make_section, make_term

DOC = (Path(django_settings.BASE_DIR) / "docs" / "tax-slips.md").read_text()
D = datetime.date


@pytest.fixture(autouse=True)
def key(settings):
    settings.PORTAL_FIELD_KEYS = [Fernet.generate_key().decode()]


@pytest.fixture
def winter():
    return make_term("HIV-2025", D(2025, 1, 20), D(2025, 5, 16))


@pytest.fixture
def autumn():
    return make_term("AUT-2025", D(2025, 8, 20), D(2025, 12, 19))


def courses(student, term, count, weekly=("08:00", "11:00")):
    for n in range(count):
        section = make_section(term, make_course(), meetings=[(n % 5 + 1, *weekly, "")])
        enrol(student, section)


def invoice(student, term, *lines):
    """lines: (description, amount, eligible, voluntary)."""
    bill = Invoice.objects.create(
        student=student,
        number=f"FAC-{student.matricule}-{term.code}",
        session=term.code,
        description="Droits de scolarité",
        due_date=term.starts_on,
    )
    for position, (description, amount, eligible, voluntary) in enumerate(lines):
        InvoiceLine.objects.create(
            invoice=bill,
            description=description,
            amount=Decimal(amount),
            tax_eligible=eligible,
            voluntary=voluntary,
            position=position,
        )
    invoice_balances_refresh([bill.pk])  # as the invoices import does
    return bill


def pay(student, bill) -> Payment:
    """Paid with the demo card through the payment centre's services."""
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    payment = billing.payment_start(
        request=request, student=student, invoice_numbers=[bill.number], provider=provider_current()
    )
    assert billing.demo_payment_pay(
        request=request, payment=payment, card_number="4242424242424242", receipt_email=""
    )
    return payment


def resident(student, sin="130692544"):
    return TaxProfile.objects.create(
        student=student, quebec_resident=True, sin_encrypted=sin_encrypt(sin), sin_last3=sin[-3:]
    )


def generate(institution, year=2025):
    return tax_slips_generate(request=None, year=year, institution=institution, actor=None)


def current(student, kind):
    return TaxSlip.objects.get(student=student, year=2025, kind=kind, replaced_by__isnull=True)


def test_example_1_full_time_autumn_part_time_winter_and_a_fee_not_eligible(
    institution, winter, autumn
):
    student = make_student(institution, matricule="2025001", last_name="Roy", first_name="Léa")
    courses(student, winter, 2)
    courses(student, autumn, 4)
    pay(
        student,
        invoice(
            student,
            winter,
            ("Droits de scolarité", "90.00", True, False),
            ("Association étudiante", "25.00", False, True),
        ),
    )
    pay(
        student,
        invoice(
            student,
            autumn,
            ("Droits d'inscription et de scolarité", "175.00", True, False),
            ("Stationnement", "120.00", False, False),
        ),
    )
    resident(student)
    outcome = generate(institution)
    assert (outcome.created, outcome.corrected) == (2, 0)

    t2202 = current(student, "t2202")
    assert t2202.eligible_fees == Decimal("265.00")
    assert (t2202.months_part_time, t2202.months_full_time) == (5, 5)
    assert [(p["from"], p["to"]) for p in t2202.periods] == [("25/01", "25/05"), ("25/08", "25/12")]
    rl8 = current(student, "rl8")
    assert rl8.eligible_fees == Decimal("265.00") and rl8.months_full_time == 5
    # The same figures as the document's example.
    for row in (
        "| T2202 case 23 | 25/01 – 25/05 ; 25/08 – 25/12 |",
        "| T2202 case 24 | 265.00 |",
        "| T2202 case 25 | 5 |",
        "| T2202 case 26 | 5 |",
        "| Relevé 8 case A | 265.00 |",
    ):
        assert row in DOC

    # Running it again changes nothing.
    again = generate(institution)
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.filter(kind="tax.slip_issued").count() == 2


def test_example_2_a_refund_amends_the_slip_and_keeps_the_original(institution, autumn, admin_user):
    student = make_student(institution, matricule="2025002")
    courses(student, autumn, 4)
    payment = pay(student, invoice(student, autumn, ("Droits de scolarité", "450.00", True, False)))
    generate(institution)
    original = current(student, "t2202")
    assert original.eligible_fees == Decimal("450.00") and original.months_full_time == 5

    request = RequestFactory().post("/")
    request.user = admin_user
    billing.payment_cancel(request=request, actor=admin_user, payment=payment, reason="Abandon")
    outcome = generate(institution)
    assert outcome.corrected == 1
    amended = current(student, "t2202")
    assert amended.replaces == original and amended.eligible_fees == Decimal("0.00")
    assert amended.months_full_time == 5
    assert TaxSlip.objects.filter(student=student, kind="t2202").count() == 2
    assert "450.00 à la case 24" in DOC and "case 24 = 0.00, case 26 = 5" in DOC


def test_example_3_a_student_without_nas(institution, autumn):
    student = make_student(institution, matricule="2025003")
    courses(student, autumn, 4)
    pay(student, invoice(student, autumn, ("Droits de scolarité", "300.00", True, False)))
    TaxProfile.objects.create(student=student, quebec_resident=True)
    outcome = generate(institution)
    assert outcome.waiting_for_sin == ["2025003"]
    assert current(student, "t2202").eligible_fees == Decimal("300.00")
    assert not TaxSlip.objects.filter(kind="rl8").exists()
    assert "seul le T2202 est produit (case 24 = 300.00)" in DOC

    profile = TaxProfile.objects.get(student=student)
    profile.sin_encrypted, profile.sin_last3 = sin_encrypt("130692544"), "544"
    profile.save()
    outcome = generate(institution)
    assert (outcome.created, outcome.corrected) == (1, 1)
    assert current(student, "rl8").eligible_fees == Decimal("300.00")
    assert current(student, "t2202").sin_last3 == "544"
    assert "produit son Relevé 8\n(case A = 300.00) et modifie son T2202" in DOC


def test_available_from_the_institutions_date(institution):
    assert slips_available_years(institution, D(2026, 2, 14)) == 2024
    assert slips_available_years(institution, D(2026, 2, 15)) == 2025
    institution.tax_slips_month, institution.tax_slips_day = 3, 1
    assert slips_available_years(institution, D(2026, 2, 20)) == 2024


def test_the_student_downloads_the_pdfs_with_the_boxes_and_a_masked_nas(
    bob_client, bob_record, institution, winter, autumn
):
    courses(bob_record, winter, 2)
    courses(bob_record, autumn, 4)
    pay(bob_record, invoice(bob_record, winter, ("Droits de scolarité", "90.00", True, False)))
    pay(bob_record, invoice(bob_record, autumn, ("Droits de scolarité", "175.00", True, False)))
    resident(bob_record)
    generate(institution)
    page = text(bob_client.get(reverse("certificates:tax_slips")))
    assert "Télécharger le T2202 2025" in page and "Télécharger le Relevé 8 2025" in page

    t2202 = current(bob_record, "t2202")
    response = bob_client.get(reverse("certificates:tax_slip_pdf", args=[t2202.pk]))
    body = pdf_text(response.content)
    for expected in (
        "T2202",
        "Gagnon, Bob",
        "*** *** 544",
        "Case 24",
        "265,00",
        "Case 25 — Nombre de mois à temps partiel 5",
        "Case 26 — Nombre de mois à temps plein 5",
        "25/08 – 25/12",
    ):
        assert expected in body, expected
    assert "130 692" not in body and "130692" not in body

    rl8 = current(bob_record, "rl8")
    body = pdf_text(bob_client.get(reverse("certificates:tax_slip_pdf", args=[rl8.pk])).content)
    assert (
        "Relevé 8" in body and "Case A — Frais de scolarité ou d'examen admissibles 265,00" in body
    )

    # Another student's slip is a 404.
    other = make_student(institution, matricule="2025009")
    courses(other, autumn, 4)
    pay(other, invoice(other, autumn, ("Droits de scolarité", "200.00", True, False)))
    generate(institution)
    foreign = current(other, "t2202")
    assert (
        bob_client.get(reverse("certificates:tax_slip_pdf", args=[foreign.pk])).status_code == 404
    )


def test_staff_produce_and_list_the_slips_in_the_admin(institution, autumn):
    student = make_student(institution, matricule="2025004")
    courses(student, autumn, 4)
    pay(student, invoice(student, autumn, ("Droits de scolarité", "300.00", True, False)))
    staff = User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")
    admin = Client()
    admin.force_login(staff)
    listing = reverse("admin:certificates_taxslip_changelist")
    assert "Produire les relevés d'impôt" in text(admin.get(listing))
    response = admin.post(
        reverse("admin:certificates_taxslip_generate"), {"year": "2025"}, follow=True
    )
    page = text(response)
    assert "Relevés 2025 : 1 produit(s), 0 modifié(s), 0 inchangé(s)." in page
    assert "T2202-2025-" in page and "original" in page


def test_the_command_produces_the_slips(institution, autumn, capsys):
    student = make_student(institution, matricule="2025005")
    courses(student, autumn, 4)
    pay(student, invoice(student, autumn, ("Droits de scolarité", "300.00", True, False)))
    call_command("generate_tax_slips", "2025")
    assert "Relevés 2025 : 1 produit(s)" in capsys.readouterr().out


def test_a_student_with_a_large_id_gets_a_slip(institution, autumn, capsys):
    # A college's ids grow large (PostgreSQL's sequences never go back): the slip's number,
    # temporary then final, fits its column whatever the id.
    student = make_student(institution, matricule="2025015")
    Student.objects.filter(pk=student.pk).update(id=987_654_321_012)
    student = Student.objects.get(pk=987_654_321_012)
    courses(student, autumn, 4)
    pay(student, invoice(student, autumn, ("Droits de scolarité", "300.00", True, False)))
    call_command("generate_tax_slips", "2025")
    assert "Relevés 2025 : 1 produit(s)" in capsys.readouterr().out


def test_the_invoices_import_reads_the_optional_tax_eligible_column(institution, tmp_path):
    make_student(institution, matricule="2025006")
    header = (
        "matricule,session,invoice_number,description,due_date,line_description,amount,voluntary"
    )
    with_flag = tmp_path / "with.csv"
    with_flag.write_text(
        f"{header},tax_eligible\n"
        "2025006,AUT-2025,FAC00009001,Droits,2025-08-15,Droits de scolarité,175.00,non,oui\n"
        "2025006,AUT-2025,FAC00009001,Droits,2025-08-15,Stationnement,120.00,non,non\n"
    )
    call_command("import_csv", "invoices", str(with_flag))
    flags = dict(InvoiceLine.objects.values_list("description", "tax_eligible"))
    assert flags == {"Droits de scolarité": True, "Stationnement": False}
    # A file without the column keeps the flags on file.
    without = tmp_path / "without.csv"
    without.write_text(
        f"{header}\n"
        "2025006,AUT-2025,FAC00009001,Droits,2025-08-15,Droits de scolarité,175.00,non\n"
        "2025006,AUT-2025,FAC00009001,Droits,2025-08-15,Stationnement,120.00,non\n"
    )
    call_command("import_csv", "invoices", str(without))
    assert dict(InvoiceLine.objects.values_list("description", "tax_eligible")) == flags
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{header},tax_eligible\n"
        "2025006,AUT-2025,FAC00009002,Droits,2025-08-15,Droits,175.00,non,peut-être\n"
    )
    with pytest.raises(CommandError) as error:
        call_command("import_csv", "invoices", str(bad))
    assert "tax_eligible" in str(error.value)
    assert not Invoice.objects.filter(number="FAC00009002").exists()
