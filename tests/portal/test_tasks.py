"""Background tasks on the database queue (django-tasks-db): queued after commit only, run by
the worker (`manage.py db_worker`), retried with backoff when the mail server fails, and
visible to staff who may see them."""

import contextlib
import datetime
import html
import io
import signal
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from portal.emails import email_send
from tests.portal.mail_backends import AlwaysFailBackend, FailOnceBackend

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def run_worker() -> str:
    """`manage.py db_worker --batch`: runs every task that is due, then exits. Inside the test's
    transaction, as Django's test client does for requests, the worker must not close the
    connection between tasks (it would on PostgreSQL, where autocommit is off in a test)."""
    saved = {number: signal.getsignal(number) for number in SIGNALS}
    out = io.StringIO()
    try:
        with mock.patch.object(db_worker, "close_old_connections", lambda: None):
            call_command(
                "db_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--interval=0",
                stdout=out,
            )
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
    return out.getvalue()


def send_password_notice(user: User) -> None:
    email_send(
        to=user.email,
        template="password_changed",
        context={"user": user, "when": timezone.now(), "ip": "127.0.0.1"},
    )


@pytest.fixture
def queue(settings):
    settings.TASKS = DB_QUEUE
    settings.PORTAL_TASK_RETRY_DELAY = 60
    settings.PORTAL_TASK_MAX_ATTEMPTS = 5


@pytest.fixture
def bob_mail(bob):
    bob.email = "bob@etudiant.example"
    bob.save(update_fields=["email"])
    return bob


def test_an_email_waits_in_the_queue_until_the_worker_sends_it(queue, commit, bob_mail):
    with commit():
        send_password_notice(bob_mail)

    task = DBTaskResult.objects.get()
    assert task.status == "READY"
    assert task.task_path == "portal.emails.email_deliver"
    assert task.args_kwargs["kwargs"]["to"] == ["bob@etudiant.example"]
    assert mail.outbox == []

    run_worker()

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert [message.to for message in mail.outbox] == [["bob@etudiant.example"]]
    assert "mot de passe" in mail.outbox[0].body


def test_a_task_queued_in_a_transaction_that_rolls_back_never_runs(queue, commit, bob_mail):
    with commit(), contextlib.suppress(RuntimeError), transaction.atomic():
        send_password_notice(bob_mail)
        raise RuntimeError("the change is cancelled")

    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == []


def test_an_email_that_fails_once_is_retried_later_and_sent_once(queue, settings, commit, bob_mail):
    settings.MAILERS = {"default": {"BACKEND": "tests.portal.mail_backends.FailOnceBackend"}}
    FailOnceBackend.failures = 0
    with commit():
        send_password_notice(bob_mail)

    run_worker()

    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert "Connection unexpectedly closed" in failed.traceback
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    delay = retry.run_after - failed.finished_at
    assert datetime.timedelta(seconds=59) < delay < datetime.timedelta(seconds=61)
    assert mail.outbox == []

    run_worker()  # not due yet: the worker leaves it
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"
    assert mail.outbox == []

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # a minute later
    run_worker()
    run_worker()

    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    assert DBTaskResult.objects.count() == 2
    assert [message.to for message in mail.outbox] == [["bob@etudiant.example"]]


def test_the_backoff_doubles_and_the_retries_stop(queue, settings, commit, bob_mail):
    settings.MAILERS = {"default": {"BACKEND": "tests.portal.mail_backends.AlwaysFailBackend"}}
    settings.PORTAL_TASK_MAX_ATTEMPTS = 3
    assert AlwaysFailBackend
    with commit():
        send_password_notice(bob_mail)

    delays = []
    for _attempt in range(4):
        run_worker()
        pending = DBTaskResult.objects.filter(status="READY").first()
        if pending is None:
            break
        last_failed = DBTaskResult.objects.filter(status="FAILED").latest("finished_at")
        delays.append(round((pending.run_after - last_failed.finished_at).total_seconds()))
        DBTaskResult.objects.filter(pk=pending.pk).update(run_after=timezone.now())

    assert delays == [60, 120]
    assert DBTaskResult.objects.filter(status="FAILED").count() == 3
    assert mail.outbox == []


@pytest.fixture
def failed_task(queue, settings, commit, bob_mail):
    settings.MAILERS = {"default": {"BACKEND": "tests.portal.mail_backends.AlwaysFailBackend"}}
    settings.PORTAL_TASK_MAX_ATTEMPTS = 1
    with commit():
        send_password_notice(bob_mail)
    run_worker()
    return DBTaskResult.objects.get(status="FAILED")


def test_staff_allowed_to_see_tasks_read_the_failure(client, failed_task):
    staff = User.objects.create_user("technicien", password="Technicien-2026", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_dbtaskresult"))
    client.force_login(staff)

    listing = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist"), {"status__exact": "FAILED"}
    )
    assert listing.status_code == 200
    assert "email_deliver" in listing.text

    detail = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed_task.pk])
    )
    assert detail.status_code == 200
    assert "SMTPServerDisconnected" in detail.text


def test_staff_without_the_permission_and_students_do_not_see_tasks(client, failed_task, bob):
    staff = User.objects.create_user("commis", password="Commis-Test-2026", is_staff=True)
    client.force_login(staff)
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    assert client.get(url).status_code == 403

    client.force_login(bob)
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_task_results_admin_speaks_the_registrars_language(admin_client, failed_task, settings):
    """django-tasks-db's admin: its app, model, columns, filters and detail labels in French
    (locale/fr, portal.tasks_admin), and still in English for an English registrar."""
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    french = html.unescape(admin_client.get(url).text)
    for label in (
        "Tâches en arrière-plan",
        "Résultats de tâches",
        "Identifiant",
        "Tâche",
        "Statut",
        "Mise en file",
        "Début",
        "Fin",
        "Priorité",
        "File d'attente",
        "Par statut",
        "Échouée",
    ):
        assert label in french, label
    for english in ("Task Results", "Tasks Database Backend", "Enqueued at", "Queue name"):
        assert english not in french, english
    detail = html.unescape(
        admin_client.get(
            reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed_task.pk])
        ).text
    )
    for label in ("Trace d'appels", "Exécuter après", "Valeur de retour", "Classe de l'exception"):
        assert label in detail, label
    assert "Traceback:" not in detail and "Run after:" not in detail

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = admin_client.get(url).text
    for label in ("Background tasks", "Task Results", "Status", "Enqueued at", "By status"):
        assert label in english, label
    assert "Statut" not in english and "Résultats de tâches" not in english
    index = admin_client.get(reverse("admin:index")).text
    assert "Background tasks" in index
