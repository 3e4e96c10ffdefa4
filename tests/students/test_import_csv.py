"""`python manage.py import_csv students FILE [--dry-run]`, as the registrar runs it."""

import csv
import datetime
import io
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import School
from portal.selectors import institution_current
from students import code_permanent, imports
from students.models import Employee, Program, Student
from tests.factories import make_employee

HEADERS = [
    "matricule",
    "code_permanent",
    "last_name",
    "first_name",
    "birthdate",
    "sex",
    "email",
    "phone",
    "address",
    "postal_code",
    "program",
    "school",
]


def row(matricule: str, **fields: str) -> dict[str, str]:
    """A valid row; its code permanent agrees with the names, birthdate and sex unless given."""
    values = {
        "matricule": matricule,
        "last_name": "Tremblay",
        "first_name": "Éloïse",
        "birthdate": "2006-03-05",
        "sex": "F",
        "email": "",
        "phone": "",
        "address": "",
        "postal_code": "",
        "program": "",
        "school": "",
        **fields,
    }
    if "code_permanent" not in fields:
        values["code_permanent"] = code_permanent.build(
            last_name=values["last_name"],
            first_name=values["first_name"],
            birthdate=datetime.date.fromisoformat(values["birthdate"]),
            sex=values["sex"],
        )
    return values


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    headers: list[str] = HEADERS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[values.get(header, "") for header in headers] for values in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(path: Path, *args: str, kind: str = "students") -> str:
    out = io.StringIO()
    call_command("import_csv", kind, str(path), *args, stdout=out)
    return out.getvalue()


def refused(path: Path, *args: str, kind: str = "students") -> str:
    with pytest.raises(CommandError) as excinfo:
        run(path, *args, kind=kind)
    return str(excinfo.value)


ACCENTED = [
    row("2026201", last_name="Côté", first_name="Étienne", sex="M", birthdate="2005-11-23"),
    row("2026202", last_name="Nguyễn", first_name="Thị Hoa", birthdate="2006-01-09"),
    row("2026203", last_name="D'Amour", first_name="Zoé", birthdate="2004-12-31", sex="X"),
    row("2026204", last_name="Gagnon-Roy", first_name="Jean-François", sex="M"),
]


def test_creates_students_with_accents_and_normalised_values(institution, tmp_path):
    rows = [
        {**ACCENTED[0], "email": "etienne.cote@etudiant.example", "postal_code": "j7z4v2"},
        {**ACCENTED[1], "phone": "450 436-1580", "address": "455, rue Fournier, Saint-Jérôme"},
        {**ACCENTED[2], "program": "420.B0"},
        {**ACCENTED[3], "program": "420.b0", "school": "mont-laurier"},
    ]

    output = run(write_csv(tmp_path / "etudiants.csv", rows))

    assert "4 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    assert "Programme créé : 420.B0" in output
    cote = Student.objects.get(matricule="2026201")
    assert (cote.last_name, cote.first_name) == ("Côté", "Étienne")
    assert cote.code_permanent == "COTE23110501"
    assert cote.birthdate == datetime.date(2005, 11, 23)
    assert cote.postal_code == "J7Z 4V2"
    assert cote.email == "etienne.cote@etudiant.example"
    assert cote.school.code == "cstj"
    assert cote.program is None
    nguyen = Student.objects.get(matricule="2026202")
    assert (nguyen.last_name, nguyen.first_name) == ("Nguyễn", "Thị Hoa")
    assert nguyen.address == "455, rue Fournier, Saint-Jérôme"
    assert Student.objects.get(matricule="2026203").last_name == "D'Amour"
    gagnon_roy = Student.objects.get(matricule="2026204")
    assert gagnon_roy.first_name == "Jean-François"
    assert gagnon_roy.school.code == "mont-laurier"
    # The program code is matched without case: one program, named after its code.
    assert list(Program.objects.values_list("code", "name")) == [("420.B0", "420.B0")]
    assert gagnon_roy.program.code == "420.B0"


def test_second_run_changes_nothing(institution, tmp_path):
    path = write_csv(
        tmp_path / "etudiants.csv", [*ACCENTED, {**ACCENTED[0], "matricule": "2026205"}]
    )
    run(path)
    updated_at = dict(Student.objects.values_list("matricule", "updated_at"))

    output = run(path)

    assert "0 création(s), 0 mise(s) à jour, 5 inchangé(s)" in output
    assert dict(Student.objects.values_list("matricule", "updated_at")) == updated_at


def test_accents_written_decomposed_match_on_the_next_run(institution, tmp_path):
    # macOS tools write "é" as "e" + combining accent; the stored name must not flip-flop.
    run(write_csv(tmp_path / "a.csv", [ACCENTED[0]]))
    decomposed = {**ACCENTED[0], "last_name": "Co\u0302te\u0301", "first_name": "E\u0301tienne"}

    output = run(write_csv(tmp_path / "b.csv", [decomposed]))

    assert "0 création(s), 0 mise(s) à jour, 1 inchangé(s)" in output
    assert Student.objects.get(matricule="2026201").last_name == "Côté"


def test_caomsc_matricules_keep_their_leading_zeros(load_preset, tmp_path):
    load_preset("caomsc")
    rows = [
        row(
            "00875",
            last_name="Bélanger",
            first_name="Maude",
            code_permanent="",
            postal_code="H2T 2C8",
        ),
        row("01234", last_name="Lévesque", first_name="Marc", sex="M", code_permanent=""),
    ]

    output = run(write_csv(tmp_path / "membres.csv", rows))

    assert "2 création(s)" in output
    assert Student.objects.get(matricule="00875").last_name == "Bélanger"
    assert set(Student.objects.values_list("matricule", flat=True)) == {"00875", "01234"}
    # No code permanent is needed where first use does not ask for it: no warning.
    assert "code permanent" not in output


def test_caomsc_matricule_without_its_zeros_is_refused(load_preset, tmp_path):
    load_preset("caomsc")
    path = write_csv(tmp_path / "membres.csv", [row("875", code_permanent="")])

    message = refused(path)

    assert "Ligne 2 : le matricule doit compter exactement 5 chiffres (ex. : 00875)." in message
    assert "Excel" in message
    assert not Student.objects.exists()


def test_excel_french_file_with_bom_and_semicolons(institution, tmp_path):
    rows = [
        {**ACCENTED[0], "address": "455, rue Fournier"},
        {**ACCENTED[1], "address": "12, rue de l'Église"},
    ]
    path = write_csv(tmp_path / "excel.csv", rows, delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfmatricule;")

    output = run(path)

    assert "2 création(s)" in output
    cote = Student.objects.get(matricule="2026201")
    assert (cote.last_name, cote.address) == ("Côté", "455, rue Fournier")
    assert Student.objects.get(matricule="2026202").last_name == "Nguyễn"


def test_changed_fields_are_updated_and_named(alice, tmp_path):
    Program.objects.create(code="500.A1", name="Arts, lettres et communication")
    changed = row(
        alice.matricule,
        last_name="Tremblay",
        first_name="Alice",
        email="alice.tremblay@etudiant.example",
        postal_code="J7Z 4V2",
        program="500.A1",
        code_permanent=alice.code_permanent,
    )

    output = run(write_csv(tmp_path / "etudiants.csv", [changed]))

    assert "0 création(s), 1 mise(s) à jour, 0 inchangé(s)" in output
    alice.refresh_from_db()
    assert alice.email == "alice.tremblay@etudiant.example"
    assert alice.program.code == "500.A1"
    assert alice.postal_code == "J7Z 4V2"
    assert alice.first_name == "Alice"


def test_a_column_missing_from_the_file_is_left_as_it_is(alice, tmp_path):
    headers = ["matricule", "last_name", "first_name", "birthdate"]
    renamed = row(alice.matricule, last_name="Tremblay-Roy", first_name="Alice")

    run(write_csv(tmp_path / "noms.csv", [renamed], headers=headers))

    alice.refresh_from_db()
    assert alice.last_name == "Tremblay-Roy"
    assert (alice.email, alice.postal_code) == ("alice@etudiant.example", "J7Z 4V2")
    assert alice.code_permanent.startswith("TREA")


def test_dry_run_prints_the_plan_and_writes_nothing(alice, tmp_path):
    rows = [
        row(
            alice.matricule,
            first_name="Alice",
            email="nouveau@etudiant.example",
            postal_code="J7Z 4V2",
            code_permanent=alice.code_permanent,
        ),
        {**ACCENTED[0], "program": "180.A0"},
    ]

    output = run(write_csv(tmp_path / "etudiants.csv", rows), "--dry-run")

    assert "rien n'a été enregistré" in output
    assert f"Ligne 2 : mise à jour de Tremblay, Alice ({alice.matricule}) : " in output
    assert "courriel « alice@etudiant.example » → « nouveau@etudiant.example »" in output
    assert "Ligne 3 : création de Côté, Étienne (2026201)" in output
    assert "Programme à créer : 180.A0" in output
    assert "1 création(s), 1 mise(s) à jour, 0 inchangé(s)" in output
    alice.refresh_from_db()
    assert alice.email == "alice@etudiant.example"
    assert list(Student.objects.all()) == [alice]
    assert not Program.objects.exists()


def test_a_file_with_bad_rows_is_refused_whole_with_every_error(institution, tmp_path):
    rows = [
        ACCENTED[0],
        row("2026302", birthdate="05/03/2006", code_permanent=""),
        row("202630", email="pas-un-courriel"),
        ACCENTED[1],
        row("2026305", sex="Z", postal_code="12345"),
        row("2026306", birthdate="2006-02-30", code_permanent=""),
    ]

    message = refused(write_csv(tmp_path / "etudiants.csv", rows))

    assert "Fichier refusé : rien n'a été enregistré (6 erreur(s))." in message
    assert "Ligne 3 : la date de naissance doit être au format AAAA-MM-JJ." in message
    assert "Valeur reçue : « 05/03/2006 »" in message
    assert "Ligne 4 : le matricule doit compter exactement 7 chiffres" in message
    assert "Ligne 4 : le courriel « pas-un-courriel » n'est pas une adresse valide." in message
    assert "Ligne 6 : le sexe doit être F, M, X ou vide." in message
    assert "Ligne 6 : le code postal doit avoir la forme A1A 1A1." in message
    assert "Ligne 7 : la date de naissance 2006-02-30 n'existe pas." in message
    lines = [line.split(" : ")[0] for line in message.splitlines()[1:]]
    assert lines == ["Ligne 3", "Ligne 4", "Ligne 4", "Ligne 6", "Ligne 6", "Ligne 7"]
    assert not Student.objects.exists()


def test_a_matricule_twice_in_the_file_is_an_error_on_the_second_line(institution, tmp_path):
    rows = [ACCENTED[0], ACCENTED[1], {**ACCENTED[2], "matricule": ACCENTED[0]["matricule"]}]

    message = refused(write_csv(tmp_path / "etudiants.csv", rows))

    assert "Ligne 4 : le matricule 2026201 figure déjà à la ligne 2." in message
    assert not any(line.startswith("Ligne 2 ") for line in message.splitlines())
    assert not Student.objects.exists()


def test_an_unknown_school_is_refused(institution, tmp_path):
    path = write_csv(tmp_path / "etudiants.csv", [row("2026201", school="laval")])

    message = refused(path)

    assert "Ligne 2 : l'école « laval » n'existe pas." in message
    assert "cstj, mont-laurier, mont-tremblant" in message


def test_an_empty_school_is_the_main_school(institution, tmp_path):
    School.objects.create(institution=institution, code="zzz", name="Annexe")

    run(write_csv(tmp_path / "etudiants.csv", [row("2026201", school="")]))

    assert Student.objects.get().school == institution.schools.get(is_main=True)


def test_a_code_permanent_that_does_not_match_the_record_is_refused(institution, tmp_path):
    rows = [
        # Someone else's code.
        row("2026201", last_name="Côté", first_name="Étienne", code_permanent="TREJ05530512"),
        # A man's code with a woman's month (+50).
        row("2026202", last_name="Côté", first_name="Luc", sex="M", code_permanent="COTL05530601"),
        row("2026203", code_permanent="TRE123"),
        row("2026204", code_permanent="tree 0553 0601"),  # spaces and case do not matter
    ]

    message = refused(write_csv(tmp_path / "etudiants.csv", rows))

    assert (
        "Ligne 2 : le code permanent TREJ05530512 ne correspond pas au nom et au prénom "
        "(il devrait commencer par COTE)."
    ) in message
    assert "Ligne 3 : le code permanent COTL05530601 ne correspond pas à la date" in message
    assert "Ligne 4 : Le code permanent compte 4 lettres suivies de 8 chiffres" in message
    assert "Ligne 5" not in message


def test_a_missing_header_is_named(institution, tmp_path):
    headers = [header for header in HEADERS if header != "birthdate"]
    path = write_csv(tmp_path / "etudiants.csv", [row("2026201")], headers=headers)

    message = refused(path)

    assert "Ligne 1 : colonne obligatoire manquante : « birthdate »." in message


def test_an_unknown_header_is_refused(institution, tmp_path):
    path = write_csv(tmp_path / "etudiants.csv", [row("2026201")], headers=[*HEADERS, "courriel"])

    message = refused(path)

    assert "Ligne 1 : colonne inconnue : « courriel »." in message
    assert not Student.objects.exists()


def test_a_file_not_in_utf8_is_refused_with_its_line(institution, tmp_path):
    path = write_csv(tmp_path / "latin1.csv", [row("2026201"), ACCENTED[0]], encoding="cp1252")

    message = refused(path)

    # "Éloïse" on line 2 is the first character that is not UTF-8.
    assert "Ligne 2 : le fichier n'est pas encodé en UTF-8." in message


def test_a_row_with_an_extra_cell_is_refused(institution, tmp_path):
    path = tmp_path / "etudiants.csv"
    write_csv(path, [row("2026201")], headers=["matricule", "last_name", "first_name", "birthdate"])
    path.write_text(path.read_text() + "2026202,Côté,Luc,455, rue Fournier,2006-03-05\r\n")

    message = refused(path)

    assert "Ligne 3 : la ligne compte 6 cellules alors que la ligne 1 nomme 4 colonnes." in message


def test_updating_a_student_keeps_their_account(bob, tmp_path):
    student = bob.student
    changed = row(
        student.matricule,
        last_name=student.last_name,
        first_name=student.first_name,
        sex="M",
        email="bob.gagnon@etudiant.example",
        code_permanent=student.code_permanent,
    )

    output = run(write_csv(tmp_path / "etudiants.csv", [changed]))

    assert "1 mise(s) à jour" in output
    student.refresh_from_db()
    assert student.email == "bob.gagnon@etudiant.example"
    assert student.user == bob
    bob.refresh_from_db()
    assert bob.has_usable_password()


def test_missing_code_permanent_is_flagged_where_first_use_needs_it(institution, tmp_path):
    output = run(write_csv(tmp_path / "etudiants.csv", [row("2026201", code_permanent="")]))

    assert "Ligne 2 : attention, aucun code permanent" in output
    assert Student.objects.get().code_permanent == ""


def test_lookups_do_not_grow_with_the_number_of_rows(
    institution, tmp_path, django_assert_max_num_queries
):
    Program.objects.create(code="420.B0", name="Techniques de l'informatique")

    def rows(start: int, count: int, **fields: str) -> list[dict[str, str]]:
        return [
            row(f"{2026000 + n}", program="420.B0", school="mont-laurier", **fields)
            for n in range(start, start + count)
        ]

    institution_current()  # a warm process: the institution's row is kept between runs
    with CaptureQueriesContext(connection) as ten:
        run(write_csv(tmp_path / "ten.csv", rows(0, 10)))
    with CaptureQueriesContext(connection) as fifty, django_assert_max_num_queries(12):
        run(write_csv(tmp_path / "fifty.csv", rows(100, 50)))
    assert Student.objects.count() == 60
    assert len(fifty) == len(ten)
    with CaptureQueriesContext(connection) as fifty_updates:
        run(write_csv(tmp_path / "updates.csv", rows(100, 50, email="x@etudiant.example")))
    assert len(fifty_updates) <= len(ten) + 2
    assert Student.objects.filter(email="x@etudiant.example").count() == 50


def test_employees_are_created_and_updated(institution, tmp_path):
    make_employee(institution, employee_number="50001", last_name="Bergeron", office="B-101")
    headers = ["employee_number", "last_name", "first_name", "email", "department", "office"]
    rows = [
        {
            "employee_number": "50001",
            "last_name": "Bergeron",
            "first_name": "Isabelle",
            "email": "isabelle.bergeron@cegep.example",
            "department": "Mathématiques",
            "office": "C-204",
        },
        {
            "employee_number": "50002",
            "last_name": "Lévesque",
            "first_name": "François",
            "email": "",
            "department": "Français",
            "office": "",
        },
    ]

    output = run(write_csv(tmp_path / "employes.csv", rows, headers=headers), kind="employees")

    assert "1 création(s), 1 mise(s) à jour, 0 inchangé(s)" in output
    assert Employee.objects.get(employee_number="50001").office == "C-204"
    francois = Employee.objects.get(employee_number="50002")
    assert (francois.first_name, francois.school.code) == ("François", "cstj")


def test_an_unknown_kind_is_refused(institution, tmp_path):
    message = refused(write_csv(tmp_path / "x.csv", [row("2026201")]), kind="grades")

    assert "Type d'import inconnu : « grades »." in message
    assert "students" in message


def test_another_app_can_register_a_kind(institution, tmp_path, monkeypatch):
    # What billing or parents will do in their own imports.py.
    monkeypatch.setattr(imports, "_registry", dict(imports._registry))

    @imports.register
    class ProgramImporter(imports.Importer):
        kind = "programs"
        model = Program
        key = "code"
        columns: ClassVar[dict[str, str]] = {"code": "code", "name": "name"}
        required = frozenset({"code", "name"})

        def apply(self, plans: Any) -> None:
            for plan in plans:
                plan.instance.save()

    path = tmp_path / "programmes.csv"
    path.write_text("code,name\n420.B0,Techniques de l'informatique\n", encoding="utf-8")

    output = run(path, kind="programs")

    assert "1 création(s)" in output
    assert Program.objects.get().name == "Techniques de l'informatique"


def test_the_examples_in_the_documentation_import(institution, tmp_path):
    doc = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    examples = re.findall(r"```csv\n(.*?)```", doc, flags=re.DOTALL)
    students, semicolons, partial, employees = examples
    for name, text in [("a.csv", students), ("b.csv", semicolons), ("c.csv", partial)]:
        (tmp_path / name).write_text(text, encoding="utf-8")

    assert "4 création(s), 0 mise(s) à jour" in run(tmp_path / "a.csv")
    assert "0 création(s), 0 mise(s) à jour, 1 inchangé(s)" in run(tmp_path / "b.csv")
    assert "1 mise(s) à jour" in run(tmp_path / "c.csv")
    (tmp_path / "d.csv").write_text(employees, encoding="utf-8")
    assert "2 création(s)" in run(tmp_path / "d.csv", kind="employees")
