"""`python manage.py import_csv guardians FILE [--dry-run]`, as the registrar runs it: the
guardians on the children's files, and what the file does to the parents' access."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from parents.models import Guardian
from parents.selectors import children_for_parent
from portal.models import AuditEvent, Institution
from students.models import Student
from tests.factories import make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent

HEADERS = [
    "matricule",
    "last_name",
    "first_name",
    "email",
    "phone",
    "civic_number",
    "relationship",
    "can_view",
]


def write_csv(path: Path, rows: list[dict[str, str]], *, headers: list[str] = HEADERS) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[values.get(header, "") for header in headers] for values in rows])
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def guardian_row(matricule: str, email: str, **fields: str) -> dict[str, str]:
    return {
        "matricule": matricule,
        "last_name": "Testtest",
        "first_name": "Adzo",
        "email": email,
        "phone": "613 555-0101",
        "civic_number": "2445",
        "relationship": "mère",
        "can_view": "oui",
        **fields,
    }


def run(path: Path, *args: str) -> str:
    """The command as the registrar runs it, in French (a page in English earlier in the same
    thread must not change its language)."""
    out = io.StringIO()
    with translation.override("fr"):
        call_command("import_csv", "guardians", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        run(path, *args)
    return str(excinfo.value)


@pytest.fixture
def family(cepeo: Institution) -> tuple[Student, Student]:
    """Two children of the CEPEO, in two of its schools, both under 18."""
    schools = {school.code: school for school in cepeo.schools.all()}
    older = make_student(
        cepeo,
        matricule="300000001",
        last_name="Testtest",
        first_name="Kofi",
        birthdate=birthday_years_ago(15),
        school=schools["de-la-salle"],
    )
    younger = make_student(
        cepeo,
        matricule="300000002",
        last_name="Testtest",
        first_name="Ama",
        birthdate=birthday_years_ago(10),
        school=schools["carrefour-jeunesse"],
    )
    return older, younger


def visible(parent, institution: Institution) -> list[str]:
    return [child.matricule for child in children_for_parent(parent, institution)]


# --- Importing ----------------------------------------------------------------------------------


def test_imports_guardians_of_two_children_in_two_schools(cepeo, family, tmp_path):
    older, younger = family
    rows = [
        guardian_row(older.matricule, "Adzo.Test@Example.com"),
        guardian_row(
            older.matricule,
            "kwame.test@example.com",
            first_name="Kwame",
            relationship="père",
            can_view="non",
            phone="",
        ),
        guardian_row(younger.matricule, "adzo.test@example.com"),
    ]

    output = run(write_csv(tmp_path / "parents.csv", rows))

    assert "3 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    adzo = Guardian.objects.filter(email="adzo.test@example.com").order_by("student__matricule")
    assert [g.student for g in adzo] == [older, younger]
    assert {g.student.school.code for g in adzo} == {"de-la-salle", "carrefour-jeunesse"}
    first = adzo[0]
    assert (first.last_name, first.first_name, first.phone, first.civic_number) == (
        "Testtest",
        "Adzo",
        "613 555-0101",
        "2445",
    )
    assert first.relationship == "mère"
    assert first.can_view is True
    assert first.access_after_majority is False
    assert first.account is None
    kwame = Guardian.objects.get(email="kwame.test@example.com")
    assert (kwame.can_view, kwame.phone, kwame.relationship) == (False, "", "père")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert event.details == {
        "kind": "guardians",
        "file": "parents.csv",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }


def test_importing_the_same_file_again_changes_nothing(cepeo, family, tmp_path):
    older, younger = family
    path = write_csv(
        tmp_path / "parents.csv",
        [
            guardian_row(older.matricule, "adzo.test@example.com"),
            guardian_row(younger.matricule, "ADZO.TEST@example.com"),
        ],
    )
    run(path)
    before = list(Guardian.objects.order_by("pk").values())

    output = run(path)

    assert "0 création(s), 0 mise(s) à jour, 2 inchangé(s)" in output
    assert list(Guardian.objects.order_by("pk").values()) == before


def test_an_update_names_what_changes(cepeo, family, tmp_path):
    older, _younger = family
    make_guardian(older, email="adzo.test@example.com", phone="613 555-0101")
    path = write_csv(
        tmp_path / "parents.csv",
        [guardian_row(older.matricule, "adzo.test@example.com", phone="613 555-0199")],
    )

    output = run(path, "--dry-run")

    assert "mise à jour de Adzo Testtest <adzo.test@example.com>" in output
    assert "téléphone « 613 555-0101 » → « 613 555-0199 »" in output
    assert Guardian.objects.get().phone == "613 555-0101"
    run(path)
    assert Guardian.objects.get().phone == "613 555-0199"


def test_a_dry_run_writes_nothing(cepeo, family, tmp_path):
    older, younger = family
    parent = make_parent("adzo.test@example.com")
    path = write_csv(
        tmp_path / "parents.csv",
        [
            guardian_row(older.matricule, "adzo.test@example.com"),
            guardian_row(younger.matricule, "adzo.test@example.com"),
        ],
    )

    output = run(path, "--dry-run")

    assert "Simulation (--dry-run) : rien n'a été enregistré." in output
    assert f"Ligne 2 : création de Adzo Testtest <adzo.test@example.com> — {older}" in output
    assert "Parents au dossier à lier à un compte de parent existant : 2." in output
    assert "2 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    assert not Guardian.objects.exists()
    assert visible(parent, cepeo) == []
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).exists()


def test_every_error_is_reported_with_its_line_and_nothing_is_written(cepeo, family, tmp_path):
    older, younger = family
    rows = [
        guardian_row(older.matricule, "adzo.test@example.com"),
        guardian_row("399999999", "adzo.test@example.com"),
        guardian_row(younger.matricule, "pas-un-courriel"),
        guardian_row(younger.matricule, "kwame.test@example.com", can_view="peut-être"),
        guardian_row(older.matricule, "ADZO.test@example.com"),
        guardian_row(younger.matricule, "ama.test@example.com", last_name=""),
    ]

    message = refused(write_csv(tmp_path / "parents.csv", rows))

    assert "Fichier refusé : rien n'a été enregistré (5 erreur(s))." in message
    assert (
        "Ligne 3 : aucun étudiant n'a le numéro d'étudiant « 399999999 ». Importez d'abord les "
        "étudiants (import_csv students)." in message
    )
    assert "Ligne 4 : le courriel « pas-un-courriel » n'est pas une adresse valide." in message
    assert "Ligne 5 : « can_view » doit valoir oui ou non. Valeur reçue : « peut-être »." in message
    assert (
        f"Ligne 6 : le parent adzo.test@example.com de l'enfant {older.matricule} figure déjà "
        "à la ligne 2." in message
    )
    assert "Ligne 7 : la cellule « last_name » est vide ; elle est obligatoire." in message
    assert not Guardian.objects.exists()


def test_missing_and_unknown_columns_refuse_the_file(cepeo, family, tmp_path):
    older, _younger = family
    headers = [h for h in HEADERS if h != "can_view"] + ["courriel"]
    path = write_csv(
        tmp_path / "parents.csv", [guardian_row(older.matricule, "a@example.com")], headers=headers
    )

    message = refused(path)

    assert "Ligne 1 : colonne obligatoire manquante : « can_view »." in message
    assert "Ligne 1 : colonne inconnue : « courriel »." in message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("oui", True), ("Non", False), ("yes", True), ("no", False), ("1", True), ("0", False)],
)
def test_can_view_takes_the_booleans_of_every_import(cepeo, family, tmp_path, cell, expected):
    older, _younger = family
    run(
        write_csv(
            tmp_path / "parents.csv",
            [guardian_row(older.matricule, "adzo.test@example.com", can_view=cell)],
        )
    )
    assert Guardian.objects.get().can_view is expected


# --- What the file does to the parents' access --------------------------------------------------


def test_a_row_for_an_existing_parent_account_is_linked_and_the_child_appears(
    cepeo, family, tmp_path
):
    older, younger = family
    make_guardian(older, email="adzo.test@example.com")
    parent = make_parent("adzo.test@example.com")
    assert visible(parent, cepeo) == [older.matricule]

    output = run(
        write_csv(
            tmp_path / "parents.csv",
            [
                guardian_row(older.matricule, "adzo.test@example.com"),
                guardian_row(younger.matricule, "Adzo.Test@example.com"),
            ],
        )
    )

    assert "Parents au dossier liés à un compte de parent existant : 1." in output
    row = Guardian.objects.get(student=younger)
    assert row.account == parent
    assert row.linked_at is not None
    assert sorted(visible(parent, cepeo)) == sorted([older.matricule, younger.matricule])


def test_a_parent_account_not_yet_activated_is_not_linked(cepeo, family, tmp_path):
    older, _younger = family
    pending = make_parent("adzo.test@example.com", link=False)
    pending.activated_at = None
    pending.save(update_fields=["activated_at"])

    run(write_csv(tmp_path / "p.csv", [guardian_row(older.matricule, "adzo.test@example.com")]))

    assert Guardian.objects.get().account is None


def test_an_email_changed_on_the_file_ends_the_former_parents_access(cepeo, family, tmp_path):
    older, younger = family
    make_guardian(older, email="adzo.test@example.com")
    make_guardian(younger, email="adzo.test@example.com")
    parent = make_parent("adzo.test@example.com")
    other = make_parent("adzo.nouveau@example.com", first_name="Adzo")
    assert len(visible(parent, cepeo)) == 2

    # The school now has another address for the older child's guardian.
    output = run(
        write_csv(
            tmp_path / "parents.csv", [guardian_row(older.matricule, "adzo.nouveau@example.com")]
        )
    )

    assert f"retrait de Adzo Testtest <adzo.test@example.com> — {older}" in output
    assert "(son compte de parent n'y aura plus accès)" in output
    assert visible(parent, cepeo) == [younger.matricule]  # a child the file does not name
    assert visible(other, cepeo) == [older.matricule]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PARENT_UNLINKED)
    assert event.subject == parent
    assert event.details["student"] == older.matricule
    assert event.details["reason"] == "import"


def test_a_parent_who_changed_the_accounts_email_keeps_the_children(cepeo, family, tmp_path):
    older, _younger = family
    make_guardian(older, email="adzo.test@example.com")
    parent = make_parent("adzo.test@example.com")
    # "Gestion de mon compte": the login is no longer the email on the child's file.
    parent.identifier = parent.email = "adzo.autre@example.com"
    parent.save(update_fields=["identifier", "email"])

    output = run(
        write_csv(tmp_path / "p.csv", [guardian_row(older.matricule, "adzo.test@example.com")])
    )

    assert "déliés" not in output
    row = Guardian.objects.get()
    assert row.account == parent
    assert visible(parent, cepeo) == [older.matricule]
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PARENT_UNLINKED).exists()


def test_can_view_non_ends_the_access_at_once(cepeo, family, tmp_path):
    older, younger = family
    make_guardian(older, email="adzo.test@example.com")
    make_guardian(younger, email="adzo.test@example.com")
    parent = make_parent("adzo.test@example.com")
    assert len(visible(parent, cepeo)) == 2

    run(
        write_csv(
            tmp_path / "parents.csv",
            [guardian_row(older.matricule, "adzo.test@example.com", can_view="non")],
        )
    )

    assert visible(parent, cepeo) == [younger.matricule]
    row = Guardian.objects.get(student=older)
    assert row.account == parent  # kept: "oui" again gives the access back
    run(write_csv(tmp_path / "again.csv", [guardian_row(older.matricule, "adzo.test@example.com")]))
    assert len(visible(parent, cepeo)) == 2


def test_access_after_18_keeps_an_adult_child_visible(cepeo, tmp_path):
    adult = make_student(cepeo, matricule="300000009", birthdate=birthday_years_ago(19))
    minor = make_student(cepeo, matricule="300000010", birthdate=birthday_years_ago(17))
    parent = make_parent("adzo.test@example.com")
    headers = [*HEADERS, "access_after_18"]
    path = write_csv(
        tmp_path / "parents.csv",
        [
            guardian_row(adult.matricule, "adzo.test@example.com", access_after_18="non"),
            guardian_row(minor.matricule, "adzo.test@example.com", access_after_18=""),
        ],
        headers=headers,
    )

    run(path)
    assert visible(parent, cepeo) == [minor.matricule]

    path = write_csv(
        tmp_path / "exception.csv",
        [guardian_row(adult.matricule, "adzo.test@example.com", access_after_18="oui")],
        headers=headers,
    )
    run(path)
    assert Guardian.objects.get(student=adult).access_after_majority is True
    assert sorted(visible(parent, cepeo)) == sorted([adult.matricule, minor.matricule])
    # Without the column, the exception stays as it is.
    run(write_csv(tmp_path / "plain.csv", [guardian_row(adult.matricule, "adzo.test@example.com")]))
    assert Guardian.objects.get(student=adult).access_after_majority is True


def test_the_import_reads_a_few_queries_whatever_the_length(
    cepeo, tmp_path, django_assert_max_num_queries
):
    students = [make_student(cepeo, matricule=f"3100000{n:02d}") for n in range(40)]
    rows = [guardian_row(s.matricule, f"parent{n}@example.com") for n, s in enumerate(students)]
    path = write_csv(tmp_path / "parents.csv", rows)
    with django_assert_max_num_queries(20):
        run(path)
    assert Guardian.objects.count() == 40
    with django_assert_max_num_queries(20):
        run(path)


def test_linked_at_is_set_when_linking(cepeo, family, tmp_path):
    older, _younger = family
    make_parent("adzo.test@example.com")
    before = timezone.now() - datetime.timedelta(seconds=1)

    run(write_csv(tmp_path / "p.csv", [guardian_row(older.matricule, "adzo.test@example.com")]))

    assert Guardian.objects.get().linked_at >= before
