"""`manage.py demo`: a paid attestation and last year's tax slips for 2026001, once."""

import io

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.utils import timezone

from billing.models import Invoice
from certificates.models import Attestation, TaxSlip


def test_the_demo_has_a_paid_attestation_and_last_years_slips(db, settings):
    settings.PORTAL_FIELD_KEYS = [Fernet.generate_key().decode()]
    out = io.StringIO()
    call_command("demo", stdout=out)
    attestation = Attestation.objects.get(student__matricule="2026001")
    assert attestation.invoice.status == Invoice.Status.PAID and attestation.is_valid
    assert "Attestation de fréquentation (10.00 $, paid): 2026001" in out.getvalue()
    year = timezone.localdate().year - 1
    slips = TaxSlip.objects.filter(student__matricule="2026001", year=year)
    assert sorted(slips.values_list("kind", flat=True)) == ["rl8", "t2202"]
    assert {slip.eligible_fees for slip in slips} == {265}
    call_command("demo", stdout=io.StringIO())
    assert Attestation.objects.count() == 1 and TaxSlip.objects.count() == 2
