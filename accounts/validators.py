"""Password validators: the institution's stated policy, then the checks every policy gets.

Each is a Django password validator (`validate()` and `get_help_text()`), so the admin, the
first-use flow and every later password form apply the same rules. A password is never
truncated: a password longer than the policy's maximum is refused, not cut.
"""

import re
from typing import Any

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    UserAttributeSimilarityValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.normalize import normalize_name, strip_accents

# fullmatch, not "^…$": "$" also matches before a final newline, which would let "abcd\n" by.
ASCII_ALNUM_RE = re.compile(r"[A-Za-z0-9]*")
# The institutions' "chiffres (0 à 9)": str.isdigit() would also count "²" or "٣".
ASCII_DIGITS = frozenset("0123456789")


def _institution(institution: Any = None) -> Any:
    if institution is not None:
        return institution
    from portal.selectors import institution_current

    return institution_current()


class InstitutionPolicyValidator:
    """Length, character classes and allowed characters, as the institution states them."""

    def __init__(self, institution: Any = None) -> None:
        self._given = institution

    @property
    def institution(self) -> Any:
        if self._given is None:
            self._given = _institution()
        return self._given

    def validate(self, password: str, user: Any = None) -> None:
        policy = self.institution
        errors = []
        length = len(password)
        if length < policy.password_min_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "Le mot de passe doit compter au moins %(n)d caractère.",
                        "Le mot de passe doit compter au moins %(n)d caractères.",
                        policy.password_min_length,
                    ),
                    code="password_too_short",
                    params={"n": policy.password_min_length},
                )
            )
        if length > policy.password_max_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "Le mot de passe doit compter au plus %(n)d caractère.",
                        "Le mot de passe doit compter au plus %(n)d caractères.",
                        policy.password_max_length,
                    ),
                    code="password_too_long",
                    params={"n": policy.password_max_length},
                )
            )
        if policy.password_charset == "ascii_alnum" and not ASCII_ALNUM_RE.fullmatch(password):
            errors.append(
                ValidationError(
                    _(
                        "Seuls les chiffres (0 à 9) et les lettres non accentuées (a à z) "
                        "sont permis."
                    ),
                    code="password_charset",
                )
            )
        letters = sum(1 for char in password if char.isalpha())
        digits = sum(1 for char in password if char in ASCII_DIGITS)
        uppercase = sum(1 for char in password if char.isupper())
        for count, needed, code, message in (
            (
                letters,
                policy.password_min_letters,
                "password_letters",
                lambda n: ngettext(
                    "Le mot de passe doit contenir au moins %(n)d lettre.",
                    "Le mot de passe doit contenir au moins %(n)d lettres.",
                    n,
                ),
            ),
            (
                digits,
                policy.password_min_digits,
                "password_digits",
                lambda n: ngettext(
                    "Le mot de passe doit contenir au moins %(n)d chiffre.",
                    "Le mot de passe doit contenir au moins %(n)d chiffres.",
                    n,
                ),
            ),
            (
                uppercase,
                policy.password_min_uppercase,
                "password_uppercase",
                lambda n: ngettext(
                    "Le mot de passe doit contenir au moins %(n)d majuscule.",
                    "Le mot de passe doit contenir au moins %(n)d majuscules.",
                    n,
                ),
            ),
        ):
            if count < needed:
                errors.append(ValidationError(message(needed), code=code, params={"n": needed}))
        trailing = policy.password_trailing_digits
        if trailing and not (
            length >= trailing and all(char in ASCII_DIGITS for char in password[-trailing:])
        ):
            errors.append(
                ValidationError(
                    ngettext(
                        "Le mot de passe doit se terminer par %(n)d chiffre.",
                        "Le mot de passe doit se terminer par %(n)d chiffres.",
                        trailing,
                    ),
                    code="password_trailing_digits",
                    params={"n": trailing},
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        policy = self.institution
        parts = [
            _("de %(min)d à %(max)d caractères")
            % {"min": policy.password_min_length, "max": policy.password_max_length}
        ]
        if policy.password_min_letters:
            parts.append(
                ngettext(
                    "au moins %(n)d lettre", "au moins %(n)d lettres", policy.password_min_letters
                )
                % {"n": policy.password_min_letters}
            )
        if policy.password_min_digits:
            parts.append(
                ngettext(
                    "au moins %(n)d chiffre", "au moins %(n)d chiffres", policy.password_min_digits
                )
                % {"n": policy.password_min_digits}
            )
        if policy.password_min_uppercase:
            parts.append(
                ngettext(
                    "au moins %(n)d majuscule",
                    "au moins %(n)d majuscules",
                    policy.password_min_uppercase,
                )
                % {"n": policy.password_min_uppercase}
            )
        if policy.password_charset == "ascii_alnum":
            parts.append(_("seulement des chiffres et des lettres non accentuées"))
        if policy.password_trailing_digits:
            parts.append(
                ngettext(
                    "se terminant par %(n)d chiffre",
                    "se terminant par %(n)d chiffres",
                    policy.password_trailing_digits,
                )
                % {"n": policy.password_trailing_digits}
            )
        return _("Votre mot de passe : %(rules)s.") % {"rules": ", ".join(parts)}


def personal_facts(user: Any) -> list[str]:
    """What a person's password must not contain: number, names, birthdate, code permanent.

    Accepts a User (facts come from its linked record) or a registrar record directly.
    """
    return list(dict.fromkeys(fact for _kind, fact in _kinded_facts(user)))


def personal_facts_of_kind(user: Any, kind: str) -> list[str]:
    """The facts of one kind: "number", "code", "name" or "birthdate"."""
    return [fact for fact_kind, fact in _kinded_facts(user) if fact_kind == kind]


def _kinded_facts(user: Any) -> list[tuple[str, str]]:
    records = [user]
    for related in ("student", "employee"):
        # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
        record = getattr(user, related, None)
        if record is not None:
            records.append(record)
    facts: list[tuple[str, str]] = []
    for record in records:
        for attr in ("identifier", "matricule", "employee_number", "code_permanent"):
            value = getattr(record, attr, "") or ""
            if len(value) >= 3:
                facts.append(("code" if attr == "code_permanent" else "number", value.casefold()))
        for attr in ("first_name", "last_name"):
            # "D'Amour-Roy" gives "damourroy", and also "damour", "amour" and "roy" on their
            # own; and "d'amour-roy" as written, which a secret answer is compared with.
            full = getattr(record, attr, "") or ""
            written = " ".join(full.casefold().split())
            parts = (full, *re.split(r"[\s-]+", full), *re.split(r"[\s'’-]+", full))
            names = [normalize_name(part) for part in parts]
            for name in (*names, written):
                if len(name) >= 3 and ("name", name) not in facts:
                    facts.append(("name", name))
        # The full name, either way round ("Alice Tremblay", "Tremblay Alice"), as an answer.
        first, last = (
            getattr(record, "first_name", "") or "",
            getattr(record, "last_name", "") or "",
        )
        if first and last:
            for full in (f"{first} {last}", f"{last} {first}"):
                for name in (normalize_name(full), " ".join(full.casefold().split())):
                    if ("name", name) not in facts:
                        facts.append(("name", name))
        birthdate = getattr(record, "birthdate", None)
        if birthdate:
            facts.extend(
                ("birthdate", birthdate.strftime(fmt))
                for fmt in (
                    "%Y%m%d",
                    "%d%m%Y",
                    "%m%d%Y",
                    "%Y-%m-%d",
                    "%d-%m-%Y",
                    # JJ/MM/AAAA is how the seeds ask for it: an answer may be typed that way.
                    "%d/%m/%Y",
                    "%Y/%m/%d",
                    "%d%m%y",
                    "%y%m%d",
                )
            )
    return facts


class PersonalDataValidator:
    """Refuses a password that contains the person's own number, names, birthdate or code,
    and says which of them it found."""

    def __init__(self, institution: Any = None, audience: str | None = None) -> None:
        self._given = institution
        self.audience = audience

    @property
    def institution(self) -> Any:
        if self._given is None:
            self._given = _institution()
        return self._given

    def _identifier_name(self) -> str:
        return str(self.institution.get_identifier_name_display()).lower()

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        folded = password.casefold()
        loose = re.sub(r"[^a-z0-9]", "", strip_accents(folded))
        for kind, fact in _kinded_facts(user):
            if fact in folded or (fact.isalnum() and fact in loose):
                found = {
                    "birthdate": _("votre date de naissance"),
                    "code": _("votre code permanent"),
                    "number": _("votre %(identifier)s") % {"identifier": self._identifier_name()},
                }.get(kind, _("votre nom"))
                raise ValidationError(
                    _("Le mot de passe contient %(found)s. %(rule)s")
                    % {"found": found, "rule": self.rule(getattr(user, "audience", None))},
                    code="password_personal_data",
                )

    def rule(self, audience: str | None = None) -> str:
        if (audience or self.audience) == "parent":
            return _("Il ne doit contenir ni votre nom, ni votre courriel.")
        if self.institution.uses_code_permanent:
            return _(
                "Il ne doit pas contenir votre nom, votre %(identifier)s, votre code permanent "
                "ou votre date de naissance."
            ) % {"identifier": self._identifier_name()}
        return _(
            "Il ne doit pas contenir votre nom, votre %(identifier)s ou votre date de naissance."
        ) % {"identifier": self._identifier_name()}

    def get_help_text(self) -> str:
        return self.rule()


def validators_for(institution: Any) -> list[Any]:
    """The full list for one institution, as the first-use and recovery forms apply it."""
    return [
        InstitutionPolicyValidator(institution),
        PersonalDataValidator(institution),
        UserAttributeSimilarityValidator(
            user_attributes=("first_name", "last_name", "email", "identifier")
        ),
        CommonPasswordValidator(),
    ]
