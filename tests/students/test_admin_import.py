""" "Importer un fichier" in the admin: the registrar sends a CSV file or an Excel workbook, reads
the dry run's report, and confirms; the same engine as `import_csv`, all-or-nothing, audited
with the file's SHA-256. Only staff who may add and change the records."""

import hashlib
import html
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from billing.models import Invoice
from parents.models import Guardian
from portal.models import AuditEvent
from students.models import Course, ImportFile, Student
from tests.factories import make_student
from tests.students.factories_courses import enrol, make_course, make_section, make_term

STUDENTS_CSV = (
    "matricule,last_name,first_name,birthdate\n"
    "2026201,Côté,Étienne,2005-11-23\n"
    "2026202,Nguyễn,Thị Hoa,2006-04-01\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def registrar(institution):
    return User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")


@pytest.fixture
def admin_client(client, registrar):
    client.force_login(registrar)
    return client


def text(response) -> str:
    """What the staff member reads, tags removed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def upload(client, model: str, name: str, content: bytes, kind: str):
    url = reverse(f"admin:{model}_import")
    return client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stored_files(media: Path) -> list[Path]:
    folder = media / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    "model",
    [
        "students_student",
        "students_employee",
        "students_course",
        "students_section",
        "students_enrolment",
        "students_evaluation",
        "billing_invoice",
        "parents_guardian",
    ],
)
def test_every_imported_list_has_the_button(admin_client, model):
    response = admin_client.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200
    assert f'href="{reverse(f"admin:{model}_import")}"' in response.content.decode()
    assert "Importer un fichier" in text(response)
    assert admin_client.get(reverse(f"admin:{model}_import")).status_code == 200


def test_the_enrolment_list_offers_enrolments_final_grades_and_attendance(admin_client):
    page = admin_client.get(reverse("admin:students_enrolment_import")).content.decode()

    kinds = re.findall(r'<option value="([a-z_]+)"', page)
    assert kinds == ["attendance", "enrolments", "final_grades"]
    assert "<code>absences</code>" in page


def test_a_csv_file_is_checked_then_imported_on_confirmation(
    admin_client, registrar, media, django_capture_on_commit_callbacks
):
    response = upload(
        admin_client, "students_student", "etudiants.csv", STUDENTS_CSV.encode(), "students"
    )

    upload_row = ImportFile.objects.get()
    report_url = reverse("admin:students_student_import_report", args=[upload_row.pk])
    assert response.status_code == 302 and response["Location"] == report_url
    # Kept on the server under a random name, with its hash; nothing imported yet.
    [kept] = stored_files(media)
    assert kept.name != "etudiants.csv" and kept.suffix == ".csv"
    assert upload_row.sha256 == hashlib.sha256(STUDENTS_CSV.encode()).hexdigest()

    report = text(admin_client.get(report_url))
    assert "Simulation : rien n'a encore été enregistré." in report
    assert "Créations 2 Mises à jour 0 Inchangés 0 Retraits 0" in report
    assert "Ligne 2 : création de" in report and "Ligne 3 : création de" in report
    assert upload_row.sha256 in report
    assert not Student.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin_client.post(report_url)

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:students_student_changelist")
    assert set(Student.objects.values_list("matricule", flat=True)) == {"2026201", "2026202"}
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT_ADMIN)
    assert event.actor == registrar
    assert event.details == {
        "kind": "students",
        "file": "etudiants.csv",
        "sha256": hashlib.sha256(STUDENTS_CSV.encode()).hexdigest(),
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
    }
    assert not ImportFile.objects.exists() and stored_files(media) == []
    listing = text(admin_client.get(confirmed["Location"]))
    assert "Fichier « etudiants.csv » importé : 2 création(s), 0 mise(s) à jour" in listing
    # The confirmation cannot be replayed.
    assert admin_client.post(report_url).status_code == 404


def test_an_excel_workbook_is_read_from_its_first_sheet(admin_client, institution):
    content = xlsx(
        [
            ["code", "title", "credits", "program_term"],
            ["201-NYA-05", "Calcul différentiel", 2.33, 1],
            ["601-101-MQ", "Écriture et littérature", 2, None],
        ]
    )
    response = upload(admin_client, "students_course", "cours.xlsx", content, "courses")
    report_url = response["Location"]

    assert "Créations 2" in text(admin_client.get(report_url))
    admin_client.post(report_url)

    assert {(c.code, str(c.credits), c.program_term) for c in Course.objects.all()} == {
        ("201-NYA-05", "2.33", 1),
        ("601-101-MQ", "2.00", None),
    }
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT_ADMIN).details["sha256"] == (
        hashlib.sha256(content).hexdigest()
    )


def test_every_error_is_shown_with_its_line_and_nothing_can_be_confirmed(admin_client, media):
    content = (
        "matricule,last_name,first_name,birthdate\n"
        "2026201,Côté,Étienne,2005-11-23\n"
        "2026202,Nguyễn,Thị Hoa,05/03/2006\n"
        "123,Roy,Zoé,2006-01-01\n"
    ).encode()
    response = admin_client.get(
        upload(admin_client, "students_student", "e.csv", content, "students")["Location"]
    )

    page = text(response)
    assert response.status_code == 200
    assert "Fichier refusé : rien n'a été enregistré (2 erreurs)." in page
    assert "Ligne 3 : la date de naissance doit être au format AAAA-MM-JJ." in page
    assert "Ligne 4 : le matricule doit compter exactement 7 chiffres" in page
    assert "Confirmer l'importation" not in page
    assert not Student.objects.exists()
    assert not ImportFile.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("casse.xlsx", b"PK\x03\x04broken", "le classeur Excel (.xlsx) est illisible"),
        ("junk.csv", bytes(range(256)) * 16, "le fichier n'est pas encodé en UTF-8"),
        (
            "nul.csv",
            b"matricule,last_name,first_name,birthdate\n2026201,C\x00t\xc3\xa9,E,2005-11-23\n",
            "Ligne 2 : caractère nul (octet 0x00) dans une cellule.",
        ),
        ("vide.csv", b"\n", "Ligne 1 : le fichier est vide"),
        (
            "enorme.csv",
            b"matricule,last_name,first_name,birthdate,grade\n2026201,C,E,"
            + b"9" * 30
            + b"-01-01,x\n",
            "Ligne 2 : la date de naissance doit être au format AAAA-MM-JJ.",
        ),
    ],
)
def test_bad_files_get_a_french_message_never_a_500(admin_client, name, content, message):
    response = admin_client.get(
        upload(admin_client, "students_student", name, content, "students")["Location"]
    )

    assert response.status_code == 200
    assert message in text(response)
    assert not Student.objects.exists()


def test_other_files_than_csv_or_xlsx_are_refused_by_the_form(admin_client):
    response = upload(admin_client, "students_student", "photo.pdf", b"%PDF-1.7", "students")

    assert response.status_code == 200
    assert "Envoyez un fichier CSV (.csv) ou un classeur Excel (.xlsx)." in text(response)
    assert not ImportFile.objects.exists()


def test_cancel_forgets_the_file(admin_client, media):
    report_url = upload(
        admin_client, "students_student", "e.csv", STUDENTS_CSV.encode(), "students"
    )["Location"]

    response = admin_client.post(report_url, {"cancel": "1"})

    assert response.status_code == 302
    assert not ImportFile.objects.exists() and stored_files(media) == []
    assert not Student.objects.exists()


def test_a_file_changed_on_the_server_after_the_dry_run_is_not_imported(admin_client, media):
    report_url = upload(
        admin_client, "students_student", "e.csv", STUDENTS_CSV.encode(), "students"
    )["Location"]
    [kept] = stored_files(media)
    kept.write_bytes(STUDENTS_CSV.encode() + b"2026203,Roy,Zoe,2006-01-01\n")

    response = admin_client.post(report_url)

    assert "Le fichier conservé a changé depuis la simulation" in text(response)
    assert not Student.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT_ADMIN).exists()


def test_the_attendance_kind_from_the_enrolment_list(admin_client, institution):
    student = make_student(institution, matricule="2026201")
    term = make_term("AUT-2026", current=True)
    enrolment = enrol(student, make_section(term, make_course("201-NYA-05")))
    content = b"term,matricule,course_code,absences,lateness\nAUT-2026,2026201,201-NYA-05,6,2\n"

    report_url = upload(admin_client, "students_enrolment", "absences.csv", content, "attendance")[
        "Location"
    ]
    assert "Mises à jour 1" in text(admin_client.get(report_url))
    admin_client.post(report_url)

    enrolment.refresh_from_db()
    assert (enrolment.absences, enrolment.lateness, enrolment.final_grade) == (6, 2, None)


def test_invoices_from_the_invoice_list(admin_client, institution):
    make_student(institution, matricule="2026201")
    content = (
        "matricule,session,invoice_number,description,due_date,line_description,amount,voluntary\n"
        "2026201,AUT-2026,FAC00000397,Frais,2026-09-15,Droits de scolarité,275.00,non\n"
        "2026201,AUT-2026,FAC00000397,Frais,2026-09-15,Fondation,10,oui\n"
    ).encode()

    report_url = upload(admin_client, "billing_invoice", "f.csv", content, "invoices")["Location"]
    assert "Créations 2" in text(admin_client.get(report_url))
    admin_client.post(report_url)

    assert Invoice.objects.get().lines.count() == 2


def test_guardians_from_the_guardian_list_count_removals(admin_client, institution):
    student = make_student(institution, matricule="2026201")
    Guardian.objects.create(
        student=student, last_name="Ancien", first_name="A", email="old@example.com", can_view=True
    )
    content = (
        b"matricule,last_name,first_name,email,can_view\n2026201,Roy,Marie,marie@example.com,oui\n"
    )

    report_url = upload(admin_client, "parents_guardian", "p.csv", content, "guardians")["Location"]
    assert "Créations 1 Mises à jour 0 Inchangés 0 Retraits 1" in text(admin_client.get(report_url))
    admin_client.post(report_url)

    assert list(Guardian.objects.values_list("email", flat=True)) == ["marie@example.com"]
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT_ADMIN).details["removed"] == 1


# --- Who may import ------------------------------------------------------------------------


def staff_with(*codenames: str) -> User:
    user = User.objects.create_user("commis", password="Commis-Test-2026", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_staff_who_may_only_look_see_no_button_and_get_403(client, institution):
    client.force_login(staff_with("view_student", "add_student"))

    listing = client.get(reverse("admin:students_student_changelist"))
    assert listing.status_code == 200
    assert "Importer un fichier" not in text(listing)
    assert client.get(reverse("admin:students_student_import")).status_code == 403
    response = upload(client, "students_student", "e.csv", STUDENTS_CSV.encode(), "students")
    assert response.status_code == 403
    assert not ImportFile.objects.exists()


def test_staff_with_add_and_change_may_import(client, institution):
    client.force_login(staff_with("view_student", "add_student", "change_student"))

    report_url = upload(client, "students_student", "e.csv", STUDENTS_CSV.encode(), "students")[
        "Location"
    ]
    client.post(report_url)

    assert Student.objects.count() == 2


def test_a_kind_the_staff_member_may_not_run_is_not_offered(client, institution):
    client.force_login(
        staff_with("view_enrolment", "add_enrolment", "change_enrolment", "view_student")
    )

    page = client.get(reverse("admin:students_enrolment_import")).content.decode()

    # Every kind under enrolments writes enrolments: all three are offered.
    assert re.findall(r'<option value="([a-z_]+)"', page) == [
        "attendance",
        "enrolments",
        "final_grades",
    ]
    assert client.get(reverse("admin:students_evaluation_import")).status_code == 403


def test_students_and_strangers_are_sent_to_the_admin_login(client, bob):
    client.force_login(bob)

    response = client.get(reverse("admin:students_student_import"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_another_staff_members_file_is_not_found(admin_client, institution):
    report_url = upload(
        admin_client, "students_student", "e.csv", STUDENTS_CSV.encode(), "students"
    )["Location"]
    other = User.objects.create_superuser("autre", "a@example.org", "Autre-Test-2026")
    admin_client.force_login(other)

    assert admin_client.get(report_url).status_code == 404
    assert admin_client.post(report_url).status_code == 404
    assert not Student.objects.exists()


def test_huge_numbers_in_a_workbook_are_out_of_range(admin_client, institution):
    content = xlsx([["code", "title", "credits"], ["201-NYA-05", "Calcul", 1e300]])

    response = admin_client.get(
        upload(admin_client, "students_course", "cours.xlsx", content, "courses")["Location"]
    )

    assert response.status_code == 200
    assert "Ligne 2 : « credits » doit être entre 0 et 99.99." in text(response)
    assert not Course.objects.exists()
