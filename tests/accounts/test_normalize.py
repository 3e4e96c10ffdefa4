"""What people type, normalised so the same answer, name or postal code always matches.

Secret answers are hashed after normalisation (DESIGN.md, "Where we deliberately differ"): two
spellings that normalise alike are the same answer, for ever, so these cases are a contract.
"""

import datetime

import pytest

from accounts.forms import QuestionsForm, answer_is_trivial
from accounts.models import SecretQuestion
from portal.models import Institution
from portal.normalize import (
    normalize_answer,
    normalize_identifier,
    normalize_name,
    normalize_postal_code,
    strip_accents,
)
from tests.factories import make_student

# --- Secret answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        # Case and accents do not count; outer spaces go, inner runs of spaces become one.
        ("  Saint-Jérôme ", "saint-jerome"),
        ("ÉCOLE   Sainte-Anne", "ecole sainte-anne"),
        ("Filou", "filou"),
        ("\tRimouski\n", "rimouski"),
        ("Chez   Grand-Maman  ", "chez grand-maman"),
        ("Québec", "quebec"),
        ("ÇA", "ca"),
        # A non-breaking space (as pasted from a document) is a space.
        ("Trois\u00a0Rivières", "trois rivieres"),
        # Accents typed as separate combining marks (some Mac keyboards) are accents all the same.
        ("Je\u0301ro\u0302me", "jerome"),
        # Ligatures are spelled out, as on a keyboard without them.
        ("Cœur de pirate", "coeur de pirate"),
        ("Lætitia", "laetitia"),
        ("Straße", "strasse"),
        # A phone's curly apostrophe and a word processor's dash are the plain ones.
        ("L’Islet", "l'islet"),
        ("Saint–Jérôme", "saint-jerome"),
        # Invisible characters that come with copy and paste are dropped.
        ("Fi\u200blou", "filou"),
        ("Ri\u00admouski", "rimouski"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_answer(typed: str, normalized: str) -> None:
    assert normalize_answer(typed) == normalized


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("  Saint-Jérôme ", "saint-jerome"),
        ("SAINT-JÉRÔME", "Saint-Jerome"),
        ("ÉCOLE   Sainte-Anne", "école sainte-anne"),
        ("Ecole Sainte-Anne ", " ecole  SAINTE-ANNE"),
        ("L'Islet", "L’Islet"),
        ("Sœur Marie", "soeur marie"),
        ("Gabrielle", "GABRIELLE"),
    ],
)
def test_same_answer_however_it_is_typed(one: str, other: str) -> None:
    assert normalize_answer(one) == normalize_answer(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Saint-Jérôme", "Sainte-Jérôme"),
        ("Filou", "Filous"),
        ("Rimouski", "Rimouski 2"),
        ("Marie-Eve", "Marie-Ève-Anne"),
    ],
)
def test_different_answers_stay_different(one: str, other: str) -> None:
    assert normalize_answer(one) != normalize_answer(other)


def test_normalize_answer_is_idempotent() -> None:
    for typed in ("  Saint-Jérôme ", "ÉCOLE   Sainte-Anne", "L’Islet", "Cœur"):
        once = normalize_answer(typed)
        assert normalize_answer(once) == once


def test_normalize_answer_tolerates_none() -> None:
    assert normalize_answer(None) == ""  # type: ignore[arg-type]


# --- Names, postal codes, identifiers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("Côté", "cote"),
        ("COTE", "cote"),
        ("Cote", "cote"),
        ("D'Amour", "damour"),
        ("D’Amour", "damour"),
        ("Gagnon-Roy", "gagnonroy"),
        ("Gagnon Roy", "gagnonroy"),
        ("  Le Blanc ", "leblanc"),
        ("Lebœuf", "leboeuf"),
        ("Leboeuf", "leboeuf"),
        ("Éloïse", "eloise"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_name(typed: str, normalized: str) -> None:
    assert normalize_name(typed) == normalized


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("J7Z 4V2", "J7Z4V2"),
        ("j7z 4v2", "J7Z4V2"),
        ("j7z4v2", "J7Z4V2"),
        (" J7Z-4V2 ", "J7Z4V2"),
        ("J7Z\u00a04V2", "J7Z4V2"),
        ("K1G  6C3", "K1G6C3"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_postal_code(typed: str, normalized: str) -> None:
    assert normalize_postal_code(typed) == normalized


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("00875", "00875"),  # leading zeros kept: identifiers are strings
        (" 00875 ", "00875"),
        ("2026 101", "2026101"),
        (None, ""),
    ],
)
def test_normalize_identifier(typed: str, normalized: str) -> None:
    assert normalize_identifier(typed) == normalized


def test_strip_accents_keeps_case_and_punctuation() -> None:
    assert strip_accents("Éloïse Côté-D'Œuvre") == "Eloise Cote-D'OEuvre"


# --- Trivial answers -------------------------------------------------------------------------
# The questions form normalises an answer, then asks whether it is trivial: do the same here.


@pytest.mark.parametrize(
    "answer",
    [
        "123",
        "321",
        "1 2 3",
        "0123456789",
        "aaa",
        "AAA",
        "7777",
        "abc",
        "ABC",
        "cba",
        "xyz",
        "oui",
        "OUI",
        " Oui ",
        "non",
        "aucune",
        "Aucun",
        "rien",
        "a",
        "Z",
        "9",
        "é",
        "",
    ],
)
def test_trivial_answers(answer: str) -> None:
    assert answer_is_trivial(normalize_answer(answer))


@pytest.mark.parametrize(
    "answer",
    [
        "Filou",
        "Rimouski",
        "Gabrielle",
        "Minou",
        "Québec",
        "Saint-Jérôme",
        "1984",
        "abd",
        "Ça",
    ],
)
def test_answers_that_are_not_trivial(answer: str) -> None:
    assert not answer_is_trivial(normalize_answer(answer))


# --- Answers the questions form refuses once normalised ----------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "OUI",  # trivial once lower-cased
        "D'Amour-Roy",  # the last name, as on file
        "D’Amour-Roy",  # with a phone's apostrophe
        "damourroy",
        "AMOUR",  # a part of it
        "Marie-Ève",  # the first name
        "marie eve",
        "Ève",
        "05/03/2006",  # the birthdate as the seeds write it (JJ/MM/AAAA)
        "2006-03-05",
        "D'Amour Roy",  # other punctuation than on file
    ],
)
def test_questions_form_refuses_answers_about_the_person(
    institution: Institution, answer: str
) -> None:
    person = make_student(
        institution,
        last_name="D'Amour-Roy",
        first_name="Marie-Ève",
        birthdate=datetime.date(2006, 3, 5),
    )
    questions = list(SecretQuestion.objects.filter(is_active=True)[:3])
    data = {}
    for i, (question, text) in enumerate(
        zip(questions, (answer, "Filou", "Rimouski"), strict=True), start=1
    ):
        data[f"question_{i}"] = question.pk
        data[f"answer_{i}"] = text
    form = QuestionsForm(data, count=3, person=person)
    assert not form.is_valid()
    assert list(form.errors) == ["answer_1"]
