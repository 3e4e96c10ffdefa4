"""`sections` at a college's size: checked and written in batches that never cut a section's
rows in two, so that memory stays flat in the file's size, with the guarantees of the whole
file (every error with its line, the closing counts, a new term created once)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from students.imports.sections import SectionImporter
from students.models import Meeting, Section, Term
from tests.students.factories_courses import make_course
from tests.students.import_memory import import_peak

HEADER = "term,course_code,group,day,start,end,room"


def sections_file(path, groups, *, start: int = 0, code: str = "201-NYA-05", term="AUT-2026"):
    """`groups` sections of `code`, two meetings each (two rows)."""
    lines = [HEADER]
    for n in range(start, start + groups):
        lines.append(f"{term},{code},{n:05d},1,08:00,10:00,B-{n % 300}")
        lines.append(f"{term},{code},{n:05d},3,10:00,12:00,B-{n % 300}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def peak_of_import(path) -> int:
    peak, report = import_peak("sections", path)
    assert report.created > 0
    return peak


def test_peak_memory_does_not_grow_with_the_file(institution, tmp_path, monkeypatch):
    monkeypatch.setattr(SectionImporter, "batch_rows", 500)
    make_course("201-NYA-05")
    small = sections_file(tmp_path / "small.csv", 500)  # 1,000 rows
    large = sections_file(tmp_path / "large.csv", 2000, start=500)  # 4,000 rows
    small_peak = peak_of_import(small)
    large_peak = peak_of_import(large)
    assert Section.objects.count() == 2500 and Meeting.objects.count() == 5000
    # Four times the rows, far less than four times the memory: what grows is the sections
    # already seen (a key and a line each).
    assert large_peak < 2 * small_peak, (small_peak, large_peak)


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(SectionImporter, "batch_rows", 3)


def test_batches_never_cut_a_section_and_count_the_whole_file(institution, tmp_path, small_batches):
    make_course("201-NYA-05")
    path = sections_file(tmp_path / "sections.csv", 4, term="HIV-2027")  # 8 rows
    out = io.StringIO()
    call_command("import_csv", "sections", str(path), stdout=out)
    lines = out.getvalue().replace("\xa0", " ").splitlines()
    # The new term is created once and said once; the counts are the whole file's.
    assert [line for line in lines if line.startswith("Session")] == [
        "Session créée : HIV-2027, du 15 janvier 2027 au 15 mai 2027 (dates d'après son code ; "
        "ajustez-les dans l'administration)."
    ]
    assert "Groupes-cours : 4 créé(s), 0 modifié(s), 0 inchangé(s)." in lines
    assert lines[-1] == "8 création(s), 0 mise(s) à jour, 0 inchangé(s)"
    assert Term.objects.filter(code="HIV-2027").count() == 1
    assert Section.objects.count() == 4 and Meeting.objects.count() == 8
    # A second import: nothing changes, whatever the batches.
    out = io.StringIO()
    call_command("import_csv", "sections", str(path), stdout=out)
    lines = out.getvalue().replace("\xa0", " ").splitlines()
    assert "Groupes-cours : 0 créé(s), 0 modifié(s), 4 inchangé(s)." in lines
    assert lines[-1] == "0 création(s), 0 mise(s) à jour, 8 inchangé(s)"


def test_the_rows_of_a_section_must_follow_each_other_past_a_batch(
    institution, tmp_path, small_batches
):
    make_course("201-NYA-05")
    path = sections_file(tmp_path / "sections.csv", 3)
    rows = path.read_text().splitlines()
    rows.append("AUT-2026,201-NYA-05,00000,5,13:00,15:00,B-0")  # group 00000 again, line 8
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_csv", "sections", str(path), stdout=io.StringIO())
    assert str(refused.value).replace("\xa0", " ").splitlines()[1:] == [
        "Ligne 8 : le groupe-cours AUT-2026 201-NYA-05 gr. 00000 figure déjà plus haut "
        "(ligne 2) : dans un fichier de plus de 5000 lignes, les lignes d'un même groupe-cours "
        "doivent se suivre. Triez le fichier par session, cours et groupe."
    ]
    assert not Section.objects.exists()
