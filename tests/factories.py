"""Registrar records and accounts for tests: written once, used everywhere."""

import datetime
import functools
import itertools
import re
from typing import Any

import pyotp
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecretAnswer, SecretQuestion, TOTPDevice, User
from accounts.services.second_factor import STEP_SECONDS, clock
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


@functools.cache
def hashed(secret: str) -> str:
    """`secret` hashed as the portal hashes passwords and answers (Argon2id, a random salt),
    once per test process: an account costs the tests one hash per distinct secret instead of
    four hashes of about 24 ms each."""
    return make_password(secret)


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
        password=hashed(password),
        activated_at=timezone.now(),
    )
    for position, (question, answer) in enumerate(
        zip(SecretQuestion.objects.all(), answers, strict=False)
    ):
        SecretAnswer.objects.create(
            user=user,
            question=question,
            answer_hash=hashed(normalize_answer(answer)),
            position=position,
        )
    record.user = user
    record.save(update_fields=["user"])
    if audience == User.Audience.EMPLOYEE:
        # Every preset requires a second factor of employees: theirs is set up.
        enrol_totp(user)
    return user


def enrol_totp(user: User) -> str:
    """An authenticator app confirmed for the account; returns its secret."""
    secret = pyotp.random_base32(32)
    TOTPDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": None}
    )
    return secret


def totp_code(user: User) -> str:
    """A code the second step accepts now: the earliest window (previous, current or next)
    after the last code used, so that a test can log the same person in more than once."""
    device = TOTPDevice.objects.get(user=user)
    current = int(clock()) // STEP_SECONDS
    step = current - 1 if device.last_step is None else max(current - 1, device.last_step + 1)
    assert step <= current + 1, "more than three logins in 30 seconds"
    return pyotp.TOTP(device.secret).at(step * STEP_SECONDS)


def second_step(client: Client, response: Any) -> Any:
    """Passes the second step if the login led to it; returns the last response."""
    if response.status_code != 302 or response["Location"] != reverse("accounts:second_factor"):
        return response
    user_id = client.session["_portal_login_stage"]["user"]
    return client.post(response["Location"], {"code": totp_code(User.objects.get(pk=user_id))})


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

    from billing.balances import invoice_balances_refresh
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
    # As every writer of lines does (the invoices import, the services): the stored balance.
    invoice_balances_refresh([invoice.pk])
    invoice.refresh_from_db(fields=["stored_balance"])
    return invoice


def enrol_at_setup(client: Client, response: Any) -> Any:
    """Goes through the required enrolment if the login led to it, as a person would: reads
    the secret off the page, types the app's code, then continues past the recovery codes."""
    setup = reverse("accounts:second_factor_setup")
    if response.status_code != 302 or response["Location"] != setup:
        return response
    text = client.get(setup).content.decode()
    secret = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", text).group(1).replace(" ", "")
    response = client.post(setup, {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == reverse("accounts:recovery_codes")
    codes_page = client.get(response["Location"]).content.decode()
    return client.get(re.search(r'href="([^"]+)" data-continue', codes_page).group(1))
