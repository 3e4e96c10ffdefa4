"""Files an import cannot read as they are: NUL bytes, another encoding, an empty file, a missing
column, an old .xls, a broken workbook, numbers too large. Each is refused with a French message
and its line number, never a traceback; and an Excel workbook (.xlsx) imports like a CSV file."""

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from students.models import Course, Enrolment, Student
from tests.factories import make_student
from tests.students.factories_courses import enrol, make_course, make_section, make_term

STUDENT_HEADER = "matricule,last_name,first_name,birthdate\n"


def run(path: Path, kind: str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_csv", kind, str(path), *args, stdout=out)
    return out.getvalue()


def refused(path: Path, kind: str = "students") -> str:
    with pytest.raises(CommandError) as excinfo:
        run(path, kind)
    return str(excinfo.value)


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_nul_byte_in_a_cell_is_reported_with_its_line(institution, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(
        (
            STUDENT_HEADER + "2026201,Côté,Étienne,2006-03-05\n2026202,Ng\x00uyen,Hoa,2006-04-01\n"
        ).encode()
    )

    message = refused(path)

    assert "Ligne 3 : caractère nul (octet 0x00) dans une cellule." in message
    assert "Traceback" not in message
    assert not Student.objects.exists()


def test_nul_bytes_in_the_header_refuse_the_file(institution, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"matri\x00cule,last_name\n2026201,C\n")

    assert "Ligne 1 : caractère nul" in refused(path)


def test_a_file_in_windows_1252_is_refused_with_the_advice(institution, tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes((STUDENT_HEADER + "2026201,Côté,Étienne,2006-03-05\n").encode("cp1252"))

    message = refused(path)

    assert "Ligne 2 : le fichier n'est pas encodé en UTF-8." in message
    assert "CSV UTF-8 (délimité par des virgules)" in message


def test_a_file_in_utf16_is_refused_with_the_advice(institution, tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes((STUDENT_HEADER + "2026201,Côté,Étienne,2006-03-05\n").encode("utf-16"))

    assert "Ligne 1 : le fichier n'est pas encodé en UTF-8." in refused(path)


@pytest.mark.parametrize("content", [b"", b"\n\n", b" , ,\n"])
def test_an_empty_file_is_refused(institution, tmp_path, content):
    path = tmp_path / "vide.csv"
    path.write_bytes(content)

    assert "Ligne 1 : le fichier est vide : la ligne 1 doit nommer les colonnes." in refused(path)


def test_a_missing_column_is_named(institution, tmp_path):
    path = tmp_path / "incomplet.csv"
    path.write_text("matricule,last_name\n2026201,Côté\n", encoding="utf-8")

    message = refused(path)

    assert "Ligne 1 : colonne obligatoire manquante : « first_name »." in message
    assert "Ligne 1 : colonne obligatoire manquante : « birthdate »." in message


def test_an_old_xls_workbook_is_refused_with_the_advice(institution, tmp_path):
    path = tmp_path / "ancien.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)

    assert "classeur Excel 97-2003 (.xls)" in refused(path)


@pytest.mark.parametrize(
    "content", [b"PK\x03\x04 not really a zip", b"PK\x03\x04" + bytes(range(256)) * 4]
)
def test_a_broken_workbook_is_refused(institution, tmp_path, content):
    path = tmp_path / "casse.xlsx"
    path.write_bytes(content)

    assert "Ligne 1 : le classeur Excel (.xlsx) est illisible ou endommagé." in refused(path)


def test_a_workbook_with_broken_or_hostile_xml_is_refused(institution, tmp_path):
    book = io.BytesIO()
    openpyxl.Workbook().save(book)
    broken = io.BytesIO()
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = (
                    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet>&b;'
                )
            target.writestr(item, content)
    path = tmp_path / "piege.xlsx"
    path.write_bytes(broken.getvalue())

    assert "Ligne 1 : le classeur Excel (.xlsx) est illisible ou endommagé." in refused(path)


def test_binary_junk_is_refused_without_a_traceback(institution, tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 8)

    message = refused(path)

    assert message.startswith("Fichier refusé : rien n'a été enregistré")
    assert "UTF-8" in message


def test_huge_numbers_are_out_of_range_not_a_crash(institution, tmp_path):
    path = tmp_path / "cours.csv"
    path.write_text(
        "code,title,credits,program_term\n"
        f"201-NYA-05,Calcul,{'9' * 400},1\n"
        f"201-NYB-05,Calcul 2,2.33,{'9' * 400}\n",
        encoding="utf-8",
    )

    message = refused(path, "courses")

    assert "Ligne 2 : « credits » doit être entre 0 et 99.99." in message
    assert "Ligne 3 : « program_term » doit être un nombre entier de 1 à 8." in message
    assert not Course.objects.exists()


def test_an_excel_workbook_imports_like_a_csv_file(institution, tmp_path):
    """Dates, whole numbers, decimals and yes/no boxes as Excel stores them."""
    path = workbook(
        tmp_path / "etudiants.xlsx",
        [
            ["matricule", "last_name", "first_name", "birthdate", "sex", "email"],
            ["2026201", "Côté", "Étienne", datetime.datetime(2005, 11, 23), "M", None],
            [2026202, "Nguyễn", "Thị Hoa", datetime.date(2006, 4, 1), "F", "hoa@example.ca"],
            [None, None, None, None, None, None],
        ],
    )

    output = run(path, "students")

    assert "2 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    hoa = Student.objects.get(matricule="2026202")
    assert (hoa.last_name, hoa.birthdate) == ("Nguyễn", datetime.date(2006, 4, 1))
    assert "0 création(s), 0 mise(s) à jour, 2 inchangé(s)" in run(path, "students")


def test_a_workbook_matricule_without_its_zeros_gets_the_hint(load_preset, tmp_path):
    caomsc = load_preset("caomsc")  # 5-digit matricules, leading zeros kept
    make_student(caomsc, matricule="00875")
    make_course("201-NYA-05")
    path = workbook(
        tmp_path / "absences.xlsx",
        [
            ["term", "matricule", "course_code", "absences", "lateness"],
            ["AUT-2026", 875, "201-NYA-05", 3, 1],
        ],
    )
    make_term("AUT-2026", current=True)

    message = refused(path, "attendance")

    assert "Ligne 2 : aucun étudiant n'a le matricule « 875 »." in message
    assert "Si Excel a retiré les zéros du début, mettez la colonne au format Texte." in message


def test_workbook_decimals_and_cells_past_the_header(institution, tmp_path):
    student = make_student(institution, matricule="2026201")
    term = make_term("AUT-2026", current=True)
    section = make_section(term, make_course("201-NYA-05"), group="01")
    enrol(student, section)
    path = workbook(
        tmp_path / "notes.xlsx",
        [
            ["term", "matricule", "course_code", "grade"],
            ["AUT-2026", "2026201", "201-NYA-05", 78.5],
        ],
    )

    assert "1 mise(s) à jour" in run(path, "final_grades")
    assert Enrolment.objects.get().final_grade == Decimal("78.50")

    stray = workbook(
        tmp_path / "notes2.xlsx",
        [
            ["term", "matricule", "course_code", "grade"],
            ["AUT-2026", "2026201", "201-NYA-05", 80, None, "oups"],
        ],
    )
    assert "Ligne 2 : une cellule remplie est dans une colonne sans nom à la ligne 1." in refused(
        stray, "final_grades"
    )
