"""Small MARC 21 files built with pymarc, as a library system exports them."""

import pymarc
from pymarc import Field, Indicators, Subfield

NO_INDICATORS = Indicators(" ", " ")


def marc_record(
    control: str | None,
    title: str | None,
    *,
    authors: tuple[str, ...] = (),
    subjects: tuple[str, ...] = (),
    copies: tuple[tuple[str, str], ...] = (),
    year: str = "2019",
    language: str = "fre",
    isbn: str = "",
    call_number: str = "",
    leader_type: str = "am",
    marc8: bool = False,
) -> pymarc.Record:
    leader = (
        f"00000n{leader_type} a2200000 a 4500"
        if not marc8
        else f"00000n{leader_type}  2200000 a 4500"
    )
    record = pymarc.Record(leader=leader, force_utf8=not marc8, to_unicode=not marc8)
    record.leader = pymarc.Leader(leader)
    if control is not None:
        record.add_field(Field(tag="001", data=control))
    record.add_field(Field(tag="008", data=f"190101s{year}    quc           000 0 {language} d"))
    if isbn:
        record.add_field(
            Field(tag="020", indicators=NO_INDICATORS, subfields=[Subfield("a", isbn)])
        )
    if call_number:
        record.add_field(
            Field(tag="090", indicators=NO_INDICATORS, subfields=[Subfield("a", call_number)])
        )
    for index, author in enumerate(authors):
        record.add_field(
            Field(
                tag="100" if index == 0 else "700",
                indicators=Indicators("1", " "),
                subfields=[Subfield("a", author)],
            )
        )
    if title is not None:
        record.add_field(
            Field(
                tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title + " /")]
            )
        )
    for subject in subjects:
        record.add_field(
            Field(tag="650", indicators=Indicators(" ", "6"), subfields=[Subfield("a", subject)])
        )
    for barcode, location in copies:
        record.add_field(
            Field(
                tag="852",
                indicators=NO_INDICATORS,
                subfields=[
                    Subfield("b", location),
                    Subfield("h", call_number),
                    Subfield("p", barcode),
                ],
            )
        )
    return record


def marc_file(*records: pymarc.Record) -> bytes:
    return b"".join(record.as_marc() for record in records)


def marcxml_file(*records: pymarc.Record) -> bytes:
    body = b"".join(pymarc.record_to_xml(record, namespace=True) for record in records)
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<collection xmlns="http://www.loc.gov/MARC21/slim">' + body + b"</collection>"
    )


def marc8(text: str) -> str:
    """`text` in MARC-8 as pymarc writes a non-Unicode record (ISO 8859-1 code points): each
    accent is a combining mark written before its letter (E2 acute, E1 grave, E3 circumflex)."""
    marks = {"é": "\xe2e", "É": "\xe2E", "è": "\xe1e", "à": "\xe1a", "ê": "\xe3e", "ô": "\xe3o"}
    return "".join(marks.get(char, char) for char in text)
