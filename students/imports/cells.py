"""The cell rules, written once for every kind: numbers, amounts, dates, times, yes/no, text
within a length, emails, and the lookups a cell names (the school, the program, the student by
matricule, the term). Each rule takes the cell's text (already stripped) and returns the value,
or raises ValidationError with a French message that quotes the value and says what to do."""

import datetime
import functools
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from portal.models import Institution, School
from portal.selectors import school_main
from students.models import Program, Student
from students.services import programs_create

# Digits, then at most one decimal mark: the point, or the comma of a French spreadsheet (a cell
# is already cut at the file's delimiter, so a comma inside it can only be a decimal mark).
NUMBER_RE = re.compile(r"([0-9]+)(?:[.,]([0-9]+))?")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::00)?")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SMALL_INT_MAX = 32767  # PositiveSmallIntegerField, on every backend
AMOUNT_MAX = Decimal("99999999.99")  # InvoiceLine.amount: 10 digits, 2 of them decimals

# The yes/no cells every import accepts (invoices' `voluntary`, guardians' `can_view`…).
YES_NO = {
    "oui": True,
    "non": False,
    "yes": True,
    "no": False,
    "vrai": True,
    "faux": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}

# A term an import may create: its season and year, and the dates it is given ((month, day) of
# its start and end); staff adjust them in the admin (docs/import.md).
TERM_RE = re.compile(r"(AUT|HIV|ETE)-(20[0-9]{2})")
TERM_DATES = {
    "AUT": ((8, 20), (12, 20)),
    "HIV": ((1, 15), (5, 15)),
    "ETE": ((5, 20), (8, 10)),
}


def received(value: str) -> str:
    return _("Valeur reçue : « %(value)s ».") % {"value": value}


def zeros_hint() -> str:
    return _("Si Excel a retiré les zéros du début, mettez la colonne au format Texte.")


# --- Numbers ------------------------------------------------------------------------------------


def decimal(value: str, header: str, *, low: Decimal, high: Decimal, example: str) -> Decimal:
    """A decimal with at most 2 decimals, written with the point or the comma, in [low, high]."""
    negative = value.startswith("-")
    match = NUMBER_RE.fullmatch(value[1:] if negative else value)
    if match is None:
        raise ValidationError(
            _(
                "« %(name)s » doit être un nombre comme %(example)s (le point ou la virgule "
                "comme séparateur décimal)."
            )
            % {"name": header, "example": example}
            + " "
            + received(value)
        )
    if len(match.group(2) or "") > 2:
        raise ValidationError(
            _("« %(name)s » a plus de 2 décimales.") % {"name": header} + " " + received(value)
        )
    if len(match.group(1)) > 20:  # a huge number is out of range; no need to build it
        number = Decimal("Infinity")
    else:
        number = Decimal(value.replace(",", ".")).quantize(CENT)
    if not low <= number <= high:
        raise ValidationError(
            _("« %(name)s » doit être entre %(low)s et %(high)s.")
            % {"name": header, "low": low, "high": high}
            + " "
            + received(value)
        )
    return number


def integer(value: str, header: str, *, low: int, high: int) -> int:
    if not re.fullmatch(r"[0-9]{1,18}", value) or not low <= int(value) <= high:
        raise ValidationError(
            _("« %(name)s » doit être un nombre entier de %(low)d à %(high)d.")
            % {"name": header, "low": low, "high": high}
            + " "
            + received(value)
        )
    return int(value)


def money(value: str) -> Decimal:
    """An amount in dollars and cents, above 0: 275.00 or 275,00, without $ or thousands."""
    if value.startswith("-"):
        raise ValidationError(_("le montant doit être plus grand que 0.") + " " + received(value))
    match = NUMBER_RE.fullmatch(value)
    if match is None:
        raise ValidationError(
            _(
                "le montant doit être un nombre comme 275.00 (ou 275,00), sans symbole $ "
                "ni séparateur de milliers."
            )
            + " "
            + received(value)
        )
    if len(match.group(2) or "") > 2:
        raise ValidationError(
            _(
                "le montant a plus de 2 décimales (les cents) ; n'écrivez pas de séparateur "
                "de milliers."
            )
            + " "
            + received(value)
        )
    too_big = len(match.group(1)) > len(str(int(AMOUNT_MAX)))
    amount = AMOUNT_MAX + 1 if too_big else Decimal(value.replace(",", ".")).quantize(CENT)
    if amount <= 0:
        raise ValidationError(_("le montant doit être plus grand que 0.") + " " + received(value))
    if amount > AMOUNT_MAX:
        raise ValidationError(
            _("le montant dépasse %(max)s $.") % {"max": AMOUNT_MAX.quantize(CENT)}
            + " "
            + received(value)
        )
    return amount


# --- Dates and times ----------------------------------------------------------------------------


def date(value: str, header: str, *, subject: str = "") -> datetime.date | None:
    """A date written AAAA-MM-JJ, or None for an empty cell. `subject` names the cell in the
    messages (« la date de naissance »); by default, its header."""
    if not value:
        return None
    if not DATE_RE.fullmatch(value):
        if subject:
            message = _("%(subject)s doit être au format AAAA-MM-JJ.") % {"subject": subject}
        else:
            message = _("« %(name)s » doit être une date au format AAAA-MM-JJ.") % {"name": header}
        raise ValidationError(message + " " + received(value))
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        if subject:
            message = _("%(subject)s %(value)s n'existe pas.")
        else:
            message = _("la date %(value)s n'existe pas.")
        raise ValidationError(message % {"subject": subject, "value": value}) from None


def time(value: str, header: str) -> datetime.time:
    match = TIME_RE.fullmatch(value)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValidationError(
            _("« %(name)s » doit être une heure au format HH:MM (ex. : 08:30, 13:15).")
            % {"name": header}
            + " "
            + received(value)
        )
    return datetime.time(int(match.group(1)), int(match.group(2)))


# --- Text ---------------------------------------------------------------------------------------


def text(value: str, header: str, limit: int) -> str:
    if len(value) > limit:
        raise ValidationError(
            _("« %(name)s » compte %(count)d caractères ; %(max)d au plus.")
            % {"name": header, "count": len(value), "max": limit}
        )
    return value


def yes_no(value: str, header: str, *, message: str = "") -> bool:
    """oui/non (or yes/no, vrai/faux, 1/0), without case; `message` replaces the default."""
    answer = YES_NO.get(value.strip().casefold())
    if answer is None:
        raise ValidationError(
            (message or _("« %(name)s » doit valoir oui ou non.") % {"name": header})
            + " "
            + received(value)
        )
    return answer


def email(value: str, *, lower: bool = False) -> str:
    """An email address, or "" for an empty cell."""
    address = value.lower() if lower else value
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("le courriel « %(value)s » n'est pas une adresse valide.") % {"value": value}
            ) from None
    return address


# --- Lookups ------------------------------------------------------------------------------------


class Schools:
    """The `school` cell: a school's code, without case; empty means the main school."""

    def __init__(self, institution: Institution) -> None:
        self.main = school_main(institution)
        self.by_code = {school.code.casefold(): school for school in institution.schools.all()}

    def clean(self, value: str) -> School:
        if not value:
            return self.main
        school = self.by_code.get(value.casefold())
        if school is None:
            codes = ", ".join(sorted(school.code for school in self.by_code.values()))
            raise ValidationError(
                _("l'école « %(code)s » n'existe pas. Codes permis : %(codes)s.")
                % {"code": value, "codes": codes}
            )
        return school


class Programs:
    """The `program` cell: a program's code, without case. An unknown code is a program created
    with the import, named after its code until staff rename it."""

    def __init__(self) -> None:
        self.known = {program.code.casefold(): program for program in Program.objects.all()}
        self.new: dict[str, Program] = {}

    def clean(self, value: str) -> Program | None:
        if not value:
            return None
        key = value.casefold()
        program = self.known.get(key) or self.new.get(key)
        if program is None:
            program = self.new[key] = Program(code=value, name=value)
        return program

    def save(self, records: Sequence[Any]) -> None:
        """Creates the new programs and gives them to `records` (inside the import)."""
        if not self.new:
            return
        created = programs_create(codes=[program.code for program in self.new.values()])
        for record in records:
            if record.program is not None and record.program.pk is None:
                record.program = created[record.program.code]

    def notes(self, *, dry_run: bool) -> list[str]:
        return [
            (_("Programme à créer : %(code)s") if dry_run else _("Programme créé : %(code)s"))
            % {"code": program.code}
            + " "
            + _("(nommé d'après son code ; renommez-le dans l'administration).")
            for program in self.new.values()
        ]


def matricule(value: str, institution: Institution) -> str:
    """A new student's matricule: exactly the institution's number of digits."""
    length = institution.identifier_length
    if not re.fullmatch(f"[0-9]{{{length}}}", value):
        message = _(
            "le %(name)s doit compter exactement %(length)d chiffres (ex. : %(example)s). "
            "Valeur reçue : « %(value)s »."
        ) % {
            "name": institution.get_identifier_name_display().lower(),
            "length": length,
            "example": "875".rjust(length, "0")[-length:],
            "value": value,
        }
        if value.isdigit() and len(value) < length:
            message += " " + zeros_hint()
        raise ValidationError(message)
    return value


def student(students: dict[str, Student], value: str, institution: Institution) -> Student:
    """The student a `matricule` cell names, among those the import prefetched; the error says
    what to do, including for the leading zeros a spreadsheet drops."""
    found = students.get(value)
    if found is None:
        message = _(
            "aucun étudiant n'a le %(name)s « %(value)s ». Importez d'abord les étudiants "
            "(import_csv students)."
        ) % {"name": institution.get_identifier_name_display().lower(), "value": value}
        if value.isdigit() and len(value) < institution.identifier_length:
            message += " " + zeros_hint()
        raise ValidationError(message)
    return found


@functools.lru_cache(maxsize=1024)
def term_key(code: str) -> str:
    """A term code as files and records are compared: without case or accents (ÉTÉ-2027).
    (Cached: a file names a few terms on every row.)"""
    if code.isascii():
        return code.upper()
    decomposed = unicodedata.normalize("NFKD", code)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def section_key(cells_: dict[str, str]) -> tuple[str, str, str]:
    """The section a row names (term, course code, group), as rows are compared: what a batch
    of the `sections` and `evaluations` imports never cuts."""
    return (
        term_key(cells_.get("term", "")),
        cells_.get("course_code", "").upper(),
        cells_.get("group", ""),
    )


def term_dates(code: str) -> tuple[datetime.date, datetime.date]:
    """The dates of a term the `sections` import creates, from its code (AUT-2026 …)."""
    match = TERM_RE.fullmatch(code)
    if match is None:
        raise ValueError(f"Not a term code an import can create: {code!r}")
    (start_month, start_day), (end_month, end_day) = TERM_DATES[match.group(1)]
    year = int(match.group(2))
    return datetime.date(year, start_month, start_day), datetime.date(year, end_month, end_day)
