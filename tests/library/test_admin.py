"""The library in the admin: the lists, the desk's check-out and check-in, the check-in action."""

import html

from django.core import mail
from django.urls import reverse

from library.models import Hold, Loan, Record
from tests.library.factories import make_hold, make_loan, make_record

DESK = reverse("admin:library_desk")


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_lists_open(admin_client, bob_student):
    record = make_record("Électricité", control="el")
    make_loan(record.copies.get(), bob_student)
    make_hold(record, bob_student)
    for name in ("record", "copy", "loan", "hold", "loanrule", "loanreminder"):
        response = admin_client.get(reverse(f"admin:library_{name}_changelist"))
        assert response.status_code == 200, name
    assert "Comptoir de prêt" in text(admin_client.get(reverse("admin:library_copy_changelist")))
    assert "Importer un fichier" in text(admin_client.get(reverse("admin:library_loan_changelist")))


def test_record_saved_in_the_admin_is_searchable(admin_client):
    response = admin_client.post(
        reverse("admin:library_record_add"),
        {
            "control_number": "adm-1",
            "title": "Énergie solaire",
            "authors": "",
            "subjects": "",
            "isbn": "",
            "call_number": "",
            "year": "",
            "language": "fre",
            "document_type": "book",
            "copies-TOTAL_FORMS": "0",
            "copies-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Record.objects.get(control_number="adm-1").title_folded == "energie solaire"


def test_desk_checks_out_and_in(admin_client, bob_student, charlie_student, commit):
    record = make_record("Électricité", control="el")
    make_hold(record, charlie_student)  # Charlie waits; Bob borrows the copy first anyway
    Hold.objects.update(status=Hold.Status.WAITING)

    out = admin_client.post(DESK, {"barcode": "el-1", "matricule": "2026102"}, follow=True)
    assert "« Électricité » prêté à Bob Gagnon jusqu'au" in text(out)
    assert Loan.objects.get().student == bob_student

    again = admin_client.post(DESK, {"barcode": "el-1", "matricule": "2026103"}, follow=True)
    assert "L'exemplaire el-1 est déjà prêté." in text(again)

    with commit():
        back = admin_client.post(DESK, {"barcode": "el-1", "matricule": ""}, follow=True)
    assert "Retour de « Électricité » enregistré." in text(back)
    assert "Mettez-le de côté pour Charlie Côté (2026103)" in text(back)
    assert Hold.objects.get().status == Hold.Status.READY
    assert mail.outbox[0].to == ["charlie@etudiant.example"]

    unknown = admin_client.post(DESK, {"barcode": "nope", "matricule": ""}, follow=True)
    assert "Aucun exemplaire n'a le code-barres « nope »." in text(unknown)


def test_check_in_action(admin_client, bob_student):
    record = make_record("Électricité", control="el")
    loan = make_loan(record.copies.get(), bob_student)

    response = admin_client.post(
        reverse("admin:library_loan_changelist"),
        {"action": "check_in", "_selected_action": [loan.pk]},
        follow=True,
    )

    loan.refresh_from_db()
    assert loan.returned_on is not None
    assert "1 retour(s) enregistré(s)." in text(response)


def test_students_cannot_open_the_desk(bob_client):
    response = bob_client.get(DESK)
    assert response.status_code in (302, 403, 404)
    assert not Loan.objects.exists()
