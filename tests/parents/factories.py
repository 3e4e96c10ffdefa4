"""Families for the parents' portal tests: children on file, guardians, parent accounts."""

import datetime
from typing import Any

from django.utils import timezone

from accounts.models import SecretAnswer, SecretQuestion, User
from parents.models import Guardian
from portal.normalize import normalize_answer
from students.models import Student
from tests.factories import hashed

PARENT_PASSWORD = "une phrase de passe solide 2026"
PARENT_ANSWER = "Tintin"


def make_guardian(student: Student, **fields: Any) -> Guardian:
    defaults: dict[str, Any] = {
        "last_name": "Testtest",
        "first_name": "Adzo",
        "email": "adzo.test@example.com",
        "phone": "613 555-0101",
        "civic_number": "2445",
        "relationship": "mère",
        "can_view": True,
    }
    defaults.update(fields)
    return Guardian.objects.create(student=student, **defaults)


def make_parent(
    email: str = "adzo.test@example.com",
    *,
    password: str = PARENT_PASSWORD,
    answer: str = PARENT_ANSWER,
    link: bool = True,
    **fields: Any,
) -> User:
    """An active parent account as account creation leaves it: a password, one secret answer,
    and (with `link`) every guardian row with this email linked to it."""
    email = email.lower()
    user = User.objects.create(
        username=User.username_for(User.Audience.PARENT, email),
        audience=User.Audience.PARENT,
        identifier=email,
        email=email,
        first_name=fields.pop("first_name", "Adzo"),
        last_name=fields.pop("last_name", "Testtest"),
        password=hashed(password),
        activated_at=timezone.now(),
        **fields,
    )
    question = SecretQuestion.objects.order_by("position", "pk").first()
    if question is not None:
        SecretAnswer.objects.create(
            user=user, question=question, answer_hash=hashed(normalize_answer(answer))
        )
    if link:
        Guardian.objects.filter(email=email).update(account=user, linked_at=timezone.now())
    return user


def birthday_years_ago(years: int, *, days: int = 0) -> datetime.date:
    """A birthdate `years` ago today, moved by `days` (positive: younger)."""
    today = timezone.localdate()
    try:
        date = today.replace(year=today.year - years)
    except ValueError:
        date = today.replace(year=today.year - years, day=28)
    return date + datetime.timedelta(days=days)
