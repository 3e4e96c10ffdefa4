"""The student services in a real browser: a student opens Horaire en ligne from the home page
menu, sees the weekly grid, downloads the ICS file and reads it back; opens Résultats — notes
d'évaluation and a course's marks; then Résultats — notes finales with last term's Cote R, and
its printable version. No page breaks the Content Security Policy."""

import datetime
import re
from pathlib import Path

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.models import Institution
from students.models import Student, Term
from tests.conftest import PASSWORD
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in
from tests.factories import activate, make_employee, make_student
from tests.students import factories_courses

LOGIN = "Matricule (7 chiffres)"
CALCULUS = "201-NYA-05"
PROGRAMMING = "420-1A1-RE"
ETHICS = "340-101-MQ"


@pytest.fixture
def student(institution: Institution) -> Student:
    """An activated student in the term under way: calculus (Monday B-101 and Wednesday B-102,
    one marked evaluation and one to come) and programming (Tuesday C-201). Last term, ethics:
    85 in a group whose other grade is 65 (mean 75, σ 10, Z = 1), IDGZ 1.0 and IFGZ 0.1, so
    its Cote R is (1 × 1.0 + 0.1 + 5) × 5 = 30.5."""
    today = timezone.localdate()
    current = Term.objects.create(
        code="AUT-2026",
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today + datetime.timedelta(days=60),
    )
    past = Term.objects.create(
        code="HIV-2026",
        starts_on=today - datetime.timedelta(days=300),
        ends_on=today - datetime.timedelta(days=200),
    )
    record = make_student(
        institution, matricule="2026160", last_name="Pelletier", first_name="Justine"
    )
    activate(record, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))
    teacher = make_employee(institution, first_name="Isabelle", last_name="Bergeron")

    calculus = factories_courses.make_section(
        current,
        factories_courses.make_course(CALCULUS, "Calcul différentiel"),
        group="00001",
        teacher=teacher,
        meetings=[(1, "08:00", "10:00", "B-101"), (3, "13:00", "15:00", "B-102")],
    )
    programming = factories_courses.make_section(
        current,
        factories_courses.make_course(PROGRAMMING, "Programmation 1"),
        group="00002",
        teacher=teacher,
        meetings=[(2, "10:00", "12:00", "C-201")],
    )
    factories_courses.enrol(record, calculus)
    factories_courses.enrol(record, programming)
    exam = factories_courses.make_evaluation(
        calculus,
        title="Examen 1",
        weight=30,
        date=today - datetime.timedelta(days=10),
        class_average="75",
    )
    factories_courses.give_mark(exam, record, 42, 50)
    factories_courses.make_evaluation(
        calculus, title="Examen final", weight=40, date=today + datetime.timedelta(days=50)
    )

    ethics = factories_courses.make_section(
        past,
        factories_courses.make_course(ETHICS, "Éthique et politique", credits="2.00"),
        group="00003",
        idgz="1.0",
        ifgz="0.1",
    )
    factories_courses.enrol(record, ethics, final_grade=85, absences=3)
    classmate = make_student(institution, matricule="2026161", first_name="Zoé")
    factories_courses.enrol(classmate, ethics, final_grade=65)
    return record


def open_module(page: Page, label: str) -> None:
    """Back to Ma page d'accueil by the portal's name, then the module from its menu."""
    page.locator("a.navbar-brand").click()
    services = page.get_by_role("navigation", name="Mes services")
    services.get_by_role("link", name=label, exact=True).click()


def test_schedule_ics_marks_and_report_card(
    page: Page, student: Student, console_errors: list[str]
) -> None:
    page.goto("/")
    log_in(page, label=LOGIN, number=student.matricule, password=PASSWORD)
    expect(page.get_by_role("heading", name="Bienvenue, Justine")).to_be_visible()

    # Horaire en ligne: the weekly grid of the term under way.
    open_module(page, "Horaire en ligne")
    expect(page.get_by_role("heading", name="Horaire en ligne — AUT-2026")).to_be_visible()
    grid = page.locator("table.schedule-grid")
    expect(grid).to_be_visible()
    for text in (CALCULUS, PROGRAMMING, "B-101", "B-102", "C-201"):
        expect(grid).to_contain_text(text)
    monday = grid.locator("td.schedule-meeting").filter(has_text="B-101")
    expect(monday).to_contain_text(CALCULUS)
    expect(monday).to_contain_text("8 h 00")  # French times: 8 h 00 (portal_format.when)

    # The ICS file, parsed back: one weekly event per meeting.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "horaire-AUT-2026.ics"
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    summaries = sorted(str(event["SUMMARY"]) for event in events)
    assert [s.split()[0] for s in summaries] == [CALCULUS, CALCULUS, PROGRAMMING]
    assert sorted(str(event["LOCATION"]) for event in events) == ["B-101", "B-102", "C-201"]
    assert all(event["RRULE"]["FREQ"] == ["WEEKLY"] for event in events)

    # Résultats — notes d'évaluation, then the calculus course's marks.
    open_module(page, "Résultats — notes d'évaluation")
    expect(page.get_by_role("heading", name="Résultats — notes d'évaluation")).to_be_visible()
    calculus_row = page.locator(f'tr[data-course="{CALCULUS}"]')
    expect(calculus_row).to_contain_text(re.compile(r"84,0\s%"))
    expect(page.locator(f'tr[data-course="{PROGRAMMING}"]')).to_contain_text("—")
    calculus_row.get_by_role("link", name="Calcul différentiel").click()

    expect(page.get_by_role("heading", name=f"{CALCULUS} Calcul différentiel")).to_be_visible()
    expect(page.get_by_test_id("current-grade")).to_contain_text(re.compile(r"84,0\s%"))
    exam_row = page.get_by_role("row").filter(has_text="Examen 1")
    expect(exam_row).to_contain_text("42 / 50")
    expect(exam_row).to_contain_text(re.compile(r"84,0\s%"))
    expect(exam_row).to_contain_text(re.compile(r"30\s%"))
    expect(exam_row).to_contain_text(re.compile(r"75,0\s%"))
    expect(page.get_by_role("row").filter(has_text="Examen final")).to_contain_text("à venir")

    # Résultats — notes finales: last term's report card, with its Cote R.
    open_module(page, "Résultats — notes finales")
    expect(page.get_by_role("heading", name="Résultats — notes finales")).to_be_visible()
    expect(page.get_by_role("heading", name="Bulletin virtuel — session HIV-2026")).to_be_visible()
    ethics_row = page.locator(f'tr[data-course="{ETHICS}"]')
    expect(ethics_row).to_contain_text("85")
    expect(ethics_row).to_contain_text("30,500")
    expect(page.get_by_test_id("term-cote-r")).to_have_text("30,500")

    page.get_by_role("link", name="Version imprimable").click()
    expect(page.get_by_role("heading", name="Bulletin — session HIV-2026")).to_be_visible()
    expect(page.get_by_text("Pelletier, Justine")).to_be_visible()
    expect(page.locator(f'tr[data-course="{ETHICS}"]')).to_contain_text("30,500")
    expect(page.get_by_test_id("term-cote-r")).to_have_text("30,500")
    # The printable page stands alone: no navigation of the portal around it.
    expect(page.get_by_role("navigation", name="Navigation principale")).to_have_count(0)
    assert_no_csp_violation(console_errors)
