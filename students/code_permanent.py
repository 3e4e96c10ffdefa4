"""The Quebec code permanent: 4 letters + 8 digits, e.g. TREJ05530512.

Letters: the first three of the last name and the first of the first name (accents, spaces,
hyphens and apostrophes dropped; a last name shorter than three letters is padded with X).
Digits: day, month (+50 for women), two-digit year of birth, then two administrative digits.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.normalize import strip_accents

# Always used with fullmatch. ASCII digits only: "\d" would also take "٠٥٥٣…", which int() reads.
CODE_PERMANENT_RE = re.compile(r"[A-Z]{4}[0-9]{8}")


def clean_code_permanent(value: str) -> str:
    """Upper-cases and drops spaces; raises ValidationError when the form is wrong."""
    code = re.sub(r"\s+", "", value or "").upper()
    if not CODE_PERMANENT_RE.fullmatch(code):
        raise ValidationError(
            _("Le code permanent compte 4 lettres suivies de 8 chiffres (ex. : TREJ05530512)."),
            code="code_permanent_format",
        )
    return code


def _letters(name: str) -> str:
    return re.sub(r"[^A-Z]", "", strip_accents(name or "").upper())


def expected_prefix(last_name: str, first_name: str) -> str:
    last = _letters(last_name)[:3].ljust(3, "X")
    first = _letters(first_name)[:1] or "X"
    return last + first


def is_consistent(
    code: str, *, last_name: str, first_name: str, birthdate: datetime.date, sex: str = ""
) -> bool:
    """True when a well-formed code agrees with the person's names, birthdate and sex.

    Where sex is not on file (or is neither F nor M), either month encoding is accepted.
    """
    if not CODE_PERMANENT_RE.fullmatch(code or ""):
        return False
    if code[:4] != expected_prefix(last_name, first_name):
        return False
    day, month, year = int(code[4:6]), int(code[6:8]), int(code[8:10])
    if sex == "F":
        months = {birthdate.month + 50}
    elif sex == "M":
        months = {birthdate.month}
    else:
        months = {birthdate.month, birthdate.month + 50}
    return day == birthdate.day and month in months and year == birthdate.year % 100


def build(
    *, last_name: str, first_name: str, birthdate: datetime.date, sex: str, suffix: str = "01"
) -> str:
    """The code permanent these facts give (used by `demo` and the tests' factories)."""
    month = birthdate.month + (50 if sex == "F" else 0)
    return (
        f"{expected_prefix(last_name, first_name)}"
        f"{birthdate.day:02d}{month:02d}{birthdate.year % 100:02d}{suffix}"
    )
