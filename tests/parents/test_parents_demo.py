"""`python manage.py demo` and the parents' portal: a family a newcomer can try, whatever the
preset, loaded again without harm."""

import datetime
import html
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from parents import demo
from parents.models import Guardian, StoreItem
from parents.selectors import children_for_parent
from parents.services.account import SignupClaim, signup_match
from portal.models import Institution
from students.models import Student


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def active_parent() -> User:
    return User.objects.get(audience=User.Audience.PARENT, identifier=demo.ACTIVE_PARENT[2])


def years_old(birthdate: datetime.date, today: datetime.date) -> int:
    return (
        today.year - birthdate.year - ((today.month, today.day) < (birthdate.month, birthdate.day))
    )


@pytest.mark.parametrize("preset", ["cstj", "cepeo"])
def test_the_demo_parent_logs_in_and_sees_two_children_in_two_schools(client, db, preset):
    args = [] if preset == "cstj" else ["--preset", preset]
    output = load_demo(*args)
    again = load_demo(*args)  # a second run only adds what is missing

    assert "Parents' portal (/parents/)" in output and "Parents' portal (/parents/)" in again
    assert f"{demo.ACTIVE_PARENT[2]} / {demo.PARENT_PASSWORD}" in output
    assert demo.NEW_PARENT[2] in output and "civic number 2445" in output
    assert User.objects.filter(audience=User.Audience.PARENT).count() == 1
    assert Guardian.objects.count() == 4

    response = client.post(
        reverse("parents:login"),
        {"email": demo.ACTIVE_PARENT[2], "password": demo.PARENT_PASSWORD},
    )
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("parents:home")
    assert int(client.session["_auth_user_id"]) == active_parent().pk

    institution = Institution.objects.get()
    children = list(children_for_parent(active_parent(), institution))
    assert [child.first_name for child in children] == ["Camille", "Théo"]
    assert len({child.school_id for child in children}) == 2
    for child in children:
        # Each child has this term's courses and last term's final grades.
        assert child.enrolments.filter(final_grade__isnull=True).exists()
        assert child.enrolments.filter(final_grade__isnull=False).exists()
        assert client.get(reverse("parents:child", args=[child.pk])).status_code == 200


def test_at_the_cegep_the_twins_have_a_program_and_no_grade(client, db):
    load_demo()
    today = timezone.localdate()
    children = list(Student.objects.filter(guardians__email=demo.ACTIVE_PARENT[2]).distinct())
    assert sorted(child.first_name for child in children) == ["Camille", "Théo"]
    assert len({child.birthdate for child in children}) == 1  # twins
    for child in children:
        assert child.grade == ""
        assert child.program is not None and re.fullmatch(r"\d{3}\.[A-Z0-9]{2}", child.program.code)
        # Second year of a DEC: 17 or 18, and the files keep the access after 18.
        assert years_old(child.birthdate, today) in (17, 18)
        assert child.guardians.filter(access_after_majority=False).count() == 0
    assert {child.school.code: child.postal_code[:3] for child in children} == {
        "cstj": "J7Z",
        "mont-laurier": "J9L",
    }
    assert not Guardian.objects.exclude(phone__startswith="450 ").exists()
    # The parent sees the program, not an empty grade.
    client.post(
        reverse("parents:login"),
        {"email": demo.ACTIVE_PARENT[2], "password": demo.PARENT_PASSWORD},
    )
    page = html.unescape(client.get(reverse("parents:home")).content.decode())
    assert "420.B0 Techniques de l'informatique" in page and "Année d'étude" not in page


@pytest.mark.parametrize(
    "today",
    [datetime.date(2026, 12, 1), datetime.date(2027, 3, 20), datetime.date(2027, 8, 25)],
)
def test_the_children_are_of_the_age_their_level_has_all_year(today):
    """Ontario: 9e année in the fall of the year one turns 14, 11e année at 16; Quebec: the
    second year of cégep a year after starting at 17 (on 30 September)."""
    start = demo.school_year_start(today)
    for child in demo.SCHOOL_BOARD_FAMILY.children:
        birthdate = demo.birthdate_for(child, today, college=False)
        grade = int(child.grade.removesuffix("e année"))
        assert start - birthdate.year == 14 + grade - 9, child.first_name
    for child in demo.COLLEGE_FAMILY.children:
        birthdate = demo.birthdate_for(child, today, college=True)
        assert years_old(birthdate, datetime.date(start - 1, 9, 30)) == 17
        assert years_old(birthdate, today) in (17, 18, 19)


def test_at_the_school_board_the_children_have_grades_matching_their_ages(db):
    output = load_demo("--preset", "cepeo")
    today = timezone.localdate()
    children = {
        child.first_name: child
        for child in Student.objects.filter(guardians__email=demo.ACTIVE_PARENT[2]).distinct()
    }
    assert {name: child.grade for name, child in children.items()} == {
        "Camille": "11e année",
        "Théo": "10e année",
    }
    assert years_old(children["Théo"].birthdate, today) in (14, 15, 16)
    assert years_old(children["Camille"].birthdate, today) in (15, 16, 17)
    for child in children.values():
        assert child.program is None and child.postal_code.startswith("K")
        assert f"{child.grade}, {child.school.name}" in output
    assert not Guardian.objects.exclude(phone__startswith="613 ").exists()
    assert not Guardian.objects.filter(access_after_majority=True).exists()
    # Their grade's Ontario courses this semester, and the grade below's with final grades a
    # year earlier: no cégep course.
    for child in children.values():
        grade = int(child.grade.removesuffix("e année"))
        current = [e for e in child.enrolments.select_related("section__course")]
        assert current and all(
            re.fullmatch(r"[A-Z]{3}[1-4][A-Z]", e.section.course.code) for e in current
        ), [e.section.course.code for e in current]
        now = {e.section.course.code for e in current if e.final_grade is None}
        then = {e.section.course.code for e in current if e.final_grade is not None}
        assert len(now) == 4 and {code[3] for code in now} == {str(grade - 8)}
        assert then and {code[3] for code in then} == {str(grade - 9)}


@pytest.mark.parametrize("preset", ["cstj", "cepeo"])
def test_the_second_guardian_can_create_an_account_with_the_printed_details(db, preset):
    output = load_demo(*([] if preset == "cstj" else ["--preset", preset]))
    rows = Guardian.objects.filter(email=demo.NEW_PARENT[2])
    assert rows.count() == 2
    assert not rows.filter(account__isnull=False).exists()
    assert not User.objects.filter(identifier=demo.NEW_PARENT[2]).exists()
    assert set(rows.values_list("civic_number", flat=True)) == {demo.CIVIC_NUMBER}

    # What the demo prints for "Créer mon compte" is what signup_match accepts.
    line = next(line for line in output.splitlines() if demo.NEW_PARENT[2] in line)
    born = datetime.date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", line).group(0))
    institution = Institution.objects.get()
    printed = [school for school in institution.schools.all() if school.name in line]
    assert printed and len(printed) == (2 if preset == "cstj" else 1)  # twins: either school
    for school in institution.schools.all():
        claim = SignupClaim(
            email=demo.NEW_PARENT[2],
            last_name=demo.NEW_PARENT[0],
            first_name=demo.NEW_PARENT[1],
            birthdate=born,
            school=school,
            civic_number=demo.CIVIC_NUMBER,
        )
        assert (signup_match(institution=institution, claim=claim) is not None) == (
            school in printed
        ), school.name


def test_the_store_has_articles_on_sale_in_the_schools_offering_it(db):
    load_demo("--preset", "cepeo")
    today = timezone.localdate()
    items = StoreItem.objects.select_related("school")
    assert {item.school.code for item in items} == {"carrefour-jeunesse", "de-la-salle"}
    assert items.count() == 2 * len(demo.SCHOOL_STORE_ITEMS)
    for item in items:
        assert item.is_active and item.available_from <= today <= item.available_until
    assert "Agenda scolaire" in {item.name for item in items}


def test_the_cegeps_store_sells_what_a_college_student_buys(client, db):
    """No school agenda or school t-shirt at a cégep: a student card, a parking permit, a
    locker, a field trip; the parent sees them in "Services en ligne"."""
    load_demo()
    names = set(StoreItem.objects.values_list("name", flat=True))
    assert names == {name for name, *_rest in demo.COLLEGE_STORE_ITEMS}
    assert "Carte étudiante – remplacement" in names
    assert "Stationnement – vignette de session" in names
    for school_word in ("Agenda", "T-shirt", "scolaire", "l'école"):
        assert not any(school_word in name for name in names), school_word
    client.post(
        reverse("parents:login"),
        {"email": demo.ACTIVE_PARENT[2], "password": demo.PARENT_PASSWORD},
    )
    child = Student.objects.filter(guardians__email=demo.ACTIVE_PARENT[2], school__code="cstj")
    page = client.get(reverse("parents:store", args=[child.get().pk])).content.decode()
    assert "Stationnement – vignette de session" in page and "Agenda scolaire" not in page


def test_no_parents_where_the_institution_has_no_parents_portal(db):
    output = load_demo("--preset", "thetford")
    assert "Parents' portal" not in output
    assert not Guardian.objects.exists()
    assert not StoreItem.objects.exists()
