"""The printable report card and schedule on US Letter and A4 paper, in portrait: Chromium
prints them to PDF and every column's header and the last column's figures are in the text
(a column cut off at the page's edge is not printed, so it would be missing)."""

import unicodedata
from collections.abc import Callable

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from accounts.demo import DEMO_PASSWORD
from tests.e2e.test_first_use_flow import log_in
from tests.pdf import pdf_text

PAPERS = pytest.mark.parametrize("paper", ["Letter", "A4"])
REPORT_COLUMNS = (
    "Cours",
    "Titre",
    "Unités",
    "Note finale",
    "Moyenne du groupe",
    "Absences (heures)",
    "Cote R",
)
SCHEDULE_COLUMNS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Enseignant", "Plages")


@pytest.fixture
def student_page(open_page: Callable[..., Page]) -> Page:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = open_page()
    page.goto("/")
    log_in(page, label="Matricule (7 chiffres)", number="2026001", password=DEMO_PASSWORD)
    return page


def printed(page: Page, paper: str) -> str:
    page.emulate_media(media="print")
    # NFKC: the PDF's "ﬁ" ligature reads as "fi".
    return unicodedata.normalize("NFKC", pdf_text(page.pdf(format=paper)))


@PAPERS
def test_report_card_prints_every_column_in_portrait(student_page: Page, paper: str) -> None:
    student_page.goto("/notes-finales/HIV-2026/imprimer/")
    cote_r = student_page.locator("table.report-card tbody tr td:last-child").all_inner_texts()
    absences = student_page.locator("table.report-card tbody tr td:nth-last-child(2)")
    text = printed(student_page, paper)
    for header in REPORT_COLUMNS:
        assert header in text, (paper, header)
    for figure in cote_r + absences.all_inner_texts():
        assert figure.strip() in text, (paper, figure)
    assert "Cote R cumulative" in text


@PAPERS
def test_schedule_prints_every_column_in_portrait(student_page: Page, paper: str) -> None:
    student_page.goto("/horaire/AUT-2026/imprimer/")
    rooms = student_page.locator("table.schedule-courses tbody tr td:last-child").all_inner_texts()
    text = printed(student_page, paper)
    for header in SCHEDULE_COLUMNS:
        assert header in text, (paper, header)
    # A room like "B-2205" may wrap after its hyphen: compare without blanks.
    squeezed = text.replace(" ", "")
    for cell in rooms:
        assert "".join(cell.split()) in squeezed, (paper, cell)
