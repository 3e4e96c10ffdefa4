"""What a newcomer reads is what they get: the README's demo tables and lists say exactly what
`manage.py demo` prints (accounts, postal codes, invoices and their voluntary contributions,
demo cards, the parents' family)."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def printed(django_db_setup: None, django_db_blocker) -> str:
    """What the demo prints on an empty database, loaded once for the module and rolled back."""
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=out)
        transaction.set_rollback(True)
    return out.getvalue()


def table(header: str) -> list[list[str]]:
    """The rows of the README's table whose header line starts with `header`."""
    start = README.index(header)
    rows = []
    for line in README[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


def paragraph(start: str) -> str:
    """The README's paragraph from `start`, its lines joined."""
    begin = README.index(start)
    return " ".join(README[begin : README.index("\n\n", begin)].split())


def test_every_first_use_row_with_its_postal_code(printed: str) -> None:
    demo = [
        [number, code, birthdate, postal, name, "yes" if email else "no"]
        for number, code, birthdate, postal, name, email in re.findall(
            r"^  (\d{7})  ([A-Z]{4}\d{8})  (\d{4}-\d{2}-\d{2})  ([A-Z]\d[A-Z] \d[A-Z]\d)  (.+?)"
            r"( \[code by email\])?$",
            printed,
            re.M,
        )
    ]
    assert len(demo) == 15
    assert table("| matricule | code permanent | birthdate | postal code |") == demo


def test_the_activated_students_and_the_employees(printed: str) -> None:
    block = printed[printed.index("Already activated") : printed.index("Employees")]
    demo = re.findall(r"^  (\d{7})  (.+)$", block, re.M)
    readme = re.findall(r"(\d{7}) ([^,.]+?)(?:,|\.)", paragraph("**Already activated students**"))
    assert [(number, name.strip()) for number, name in readme] == demo
    employees = re.search(r"^Employees \(password [^)]+\): (.+)$", printed, re.M).group(1)
    assert f"password `Portail-Demo-2026`): {employees}." in paragraph("**Employees**")


def test_every_invoice_and_its_voluntary_contribution(printed: str) -> None:
    demo = []
    for number, invoice, total, description, voluntary in re.findall(
        r"^  (\d{7})  (FAC\d+)  (\d+\.\d\d \$)  (.+?)(?: \[voluntary: (.+)\])?$", printed, re.M
    ):
        demo.append([number, invoice, total, description, voluntary or "none"])
    assert len(demo) == 5
    assert table("| matricule | invoice | total | description | voluntary contribution |") == demo


def test_the_demo_cards(printed: str) -> None:
    line = re.search(r"^Demo card: (.+)$", printed, re.M).group(1)
    readme = table("| card number | result |")
    assert [number for number, _result in readme] == re.findall(r"\d{4} \d{4} \d{4} \d{4}", line)
    for number, result in readme:
        said = line.split(number, 1)[1].split(",", 1)[0]
        assert ("declined" in said) == result.startswith("declined"), number
        assert ("insufficient funds" in said) == ("insufficient funds" in result), number


def test_the_parents_family(printed: str) -> None:
    readme = paragraph("**Parents' portal**")
    for number, name, grade, school in re.findall(
        r"^  (\d{7})  (.+?), born \d{4}-\d{2}-\d{2}, (.*?), (.+)$", printed, re.M
    ):
        assert f"{name} ({grade}, " in readme and number in readme and school in readme
    if "the twins' birthdate" in printed:
        # The signup asks the youngest child's birthdate and school: either twin's school.
        assert "the twins' birthdate and either school" in " ".join(
            " | ".join(row) for row in table("| parent | email | try |")
        )
    emails = [row[1] for row in table("| parent | email | try |")]
    for email in emails:
        assert email in printed
    assert "Parents-Demo-2026" in printed and "`Parents-Demo-2026`" in README
