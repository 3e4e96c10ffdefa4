"""Qui a consulté mon dossier (issue 16, Law 25): staff opening a student's record, account,
marks, final grades, invoices or payments in the admin writes an entry; the student sees them in
"Profil personnel", a parent sees a minor child's on the child's page; reading one's own data
writes nothing; the registrar exports a student's entries as CSV."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.models import User
from billing.models import Receipt
from students.models import RecordAccess, Student
from tests.accounts.test_first_use import page
from tests.accounts.test_query_budget import query_budget  # noqa: F401
from tests.billing.test_statement import counter_payment, student_of
from tests.factories import make_employee, make_invoice, make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent
from tests.students.factories_courses import (
    enrol,
    give_mark,
    make_course,
    make_evaluation,
    make_section,
    make_term,
)

PROFILE = reverse("accounts:profile")
SECTION_TITLE = "Qui a consulté mon dossier"


@pytest.fixture
def registrar(institution) -> User:
    """Nadia Roy, of the registrar's office (her employee record says so)."""
    user = User.objects.create_user(
        username="nroy",
        password="Registrariat-2026!",
        first_name="Nadia",
        last_name="Roy",
        is_staff=True,
        is_superuser=True,
    )
    employee = make_employee(institution, employee_number="90001", department="Registrariat")
    employee.user = user
    employee.save(update_fields=["user"])
    return user


@pytest.fixture
def registrar_client(registrar) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.44")
    client.force_login(registrar)
    return client


def change_url(obj, *args) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk, *args])


def history_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk])


def entries(student: Student) -> list[tuple[str, str, bool]]:
    return [
        (entry.what, entry.item, entry.history)
        for entry in RecordAccess.objects.filter(student=student).order_by("id")
    ]


def accesses_section(response) -> str:
    text = page(response)
    assert SECTION_TITLE in text or "Qui a consulté le dossier de mon enfant" in text
    return text[text.index('data-testid="record-accesses"') :]


def test_opening_a_record_in_the_admin_is_shown_to_the_student(registrar_client, registrar, bob):
    record = student_of(bob)
    assert registrar_client.get(change_url(record)).status_code == 200
    entry = RecordAccess.objects.get(student=record)
    assert (entry.what, entry.staff, entry.staff_name) == ("record", registrar, "Nadia Roy")
    assert entry.staff_role == "Registrariat"
    assert entry.ip_address == "192.0.2.44"

    client = Client()
    client.force_login(bob)
    section = accesses_section(client.get(PROFILE))
    assert "Nadia Roy" in section
    assert "Registrariat" in section
    assert "Dossier de l'étudiant" in section
    assert "1 consultation en tout." in section


def test_each_kind_of_admin_page_writes_its_entry(registrar_client, bob, charlie):
    record = student_of(bob)
    invoice = make_invoice(record, number="FAC00000397")
    payment = counter_payment(bob, invoice)
    receipt = Receipt.objects.get(payment=payment)
    section = make_section(make_term(current=True), make_course())
    enrolment = enrol(record, section, final_grade=82)
    evaluation = make_evaluation(section, "Examen 1")
    give_mark(evaluation, record)
    give_mark(evaluation, student_of(charlie))

    for url in (
        change_url(invoice),
        change_url(payment),
        change_url(receipt),
        change_url(enrolment),
        change_url(evaluation),
        change_url(bob),
        history_url(record),
    ):
        assert registrar_client.get(url).status_code == 200, url
    assert entries(record) == [
        ("invoice", "FAC00000397", False),
        ("payment", payment.reference, False),
        ("receipt", receipt.number, False),
        ("final_grades", str(section), False),
        ("marks", str(evaluation), False),
        ("account", "", False),
        ("record", "", True),
    ]
    # The evaluation's form showed Charlie's mark too: he gets his own entry, and only that.
    assert entries(student_of(charlie)) == [("marks", str(evaluation), False)]


def test_lists_posts_and_other_pages_write_nothing(registrar_client, bob):
    record = student_of(bob)
    make_invoice(record)
    for url in (
        reverse("admin:students_student_changelist"),
        reverse("admin:billing_invoice_changelist"),
        reverse("admin:portal_auditevent_changelist"),
        change_url(record).replace(str(record.pk), "999999"),  # missing: redirected
    ):
        assert registrar_client.get(url).status_code in (200, 302)
    assert not RecordAccess.objects.exists()


def test_reading_ones_own_data_writes_nothing(bob, registrar_client):
    record = student_of(bob)
    make_invoice(record, number="FAC00000398")
    client = Client()
    client.force_login(bob)
    for url in ("/paiement/", "/paiement/factures/FAC00000398/", "/resultats/", "/dossier/"):
        assert client.get(url).status_code == 200, url
    assert not RecordAccess.objects.exists()
    # A staff member whose own account is this student's: not a consultation either.
    bob.is_staff = bob.is_superuser = True
    bob.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(bob)
    assert client.get(change_url(record)).status_code == 200
    assert not RecordAccess.objects.exists()


def test_a_role_from_the_admin_groups_or_the_default(bob, institution):
    staff = User.objects.create_user(username="agent", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    client.get(change_url(student_of(bob)))
    staff.groups.add(Group.objects.create(name="Aide financière"))
    client.get(change_url(student_of(bob)))
    assert list(RecordAccess.objects.order_by("id").values_list("staff_name", "staff_role")) == [
        ("agent", ""),
        ("agent", "Aide financière"),
    ]
    client.force_login(bob)
    section = accesses_section(client.get(PROFILE))
    assert "Personnel de l'établissement" in section
    assert "Aide financière" in section


def test_charlie_never_sees_who_read_bobs_file(registrar_client, bob, charlie):
    registrar_client.get(change_url(student_of(bob)))
    client = Client()
    client.force_login(charlie)
    section = accesses_section(client.get(PROFILE))
    assert "Nadia Roy" not in section
    assert "Aucune consultation par le personnel." in section


def test_newest_first_limited_with_the_count(bob, registrar, query_budget):  # noqa: F811
    record = student_of(bob)
    RecordAccess.objects.bulk_create(
        RecordAccess(student=record, staff=registrar, staff_name=f"Agent {n:02d}", what="record")
        for n in range(30)
    )
    client = Client()
    client.force_login(bob)
    with query_budget(16):
        response = client.get(PROFILE)
    section = accesses_section(response)
    assert section.index("Agent 29") < section.index("Agent 28")
    assert "Agent 09" not in section and "Agent 10" in section  # the 20 newest
    assert "30 consultations en tout." in section
    assert "Les 20 plus récentes sont affichées" in section


def test_the_profile_page_stays_within_its_query_budget_however_many_entries(
    bob, registrar, django_assert_max_num_queries
):
    record = student_of(bob)
    client = Client()
    client.force_login(bob)
    client.get(PROFILE)
    with django_assert_max_num_queries(20) as few:
        client.get(PROFILE)
    RecordAccess.objects.bulk_create(
        RecordAccess(student=record, staff=registrar, staff_name="Agent", what="invoice")
        for _ in range(200)
    )
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        client.get(PROFILE)


# --- Parents --------------------------------------------------------------------------------


def test_a_parent_sees_who_read_a_minor_childs_file(registrar_client, institution):
    minor = make_student(institution, first_name="Zoé", birthdate=birthday_years_ago(12))
    adult = make_student(institution, first_name="Noah", birthdate=birthday_years_ago(19))
    make_guardian(minor)
    make_guardian(adult, access_after_majority=True)
    parent = make_parent()
    for child in (minor, adult):
        registrar_client.get(change_url(child))
    client = Client()
    client.force_login(parent)
    section = accesses_section(client.get(reverse("parents:child", args=[minor.pk])))
    assert "Qui a consulté le dossier de mon enfant" in section
    assert "Nadia Roy" in section
    # The adult child's page opens (the file keeps the access) but the list is the child's.
    response = client.get(reverse("parents:child", args=[adult.pk]))
    assert response.status_code == 200
    assert "Qui a consulté" not in page(response)
    # Another family's child is a 404, like every child page.
    other = make_student(institution, first_name="Léa", birthdate=birthday_years_ago(10))
    assert client.get(reverse("parents:child", args=[other.pk])).status_code == 404


# --- The registrar's side -------------------------------------------------------------------


def test_the_registrar_exports_one_students_entries_as_csv(registrar_client, bob, charlie):
    registrar_client.get(change_url(student_of(bob)))
    registrar_client.get(history_url(student_of(bob)))
    registrar_client.get(change_url(student_of(charlie)))
    changelist = reverse("admin:students_recordaccess_changelist")
    listing = registrar_client.get(changelist, {"q": "2026102"})
    assert listing.status_code == 200
    assert "Exporter en CSV (demande d'accès, Loi 25)" in page(listing)
    pks = list(
        RecordAccess.objects.filter(student__matricule="2026102").values_list("pk", flat=True)
    )
    response = registrar_client.post(
        changelist + "?q=2026102",
        {"action": "export_accesses_csv", "_selected_action": pks},
    )
    assert response["Content-Disposition"] == 'attachment; filename="consultations-2026102.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["matricule", "last_name", "first_name"]
    assert len(rows) == 3
    assert {row[0] for row in rows[1:]} == {"2026102"}
    assert {row[4] for row in rows[1:]} == {"Nadia Roy"}
    assert {row[8] for row in rows[1:]} == {"oui", "non"}
    assert rows[1][9] == "192.0.2.44"
    datetime.datetime.fromisoformat(rows[1][3])


def test_the_access_log_is_read_only(registrar_client, bob):
    registrar_client.get(change_url(student_of(bob)))
    entry = RecordAccess.objects.get()
    assert registrar_client.get(reverse("admin:students_recordaccess_add")).status_code == 403
    response = registrar_client.get(change_url(entry))
    assert response.status_code == 200
    assert 'name="_save"' not in page(response)
    response = registrar_client.post(reverse("admin:students_recordaccess_delete", args=[entry.pk]))
    assert response.status_code == 403
    assert RecordAccess.objects.count() == 1
