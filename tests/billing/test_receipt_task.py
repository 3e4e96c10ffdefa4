"""The receipt emailed with its PDF is a background task: the payment's page does not wait for
WeasyPrint; the worker draws the PDF and sends it. Its arguments are ids and strings (JSON)."""

import pytest
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from billing.models import Invoice, Payment, Receipt
from tests.billing.test_demo_provider import card, demo_url
from tests.billing.test_statement import bob_client, pay_start, tuition  # noqa: F401 (fixtures)
from tests.portal.test_tasks import DB_QUEUE, run_worker


@pytest.fixture
def payment(bob_client: Client, tuition: Invoice) -> Payment:  # noqa: F811
    return pay_start(bob_client, tuition)


def test_the_receipt_pdf_is_drawn_and_sent_by_the_worker(
    settings,
    bob_client,  # noqa: F811
    payment,
    commit,
):
    settings.TASKS = DB_QUEUE
    with commit():
        response = bob_client.post(demo_url(payment), card(email="bob.perso@courriel.example"))
    assert response.status_code == 302
    receipt = Receipt.objects.get()

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "billing.tasks.receipt_email_deliver"
    assert queued.args_kwargs == {
        "args": [],
        "kwargs": {
            "receipt_id": receipt.pk,
            "email": "bob.perso@courriel.example",
            "language": "fr",
        },
    }
    assert mail.outbox == []

    with commit():  # the receipt task queues the email once its own transaction commits
        run_worker()
    assert mail.outbox == []
    run_worker()

    assert set(DBTaskResult.objects.values_list("task_path", "status")) == {
        ("billing.tasks.receipt_email_deliver", "SUCCESSFUL"),
        ("portal.emails.email_deliver", "SUCCESSFUL"),
    }
    [message] = mail.outbox
    assert message.to == ["bob.perso@courriel.example"]
    assert receipt.number in message.subject
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"{receipt.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
