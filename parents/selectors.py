"""Which children a parent reaches. Every page about a child finds it among
`children_for_parent` (parents.views.common.child_page through `children_of_parent`, its
rows in SQL compiled once per process, or `student_for_parent`), which answers 404 alike for
a child that does not exist and for one that is not this parent's to see."""

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from parents.models import Guardian
from portal.collation import by_name
from portal.models import Institution
from portal.prepared import prepared
from students.models import Student


def majority_cutoff(age: int, today: datetime.date) -> datetime.date:
    """The latest birthdate of a child who is `age` or older today: children born after it
    are younger. A 29 February child turns `age` on 1 March of a non-leap year; on a
    29 February whose year `age` back had none, the cutoff is the 28th, so a child born on
    1 March is still shown until their birthday, the next day."""
    try:
        return today.replace(year=today.year - age)
    except ValueError:
        return today.replace(year=today.year - age, day=28)


def access_cutoff(
    institution: Institution, today: datetime.date | None = None
) -> datetime.date | None:
    """The birthdate after which a child is still under the institution's age limit today
    (`majority_cutoff`), or None when the institution sets no limit."""
    age = institution.parent_access_until_age
    return majority_cutoff(age, today or timezone.localdate()) if age else None


def _guardianships(account: object, cutoff: datetime.date | None) -> QuerySet[Guardian]:
    rows = Guardian.objects.filter(account=account, can_view=True)
    if cutoff is not None:
        rows = rows.filter(Q(student__birthdate__gt=cutoff) | Q(access_after_majority=True))
    return rows


def _children(guardianships: QuerySet[Guardian]) -> QuerySet[Student]:
    return (
        Student.objects.filter(pk__in=guardianships.values("student_id"))
        .select_related("school", "program")
        .order_by("birthdate", *by_name("last_name", "first_name"), "pk")
    )


def visible_guardianships(
    parent: object, institution: Institution, *, today: datetime.date | None = None
) -> QuerySet[Guardian]:
    """The parent's links that give access now: linked to this account, allowed by the file,
    and the child under the institution's age limit unless the file keeps the access."""
    return _guardianships(parent, access_cutoff(institution, today))


def children_for_parent(
    parent: object, institution: Institution, *, today: datetime.date | None = None
) -> QuerySet[Student]:
    """The children the parent may see, youngest last, with their school and program."""
    return _children(visible_guardianships(parent, institution, today=today))


def children_of_parent(
    parent: object, institution: Institution, *, today: datetime.date | None = None
) -> list[Student]:
    """`children_for_parent`'s rows, its SQL compiled once per process (portal/prepared.py):
    every parent page reads them. The parent and the age cutoff (from today's date, read on
    each call) are the query's values; only whether the institution sets an age limit
    changes its shape."""
    cutoff = access_cutoff(institution, today)
    values: dict = {"parent": parent.pk}  # type: ignore[attr-defined]
    if cutoff is not None:
        values["cutoff"] = cutoff
    return prepared(
        ("parent-children", cutoff is not None),
        lambda v: _children(_guardianships(v["parent"], v.get("cutoff"))),
        values,
    )


def student_for_parent(
    parent: object, student_id: int, institution: Institution, *, today: datetime.date | None = None
) -> Student:
    """One child of the parent, or 404 (missing and "not yours" look the same)."""
    student = children_for_parent(parent, institution, today=today).filter(pk=student_id).first()
    if student is None:
        raise Http404
    return student
