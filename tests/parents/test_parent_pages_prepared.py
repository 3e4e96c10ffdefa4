"""The parent's pages read their rows in SQL compiled once per process (portal/prepared.py,
issue 17): what they show still follows every write on the very next request, a later request
compiles nothing, and the age cutoff follows the clock (today's date is one of the query's
values, never frozen into its SQL)."""

# The fixtures of test_children are imported, and tests take them as arguments.
# ruff: noqa: F811

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from parents.models import Guardian
from parents.selectors import children_for_parent, children_of_parent
from portal import prepared as prepared_module
from portal.models import Institution
from students.models import Enrolment, Meeting, Section, Student
from tests.accounts.test_first_use import page
from tests.factories import make_student
from tests.parents.factories import birthday_years_ago, make_guardian
from tests.parents.test_access import set_birthdate, visible
from tests.parents.test_children import (  # noqa: F401 (fixtures)
    CURRENT,
    HOME,
    cards,
    child_url,
    family,
    parent_client,
    part,
    terms,
)


@pytest.fixture
def compilations(monkeypatch) -> list[dict]:
    """The stand-in values of each query compiled during the test (none kept from before)."""
    monkeypatch.setattr(prepared_module, "_compiled", {})
    calls: list[dict] = []
    compile_once = prepared_module._compile

    def counted(build, values, alias):
        def recorded(stand_ins):
            calls.append(stand_ins)
            return build(stand_ins)

        return compile_once(recorded, values, alias)

    monkeypatch.setattr(prepared_module, "_compile", counted)
    return calls


def test_the_age_cutoff_follows_the_clock_through_the_compiled_query(client, family, compilations):
    # Léa, born 1 March 2010, turns 18 on 1 March 2028 (2028-02-29 is the day before).
    Student.objects.filter(pk=family.lea.pk).update(birthdate=datetime.date(2010, 3, 1))
    with freeze_time("2028-02-29 12:00:00"):
        client.force_login(family.parent)
        assert visible(client, family.lea)
    with freeze_time("2028-03-01 12:00:00"):
        client.force_login(family.parent)
        assert not visible(client, family.lea)
        assert visible(client, family.noah)
    # The children's query was compiled once, its cutoff a stand-in (not one of the test's
    # dates): the next day ran the same SQL with the next day's cutoff.
    cutoffs = [values["cutoff"] for values in compilations if "cutoff" in values]
    assert len(cutoffs) == 1 and cutoffs[0].year < 2000


@pytest.mark.parametrize(
    "situation",
    ["as-is", "no-age-limit", "lea-adult", "lea-adult-kept", "lea-withdrawn", "two-links"],
)
def test_children_of_parent_reads_what_children_for_parent_selects(
    family, cepeo, situation, django_assert_num_queries
):
    if situation == "no-age-limit":
        Institution.objects.filter(pk=cepeo.pk).update(parent_access_until_age=None)
        set_birthdate(family.lea, 25)
    if situation.startswith("lea-adult"):
        set_birthdate(family.lea, 18)
    if situation == "lea-adult-kept":
        Guardian.objects.filter(student=family.lea).update(access_after_majority=True)
    if situation == "lea-withdrawn":
        Guardian.objects.filter(student=family.lea).update(can_view=False)
    if situation == "two-links":  # two guardian rows of the same child for the same account
        make_guardian(family.lea, email="adzo.autre@example.com", relationship="tutrice")
        Guardian.objects.filter(student=family.lea).update(account=family.parent)
    institution = Institution.objects.get(pk=cepeo.pk)
    # A child of another family, of the same age, never shows.
    make_student(cepeo, last_name="Roy", first_name="Zoé", birthdate=birthday_years_ago(14))

    expected = list(children_for_parent(family.parent, institution))
    for _ in range(2):  # compiled, then run again
        found = children_of_parent(family.parent, institution)
        assert [child.pk for child in found] == [child.pk for child in expected]
    with django_assert_num_queries(0):  # the school and the program were read with them
        assert [(c.school.name, str(c.program)) for c in found] == [
            (c.school.name, str(c.program)) for c in expected
        ]


def test_a_new_absence_and_a_new_final_grade_show_on_the_home_page_on_the_next_request(
    parent_client, family, compilations
):
    lea = cards(page(parent_client.get(HOME)))["Léa Testtest"]
    assert "5 heures d'absence" in lea and "3 crédits accumulés" in lea
    compiled = len(compilations)
    Enrolment.objects.filter(student=family.lea, section__course__code="MPM2D").update(absences=10)
    Enrolment.objects.filter(student=family.lea, section__course__code="SNC1D").update(
        final_grade=80
    )
    lea = cards(page(parent_client.get(HOME)))["Léa Testtest"]
    assert "12 heures d'absence" in lea and "4 crédits accumulés" in lea
    assert len(compilations) == compiled


def test_a_newly_linked_child_shows_on_the_home_page_on_the_next_request(
    parent_client, family, cepeo
):
    assert len(cards(page(parent_client.get(HOME)))) == 2
    third = make_student(
        cepeo, last_name="Testtest", first_name="Inès", birthdate=birthday_years_ago(8)
    )
    make_guardian(third)
    Guardian.objects.filter(student=third).update(account=family.parent)
    found = cards(page(parent_client.get(HOME)))
    assert list(found) == ["Léa Testtest", "Noah Testtest", "Inès Testtest"]
    assert "0 crédit" in found["Inès Testtest"]


def test_a_new_meeting_and_absence_show_on_the_child_page_without_compiling_again(
    parent_client, family, compilations
):
    schedule = part(page(parent_client.get(child_url(family.lea))), "schedule")
    assert "Vendredi" not in schedule
    compiled = len(compilations)
    section = Section.objects.get(term__code=CURRENT, course__code="ENG2D")
    Meeting.objects.create(
        section=section, day=5, start=datetime.time(9), end=datetime.time(10), room="Z-999"
    )
    Enrolment.objects.filter(student=family.lea, section=section).update(absences=6)
    text = page(parent_client.get(child_url(family.lea)))
    assert "Vendredi" in part(text, "schedule") and "Z-999" in part(text, "schedule")
    assert ">6<" in part(text, "attendance")
    assert len(compilations) == compiled


def test_the_days_are_named_in_the_pages_language(parent_client, family):
    french = part(page(parent_client.get(child_url(family.lea))), "schedule")
    parent_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = part(page(parent_client.get(child_url(family.lea))), "schedule")
    assert "Lundi" in french and "Mercredi" in french and "Monday" not in french
    assert "Monday" in english and "Wednesday" in english and "Lundi" not in english
