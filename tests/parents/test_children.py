"""The parent's home and a child's page: Adzo follows Léa (15, Carrefour Jeunesse, which has
the "Services en ligne") and Noah (12, Gisèle-Lalonde, which does not): each one's schedule,
attendance and credits toward Ontario's 30."""

import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.models import Institution, School
from students.models import Course, Student, Term
from tests.accounts.test_first_use import page
from tests.factories import make_employee, make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent
from tests.students.factories_courses import enrol, make_course, make_section, make_term

HOME = reverse("parents:home")
CURRENT, PAST, NEXT = "AUT-CUR", "HIV-PAS", "ETE-SUI"


def child_url(student: Student, **query: str) -> str:
    url = reverse("parents:child", args=[student.pk])
    return url + "".join(f"?{key}={value}" for key, value in query.items())


@dataclass(frozen=True)
class Family:
    parent: User
    lea: Student
    noah: Student
    terms: dict[str, Term]


def school(institution: Institution, code: str) -> School:
    return institution.schools.get(code=code)


def make_terms() -> dict[str, Term]:
    return {
        CURRENT: make_term(CURRENT, current=True),
        PAST: make_term(PAST, days_ago=100),
        NEXT: make_term(NEXT),
    }


def make_family(institution: Institution, terms: dict[str, Term]) -> Family:
    """Léa: two courses under way (5 h of absence, 1 lateness in all), and last term two courses
    passed (1 and 2 credits) and one failed; one course next term. Noah: one course under way,
    nothing passed yet, no grade on file."""
    lea = make_student(
        institution,
        last_name="Testtest",
        first_name="Léa",
        birthdate=birthday_years_ago(15),
        school=school(institution, "carrefour-jeunesse"),
        grade="10e année",
    )
    noah = make_student(
        institution,
        last_name="Testtest",
        first_name="Noah",
        birthdate=birthday_years_ago(12),
        school=school(institution, "gisele-lalonde"),
        grade="",
    )
    teacher = make_employee(institution, last_name="Lavoie", first_name="Sophie")
    maths = make_section(
        terms[CURRENT],
        make_course("MPM2D", "Mathématiques principes", credits="1"),
        group="02",
        teacher=teacher,
        meetings=[(1, "08:30", "09:45", "B-204"), (3, "10:00", "11:15", "B-204")],
    )
    enrol(lea, maths, absences=3, lateness=1)
    english = make_section(
        terms[CURRENT],
        make_course("ENG2D", "English", credits="1"),
        meetings=[(1, "13:00", "14:15", "A-110")],
    )
    enrol(lea, english, absences=2)
    enrol(
        lea,
        make_section(terms[PAST], make_course("FIF1D", "Français", credits="1")),
        final_grade=75,
    )
    enrol(
        lea,
        make_section(terms[PAST], make_course("HIS1D", "Histoire", credits="2")),
        final_grade=60,
    )
    enrol(
        lea,
        make_section(
            terms[PAST],
            make_course("SNC1D", "Sciences", credits="1"),
            meetings=[(2, "09:00", "10:15", "L-01")],
        ),
        final_grade=45,
        absences=9,
    )
    enrol(lea, make_section(terms[NEXT], make_course("CHC2D", "Histoire du Canada", credits="1")))
    arts = make_section(
        terms[CURRENT],
        make_course("AVI1O", "Arts visuels", credits="1"),
        meetings=[(5, "14:00", "15:15", "Atelier")],
    )
    enrol(noah, arts, absences=4, lateness=2)
    make_guardian(lea)
    make_guardian(noah)
    return Family(make_parent(), lea, noah, terms)


@pytest.fixture
def terms(db) -> dict[str, Term]:
    return make_terms()


@pytest.fixture
def family(cepeo, terms) -> Family:
    return make_family(cepeo, terms)


@pytest.fixture
def parent_client(client: Client, family: Family) -> Client:
    client.force_login(family.parent)
    return client


def cards(text: str) -> dict[str, str]:
    """Each child's card on the home page, by the child's name."""
    found = re.findall(
        r'<section class="card[^"]*"[^>]*data-testid="child-card">(.*?)</section>', text, re.S
    )
    return {re.search(r"<h3[^>]*>(.*?)</h3>", card, re.S)[1].strip(): card for card in found}


def part(text: str, testid: str) -> str:
    return re.search(rf'<(section|table)[^>]*data-testid="{testid}"[^>]*>.*?</\1>', text, re.S)[0]


# --- Home -------------------------------------------------------------------------------------


def test_home_shows_a_card_per_child_with_school_grade_attendance_and_credits(
    parent_client, family
):
    response = parent_client.get(HOME)
    assert response.status_code == 200
    text = page(response)
    assert "Portail des parents" in text
    assert "Bonjour, Adzo" in text
    found = cards(text)
    # Youngest last, as children_for_parent orders them (oldest birthdate first).
    assert list(found) == ["Léa Testtest", "Noah Testtest"]

    lea = found["Léa Testtest"]
    assert "Carrefour Jeunesse" in lea
    assert "Année d'étude" in lea and "10e année" in lea
    assert f"session {CURRENT}" in lea
    assert "5 heures d'absence" in lea
    assert "1 retard" in lea
    # FIF1D (1) and HIS1D (2) passed; SNC1D failed; the courses under way count nothing yet.
    assert "3 crédits accumulés" in lea
    assert "sur 30 requis pour le diplôme" in lea
    assert re.search(r'<progress[^>]*max="30"[^>]*value="3"', lea)
    assert "3 crédits sur 30" in lea  # the bar's text equivalent
    assert f'href="{child_url(family.lea)}"' in lea
    assert "Horaire, assiduité et crédits" in lea

    noah = found["Noah Testtest"]
    assert "École secondaire publique Gisèle-Lalonde" in noah
    assert "Année d'étude" not in noah  # no grade on file
    assert "4 heures d'absence" in noah
    assert "2 retards" in noah
    assert "0 crédit" in noah and "sur 30 requis pour le diplôme" in noah


def test_store_link_only_for_a_school_that_offers_it(parent_client, family):
    found = cards(page(parent_client.get(HOME)))
    lea_store = reverse("parents:store", args=[family.lea.pk])
    noah_store = reverse("parents:store", args=[family.noah.pk])
    assert "Services en ligne" in found["Léa Testtest"]
    assert f'href="{lea_store}"' in found["Léa Testtest"]
    assert "Services en ligne" not in found["Noah Testtest"]
    assert noah_store not in page(parent_client.get(HOME))


def test_no_required_credits_when_the_institution_sets_none(parent_client, family, cepeo):
    Institution.objects.filter(pk=cepeo.pk).update(diploma_credits=0)
    text = page(parent_client.get(HOME))
    assert "3 crédits accumulés" in text
    assert "requis pour le diplôme" not in text
    assert "<progress" not in text


def test_home_without_children_points_to_the_school_and_the_faq(client, cepeo):
    client.force_login(make_parent("seul@example.com"))
    text = page(client.get(HOME))
    assert 'data-testid="no-children"' in text
    assert "Aucun enfant n'est associé à votre compte" in text
    assert "Un seul compte par parent suffit" in text
    assert f'href="{reverse("parents:contact")}"' in text
    assert f'href="{reverse("parents:faq")}"' in text
    assert "child-card" not in text


# --- A child's page ---------------------------------------------------------------------------


def test_child_page_shows_the_current_terms_schedule(parent_client, family):
    response = parent_client.get(child_url(family.lea))
    assert response.status_code == 200
    text = page(response)
    assert "Léa Testtest" in text and "Carrefour Jeunesse" in text and "10e année" in text
    schedule = part(text, "schedule")
    assert f"Horaire — {CURRENT}" in schedule
    # Monday before Wednesday; on Monday, the morning before the afternoon.
    assert schedule.index("Lundi") < schedule.index("Mercredi")
    meetings = re.findall(r'data-testid="meeting">(.*?)</li>', schedule, re.S)
    flat = [" ".join(m.split()) for m in meetings]
    assert len(flat) == 3
    assert (
        "8 h 30 – 9 h 45" in flat[0] and "MPM2D" in flat[0] and "Mathématiques principes" in flat[0]
    )
    assert "Groupe 02" in flat[0] and "Local B-204" in flat[0] and "Sophie Lavoie" in flat[0]
    assert "13 h 00 – 14 h 15" in flat[1] and "ENG2D" in flat[1] and "A-110" in flat[1]
    assert "10 h 00 – 11 h 15" in flat[2] and "MPM2D" in flat[2]
    # Last term's and next term's courses are not on this term's schedule.
    assert "SNC1D" not in schedule and "CHC2D" not in schedule
    assert "AVI1O" not in text  # Noah's


def test_child_page_shows_attendance_per_course_and_in_total(parent_client, family):
    attendance = part(page(parent_client.get(child_url(family.lea))), "attendance")
    rows = dict(re.findall(r'<tr data-course="([^"]+)">(.*?)</tr>', attendance, re.S))
    assert set(rows) == {"MPM2D", "ENG2D"}
    assert re.findall(r'<td class="text-end"[^>]*>(\d+)</td>', rows["MPM2D"]) == ["3", "1"]
    assert re.findall(r'<td class="text-end"[^>]*>(\d+)</td>', rows["ENG2D"]) == ["2", "0"]
    total = re.search(r'data-testid="attendance-total">(.*?)</tr>', attendance, re.S)[1]
    assert re.findall(r">(\d+)</td>", total) == ["5", "1"]


def test_child_page_lists_passed_courses_with_credits_and_courses_in_progress(
    parent_client, family
):
    text = page(parent_client.get(child_url(family.lea)))
    assert "3 crédits accumulés" in text and "sur 30 requis pour le diplôme" in text
    passed = part(text, "passed-courses")
    rows = dict(re.findall(r'<tr data-course="([^"]+)">(.*?)</tr>', passed, re.S))
    assert list(rows) == ["FIF1D", "HIS1D"]  # SNC1D (45) is not passed
    assert PAST in rows["HIS1D"] and '<td class="text-end">2</td>' in rows["HIS1D"]
    in_progress = part(text, "in-progress-courses")
    codes = re.findall(r'<tr data-course="([^"]+)">', in_progress)
    assert sorted(codes) == ["ENG2D", "MPM2D"]
    assert "CHC2D" not in in_progress  # next term's: not under way yet


def test_a_course_passed_twice_counts_once(parent_client, family):
    # Taken again this term to improve the mark: the credit is earned once.
    again = make_section(family.terms[CURRENT], Course.objects.get(code="FIF1D"), group="09")
    enrol(family.lea, again, final_grade=88)
    text = page(parent_client.get(child_url(family.lea)))
    assert "3 crédits accumulés" in text
    assert re.findall(r'<tr data-course="([^"]+)">', part(text, "passed-courses")) == [
        "FIF1D",
        "HIS1D",
    ]
    assert "3 crédits accumulés" in cards(page(parent_client.get(HOME)))["Léa Testtest"]


def test_switcher_lists_every_child_and_marks_the_current_one(parent_client, family):
    text = page(parent_client.get(child_url(family.noah)))
    switcher = re.search(r'<nav[^>]*data-testid="child-switcher">(.*?)</nav>', text, re.S)[1]
    links = re.findall(r'<a [^>]*href="([^"]+)"([^>]*)>([^<]+)</a>', switcher)
    assert [(href, name) for href, _attrs, name in links] == [
        (child_url(family.lea), "Léa Testtest"),
        (child_url(family.noah), "Noah Testtest"),
    ]
    assert ['aria-current="page"' in attrs for _href, attrs, _name in links] == [False, True]


def test_session_parameter_picks_another_of_the_childs_terms(parent_client, family):
    text = page(parent_client.get(child_url(family.lea, session=PAST)))
    schedule = part(text, "schedule")
    assert f"Horaire — {PAST}" in schedule
    assert "SNC1D" in schedule and "MPM2D" not in schedule
    attendance = part(text, "attendance")
    assert set(re.findall(r'<tr data-course="([^"]+)">', attendance)) == {
        "FIF1D",
        "HIS1D",
        "SNC1D",
    }
    total = re.search(r'data-testid="attendance-total">(.*?)</tr>', attendance, re.S)[1]
    assert re.findall(r">(\d+)</td>", total) == ["9", "0"]
    # The term switcher marks the chosen term.
    switcher = re.search(r'data-testid="term-switcher">(.*?)</nav>', text, re.S)[1]
    assert re.search(rf'aria-current="page">{PAST}</a>', switcher)
    # The credits do not depend on the term shown.
    assert "3 crédits accumulés" in text


@pytest.mark.parametrize("code", ["XYZ-9999", "", NEXT + "x"])
def test_unknown_session_code_is_ignored(parent_client, family, code):
    response = parent_client.get(child_url(family.lea, session=code))
    assert response.status_code == 200
    assert f"Horaire — {CURRENT}" in page(response)


def test_another_familys_term_code_is_ignored(parent_client, family):
    # Noah is only in the current term: Léa's past term is not his.
    response = parent_client.get(child_url(family.noah, session=PAST))
    assert f"Horaire — {CURRENT}" in page(response)


def test_child_without_courses_gets_an_empty_state_in_each_section(client, cepeo, terms):
    child = make_student(cepeo, first_name="Inès", birthdate=birthday_years_ago(10))
    make_guardian(child, email="ines.parent@example.com")
    client.force_login(make_parent("ines.parent@example.com"))
    text = page(client.get(child_url(child)))
    for testid in ("schedule-empty", "attendance-empty", "passed-empty", "in-progress-empty"):
        assert f'data-testid="{testid}"' in text, testid
    assert "0 crédit accumulé" in text or "0 crédits accumulés" in text
    # A single child: nothing to switch between.
    assert "child-switcher" not in text
    home = cards(page(client.get(HOME)))["Inès Tremblay"]
    assert "Aucun cours à l'horaire." in home


def test_term_without_meetings_says_so(parent_client, family):
    text = page(parent_client.get(child_url(family.lea, session=NEXT)))
    assert f"Horaire — {NEXT}" in text
    assert "Aucune plage horaire n'est prévue pour cette session." in text


def test_the_institutions_passing_grade_decides_the_credits(parent_client, family, cepeo):
    # Ontario grants a credit at 50 %: a 55 counts at CEPEO, not where the pass mark is 60.
    enrol(
        family.lea,
        make_section(family.terms[PAST], make_course("GLC2O", "Carrières", credits="0.5")),
        final_grade=55,
    )
    assert cepeo.passing_grade == 50
    text = page(parent_client.get(child_url(family.lea)))
    assert "GLC2O" in part(text, "passed-courses")
    assert "3,5 crédits accumulés" in text or "3.5 crédits accumulés" in text

    Institution.objects.filter(pk=cepeo.pk).update(passing_grade=60)
    text = page(parent_client.get(child_url(family.lea)))
    assert "GLC2O" not in part(text, "passed-courses")
    assert "3 crédits accumulés" in cards(page(parent_client.get(HOME)))["Léa Testtest"]


def test_a_half_credit_is_written_as_each_language_writes_it(parent_client, family, settings):
    # The home page is a Jinja2 template: its numbers go through Django's formats, as before.
    enrol(
        family.lea,
        make_section(family.terms[PAST], make_course("GLC2O", "Carrières", credits="0.5")),
        final_grade=75,
    )
    lea = cards(page(parent_client.get(HOME)))["Léa Testtest"]
    assert "3,5 crédits accumulés" in lea and "3,5 crédits sur 30" in lea
    assert 'max="30" value="3.5"' in lea  # the bar's numbers are not localized
    assert "5 heures d'absence" in lea and "1 retard" in lea
    parent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    lea = cards(page(parent_client.get(HOME)))["Léa Testtest"]
    assert "3.5 credits earned" in lea and "3.5 credits out of 30" in lea
    assert "out of 30 required for the diploma" in lea and "5 hours of absence" in lea


def test_child_page_in_english_with_a_half_credit(parent_client, family, settings):
    # The child's page is a Jinja2 template: times, dates and numbers as each language writes them.
    enrol(
        family.lea,
        make_section(family.terms[PAST], make_course("GLC2O", "Carrières", credits="0.5")),
        final_grade=75,
    )
    text = page(parent_client.get(child_url(family.lea)))
    passed = dict(
        re.findall(r'<tr data-course="([^"]+)">(.*?)</tr>', part(text, "passed-courses"), re.S)
    )
    assert '<td class="text-end">0,5</td>' in passed["GLC2O"]
    assert "8 h 30 – 9 h 45" in part(text, "schedule") and "3,5 crédits accumulés" in text
    assert "atteint 50 %." in text
    parent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = page(parent_client.get(child_url(family.lea)))
    passed = dict(
        re.findall(r'<tr data-course="([^"]+)">(.*?)</tr>', part(text, "passed-courses"), re.S)
    )
    assert '<td class="text-end">0.5</td>' in passed["GLC2O"]
    schedule = part(text, "schedule")
    assert "8:30 a.m. – 9:45 a.m." in schedule and "Teacher: Sophie Lavoie" in schedule
    assert "Term from " in schedule and "3.5 credits earned" in text
    assert "Absences and late arrivals by course, term " in part(text, "attendance")
