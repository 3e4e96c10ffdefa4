"""/verifier/: anyone, without logging in, checks an attestation's code; it shows only what
the attestation certifies; revoked and unknown codes answer alike; throttled per address;
staff revoke in the admin with a reason, audited."""

import re

from django.test import Client
from django.urls import reverse
from django.utils.timezone import localtime

from accounts.models import User
from certificates.codes import code_display
from certificates.models import Attestation
from portal.models import AuditEvent
from portal.templatetags.portal_format import format_when
from tests.certificates.conftest import text

VERIFY = reverse("certificates:verify")
NOTHING = "Aucune attestation valide ne correspond à ce code."


def answer(response) -> str:
    return re.search(r'role="status">(.*?)</div>', response.content.decode(), re.S).group(1)


def issued(bob_client, term, language="fr") -> Attestation:
    bob_client.post(
        reverse("certificates:attestations"),
        {"term": term.pk, "purpose": "insurance", "language": language},
    )
    return Attestation.objects.latest("pk")


def test_a_valid_code_shows_only_what_the_attestation_certifies(bob_client, bob_record, current):
    attestation = issued(bob_client, current)
    anonymous = Client()
    # Typed as a person would: lower case, spaces, an O for a zero.
    typed = code_display(attestation.code).lower().replace("-", " ").replace("0", "o")
    response = anonymous.get(VERIFY, {"code": typed})
    page = text(response)
    assert response.status_code == 200
    assert "Attestation authentique" in page
    assert "Bob Gagnon" in page and "AUT-2026" in page and "Temps plein" in page
    assert format_when(localtime(attestation.issued_at), "DATE_FORMAT") in page
    # Never what it must not show.
    assert "2026102" not in page and "2005-09-17" not in page and "420.B0" not in page
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # The QR's address answers the same.
    from_qr = text(anonymous.get(reverse("certificates:verify_code", args=[attestation.code])))
    assert "Attestation authentique" in from_qr and "Bob Gagnon" in from_qr


def test_revoked_and_unknown_codes_answer_alike(bob_client, current, django_user_model):
    attestation = issued(bob_client, current)
    staff = User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")
    admin = Client()
    admin.force_login(staff)
    change = reverse("admin:certificates_attestation_change", args=[attestation.pk])
    page = text(admin.get(change))
    assert code_display(attestation.code) in page and "Révoquer : motif" in page
    response = admin.post(change, {"revoke_reason": "Inscription annulée après émission"})
    assert response.status_code == 302
    attestation.refresh_from_db()
    assert attestation.revoked_at is not None and attestation.revoked_by == staff
    event = AuditEvent.objects.get(kind="attestation.revoked")
    assert event.actor == staff and event.details["reason"] == "Inscription annulée après émission"

    anonymous = Client()
    revoked = anonymous.get(VERIFY, {"code": attestation.code})
    unknown = anonymous.get(VERIFY, {"code": "7K3M-Q9RT-2HXW-P4ND"})
    malformed = anonymous.get(VERIFY, {"code": "n'importe quoi"})
    for response in (revoked, unknown, malformed):
        assert response.status_code == 200
        page = text(response)
        assert NOTHING in page and "Bob" not in page
    # Word for word the same answer: nothing tells a revoked code from one never issued.
    assert answer(revoked) == answer(unknown) == answer(malformed)
    # A revoked attestation is no longer downloadable by the student either.
    pdf = reverse("certificates:attestation_pdf", args=[attestation.pk])
    assert bob_client.get(pdf).status_code == 404


def test_checks_are_throttled_per_address(settings, bob_client, current):
    attestation = issued(bob_client, current)
    settings.PORTAL_RATE_LIMITS = {
        **settings.PORTAL_RATE_LIMITS,
        "attestation_verify": {"key": (3, 600, 600), "ip": (3, 600, 600)},
    }
    anonymous = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert anonymous.get(VERIFY, {"code": "7K3M-Q9RT-2HXW-P4ND"}).status_code == 200
    locked = anonymous.get(VERIFY, {"code": attestation.code})
    assert locked.status_code == 429
    assert "Trop de vérifications" in text(locked) and "Bob" not in text(locked)
    # Another address is not locked out.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert "Attestation authentique" in text(other.get(VERIFY, {"code": attestation.code}))


def test_the_empty_form_needs_no_login(client):
    response = client.get(VERIFY)
    assert response.status_code == 200
    assert "Code de vérification" in text(response)
