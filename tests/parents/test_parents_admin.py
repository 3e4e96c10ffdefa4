"""The registrar's side of the parents' portal, in the admin: unlinking a parent (the access
ends at once), answering help requests, what view-only staff cannot do, and lists that load in
a few queries."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from parents.models import Guardian, HelpRequest, StoreItem, StoreOrder, StoreOrderLine
from portal.models import AuditEvent, Institution
from students.models import Student
from tests.accounts.test_first_use import page
from tests.factories import make_invoice, make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent

GUARDIANS = reverse("admin:parents_guardian_changelist")
HELP_REQUESTS = reverse("admin:parents_helprequest_changelist")


@pytest.fixture
def child(cepeo: Institution) -> Student:
    return make_student(
        cepeo, last_name="Testtest", first_name="Léa", birthdate=birthday_years_ago(12)
    )


@pytest.fixture
def guardian(child: Student) -> Guardian:
    return make_guardian(child, email="adzo.test@example.com")


@pytest.fixture
def parent(guardian: Guardian) -> User:
    return make_parent("adzo.test@example.com")


def make_help_request(institution: Institution, **fields: str) -> HelpRequest:
    values = {
        "parent_last_name": "Testtest",
        "parent_first_name": "Adzo",
        "email": "adzo.test@example.com",
        "day_phone": "613 555-0101",
        "child_last_name": "Testtest",
        "child_first_name": "Léa",
        "grade": "6e année",
        "school": institution.schools.get(code="carrefour-jeunesse"),
        "description": "Mon deuxième enfant n'apparaît pas.",
        **fields,
    }
    return HelpRequest.objects.create(**values)


@pytest.fixture
def viewer(db) -> User:
    user = User.objects.create_user("lecteur", password="Lecteur-Test-2026", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_guardian", "view_helprequest", "view_storeorder"]
        )
    )
    return user


# --- Unlinking ----------------------------------------------------------------------------------


def test_unlinking_ends_a_logged_in_parents_access_at_once(
    client, admin_client, admin_user, cepeo, child, guardian, parent
):
    client.force_login(parent)
    child_page = reverse("parents:child", args=[child.pk])
    assert client.get(child_page).status_code == 200

    response = admin_client.post(GUARDIANS, {"action": "unlink", "_selected_action": [guardian.pk]})

    assert response.status_code == 302
    assert "1 parent(s) délié(s) de leur compte" in page(admin_client.get(response["Location"]))
    guardian.refresh_from_db()
    assert (guardian.account, guardian.linked_at) == (None, None)
    # The same session, the next page: the child is gone.
    assert client.get(child_page).status_code == 404
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PARENT_UNLINKED)
    assert (event.actor, event.subject) == (admin_user, parent)
    assert event.details["student"] == child.matricule
    assert event.details["reason"] == "staff"
    # The parent's account itself stays.
    parent.refresh_from_db()
    assert parent.is_active


def test_unlinking_a_row_without_account_does_nothing(admin_client, guardian):
    response = admin_client.post(GUARDIANS, {"action": "unlink", "_selected_action": [guardian.pk]})
    assert "0 parent(s) délié(s)" in page(admin_client.get(response["Location"]))
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PARENT_UNLINKED).exists()


def test_changing_a_rows_email_in_the_admin_unlinks_it(admin_client, child, guardian, parent):
    url = reverse("admin:parents_guardian_change", args=[guardian.pk])
    response = admin_client.post(
        url,
        {
            "student": child.pk,
            "relationship": "mère",
            "last_name": "Testtest",
            "first_name": "Adzo",
            "email": "Adzo.Autre@example.com",
            "phone": "613 555-0101",
            "civic_number": "2445",
            "can_view": "on",
        },
    )
    assert response.status_code == 302, page(response)
    guardian.refresh_from_db()
    assert guardian.email == "adzo.autre@example.com"
    assert guardian.account is None
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PARENT_UNLINKED, subject=parent).exists()


def test_the_guardian_list_searches_by_child(admin_client, child, guardian, parent):
    text = page(admin_client.get(GUARDIANS, {"q": child.matricule}))
    assert "adzo.test@example.com" in text
    assert '<option value="unlink">Délier le compte du parent</option>' in text
    assert "adzo.test@example.com" not in page(admin_client.get(GUARDIANS, {"q": "Personne"}))


# --- Help requests ------------------------------------------------------------------------------


def test_marking_a_request_answered(admin_client, admin_user, cepeo):
    help_request = make_help_request(cepeo)

    response = admin_client.post(
        HELP_REQUESTS, {"action": "mark_answered", "_selected_action": [help_request.pk]}
    )

    assert response.status_code == 302
    help_request.refresh_from_db()
    assert help_request.answered_at is not None
    assert help_request.answered_by == admin_user
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PARENT_HELP_ANSWERED)
    assert event.actor == admin_user
    assert event.details == {"help_request": help_request.pk, "school": "carrefour-jeunesse"}
    # Answered again by someone else: the first answer is kept.
    answered_at = help_request.answered_at
    other = User.objects.create_superuser("autre", password="Autre-Test-2026")
    admin_client.force_login(other)
    admin_client.post(
        HELP_REQUESTS, {"action": "mark_answered", "_selected_action": [help_request.pk]}
    )
    help_request.refresh_from_db()
    assert (help_request.answered_at, help_request.answered_by) == (answered_at, admin_user)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PARENT_HELP_ANSWERED).count() == 1


def test_unanswered_requests_come_first(admin_client, cepeo, admin_user):
    answered = make_help_request(cepeo, child_first_name="Répondue")
    make_help_request(cepeo, child_first_name="Attente")
    make_help_request(cepeo, child_first_name="Dernière")
    HelpRequest.objects.filter(pk=answered.pk).update(answered_at=answered.created_at)

    text = page(admin_client.get(HELP_REQUESTS))

    order = [text.index(f"{name} Testtest") for name in ("Dernière", "Attente", "Répondue")]
    assert order == sorted(order)
    only_waiting = page(admin_client.get(HELP_REQUESTS, {"repondue": "no"}))
    assert "Répondue Testtest" not in only_waiting and "Attente Testtest" in only_waiting


def test_a_request_is_read_only_and_cannot_be_added(admin_client, cepeo):
    help_request = make_help_request(cepeo)
    url = reverse("admin:parents_helprequest_change", args=[help_request.pk])
    text = page(admin_client.get(url))
    assert "Mon deuxième enfant n'apparaît pas." in text
    assert 'name="description"' not in text
    admin_client.post(url, {"description": "Changé"})
    help_request.refresh_from_db()
    assert help_request.description == "Mon deuxième enfant n'apparaît pas."
    assert admin_client.get(reverse("admin:parents_helprequest_add")).status_code == 403


# --- Permissions --------------------------------------------------------------------------------


def test_view_only_staff_can_neither_unlink_nor_answer(client, viewer, cepeo, guardian, parent):
    help_request = make_help_request(cepeo)
    client.force_login(viewer)

    assert client.get(GUARDIANS).status_code == 200
    assert "Délier le compte du parent" not in page(client.get(GUARDIANS))
    client.post(GUARDIANS, {"action": "unlink", "_selected_action": [guardian.pk]})
    client.post(HELP_REQUESTS, {"action": "mark_answered", "_selected_action": [help_request.pk]})

    guardian.refresh_from_db()
    help_request.refresh_from_db()
    assert guardian.account == parent
    assert help_request.answered_at is None
    assert not AuditEvent.objects.filter(
        kind__in=[AuditEvent.Kind.PARENT_UNLINKED, AuditEvent.Kind.PARENT_HELP_ANSWERED]
    ).exists()


def test_orders_are_read_only_even_for_a_superuser(admin_client, cepeo, child, parent):
    order = _order(cepeo, child, parent)
    url = reverse("admin:parents_storeorder_change", args=[order.pk])
    text = page(admin_client.get(url))
    assert "Agenda scolaire" in text
    assert "24,00 $" in text
    assert (
        admin_client.post(reverse("admin:parents_storeorder_delete", args=[order.pk])).status_code
        == 403
    )
    assert StoreOrder.objects.filter(pk=order.pk).exists()


# --- The lists load, in a few queries -----------------------------------------------------------


def _order(institution: Institution, child: Student, parent: User) -> StoreOrder:
    school = institution.schools.get(code="carrefour-jeunesse")
    item, _created = StoreItem.objects.get_or_create(
        school=school,
        name="Agenda scolaire",
        defaults={
            "price": Decimal("12.00"),
            "available_from": "2026-01-01",
            "available_until": "2026-12-31",
        },
    )
    invoice = make_invoice(child, lines=(("Agenda scolaire × 2", "24.00", False),))
    order = StoreOrder.objects.create(parent=parent, student=child, invoice=invoice)
    StoreOrderLine.objects.create(order=order, item=item, quantity=2, unit_price=Decimal("12.00"))
    return order


@pytest.mark.parametrize(
    "name",
    [
        "admin:parents_guardian_changelist",
        "admin:parents_storeitem_changelist",
        "admin:parents_storeorder_changelist",
        "admin:parents_helprequest_changelist",
    ],
)
def test_the_lists_load_in_a_few_queries(
    admin_client, cepeo, parent, name, django_assert_max_num_queries
):
    for n in range(12):
        student = make_student(cepeo, first_name=f"Enfant{n}", birthdate=birthday_years_ago(10))
        make_guardian(student, email="adzo.test@example.com")
        make_guardian(student, email=f"autre{n}@example.com", first_name="Kwame")
        _order(cepeo, student, parent)
        make_help_request(cepeo, child_first_name=f"Enfant{n}")
    Guardian.objects.filter(email="adzo.test@example.com").update(account=parent)

    with django_assert_max_num_queries(15):
        response = admin_client.get(reverse(name))

    assert response.status_code == 200


def test_the_institution_and_student_forms_show_the_parents_settings(admin_client, cepeo, child):
    text = page(admin_client.get(reverse("admin:portal_institution_change", args=[cepeo.pk])))
    assert "Portail des parents" in text
    for name in ("parent_portal_enabled", "parent_access_until_age", "diploma_credits"):
        assert f'name="{name}"' in text, name
    assert 'name="schools-0-offers_store"' in text
    Student.objects.filter(pk=child.pk).update(grade="6e année")
    text = page(admin_client.get(reverse("admin:students_student_change", args=[child.pk])))
    assert 'name="grade"' in text and 'value="6e année"' in text
    assert "6e année" in page(admin_client.get(reverse("admin:students_student_changelist")))
