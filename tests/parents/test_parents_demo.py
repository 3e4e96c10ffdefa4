"""`python manage.py demo` and the parents' portal: a family a newcomer can try, whatever the
preset, loaded again without harm."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from parents import demo
from parents.models import Guardian, StoreItem
from parents.selectors import children_for_parent
from portal.models import Institution


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def active_parent() -> User:
    return User.objects.get(audience=User.Audience.PARENT, identifier=demo.ACTIVE_PARENT[2])


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
    assert [child.grade for child in children] == ["11e année", "9e année"]
    for child in children:
        # Each child has this term's courses and last term's final grades.
        assert child.enrolments.filter(final_grade__isnull=True).exists()
        assert child.enrolments.filter(final_grade__isnull=False).exists()
        assert client.get(reverse("parents:child", args=[child.pk])).status_code == 200


def test_the_second_guardian_can_create_an_account(db):
    load_demo()
    rows = Guardian.objects.filter(email=demo.NEW_PARENT[2])
    assert rows.count() == 2
    assert not rows.filter(account__isnull=False).exists()
    assert not User.objects.filter(identifier=demo.NEW_PARENT[2]).exists()
    assert set(rows.values_list("civic_number", flat=True)) == {demo.CIVIC_NUMBER}


def test_the_store_has_articles_on_sale_in_the_schools_offering_it(db):
    load_demo("--preset", "cepeo")
    today = timezone.localdate()
    items = StoreItem.objects.select_related("school")
    assert {item.school.code for item in items} == {"carrefour-jeunesse", "de-la-salle"}
    assert items.count() == 2 * len(demo.STORE_ITEMS)
    for item in items:
        assert item.is_active and item.available_from <= today <= item.available_until


def test_no_parents_where_the_institution_has_no_parents_portal(db):
    output = load_demo("--preset", "thetford")
    assert "Parents' portal" not in output
    assert not Guardian.objects.exists()
    assert not StoreItem.objects.exists()
