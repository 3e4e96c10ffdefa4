"""Staff who may only look cannot move money or change accounts from the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from billing.models import Invoice, Payment
from billing.services import payment_record_in_person
from tests.factories import make_invoice


@pytest.fixture
def viewer(db):
    user = User.objects.create_user("lecteur", password="Lecteur-Test-2026", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_invoice", "view_student", "view_payment", "view_user"]
        )
    )
    return user


def test_a_view_only_staff_member_cannot_record_a_payment(client, viewer, bob):
    invoice = make_invoice(bob.student)
    client.force_login(viewer)
    client.post(
        reverse("admin:billing_invoice_changelist"),
        {
            "action": "record_payment",
            "_selected_action": [invoice.pk],
            "confirm": "1",
            "method": "cash",
            "amount": "",
        },
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert not Payment.objects.exists()


def test_a_view_only_staff_member_cannot_refund(client, viewer, bob, rf, admin_user):
    invoice = make_invoice(bob.student)
    request = rf.post("/")
    request.user = admin_user
    payment = payment_record_in_person(
        request=request, actor=admin_user, student=bob.student, invoices=[invoice], method="cash"
    )
    client.force_login(viewer)
    url = reverse("admin:billing_payment_cancel", args=[payment.pk])
    assert client.post(url, {"reason": "erreur"}).status_code == 403
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert client.get(reverse("admin:billing_payment_cancel", args=[999999])).status_code == 404


def test_a_view_only_staff_member_cannot_reset_a_first_use(client, viewer, bob):
    client.force_login(viewer)
    for url in (
        reverse("admin:students_student_changelist"),
        reverse("admin:accounts_user_changelist"),
    ):
        model_ids = [bob.student.pk] if "student" in url else [bob.pk]
        for action in ("account_first_use_reset", "reset_first_use", "disable"):
            client.post(url, {"action": action, "_selected_action": model_ids})
    bob.refresh_from_db()
    assert bob.has_usable_password()
    assert bob.is_active
