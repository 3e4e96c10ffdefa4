"""Who reaches a child's pages. Adzo follows Léa and Noah; the Roy family's Zoé is not hers to
see, and a page about Zoé answers exactly as a page about a child who does not exist. Access
ends at once when the school unlinks the parent, and on the child's 18th birthday (the
institution's age) unless the file keeps it."""

# The fixtures of test_children are imported, and tests take them as arguments.
# ruff: noqa: F811

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from freezegun import freeze_time

from parents.models import Guardian
from portal.models import Institution
from students.models import Student
from tests.accounts.test_login import without_tokens
from tests.conftest import PASSWORD
from tests.factories import activate, make_employee, make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent
from tests.parents.test_children import HOME, child_url, family, terms  # noqa: F401 (fixtures)

# Every page about one child, with the method(s) it answers.
PER_CHILD = [
    ("parents:child", "get"),
    ("parents:store", "get"),
    ("parents:cart", "get"),
    ("parents:cart_add", "post"),
    ("parents:checkout", "post"),
]


@pytest.fixture
def zoe(cepeo) -> Student:
    """Another family's child, at the same school as Léa."""
    child = make_student(cepeo, last_name="Roy", first_name="Zoé", birthdate=birthday_years_ago(14))
    make_guardian(child, email="roy@example.com", first_name="Marc", last_name="Roy")
    make_parent("roy@example.com", first_name="Marc", last_name="Roy")
    return child


def missing_id() -> int:
    return (Student.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def request(client, method: str, url: str):
    return client.post(url, {"item": "1", "quantity": "1"}) if method == "post" else client.get(url)


@pytest.mark.parametrize(("name", "method"), PER_CHILD, ids=[n for n, _m in PER_CHILD])
def test_another_familys_child_and_a_missing_child_answer_the_same_404(
    client, family, zoe, name, method
):
    client.force_login(family.parent)
    not_yours_url, missing_url = reverse(name, args=[zoe.pk]), reverse(name, args=[missing_id()])
    not_yours = request(client, method, not_yours_url)
    missing = request(client, method, missing_url)
    assert not_yours.status_code == 404, not_yours.status_code
    assert missing.status_code == 404
    # The same page but for the CSRF token and the address typed (the language switch's
    # "next"), which the visitor already knows.
    assert without_tokens(not_yours, not_yours_url) == without_tokens(missing, missing_url)
    # Nothing about Zoé leaks into the page (her accented name: a random CSRF token can hold
    # "Zo", never "Zoé").
    assert "Zoé" not in not_yours.content.decode()


def test_the_parents_own_child_page_opens(client, family):
    client.force_login(family.parent)
    assert client.get(child_url(family.lea)).status_code == 200
    assert client.get(child_url(family.noah)).status_code == 200


def test_the_other_parent_sees_only_zoe(client, family, zoe):
    client.force_login(Guardian.objects.get(student=zoe).account)
    text = client.get(HOME).content.decode()
    assert "Zoé Roy" in text
    assert "Léa" not in text and "Noah" not in text
    assert client.get(child_url(family.lea)).status_code == 404


@pytest.mark.parametrize("who", ["student", "employee"])
def test_a_student_or_an_employee_gets_404_on_parent_pages(client, cepeo, family, who):
    if who == "student":
        user = activate(family.lea, password=PASSWORD)  # even the child herself
    else:
        user = activate(make_employee(cepeo), password=PASSWORD)
    client.force_login(user)
    assert client.get(HOME).status_code == 404
    for name, method in PER_CHILD:
        url = reverse(name, args=[family.lea.pk])
        assert request(client, method, url).status_code == 404, url


@pytest.mark.parametrize(
    "url",
    [HOME, reverse("parents:child", args=[1]), reverse("parents:store", args=[1])],
)
def test_a_visitor_is_sent_to_the_parents_login_and_back(client, cepeo, url):
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("parents:login")
    assert parse_qs(location.query) == {"next": [url]}


def test_unlinking_the_account_ends_the_access_at_once(client, family):
    client.force_login(family.parent)
    assert "Noah Testtest" in client.get(HOME).content.decode()
    Guardian.objects.filter(student=family.noah).update(account=None)
    text = client.get(HOME).content.decode()
    assert "Noah Testtest" not in text and "Léa Testtest" in text
    assert client.get(child_url(family.noah)).status_code == 404
    assert client.get(child_url(family.lea)).status_code == 200


def test_withdrawing_can_view_ends_the_access_at_once(client, family):
    client.force_login(family.parent)
    assert client.get(child_url(family.lea)).status_code == 200
    Guardian.objects.filter(student=family.lea).update(can_view=False)
    assert "Léa Testtest" not in client.get(HOME).content.decode()
    assert client.get(child_url(family.lea)).status_code == 404
    # The switcher on the other child's page no longer offers her either.
    assert "Léa Testtest" not in client.get(child_url(family.noah)).content.decode()


def visible(client, student: Student) -> bool:
    """Whether the child is on the parent's home, checked against the child's page: the two
    must always agree."""
    on_home = student.full_name in client.get(HOME).content.decode()
    status = client.get(child_url(student)).status_code
    assert status in (200, 404)
    assert on_home == (status == 200), (on_home, status)
    return on_home


def set_birthdate(student: Student, years: int, days: int = 0) -> None:
    Student.objects.filter(pk=student.pk).update(birthdate=birthday_years_ago(years, days=days))
    student.refresh_from_db()


def test_the_access_ends_on_the_18th_birthday(client, family):
    client.force_login(family.parent)
    set_birthdate(family.lea, 18, days=1)  # 18 tomorrow
    assert visible(client, family.lea)
    set_birthdate(family.lea, 18)  # 18 today
    assert not visible(client, family.lea)
    assert visible(client, family.noah)


def test_a_child_born_on_1_march_is_shown_until_the_18th_birthday_in_a_leap_year(client, family):
    # 29 February 2028: 2010 had no 29 February. Léa, born 1 March 2010, turns 18 tomorrow.
    Student.objects.filter(pk=family.lea.pk).update(birthdate=datetime.date(2010, 3, 1))
    with freeze_time("2028-02-29 12:00:00"):
        client.force_login(family.parent)
        assert visible(client, family.lea)
    with freeze_time("2028-03-01 12:00:00"):
        client.force_login(family.parent)
        assert not visible(client, family.lea)
    # Born 28 February 2010: 18 on the 28th, no longer shown on the 29th.
    Student.objects.filter(pk=family.lea.pk).update(birthdate=datetime.date(2010, 2, 28))
    with freeze_time("2028-02-29 12:00:00"):
        client.force_login(family.parent)
        assert not visible(client, family.lea)


def test_a_file_that_keeps_the_access_after_majority(client, family):
    client.force_login(family.parent)
    set_birthdate(family.lea, 19)
    assert not visible(client, family.lea)
    Guardian.objects.filter(student=family.lea).update(access_after_majority=True)
    assert visible(client, family.lea)


def test_an_institution_without_an_age_limit(client, family, cepeo):
    client.force_login(family.parent)
    set_birthdate(family.lea, 25)
    assert not visible(client, family.lea)
    Institution.objects.filter(pk=cepeo.pk).update(parent_access_until_age=None)
    assert visible(client, family.lea)


def test_another_configured_age_is_respected(client, family, cepeo):
    Institution.objects.filter(pk=cepeo.pk).update(parent_access_until_age=16)
    client.force_login(family.parent)
    set_birthdate(family.lea, 16, days=1)  # 16 tomorrow
    assert visible(client, family.lea)
    set_birthdate(family.lea, 16)  # 16 today
    assert not visible(client, family.lea)
    set_birthdate(family.lea, 17)  # under 18, but over the institution's 16
    assert not visible(client, family.lea)


def test_parents_pages_are_404_when_the_parents_portal_is_off(client, family, cepeo):
    client.force_login(family.parent)
    assert client.get(HOME).status_code == 200
    Institution.objects.filter(pk=cepeo.pk).update(parent_portal_enabled=False)
    assert client.get(HOME).status_code == 404
    for name, method in PER_CHILD:
        url = reverse(name, args=[family.lea.pk])
        assert request(client, method, url).status_code == 404, url
    client.logout()
    assert client.get(HOME).status_code == 404  # not even a redirect to a login that is off
