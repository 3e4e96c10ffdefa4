"""Confirmation numbers: one format for every sensitive confirmation in the portal (course
choice, enrolment confirmation, schedule change, approved payments: their reference is drawn
the same way), stored so that staff can look one up in the
admin ("Numéros de confirmation") when a person calls with it.

Format: three groups of four characters from an alphabet without look-alikes (no 0/O, 1/I/L),
e.g. `K7QM-4TXD-92HP`; random (a number reveals nothing about how many were issued), about
1.2e18 possibilities, unique in the database.
"""

import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction

from portal.models import Confirmation

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
NUMBER_RE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def confirmation_number_new() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def confirmation_number_normalize(value: str) -> str:
    """What a person types or reads out (lower case, spaces, no dashes) as the stored number."""
    raw = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else value.strip().upper()


def confirmation_issue(
    *, kind: str, user: Any, identifier: str = "", summary: str = "", number: str = ""
) -> Confirmation:
    """A confirmation number for `user`, stored (inside the caller's transaction). `number`:
    one the caller already drew with `confirmation_number_new()` (a payment's reference, shown
    before the payment is approved); a new one is drawn should it be taken."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Confirmation.objects.create(
                    number=number or confirmation_number_new(),
                    kind=kind,
                    user=user,
                    identifier=identifier[:40],
                    summary=summary[:300],
                )
        except IntegrityError:  # the same random number twice: draw again
            number = ""
            continue
    raise RuntimeError("No free confirmation number after 5 draws")
