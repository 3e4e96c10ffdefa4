"""Two parents of the same child pay for the last agenda the limit allows, at the same moment:
one order is placed, the other is refused, and nothing is half-written (PostgreSQL's row locks;
SQLite serialises every writer anyway)."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from parents.models import CartLine, StoreOrder
from parents.services.store import StoreError, store_checkout
from portal.models import School
from students.models import Student
from tests.factories import make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent
from tests.parents.test_store import make_item


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_at_once_never_exceed_the_limit_per_child(load_preset):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises every writer anyway")
    cepeo = load_preset("cepeo")
    carrefour = School.objects.get(code="carrefour-jeunesse")
    zoe = make_student(cepeo, first_name="Zoé", birthdate=birthday_years_ago(12), school=carrefour)
    make_guardian(zoe, email="maman@example.com")
    make_guardian(zoe, email="papa@example.com", first_name="Paul")
    parents = [make_parent("maman@example.com"), make_parent("papa@example.com")]
    agenda = make_item(carrefour, limit_per_child=1)
    for parent in parents:
        CartLine.objects.create(parent=parent, student=zoe, item=agenda, quantity=1)

    barrier = threading.Barrier(2)
    placed, refused, errors = [], [], []

    def checkout(parent_pk: int) -> None:
        try:
            parent = get_user_model().objects.get(pk=parent_pk)
            student = Student.objects.get(pk=zoe.pk)
            barrier.wait(timeout=10)
            placed.append(store_checkout(request=None, parent=parent, student=student))
        except StoreError:
            refused.append(parent_pk)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout, args=(parent.pk,)) for parent in parents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert (len(placed), len(refused)) == (1, 1)
    assert StoreOrder.objects.filter(student=zoe).count() == 1
    # The refused parent's cart is left as it was, flagged in the cart page.
    assert CartLine.objects.filter(parent_id=refused[0]).count() == 1
