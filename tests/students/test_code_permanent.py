"""The code permanent: its form, and its agreement with the record's names and birthdate.

How a code reads (DESIGN.md's example, TREJ05530512):

    TRE  J   05   53   05   12
    |    |   |    |    |    administrative digits
    |    |   |    |    year of birth, two digits (2005)
    |    |   |    month of birth, +50 for women (March -> 53)
    |    |   day of birth
    |    first letter of the first name (Julie)
    first three letters of the last name (Tremblay)
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from students.code_permanent import (
    CODE_PERMANENT_RE,
    build,
    clean_code_permanent,
    expected_prefix,
    is_consistent,
)

JULIE = {
    "last_name": "Tremblay",
    "first_name": "Julie",
    "birthdate": datetime.date(2005, 3, 5),
}


# --- Form --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("TREJ05530512", "TREJ05530512"),
        ("trej05530512", "TREJ05530512"),  # lower case, as most people type it
        ("TreJ05530512", "TREJ05530512"),
        (" TREJ 0553 0512 ", "TREJ05530512"),  # grouped as on the admission notice
        ("trej 05 53 05 12", "TREJ05530512"),
        ("TREJ\t05530512\n", "TREJ05530512"),
    ],
)
def test_well_formed_codes_are_cleaned(typed: str, cleaned: str) -> None:
    assert clean_code_permanent(typed) == cleaned


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("", id="empty"),
        pytest.param("TREJ0553051", id="7-digits"),
        pytest.param("TREJ055305123", id="9-digits"),
        pytest.param("TRE05530512", id="3-letters"),
        pytest.param("TREJX05530512", id="5-letters"),
        pytest.param("TR3J05530512", id="digit-among-letters"),
        pytest.param("TREJO5530512", id="letter-O-for-zero"),
        pytest.param("05530512TREJ", id="digits-first"),
        pytest.param("ÉREJ05530512", id="accented-letter"),
        pytest.param("TREJ-0553-0512", id="hyphens"),
        pytest.param("TREJ٠٥٥٣٠٥١٢", id="arabic-indic-digits"),
        pytest.param("ＴＲＥＪ05530512", id="full-width-letters"),
        pytest.param("TREJ05530512.", id="trailing-dot"),
    ],
)
def test_malformed_codes_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_code_permanent(typed)
    assert caught.value.code == "code_permanent_format"


def test_none_is_refused_as_malformed() -> None:
    with pytest.raises(ValidationError) as caught:
        clean_code_permanent(None)  # type: ignore[arg-type]
    assert caught.value.code == "code_permanent_format"


# --- Consistency with the record --------------------------------------------------------------


def test_design_example_is_a_woman_born_5_march_2005() -> None:
    # TREJ05530512: Tremblay, Julie; day 05, month 53 = March + 50 (woman), year 05.
    assert is_consistent("TREJ05530512", **JULIE, sex="F")
    # A man born the same day has the plain month: 53 is not his.
    assert not is_consistent("TREJ05530512", **JULIE, sex="M")
    assert is_consistent("TREJ05030512", **JULIE, sex="M")
    assert not is_consistent("TREJ05030512", **JULIE, sex="F")


@pytest.mark.parametrize("sex", ["", "X"])
def test_sex_not_on_file_accepts_both_months(sex: str) -> None:
    # Where the record does not say, 03 (man) and 53 (woman) are both March.
    assert is_consistent("TREJ05530512", **JULIE, sex=sex)
    assert is_consistent("TREJ05030512", **JULIE, sex=sex)
    # ...but nothing else: 13 or 63 is not March.
    assert not is_consistent("TREJ05130512", **JULIE, sex=sex)
    assert not is_consistent("TREJ05630512", **JULIE, sex=sex)


def test_december_woman_has_month_62() -> None:
    # Gabrielle Roy, born 22 December 1999: 12 + 50 = 62, year 99.
    person = {
        "last_name": "Roy",
        "first_name": "Gabrielle",
        "birthdate": datetime.date(1999, 12, 22),
    }
    assert is_consistent("ROYG22629904", **person, sex="F")
    assert is_consistent("ROYG22129904", **person, sex="M")


def test_year_2000_is_00() -> None:
    person = {"last_name": "Lavoie", "first_name": "Marc", "birthdate": datetime.date(2000, 1, 9)}
    assert is_consistent("LAVM09010007", **person, sex="M")


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("TREJ06530512", "day 06, born the 5th"),
        ("TREJ05540512", "month 54 is April"),
        ("TREJ05530612", "year 06, born in 2005"),
        ("TREJ05531512", "year 15, born in 2005: centuries do not wrap"),
        ("TREA05530512", "A, first name Julie"),
        ("TRMJ05530512", "TRM, last name Tremblay"),
        ("BLAJ05530512", "another family's letters"),
        ("trej05530512", "not cleaned: the form upper-cases first"),
        ("TREJ05530512\n", "a final newline is not part of a code"),
        ("TREJ0553051", "too short"),
        ("", "empty"),
    ],
)
def test_disagreeing_codes_are_refused(code: str, why: str) -> None:
    assert not is_consistent(code, **JULIE, sex="F"), why


def test_cleaned_code_is_consistent() -> None:
    # What the first-use form does: clean what was typed, then compare with the record.
    assert is_consistent(clean_code_permanent(" trej 0553 0512"), **JULIE, sex="F")


# --- Letters from names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_name", "first_name", "prefix"),
    [
        # Accents are dropped: Éloïse Côté -> COT + E.
        ("Côté", "Éloïse", "COTE"),
        ("Bélanger", "Émile", "BELE"),
        ("Lévesque", "Ève", "LEVE"),
        ("Çelik", "Ömer", "CELO"),
        # Apostrophes, hyphens and spaces are dropped before taking three letters.
        ("D'Amour", "Marie", "DAMM"),
        ("D’Amour", "Marie", "DAMM"),  # typographic apostrophe, as phones type it
        ("O'Neil", "Sean", "ONES"),
        ("Gagnon-Roy", "Émile", "GAGE"),
        ("St-Pierre", "Paul", "STPP"),
        ("Le Blanc", "Luc", "LEBL"),
        ("De La Durantaye", "Anne", "DELA"),
        # Compound first name: its first letter only.
        ("Tremblay", "Marie-Ève", "TREM"),
        # Mc and Mac are letters like any other: no special rule for Scottish or Irish names.
        ("McDonald", "Ian", "MCDI"),
        ("MacDonald", "Ian", "MACI"),
        ("Mc Gill", "Ann", "MCGA"),
        # Fewer than three letters: padded with X (Ng -> NGX).
        ("Ng", "Li", "NGXL"),
        ("Ô", "Jade", "OXXJ"),
        ("Li-Ng", "Mei", "LINM"),
        # Ligatures Unicode does not decompose still give their letters: Œ -> OE.
        ("Œuvrard", "Léa", "OEUL"),
        ("Lebœuf", "Noé", "LEBN"),
        # Case does not matter.
        ("TREMBLAY", "julie", "TREJ"),
    ],
)
def test_letters_come_from_the_names(last_name: str, first_name: str, prefix: str) -> None:
    assert expected_prefix(last_name, first_name) == prefix


def test_missing_names_are_x() -> None:
    assert expected_prefix("", "") == "XXXX"
    assert expected_prefix("Ng", "") == "NGXX"


@pytest.mark.parametrize(
    ("code", "last_name", "first_name", "birthdate", "sex"),
    [
        # Éloïse Côté, born 5 March 2006, woman: COTE + 05 + 53 + 06.
        ("COTE05530601", "Côté", "Éloïse", datetime.date(2006, 3, 5), "F"),
        # Marie D'Amour, born 1 January 2007, woman: DAM + M + 01 + 51 + 07.
        ("DAMM01510742", "D'Amour", "Marie", datetime.date(2007, 1, 1), "F"),
        # Émile Gagnon-Roy, born 31 October 2005, man: GAG + E + 31 + 10 + 05.
        ("GAGE31100588", "Gagnon-Roy", "Émile", datetime.date(2005, 10, 31), "M"),
        # Ian McDonald, born 9 July 2004, man: MCD + I + 09 + 07 + 04.
        ("MCDI09070413", "McDonald", "Ian", datetime.date(2004, 7, 9), "M"),
        # Li Ng, born 28 February 2006, sex not on file: NGX + L, 02 or 52.
        ("NGXL28020655", "Ng", "Li", datetime.date(2006, 2, 28), ""),
        ("NGXL28520655", "Ng", "Li", datetime.date(2006, 2, 28), ""),
    ],
)
def test_worked_examples(
    code: str, last_name: str, first_name: str, birthdate: datetime.date, sex: str
) -> None:
    assert is_consistent(
        code, last_name=last_name, first_name=first_name, birthdate=birthdate, sex=sex
    )


def test_accents_in_the_code_itself_are_refused() -> None:
    # The code is never written with accents, even for Côté.
    assert not is_consistent(
        "CÔTE05530601",
        last_name="Côté",
        first_name="Éloïse",
        birthdate=datetime.date(2006, 3, 5),
        sex="F",
    )


# --- build() round-trips -----------------------------------------------------------------------

PEOPLE = [
    ("Tremblay", "Julie", datetime.date(2005, 3, 5), "F"),
    ("Côté", "Éloïse", datetime.date(2006, 3, 5), "F"),
    ("Gagnon-Roy", "Émile", datetime.date(2005, 10, 31), "M"),
    ("D'Amour", "Marie", datetime.date(2007, 1, 1), "F"),
    ("McDonald", "Ian", datetime.date(2004, 7, 9), "M"),
    ("MacLeod", "Fiona", datetime.date(1999, 12, 22), "F"),
    ("Ng", "Li", datetime.date(2000, 2, 29), "X"),
    ("Roy", "Gabrielle", datetime.date(1998, 11, 30), ""),
]


@pytest.mark.parametrize(("last_name", "first_name", "birthdate", "sex"), PEOPLE)
@pytest.mark.parametrize("suffix", ["01", "99"])
def test_build_round_trips(
    last_name: str, first_name: str, birthdate: datetime.date, sex: str, suffix: str
) -> None:
    facts = {"last_name": last_name, "first_name": first_name, "birthdate": birthdate}
    code = build(**facts, sex=sex, suffix=suffix)
    assert CODE_PERMANENT_RE.fullmatch(code)
    assert code.endswith(suffix)
    assert clean_code_permanent(code.lower()) == code
    assert is_consistent(code, **facts, sex=sex)
    assert is_consistent(code, **facts, sex="")  # sex unknown accepts it too
    other = {"F": "M", "M": "F"}.get(sex)
    if other:
        assert not is_consistent(code, **facts, sex=other)
    next_day = birthdate + datetime.timedelta(days=1)
    assert not is_consistent(code, **{**facts, "birthdate": next_day}, sex=sex)


def test_build_examples() -> None:
    assert build(**JULIE, sex="F", suffix="12") == "TREJ05530512"
    assert build(**JULIE, sex="M", suffix="12") == "TREJ05030512"
    assert (
        build(last_name="Côté", first_name="Éloïse", birthdate=datetime.date(2006, 3, 5), sex="F")
        == "COTE05530601"
    )
