"""Every preset's password policy at its edges (DESIGN.md, "Institution profiles").

Passwords are built from each preset's own numbers, out of fixed random-looking alphabets, so a
test fails for the one rule it is about: never because "aaaa" is a common password nor because a
password happens to hold the person's name, number or birthdate.
"""

import datetime
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.exceptions import ValidationError

from accounts.forms import SetPasswordForm
from accounts.validators import (
    InstitutionPolicyValidator,
    PersonalDataValidator,
    personal_facts,
    validators_for,
)
from portal.models import Institution
from portal.presets import PRESET_NAMES, PRESETS, PRODUCT_DEFAULT_POLICY
from students.models import Student
from tests.conftest import PASSWORD
from tests.factories import activate, make_student

LOWER = "qzkvxwjfhbpgmnrtdylcs"
DIGITS = "7391846250"
BIRTHDATE = datetime.date(2006, 3, 5)

# The rules a password can fall short of, each with the Institution field that sets it.
CLASSES = {
    "letters": "password_min_letters",
    "digits": "password_min_digits",
    "uppercase": "password_min_uppercase",
    "trailing_digits": "password_trailing_digits",
}
SHORT_CASES = [
    (name, short)
    for name, preset in PRESETS.items()
    for short, field in CLASSES.items()
    if preset["institution"][field]
]
DEFAULT_POLICY_PRESETS = [
    name
    for name, preset in PRESETS.items()
    if all(preset["institution"][field] == value for field, value in PRODUCT_DEFAULT_POLICY.items())
]


def _cycle(pool: str, n: int) -> str:
    return (pool * (n // len(pool) + 1))[:n]


def build_password(institution: Institution, length: int, *, short: str | None = None) -> str:
    """`length` characters meeting every rule of the institution's policy but its length, or
    every rule but the one `short` names, which then gets one character fewer than it asks.

    Letters come first (the required capitals leading), digits last, so the trailing digits
    are there whenever the policy asks for them.
    """
    uppercase = institution.password_min_uppercase - (short == "uppercase")
    letters_needed = max(institution.password_min_letters, uppercase)
    digits_needed = institution.password_min_digits - (short == "digits")
    trailing = institution.password_trailing_digits - (short == "trailing_digits")
    if short == "letters":
        letters = institution.password_min_letters - 1
        uppercase = min(uppercase, letters)
        digits = length - letters
    elif short == "digits":
        digits = digits_needed
        letters = length - digits
    else:
        digits = max(digits_needed, trailing)
        letters = length - digits
    assert letters >= 0 and digits >= 0, "the policy cannot be met at this length"
    if short != "letters":
        assert letters >= letters_needed, "the policy cannot be met at this length"
    text = _cycle(LOWER, letters)
    return text[:uppercase].upper() + text[uppercase:] + _cycle(DIGITS, digits)


def codes(error: ValidationError) -> set[str]:
    return {e.code for e in error.error_list}


def refusal(institution: Institution, password: str, user: object) -> set[str]:
    """The error codes validate_password gives, as the first-use form calls it; empty if none."""
    try:
        validate_password(password, user=user, password_validators=validators_for(institution))
    except ValidationError as error:
        return codes(error)
    return set()


@pytest.fixture(params=PRESET_NAMES)
def preset(
    request: pytest.FixtureRequest, load_preset: Callable[[str], Institution]
) -> Institution:
    return load_preset(request.param)


def make_person(institution: Institution, **fields: object) -> Student:
    """Éloïse Côté, born 5 March 2006: accents in both names, so "cote" and "eloise" are facts."""
    defaults: dict[str, object] = {
        "matricule": "2026101875"[: institution.identifier_length],
        "last_name": "Côté",
        "first_name": "Éloïse",
        "birthdate": BIRTHDATE,
        "sex": "F",
    }
    return make_student(institution, **{**defaults, **fields})


@pytest.fixture
def person(preset: Institution) -> Student:
    return make_person(preset)


# --- Length: min-1, min, max, max+1 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("edge", "expected"),
    [
        ("min-1", {"password_too_short"}),
        ("min", set()),
        ("max", set()),
        ("max+1", {"password_too_long"}),
    ],
)
def test_length_edges(preset: Institution, person: Student, edge: str, expected: set[str]) -> None:
    length = {
        "min-1": preset.password_min_length - 1,
        "min": preset.password_min_length,
        "max": preset.password_max_length,
        "max+1": preset.password_max_length + 1,
    }[edge]
    password = build_password(preset, length)
    assert len(password) == length
    assert refusal(preset, password, person) == expected


def test_presets_state_the_seeds_numbers(load_preset: Callable[[str], Institution]) -> None:
    # The numbers every other test here builds its passwords from.
    stated = {
        # (min, max, letters, digits, uppercase, charset, trailing digits)
        "cstj": (10, 128, 1, 1, 1, "any", 0),
        "thetford": (5, 12, 0, 0, 0, "ascii_alnum", 4),
        "conservatoire": (12, 128, 0, 0, 0, "any", 0),
        "caomsc": (8, 12, 3, 3, 0, "any", 0),
        "cepeo": (12, 128, 0, 0, 0, "any", 0),
    }
    assert set(stated) == set(PRESET_NAMES)
    for name, numbers in stated.items():
        institution = load_preset(name)
        assert (
            institution.password_min_length,
            institution.password_max_length,
            institution.password_min_letters,
            institution.password_min_digits,
            institution.password_min_uppercase,
            institution.password_charset,
            institution.password_trailing_digits,
        ) == numbers, name
    assert sorted(DEFAULT_POLICY_PRESETS) == ["cepeo", "conservatoire"]


# --- Composition: each required class one short -----------------------------------------------


@pytest.mark.parametrize(("name", "short"), SHORT_CASES)
def test_each_required_class_missing(
    load_preset: Callable[[str], Institution], name: str, short: str
) -> None:
    institution = load_preset(name)
    person = make_person(institution)
    for length in (institution.password_min_length, institution.password_max_length):
        password = build_password(institution, length, short=short)
        expected = {f"password_{short}"}
        if (
            short == "letters"
            and institution.password_min_uppercase >= institution.password_min_letters
        ):
            # No letter at all is no capital either (cstj: "1 lettre", "1 majuscule").
            expected.add("password_uppercase")
        assert refusal(institution, password, person) == expected, password
        # The same length with nothing short is accepted: the class was the only fault.
        assert refusal(institution, build_password(institution, length), person) == set()


def test_every_preset_with_composition_rules_is_covered() -> None:
    assert sorted(SHORT_CASES) == [
        ("caomsc", "digits"),
        ("caomsc", "letters"),
        ("cstj", "digits"),
        ("cstj", "letters"),
        ("cstj", "uppercase"),
        ("thetford", "trailing_digits"),
    ]


@pytest.mark.parametrize("name", DEFAULT_POLICY_PRESETS)
@pytest.mark.parametrize(
    "password",
    [
        "qzkvxwjfhbpg",  # lower-case letters only
        "739184625073",  # digits only
        "QZKV XWJF HBPG",  # capitals and spaces
        "#&*!?%@$^~+=(){}",  # symbols only
        "qzké vxwj ƒhbø",  # accents and other letters
    ],
)
def test_product_default_has_no_composition_rules(
    load_preset: Callable[[str], Institution], name: str, password: str
) -> None:
    institution = load_preset(name)
    assert refusal(institution, password, make_person(institution)) == set()


def test_thetford_digits_must_end_the_password(load_preset: Callable[[str], Institution]) -> None:
    thetford = load_preset("thetford")
    person = make_person(thetford)
    assert refusal(thetford, "7391qzkv", person) == {"password_trailing_digits"}
    assert refusal(thetford, "qz7391kv", person) == {"password_trailing_digits"}
    assert refusal(thetford, "qzkv739", person) == {"password_trailing_digits"}
    assert refusal(thetford, "qzkv7391", person) == set()
    assert refusal(thetford, "73918", person) == set()


def test_digits_are_0_to_9(load_preset: Callable[[str], Institution]) -> None:
    # "chiffres (0 à 9)": superscripts and other scripts' digits do not count as digits.
    caomsc = load_preset("caomsc")
    person = make_person(caomsc)
    assert refusal(caomsc, "qzkvx²³¹", person) == {"password_digits"}
    assert refusal(caomsc, "qzkvx٣٩١", person) == {"password_digits"}
    caomsc.password_trailing_digits = 3
    assert "password_trailing_digits" in refusal(caomsc, "qzkvx739²³¹", person)


# --- Allowed characters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "qzké7391",  # accented letter
        "Éqzk7391",  # accented capital
        "qzkç7391",
        "qz-k7391",  # hyphen
        "qz k7391",  # space
        "qzk!7391",
        "qzkß7391",
    ],
)
def test_thetford_refuses_anything_but_unaccented_letters_and_digits(
    load_preset: Callable[[str], Institution], password: str
) -> None:
    thetford = load_preset("thetford")
    assert refusal(thetford, password, make_person(thetford)) == {"password_charset"}


def test_charset_checks_the_whole_password(load_preset: Callable[[str], Institution]) -> None:
    # A final newline once slipped through ("^…$" matches before it); the rule is data, so a
    # deployment may keep the charset without the trailing digits.
    thetford = load_preset("thetford")
    thetford.password_trailing_digits = 0
    person = make_person(thetford)
    assert refusal(thetford, "qzkvxwj\n", person) == {"password_charset"}
    assert refusal(thetford, "qzkvxwj", person) == set()


# --- Never truncated -------------------------------------------------------------------------


def test_product_default_accepts_128_characters_and_refuses_129(
    load_preset: Callable[[str], Institution],
) -> None:
    institution = load_preset("conservatoire")
    person = make_person(institution)
    long = build_password(institution, 128)
    assert refusal(institution, long, person) == set()
    # Refused, not cut down to the 128 characters that would have passed.
    assert refusal(institution, long + "q", person) == {"password_too_long"}


def test_hasher_keeps_every_character_of_a_128_character_password() -> None:
    # bcrypt would look at the first 72 bytes only; our hasher must not.
    password = _cycle(LOWER, 128)
    encoded = make_password(password)
    assert check_password(password, encoded)
    assert not check_password(password[:72], encoded)
    assert not check_password(password[:-1] + "X", encoded)


def test_over_long_password_is_refused_not_cut(preset: Institution, person: Student) -> None:
    valid = build_password(preset, preset.password_max_length)
    # One more digit keeps every other rule (trailing digits included): only the length fails.
    assert refusal(preset, valid + "5", person) == {"password_too_long"}
    form = SetPasswordForm(
        {"password1": valid + "5", "password2": valid + "5"}, institution=preset, person=person
    )
    assert not form.is_valid()
    assert form.has_error("password1", "password_too_long")


def test_set_password_form_accepts_a_valid_password(preset: Institution, person: Student) -> None:
    password = build_password(preset, preset.password_min_length)
    form = SetPasswordForm(
        {"password1": password, "password2": password}, institution=preset, person=person
    )
    assert form.is_valid(), form.errors


# --- Common passwords ------------------------------------------------------------------------

# For each preset, a password from Django's common list that meets the preset's own rules: only
# its commonness is wrong with it (the list is compared in lower case).
COMMON = {
    "cstj": "Password123",
    "thetford": "password1234",
    "conservatoire": "password1234",
    "caomsc": "abc123456",
    "cepeo": "qwertyuiop123",
}


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_common_passwords_are_refused_under_every_preset(
    load_preset: Callable[[str], Institution], name: str
) -> None:
    institution = load_preset(name)
    password = COMMON[name]
    assert password.lower() in CommonPasswordValidator().passwords
    InstitutionPolicyValidator(institution).validate(password)  # the policy alone accepts it
    assert refusal(institution, password, make_person(institution)) == {"password_too_common"}


# --- Personal data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fact",
    [
        pytest.param("2026101", id="matricule"),
        pytest.param("Côté", id="last-name"),
        pytest.param("cote", id="last-name-unaccented"),
        pytest.param("COTE", id="last-name-capitals"),
        pytest.param("Éloïse", id="first-name"),
        pytest.param("eloise", id="first-name-unaccented"),
        pytest.param("20060305", id="birthdate-aaaammjj"),
        pytest.param("05032006", id="birthdate-jjmmaaaa"),
        pytest.param("03052006", id="birthdate-mmjjaaaa"),
        pytest.param("2006-03-05", id="birthdate-iso"),
        pytest.param("05/03/2006", id="birthdate-jj/mm/aaaa"),
        pytest.param("05-03-2006", id="birthdate-jj-mm-aaaa"),
        pytest.param("050306", id="birthdate-jjmmaa"),
        pytest.param("060305", id="birthdate-aammjj"),
    ],
)
def test_password_containing_personal_data_is_refused(
    load_preset: Callable[[str], Institution], fact: str
) -> None:
    institution = load_preset("conservatoire")
    person = make_person(institution, matricule="2026101")
    assert refusal(institution, f"qzk{fact}vxwjfhbpg", person) == {"password_personal_data"}
    # The same password without the fact is fine: the fact is what was refused.
    assert refusal(institution, "qzkvxwjfhbpg", person) == set()


@pytest.mark.parametrize(
    "code", ["TREE05530601", "tree05530601", "TREE 0553 0601", "tree-0553-0601"]
)
def test_password_containing_the_code_permanent_is_refused(
    load_preset: Callable[[str], Institution], code: str
) -> None:
    # Éloïse Tremblay: the code's letters "TREE" are not a name of hers on their own, and its
    # digits "05530601" hold no birthdate format, so only the code permanent itself can refuse.
    institution = load_preset("conservatoire")
    person = make_person(institution, last_name="Tremblay", code_permanent="TREE05530601")
    assert refusal(institution, f"qzk{code}vxw", person) == {"password_personal_data"}
    assert refusal(institution, "qzkTREE0553vxw", person) == set()


@pytest.mark.parametrize(
    ("last_name", "fact"),
    [
        ("Gagnon-Roy", "Gagnon"),
        ("Gagnon-Roy", "roy"),
        ("Gagnon-Roy", "gagnonroy"),
        ("D'Amour", "amour"),
        ("D'Amour", "damour"),
        ("Saint Pierre", "pierre"),
    ],
)
def test_each_part_of_a_compound_name_counts(
    load_preset: Callable[[str], Institution], last_name: str, fact: str
) -> None:
    institution = load_preset("conservatoire")
    person = make_person(institution, last_name=last_name)
    assert "password_personal_data" in refusal(institution, f"qzk{fact}vxwjfhbpg", person)


def test_personal_data_of_an_account_comes_from_its_record(
    load_preset: Callable[[str], Institution],
) -> None:
    # Once activated, the person is a User: its birthdate and code permanent are on the record.
    institution = load_preset("conservatoire")
    record = make_person(
        institution, matricule="2026101", last_name="Tremblay", code_permanent="TREE05530601"
    )
    user = activate(record, password=PASSWORD)
    facts = personal_facts(user)
    assert {"2026101", "tremblay", "eloise", "20060305", "tree05530601"} <= set(facts)
    for password in ("qzk05032006vxwj", "qzktree05530601vx", "qzk2026101vxwjf"):
        assert refusal(institution, password, user) == {"password_personal_data"}


def test_short_names_are_not_facts(load_preset: Callable[[str], Institution]) -> None:
    # "Ng" or "Li" anywhere in a password is not a sign of anything.
    institution = load_preset("conservatoire")
    person = make_person(institution, last_name="Ng", first_name="Li")
    assert refusal(institution, "qzkngvxwlifh", person) == set()


def test_personal_data_check_needs_a_person() -> None:
    PersonalDataValidator().validate("cote2026101qz", user=None)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_matricule_is_refused_under_every_preset(
    load_preset: Callable[[str], Institution], name: str
) -> None:
    institution = load_preset(name)
    person = make_person(institution)
    minimal = max(institution.password_min_letters, institution.password_min_uppercase) + max(
        institution.password_min_digits, institution.password_trailing_digits
    )
    rest = max(minimal, institution.password_min_length - len(person.matricule))
    stand_in = _cycle(DIGITS[3:] + DIGITS[:3], len(person.matricule))  # digits, not the matricule
    assert refusal(institution, stand_in + build_password(institution, rest), person) == set()
    password = person.matricule + build_password(institution, rest)
    assert refusal(institution, password, person) == {"password_personal_data"}


# --- Help text -------------------------------------------------------------------------------


def test_help_text_states_the_numbers(preset: Institution, person: Student) -> None:
    text = InstitutionPolicyValidator(preset).get_help_text()
    assert f"{preset.password_min_length} à {preset.password_max_length} caractères" in text
    for field, phrase in (
        ("password_min_letters", "au moins {n} lettre"),
        ("password_min_digits", "au moins {n} chiffre"),
        ("password_min_uppercase", "au moins {n} majuscule"),
        ("password_trailing_digits", "se terminant par {n} chiffre"),
    ):
        n = getattr(preset, field)
        if n:
            assert phrase.format(n=n) in text, (field, text)
        else:
            assert not re.search(phrase.format(n=r"\d+"), text), (field, text)
    assert ("non accentuées" in text) == (preset.password_charset == "ascii_alnum")
    form = SetPasswordForm(institution=preset, person=person)
    # Under the field: every rule that is checked, the institution's first.
    shown = form.fields["password1"].help_text
    assert shown.startswith(text)
    identifier = str(preset.get_identifier_name_display()).lower()
    assert f"Il ne doit pas contenir votre nom, votre {identifier}" in shown
    assert "ou votre date de naissance." in shown
    assert "couramment utilisé" in shown
    assert "ressembler" in shown


def test_help_text_examples(load_preset: Callable[[str], Institution]) -> None:
    def help_text(name: str) -> str:
        return InstitutionPolicyValidator(load_preset(name)).get_help_text()

    assert help_text("cstj") == (
        "Votre mot de passe : de 10 à 128 caractères, au moins 1 lettre, au moins 1 chiffre, "
        "au moins 1 majuscule."
    )
    assert help_text("thetford") == (
        "Votre mot de passe : de 5 à 12 caractères, seulement des chiffres et des lettres non "
        "accentuées, se terminant par 4 chiffres."
    )
    assert help_text("caomsc") == (
        "Votre mot de passe : de 8 à 12 caractères, au moins 3 lettres, au moins 3 chiffres."
    )
    assert help_text("cepeo") == "Votre mot de passe : de 12 à 128 caractères."


def test_validator_reads_the_current_institution_when_none_is_given(
    institution: Institution,
) -> None:
    # settings.AUTH_PASSWORD_VALIDATORS builds it without arguments (admin, changepassword).
    with pytest.raises(ValidationError) as caught:
        InstitutionPolicyValidator().validate("Qzkvxwj7")
    assert codes(caught.value) == {"password_too_short"}


def test_names_are_facts_as_written_and_letters_only(
    load_preset: Callable[[str], Institution],
) -> None:
    # Letters only for the password check; as written for the secret answers, which keep their
    # hyphens and apostrophes once normalised.
    institution = load_preset("conservatoire")
    person = make_person(institution, last_name="D'Amour-Roy", first_name="Marie-Ève")
    facts = personal_facts(person)
    for fact in ("damourroy", "damour", "amour", "roy", "d'amour-roy", "marieeve", "marie", "eve"):
        assert fact in facts
    assert "marie-ève" in facts
    assert "05/03/2006" in facts
    # The full name either way round, for the secret answers.
    for fact in (
        "marieevedamourroy",
        "damourroymarieeve",
        "marie-ève d'amour-roy",
        "d'amour-roy marie-ève",
    ):
        assert fact in facts
