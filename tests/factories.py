"""Registrar records and accounts for tests: written once, used everywhere."""

import datetime
import itertools
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import SecretAnswer, SecretQuestion, User
from portal.models import Institution
from portal.normalize import normalize_answer
from portal.selectors import school_main
from students import code_permanent
from students.models import Employee, Student

_numbers = itertools.count(1)


def make_student(institution: Institution, **fields: Any) -> Student:
    """A student of the institution's main school, with a code permanent that agrees with
    their names and birthdate unless one is given."""
    n = next(_numbers)
    defaults: dict[str, Any] = {
        "matricule": str(1000000 + n)[-institution.identifier_length :].rjust(
            institution.identifier_length, "0"
        ),
        "last_name": "Tremblay",
        "first_name": "Éloïse",
        "birthdate": datetime.date(2006, 3, 5),
        "sex": "F",
        "email": "",
        "postal_code": "J7Z 4V2",
        "school": school_main(institution),
    }
    defaults.update(fields)
    if "code_permanent" not in fields:
        defaults["code_permanent"] = code_permanent.build(
            last_name=defaults["last_name"],
            first_name=defaults["first_name"],
            birthdate=defaults["birthdate"],
            sex=defaults["sex"],
            suffix=f"{n % 100:02d}",
        )
    return Student.objects.create(**defaults)


def activate(record: Student | Employee, *, password: str, answers: tuple[str, ...] = ()) -> User:
    """An account as first use leaves it: a password, and hashed answers to the first questions."""
    audience = User.Audience.STUDENT if isinstance(record, Student) else User.Audience.EMPLOYEE
    identifier = record.matricule if isinstance(record, Student) else record.employee_number
    user = User.objects.create(
        username=User.username_for(audience, identifier),
        audience=audience,
        identifier=identifier,
        first_name=record.first_name,
        last_name=record.last_name,
        email=record.email,
        password=make_password(password),
        activated_at=timezone.now(),
    )
    for position, (question, answer) in enumerate(
        zip(SecretQuestion.objects.all(), answers, strict=False)
    ):
        SecretAnswer.objects.create(
            user=user,
            question=question,
            answer_hash=make_password(normalize_answer(answer)),
            position=position,
        )
    record.user = user
    record.save(update_fields=["user"])
    return user


def make_employee(institution: Institution, **fields: Any) -> Employee:
    n = next(_numbers)
    defaults: dict[str, Any] = {
        "employee_number": f"{50000 + n}",
        "last_name": "Bergeron",
        "first_name": "Isabelle",
        "email": f"employe{n}@cegep.example",
        "department": "Mathématiques",
        "school": school_main(institution),
    }
    defaults.update(fields)
    return Employee.objects.create(**defaults)


def make_invoice(
    student: Student,
    *,
    number: str | None = None,
    lines: tuple[tuple[str, str, bool], ...] = (("Droits d'inscription", "275.00", False),),
    session: str = "AUT-2026",
    description: str = "Droits de scolarité",
    due_in_days: int = 30,
) -> Any:
    """An open invoice of the student with its lines: (description, amount, voluntary)."""
    from decimal import Decimal

    from billing.models import Invoice, InvoiceLine

    n = next(_numbers)
    invoice = Invoice.objects.create(
        student=student,
        number=number or f"FAC{n:08d}",
        session=session,
        description=description,
        due_date=timezone.localdate() + datetime.timedelta(days=due_in_days),
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            description=text,
            amount=Decimal(amount),
            voluntary=voluntary,
            position=position,
        )
        for position, (text, amount, voluntary) in enumerate(lines)
    )
    return invoice
