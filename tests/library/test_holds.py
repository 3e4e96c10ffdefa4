"""Mises de côté: placing (queue, or a copy kept at once), position, cancelling, the returned
copy going to the first in the queue with an email, and the pickup deadline passing it on."""

import datetime
import html
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from library.models import Hold, Loan
from library.services import LibraryRefused, loan_checkin, loan_checkout
from tests.factories import make_student
from tests.library.factories import make_hold, make_loan, make_record


@pytest.fixture
def record(db):
    return make_record("Électricité", control="el", copies=1)


def text(response) -> str:
    return html.unescape(response.content.decode())


def place(client, record):
    return client.post(reverse("library:hold_place", args=[record.pk]), follow=True)


def test_hold_on_an_available_copy_keeps_it_for_pickup(
    bob_client, bob_student, library_on, record, commit
):
    with commit():
        response = place(bob_client, record)

    hold = Hold.objects.get()
    assert hold.status == Hold.Status.READY and hold.copy == record.copies.get()
    assert hold.pickup_by == timezone.localdate() + datetime.timedelta(days=5)
    assert "Un exemplaire est mis de côté pour vous" in text(response)
    assert len(mail.outbox) == 1 and "Électricité" in mail.outbox[0].subject


def test_queue_positions_and_cancel(
    bob_client, bob_student, charlie_student, institution, library_on, record
):
    make_loan(record.copies.get(), charlie_student)
    dana = make_student(institution, matricule="2026104", first_name="Dana", last_name="Roy")
    make_hold(record, dana, minutes_ago=10)

    response = place(bob_client, record)

    assert "position 2 de la file d'attente" in text(response)
    holds_page = text(bob_client.get(reverse("library:holds")))
    assert "Position 2 dans la file d'attente" in holds_page
    Hold.objects.filter(student=dana).update(status=Hold.Status.CANCELLED)
    assert "Position 1 dans la file" in text(bob_client.get(reverse("library:holds")))

    mine = Hold.objects.get(student=bob_student)
    bob_client.post(reverse("library:hold_cancel", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.status == Hold.Status.CANCELLED


def test_a_second_hold_on_the_same_record_is_refused(bob_client, library_on, record):
    place(bob_client, record)
    response = place(bob_client, record)
    assert "Vous avez déjà mis ce document de côté." in text(response)
    assert Hold.objects.count() == 1


def test_someone_elses_hold_cannot_be_cancelled(bob_client, charlie_student, library_on, record):
    hold = make_hold(record, charlie_student)
    response = bob_client.post(reverse("library:hold_cancel", args=[hold.pk]))
    assert response.status_code == 404
    hold.refresh_from_db()
    assert hold.status == Hold.Status.WAITING


def test_returned_copy_goes_to_the_first_in_queue(
    bob_student, charlie_student, institution, record, commit
):
    copy = record.copies.get()
    dana = make_student(institution, matricule="2026104", first_name="Dana", last_name="Roy")
    make_loan(copy, dana)
    first = make_hold(record, charlie_student, minutes_ago=30)
    second = make_hold(record, bob_student, minutes_ago=5)

    with commit():
        given = loan_checkin(copy=copy)

    assert given == first
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.copy) == (Hold.Status.READY, copy)
    assert second.status == Hold.Status.WAITING
    assert [message.to for message in mail.outbox] == [
        [charlie_student.user.email or charlie_student.email]
    ]


def test_pickup_deadline_passes_the_copy_to_the_next(
    bob_student, charlie_student, institution, record, commit
):
    copy = record.copies.get()
    dana = make_student(institution, matricule="2026104", first_name="Dana", last_name="Roy")
    make_loan(copy, dana)
    first = make_hold(record, charlie_student, minutes_ago=30)
    second = make_hold(record, bob_student, minutes_ago=5)
    loan_checkin(copy=copy)
    first.refresh_from_db()
    deadline = first.pickup_by

    call_command("expire_library_holds", f"--date={deadline.isoformat()}", stdout=io.StringIO())
    first.refresh_from_db()
    assert first.status == Hold.Status.READY  # the deadline day itself is still allowed

    later = deadline + datetime.timedelta(days=1)
    with commit():
        call_command("expire_library_holds", f"--date={later.isoformat()}", stdout=io.StringIO())

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Hold.Status.EXPIRED
    assert (second.status, second.copy, second.pickup_by) == (
        Hold.Status.READY,
        copy,
        later + datetime.timedelta(days=institution.library_pickup_days),
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@etudiant.example"]


def test_checkout_fulfils_the_borrowers_hold_and_refuses_others(
    bob_student, charlie_student, record
):
    copy = record.copies.get()
    hold = make_hold(record, bob_student)
    Hold.objects.filter(pk=hold.pk).update(status=Hold.Status.READY, copy=copy)

    with pytest.raises(LibraryRefused, match="mis de côté pour une autre personne"):
        loan_checkout(copy=copy, student=charlie_student)
    loan = loan_checkout(copy=copy, student=bob_student)

    hold.refresh_from_db()
    assert hold.status == Hold.Status.FULFILLED
    assert loan.due_on == timezone.localdate() + datetime.timedelta(days=21)
    assert Loan.objects.filter(returned_on__isnull=True).count() == 1
