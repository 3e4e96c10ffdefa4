"""Résultats through HTTP: notes d'évaluation (the current weighted grade, each evaluation's
mark, weight and class average), notes finales (the report card with absences, the Cote R per
course and overall, the printable version), who may see them, and what they cost in queries.

Bob is enrolled; Charlie sits in Bob's groups and "should have no access to Bob's stuff".
"""

# The query_budget fixture is imported, and tests take it as an argument.
# ruff: noqa: F811

import datetime
import html
import re
from decimal import Decimal
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from portal.models import Institution
from portal.templatetags.portal_format import format_when
from students import cote_r
from students.models import Course, Section, Student
from tests.accounts.test_login import student_login, without_tokens
from tests.accounts.test_query_budget import (  # noqa: F401 (query_budget is a fixture)
    TRANSACTION_CONTROL,
    query_budget,
)
from tests.billing.test_statement import visible
from tests.factories import make_employee, make_student
from tests.students.factories_courses import (
    enrol,
    give_mark,
    make_course,
    make_evaluation,
    make_section,
    make_term,
)

MARKS = reverse("students:marks")
FINAL_GRADES = reverse("students:final_grades")
BUDGET = 15


def current_term(code: str = "AUT-2026"):
    """A term containing today, whatever day the tests run: "the current term"."""
    today = timezone.localdate()
    return make_term(
        code,
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today + datetime.timedelta(days=60),
    )


def previous_term(code: str = "HIV-2026"):
    today = timezone.localdate()
    return make_term(
        code,
        starts_on=today - datetime.timedelta(days=200),
        ends_on=today - datetime.timedelta(days=80),
    )


def rows(response) -> list[str]:
    """The visible text of each table row."""
    found = re.findall(r"<tr\b.*?</tr>", response.content.decode(), flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", r)).split()) for r in found]


def row_of(response, start: str) -> str:
    [found] = [r for r in rows(response) if r.startswith(start)]
    return found


def student_of(user: User) -> Student:
    return Student.objects.get(user=user)


def logged_in(client: Client, user: User) -> Client:
    assert student_login(client, user.identifier).status_code == 302
    return client


def fill_group(institution: Institution, section: Section, grades: list[int]) -> None:
    """Classmates with these final grades in the section."""
    for grade in grades:
        enrol(make_student(institution), section, final_grade=grade)


def french(value: D, places: int) -> str:
    return f"{value:.{places}f}".replace(".", ",")


@pytest.fixture
def term(db):
    return current_term()


@pytest.fixture
def chemistry(term, bob, charlie):
    """Bob and Charlie in Chimie générale: 17.5/20 and 24/30 for Bob, the exam not yet marked;
    Charlie has his own marks, and one where Bob has none."""
    section = make_section(term, make_course("202-NYA-05", title="Chimie générale"), group="02")
    enrol(student_of(bob), section, absences=3)
    enrol(student_of(charlie), section)
    lab = make_evaluation(
        section,
        title="Laboratoire 1",
        weight=20,
        date=datetime.date(2026, 9, 10),
        class_average="72.40",
    )
    quiz = make_evaluation(
        section, title="Examen partiel", weight=30, date=datetime.date(2026, 10, 8)
    )
    final = make_evaluation(
        section, title="Examen final", weight=50, date=datetime.date(2026, 12, 10)
    )
    give_mark(lab, student_of(bob), "17.5", 20)
    give_mark(quiz, student_of(bob), 24, 30)
    give_mark(lab, student_of(charlie), 3, 20)
    give_mark(quiz, student_of(charlie), 11, 30)
    give_mark(final, student_of(charlie), 33, 50)
    return section


# --- Notes d'évaluation ---------------------------------------------------------------------


def test_the_current_weighted_grade_of_each_course(client, bob, chemistry, term):
    # (87.5 × 20 + 80 × 30) / (20 + 30) = 4150 / 50 = 83.0, with half the course evaluated.
    physics = make_section(term, make_course("203-NYA-05", title="Mécanique"))
    enrol(student_of(bob), physics)
    make_evaluation(physics, title="Laboratoire A", weight=25)
    response = logged_in(client, bob).get(MARKS)
    assert response.status_code == 200
    text = visible(response)
    assert "Session AUT-2026" in text
    assert row_of(response, "202-NYA-05") == "202-NYA-05 Chimie générale 02 83,0 % 50 % sur 100 % 3"
    # Nothing marked yet: "—", none of the course evaluated.
    assert row_of(response, "203-NYA-05") == "203-NYA-05 Mécanique 01 — 0 % sur 25 % 0"
    assert reverse("students:course_marks", args=["AUT-2026", "202-NYA-05"]) in (
        response.content.decode()
    )


def test_course_details_show_marks_weights_and_the_class_average_once_entered(
    client, bob, chemistry
):
    url = reverse("students:course_marks", args=["AUT-2026", "202-NYA-05"])
    response = logged_in(client, bob).get(url)
    assert response.status_code == 200
    text = visible(response)
    assert "202-NYA-05 Chimie générale" in text
    assert "Note actuelle : 83,0 %" in text
    assert "50 % du cours évalué sur 100 %" in text
    assert (
        row_of(response, "Laboratoire 1")
        == "Laboratoire 1 10 septembre 2026 17,5 / 20 87,5 % 20 % 72,4 %"
    )
    # No class average entered for the midterm: nothing made up.
    assert (
        row_of(response, "Examen partiel") == "Examen partiel 8 octobre 2026 24 / 30 80,0 % 30 % —"
    )
    assert row_of(response, "Examen final") == "Examen final 10 décembre 2026 à venir — 50 % —"


def test_another_students_marks_are_never_shown(client, bob, charlie, chemistry):
    url = reverse("students:course_marks", args=["AUT-2026", "202-NYA-05"])
    response = logged_in(client, bob).get(url)
    text = visible(response)
    # Charlie's 3/20, 11/30 and 33/50 appear nowhere; Bob's exam is still to come.
    assert "3 / 20" not in text
    assert "11 / 30" not in text
    assert "33 / 50" not in text
    assert "Examen final 10 décembre 2026 à venir" in text
    client.logout()
    response = logged_in(client, charlie).get(url)
    text = visible(response)
    assert "17,5 / 20" not in text
    assert "Note actuelle : 47,0 %" in text  # (15 × 20 + 36.667 × 30 + 66 × 50) / 100
    assert "Charlie" in text and "Bob" not in text


def test_a_course_not_enrolled_in_answers_like_a_missing_one(client, bob, charlie, term):
    section = make_section(term, make_course("109-101-MQ", title="Activité physique"))
    enrol(student_of(charlie), section)
    logged_in(client, bob)
    theirs_url = reverse("students:course_marks", args=["AUT-2026", "109-101-MQ"])
    missing_url = reverse("students:course_marks", args=["AUT-2026", "999-999-ZZ"])
    theirs = client.get(theirs_url)
    missing = client.get(missing_url)
    other_term = client.get(reverse("students:course_marks", args=["HIV-2027", "109-101-MQ"]))
    assert theirs.status_code == missing.status_code == other_term.status_code == 404
    # The same page but for the CSRF token and the address typed, which the student knows.
    assert without_tokens(theirs, theirs_url) == without_tokens(missing, missing_url)


def test_the_term_switcher(client, bob, chemistry):
    previous = previous_term()
    old = make_section(previous, make_course("340-101-MQ", title="Philosophie et rationalité"))
    enrol(student_of(bob), old, final_grade=81)
    give_mark(make_evaluation(old, title="Dissertation", weight=40), student_of(bob), 30, 40)
    logged_in(client, bob)
    # By default, the term containing today.
    response = client.get(MARKS)
    assert "Session AUT-2026" in visible(response)
    assert "340-101-MQ" not in visible(response)
    assert 'href="?session=HIV-2026"' in response.content.decode()
    response = client.get(MARKS, {"session": "HIV-2026"})
    assert row_of(response, "340-101-MQ").startswith(
        "340-101-MQ Philosophie et rationalité 01 75,0 %"
    )
    assert "202-NYA-05" not in visible(response)
    assert client.get(MARKS, {"session": "ETE-2030"}).status_code == 404


def test_no_course_yet(client, bob):
    response = logged_in(client, bob).get(MARKS)
    assert response.status_code == 200
    assert "Aucun cours à afficher pour le moment." in visible(response)
    response = client.get(FINAL_GRADES)
    assert "Aucun résultat à afficher pour le moment." in visible(response)


# --- Access -----------------------------------------------------------------------------------


def pages() -> list[str]:
    return [
        MARKS,
        reverse("students:course_marks", args=["AUT-2026", "202-NYA-05"]),
        FINAL_GRADES,
        reverse("students:final_grades_term", args=["AUT-2026"]),
        reverse("students:report_card_print", args=["AUT-2026"]),
    ]


@pytest.mark.parametrize("module", ["marks", "final_grades"])
def test_a_disabled_module_answers_404_and_is_greyed(client, bob, chemistry, institution, module):
    institution.enabled_modules = [slug for slug in institution.enabled_modules if slug != module]
    institution.save(update_fields=["enabled_modules"])
    logged_in(client, bob)
    for url in pages():
        in_module = ("notes-finales" in url) == (module == "final_grades")
        assert client.get(url).status_code == (404 if in_module else 200), url
    home = client.get(reverse("portal:home")).content.decode()
    label = (
        "Résultats — notes finales"
        if module == "final_grades"
        else "Résultats — notes d'évaluation"
    )
    [item] = [
        li
        for li in re.findall(r"<li\b.*?</li>", home, flags=re.S)
        if html.unescape(label) in html.unescape(li)
    ]
    assert "présentement désactivé" in item
    assert "href" not in item


def test_staff_employees_and_visitors_see_no_results(client, chemistry, institution):
    staff = User.objects.create_user(username="registraire", password="x", is_staff=True)
    client.force_login(staff)
    for url in pages():
        assert client.get(url).status_code == 404, url
    employee = make_employee(institution)
    teacher = User.objects.create_user(
        username=User.username_for("employee", employee.employee_number),
        audience="employee",
        identifier=employee.employee_number,
        password="x",
    )
    client.force_login(teacher)
    for url in pages():
        assert client.get(url).status_code == 404, url
    client.logout()
    for url in pages():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- Notes finales and the Cote R -------------------------------------------------------------


@pytest.fixture
def report(term, bob, institution):
    """Bob's two terms, with the three courses of docs/cote-r.md's example 3 this term (the
    failure is not in his first term) and one course in his first term, HIV-2026."""
    me = student_of(bob)
    previous = previous_term()
    # First term: 88 in a group of [78, 88] → Z = +1, CRC = (1 × 1 + 0 + 5) × 5 = 30.
    gym = make_section(
        previous,
        make_course("109-101-MQ", title="Activité physique", credits="1"),
        idgz="1",
        ifgz="0",
    )
    enrol(me, gym, final_grade=88, absences=2)
    fill_group(institution, gym, [78])
    # Example 1: 85 in [70, 85, 90, 75], IDGZ 0.9, IFGZ 0.2 → 28.846.
    chem = make_section(
        term,
        make_course("202-NYA-05", title="Chimie générale", credits="2.33"),
        idgz="0.9",
        ifgz="0.2",
    )
    enrol(me, chem, final_grade=85, absences=4)
    fill_group(institution, chem, [70, 90, 75])
    # Example 2: 58 (a failure) in [58, 66, 74, 82, 90], IDGZ 1.1, IFGZ −0.3 → 15.722.
    calc = make_section(
        term,
        make_course("201-NYA-05", title="Calcul différentiel", credits="2"),
        idgz="1.1",
        ifgz="-0.3",
    )
    enrol(me, calc, final_grade=58, absences=6)
    fill_group(institution, calc, [66, 74, 82, 90])
    # Example 3's third course: 72 in [60, 72, 84], IDGZ 1.0, IFGZ 0.4 → 27.
    phys = make_section(
        term, make_course("203-NYA-05", title="Mécanique", credits="2.66"), idgz="1.0", ifgz="0.4"
    )
    enrol(me, phys, final_grade=72)
    fill_group(institution, phys, [60, 84])
    # No Cote R: the group's IDGZ and IFGZ are not entered yet.
    philo = make_section(
        term, make_course("340-101-MQ", title="Philosophie et rationalité", credits="2.33")
    )
    enrol(me, philo, final_grade=77, absences=1)
    fill_group(institution, philo, [65, 80])
    # No Cote R: Bob is alone with a final grade in this group.
    english = make_section(
        term, make_course("604-100-MQ", title="Anglais", credits="2"), idgz="1", ifgz="0"
    )
    enrol(me, english, final_grade=88)
    enrol(make_student(institution), english)
    return me


def expected_crc(grade: int, group: list[int], idgz: str, ifgz: str) -> D:
    mean, stdev = cote_r.group_statistics([D(g) for g in group])
    z = cote_r.z_score(D(grade), mean=mean, stdev=stdev)
    return cote_r.course_cote_r(z=z, idgz=D(idgz), ifgz=D(ifgz))


def test_the_report_card_gives_the_cote_r_of_the_cote_r_functions(client, bob, report):
    response = logged_in(client, bob).get(FINAL_GRADES)
    assert response.status_code == 200
    chem = expected_crc(85, [70, 85, 90, 75], "0.9", "0.2")
    calc = expected_crc(58, [58, 66, 74, 82, 90], "1.1", "-0.3")
    phys = expected_crc(72, [60, 72, 84], "1.0", "0.4")
    gym = expected_crc(88, [78, 88], "1", "0")
    # Code, title, credits, final grade, group average, absences, Cote R.
    assert row_of(response, "202-NYA-05") == (
        f"202-NYA-05 Chimie générale 2,33 85 — 4 {french(cote_r.rounded(chem), 3)}"
    )
    assert french(cote_r.rounded(chem), 3) == "28,846"
    assert (
        row_of(response, "201-NYA-05") == "201-NYA-05 Calcul différentiel 2 58 échec 74,0 6 15,722"
    )
    assert row_of(response, "203-NYA-05") == "203-NYA-05 Mécanique 2,66 72 — 0 27,000"
    assert row_of(response, "340-101-MQ") == (
        "340-101-MQ Philosophie et rationalité 2,33 77 — 1 — IDGZ et IFGZ du groupe non saisis"
    )
    assert row_of(response, "604-100-MQ") == (
        "604-100-MQ Anglais 2 88 — 0 — moins de 2 notes finales dans le groupe"
    )
    assert row_of(response, "Total") == "Total 11,32 11"
    this_term = [
        cote_r.CourseResult(cote_r=chem, credits=D("2.33"), grade=D(85), first_term=False),
        cote_r.CourseResult(cote_r=calc, credits=D(2), grade=D(58), first_term=False),
        cote_r.CourseResult(cote_r=phys, credits=D("2.66"), grade=D(72), first_term=False),
    ]
    first_term = [cote_r.CourseResult(cote_r=gym, credits=D(1), grade=D(88), first_term=True)]
    term_value = cote_r.rounded(cote_r.overall_cote_r(this_term))
    cumulative = cote_r.rounded(cote_r.overall_cote_r(this_term + first_term))
    assert term_value == D("25.835")  # docs/cote-r.md, example 3
    text = visible(response)
    assert f"Cote R de la session AUT-2026 {french(term_value, 3)}" in text
    assert f"Cote R cumulative (toutes les sessions) {french(cumulative, 3)}" in text
    assert cumulative == D("26.431")  # (154.753121660 + 30 × 1) / (5.99 + 1)
    assert "Les échecs comptent moins" in text


def test_a_failure_in_the_first_term_counts_a_quarter(client, bob, term, institution):
    me = student_of(bob)
    chem = make_section(term, make_course("202-NYA-05", credits="2.33"), idgz="0.9", ifgz="0.2")
    enrol(me, chem, final_grade=85)
    fill_group(institution, chem, [70, 90, 75])
    calc = make_section(term, make_course("201-NYA-05", credits="2"), idgz="1.1", ifgz="-0.3")
    enrol(me, calc, final_grade=58)
    fill_group(institution, calc, [66, 74, 82, 90])
    phys = make_section(term, make_course("203-NYA-05", credits="2.66"), idgz="1.0", ifgz="0.4")
    enrol(me, phys, final_grade=72)
    fill_group(institution, phys, [60, 84])
    response = logged_in(client, bob).get(FINAL_GRADES)
    # docs/cote-r.md, example 3 when AUT-2026 is the student's first term.
    assert "Cote R de la session AUT-2026 26,756" in visible(response)
    assert "Cote R cumulative (toutes les sessions) 26,756" in visible(response)


def test_another_term_of_the_report_card(client, bob, report):
    response = logged_in(client, bob).get(reverse("students:final_grades_term", args=["HIV-2026"]))
    assert row_of(response, "109-101-MQ") == "109-101-MQ Activité physique 1 88 — 2 30,000"
    assert "Cote R de la session HIV-2026 30,000" in visible(response)
    assert "Cote R cumulative (toutes les sessions) 26,431" in visible(response)
    assert "202-NYA-05" not in visible(response)
    assert client.get(reverse("students:final_grades_term", args=["ETE-2030"])).status_code == 404


def test_the_printable_report_card(client, bob, report, institution):
    printable = reverse("students:report_card_print", args=["AUT-2026"])
    logged_in(client, bob)
    assert printable in client.get(FINAL_GRADES).content.decode()
    response = client.get(printable)
    assert response.status_code == 200
    content = response.content.decode()
    text = visible(response)
    # Clean: no navigation, no menu, no "Quitter", no script.
    assert "<nav" not in content
    assert "Quitter" not in text
    assert "<script" not in content
    assert institution.name in text
    assert "Gagnon, Bob" in text
    assert "2026102" in text
    with translation.override("fr"):
        today = format_when(timezone.localdate(), "DAY_FORMAT")  # "mardi 1er décembre"
    assert f"Imprimé le {today} {timezone.localdate().year}, " in text
    assert "peut servir aux demandes d'admission universitaire" in text
    assert row_of(response, "202-NYA-05").endswith("28,846")
    assert "Cote R de la session AUT-2026 25,835" in text


def test_the_page_and_its_printable_version_show_one_report_card(client, bob, report):
    """One partial (jinja2/students/_report_card.html): the Jinja2 page includes it, the
    printable version (a Django template) with {% jinja_include %}; values escaped once, numbers
    localized."""
    Course.objects.filter(code="202-NYA-05").update(title="Chimie <générale> & d'été")
    logged_in(client, bob)
    table = r'<table class="table align-middle report-card table-stack">.*?</table>'
    shown = client.get(FINAL_GRADES).content.decode()
    printed = client.get(reverse("students:report_card_print", args=["AUT-2026"]))
    assert re.search(table, shown, re.S)[0] == re.search(table, printed.content.decode(), re.S)[0]
    assert "Chimie &lt;générale&gt; &amp; d&#39;été" in shown and "&amp;lt;" not in shown
    assert row_of(printed, "202-NYA-05").startswith("202-NYA-05 Chimie <générale> & d'été 2,33 85")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert row_of(client.get(FINAL_GRADES), "202-NYA-05").startswith(
        "202-NYA-05 Chimie <générale> & d'été 2.33 85"
    )


def test_french_and_english_labels(client, bob, report):
    section = Section.objects.get(course__code="202-NYA-05")
    give_mark(make_evaluation(section, title="Laboratoire 1", weight=20), report, "17.5", 20)
    give_mark(make_evaluation(section, title="Examen partiel", weight=30), report, 24, 30)
    logged_in(client, bob)
    french_marks = visible(client.get(MARKS))
    french_report = visible(client.get(FINAL_GRADES))
    assert "Note actuelle" in french_marks and "Part évaluée" in french_marks
    assert "Note finale" in french_report and "Moyenne du groupe" in french_report
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_marks = visible(client.get(MARKS))
    english_report = visible(client.get(FINAL_GRADES))
    assert "Results — assessment marks" in english_marks
    assert "Current grade" in english_marks and "Share assessed" in english_marks
    assert "83.0 %" in english_marks
    assert "Final grade" in english_report and "Group average" in english_report
    assert "R score of term AUT-2026 25.835" in english_report
    assert "Note actuelle" not in english_marks


# --- Query budget -----------------------------------------------------------------------------


def load_courses(institution: Institution, student: Student, term, count: int, start: int = 0):
    """`count` courses of 10 evaluations each, all marked, with classmates' marks and final
    grades and the group's IDGZ and IFGZ, as a full term looks once it is over."""
    classmates = [make_student(institution) for _ in range(3)]
    for n in range(start, start + count):
        section = make_section(
            term, make_course(f"420-{n:03d}-RE", title=f"Cours {n}"), idgz="1.0", ifgz="0.1"
        )
        enrol(student, section, final_grade=70 + n, absences=n)
        for position, classmate in enumerate(classmates):
            enrol(classmate, section, final_grade=60 + 10 * position)
        for e in range(10):
            evaluation = make_evaluation(
                section, title=f"Travail {e}", weight=10, class_average="70"
            )
            give_mark(evaluation, student, 7 + e % 3, 10)
            for classmate in classmates:
                give_mark(evaluation, classmate, 6, 10)


def queries_of(client: Client, url: str, budget) -> int:
    with budget(BUDGET) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len([q for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])])


@pytest.mark.parametrize(
    "url",
    [
        MARKS,
        reverse("students:course_marks", args=["AUT-2026", "420-000-RE"]),
        FINAL_GRADES,
        reverse("students:report_card_print", args=["AUT-2026"]),
    ],
)
def test_query_budget_with_2_or_8_courses(client, bob, term, institution, url, query_budget):
    logged_in(client, bob)
    me = student_of(bob)
    load_courses(institution, me, term, 2)
    two = queries_of(client, url, query_budget)
    load_courses(institution, me, term, 6, start=2)
    eight = queries_of(client, url, query_budget)
    assert eight == two
    response = client.get(MARKS)
    assert len(re.findall(r"<tr data-course=", response.content.decode())) == 8


def test_a_small_groups_average_is_not_shown():
    """In a group of two, the average gives the other student's grade away."""
    from students.results import MIN_SHOWN_GROUP, GroupStatistics

    small = GroupStatistics(count=MIN_SHOWN_GROUP - 1, mean=Decimal("80"), stdev=Decimal("5"))
    large = GroupStatistics(count=MIN_SHOWN_GROUP, mean=Decimal("80"), stdev=Decimal("5"))
    assert small.shown_mean is None
    assert large.shown_mean == Decimal("80")
