"""`python manage.py import_marc FILE [--dry-run]`: the catalogue, as libraries export it.

MARC 21 bibliographic records, binary (ISO 2709, `.mrc`, in MARC-8 or UTF-8 as the leader's
position 09 says) or MARCXML, read with pymarc. The mapping (docs/library.md):

- 001 control number: the record's key (required); a record already imported is updated;
- 245 $a $b title (required); 100/110/111 and 700/710/711 $a authors; 600/610/650/651/655
  $a $x $y $z subjects; 020 $a ISBN; 090, 050 $a $b, else 082 $a call number; year from
  264/260 $c, else 008/07-10; language from 008/35-37, else 041 $a; the type of document from
  the leader (06 and 07);
- copies from the holdings fields: 852 ($p barcode, $b location, $h $i call number) and Koha's
  952 ($p barcode, $c or $a location, $o call number). A copy already known is updated; a copy
  the file no longer lists is left alone (it may be on loan): staff remove it in the admin.

All-or-nothing like `import_csv`: every record is checked first and every error is reported
with the record's number in the file (and its 001 when it has one); nothing is written unless
the whole file is clean, nor with `--dry-run`.
"""

import io
import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.handler import feature_namespaces

import pymarc
from defusedxml.sax import make_parser
from django.db import transaction
from django.utils.translation import gettext as _

from library.models import Copy, DocumentType, Record
from library.services import record_save
from students.imports import ImportRefused

TRAILING = " /:;,.="
YEAR_RE = re.compile(r"(1[5-9][0-9]{2}|20[0-9]{2})")
ISBN_RE = re.compile(r"[0-9Xx-]{10,17}")
RECORD_FIELDS = (
    "title",
    "authors",
    "subjects",
    "isbn",
    "call_number",
    "year",
    "language",
    "document_type",
)


@dataclass
class CopyData:
    barcode: str
    location: str
    call_number: str


@dataclass
class RecordData:
    number: int
    control_number: str
    values: dict[str, Any]
    copies: list[CopyData] = field(default_factory=list)


@dataclass
class MarcReport:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    copies_created: int = 0
    copies_updated: int = 0

    @property
    def summary(self) -> str:
        return _(
            "%(created)d notice(s) créée(s), %(updated)d mise(s) à jour, %(unchanged)d "
            "inchangée(s) ; %(copies)d exemplaire(s) créé(s), %(copies_updated)d mis à jour"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "copies": self.copies_created,
            "copies_updated": self.copies_updated,
        }


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(TRAILING).strip()


def _subfields(marc_field: pymarc.Field, codes: str) -> str:
    return _clean(" ".join(value for code, value in _pairs(marc_field) if code in codes))


def _pairs(marc_field: pymarc.Field) -> list[tuple[str, str]]:
    return [(sub.code, sub.value) for sub in marc_field.subfields]


def _first(record: pymarc.Record, tags: tuple[str, ...], codes: str) -> str:
    for tag in tags:
        for marc_field in record.get_fields(tag):
            value = _subfields(marc_field, codes)
            if value:
                return value
    return ""


def _document_type(leader: str) -> str:
    kind, level = (leader[6:7], leader[7:8]) if len(leader) >= 8 else ("", "")
    if kind in ("a", "t"):
        return DocumentType.PERIODICAL if level == "s" else DocumentType.BOOK
    return {
        "g": DocumentType.VIDEO,
        "i": DocumentType.AUDIO,
        "j": DocumentType.AUDIO,
        "e": DocumentType.MAP,
        "f": DocumentType.MAP,
        "m": DocumentType.ELECTRONIC,
    }.get(kind, DocumentType.OTHER)


def _fixed(record: pymarc.Record) -> str:
    fixed = record.get_fields("008")
    return fixed[0].data or "" if fixed else ""


def _year(record: pymarc.Record) -> int | None:
    for marc_field in record.get_fields("264", "260"):
        match = YEAR_RE.search(" ".join(marc_field.get_subfields("c")))
        if match:
            return int(match.group(1))
    match = YEAR_RE.fullmatch(_fixed(record)[7:11])
    return int(match.group(1)) if match else None


def _language(record: pymarc.Record) -> str:
    code = _fixed(record)[35:38].strip().lower()
    if re.fullmatch(r"[a-z]{3}", code):
        return code
    return _first(record, ("041",), "a")[:3].lower()


def _copies(record: pymarc.Record) -> list[CopyData]:
    copies = []
    for marc_field in record.get_fields("852"):
        barcode = _subfields(marc_field, "p")
        if barcode:
            copies.append(
                CopyData(barcode, _subfields(marc_field, "b"), _subfields(marc_field, "hi"))
            )
    for marc_field in record.get_fields("952"):
        barcode = _subfields(marc_field, "p")
        if barcode:
            location = _subfields(marc_field, "c") or _subfields(marc_field, "a")
            copies.append(CopyData(barcode, location, _subfields(marc_field, "o")))
    return copies


def record_data(record: pymarc.Record, number: int) -> tuple[RecordData | None, list[str]]:
    """What one MARC record holds for the catalogue, or its errors."""
    errors = []
    control = record.get_fields("001")
    control_number = (control[0].data or "").strip() if control else ""
    if not control_number:
        errors.append(_("le champ 001 (numéro de contrôle) est absent ou vide."))
    title = _first(record, ("245",), "ab")
    if not title:
        errors.append(_("le champ 245 (titre) est absent ou vide."))
    if len(control_number) > 50:
        errors.append(_("le numéro de contrôle (001) compte plus de 50 caractères."))
    if errors:
        return None, errors
    authors = [
        _subfields(marc_field, "a")
        for marc_field in record.get_fields("100", "110", "111", "700", "710", "711")
    ]
    subjects = [
        " -- ".join(
            _clean(value) for code, value in _pairs(marc_field) if code in "axyz" and value.strip()
        )
        for marc_field in record.get_fields("600", "610", "650", "651", "655")
    ]
    isbn_text = _first(record, ("020",), "a")
    isbn_match = ISBN_RE.search(isbn_text)
    values = {
        "title": title[:500],
        "authors": " ; ".join(dict.fromkeys(name for name in authors if name))[:1000],
        "subjects": "\n".join(dict.fromkeys(subject for subject in subjects if subject)),
        "isbn": isbn_match.group(0).replace("-", "")[:20] if isbn_match else "",
        "call_number": (_first(record, ("090", "050"), "ab") or _first(record, ("082",), "a"))[
            :100
        ],
        "year": _year(record),
        "language": _language(record),
        "document_type": _document_type(str(record.leader)),
    }
    return RecordData(number, control_number, values, _copies(record)), []


def _label(number: int, control_number: str = "") -> str:
    if control_number:
        return _("Notice %(number)d (001 %(control)s)") % {
            "number": number,
            "control": control_number,
        }
    return _("Notice %(number)d") % {"number": number}


def read_marc(data: bytes) -> tuple[list[RecordData], list[str]]:
    """Every record of a binary or MARCXML file, and every error, numbered from 1."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        handler = pymarc.XmlHandler()
        parser = make_parser()  # defusedxml: no DTD, no entity expansion
        parser.setContentHandler(handler)
        parser.setFeature(feature_namespaces, 1)
        try:
            parser.parse(io.BytesIO(data))
        except Exception as error:
            return [], [_("Fichier MARCXML illisible : %(error)s") % {"error": error}]
        records = list(enumerate(handler.records, start=1))
        problems: dict[int, str] = {}
    else:
        reader = pymarc.MARCReader(io.BytesIO(data), to_unicode=True, utf8_handling="strict")
        records, problems = [], {}
        for number, record in enumerate(reader, start=1):
            if record is None:
                problems[number] = str(reader.current_exception or _("notice illisible"))
            records.append((number, record))
    found, errors = [], []
    seen: dict[str, int] = {}
    for number, record in records:
        if record is None:
            errors.append(
                _label(number)
                + "\u00a0: "
                + _("illisible (%(error)s).") % {"error": problems.get(number, "")}
            )
            continue
        data_, record_errors = record_data(record, number)
        if data_ is not None and data_.control_number in seen:
            record_errors.append(
                _("le numéro de contrôle figure déjà à la notice %(first)d.")
                % {"first": seen[data_.control_number]}
            )
        control_fields = record.get_fields("001")
        control = (control_fields[0].data or "").strip()[:50] if control_fields else ""
        errors.extend(f"{_label(number, control)}\u00a0: {error}" for error in record_errors)
        if data_ is not None and not record_errors:
            seen[data_.control_number] = number
            found.append(data_)
    if not records and not errors:
        errors.append(_("Le fichier ne contient aucune notice MARC."))
    return found, errors


def import_marc(*, data: bytes, dry_run: bool = False) -> MarcReport:
    """Imports a MARC file, all or nothing; raises ImportRefused listing every error."""
    found, errors = read_marc(data)
    barcodes: dict[str, tuple[int, str]] = {}
    for item in found:
        for copy in item.copies:
            first = barcodes.setdefault(copy.barcode, (item.number, item.control_number))
            if first[0] != item.number:
                errors.append(
                    f"{_label(item.number, item.control_number)}\u00a0: "
                    + _("l'exemplaire %(barcode)s figure déjà à la notice %(first)d.")
                    % {"barcode": copy.barcode, "first": first[0]}
                )
    existing_copies = {
        copy.barcode: copy
        for copy in Copy.objects.filter(barcode__in=list(barcodes)).select_related("record")
    }
    for barcode, (number, control) in barcodes.items():
        known = existing_copies.get(barcode)
        if known is not None and known.record.control_number != control:
            errors.append(
                f"{_label(number, control)}\u00a0: "
                + _("l'exemplaire %(barcode)s appartient déjà à la notice %(other)s.")
                % {"barcode": barcode, "other": known.record.control_number}
            )
    if errors:
        raise ImportRefused(errors)
    report = MarcReport(dry_run)
    with transaction.atomic():
        existing = {
            record.control_number: record
            for record in Record.objects.filter(
                control_number__in=[item.control_number for item in found]
            )
        }
        for item in found:
            _apply(item, existing.get(item.control_number), existing_copies, report, dry_run)
    return report


def _apply(
    item: RecordData,
    record: Record | None,
    copies: dict[str, Copy],
    report: MarcReport,
    dry_run: bool,
) -> None:
    if record is None:
        report.created += 1
        record = Record(control_number=item.control_number, **item.values)
        if not dry_run:
            record_save(record=record)
    elif any(getattr(record, name) != item.values[name] for name in RECORD_FIELDS):
        report.updated += 1
        for name, value in item.values.items():
            setattr(record, name, value)
        if not dry_run:
            record_save(record=record)
    else:
        report.unchanged += 1
    for data in item.copies:
        copy = copies.get(data.barcode)
        if copy is None:
            report.copies_created += 1
            if not dry_run:
                Copy.objects.create(
                    record=record,
                    barcode=data.barcode,
                    location=data.location[:200],
                    call_number=data.call_number[:100],
                )
        elif (copy.location, copy.call_number) != (data.location[:200], data.call_number[:100]):
            report.copies_updated += 1
            if not dry_run:
                copy.location = data.location[:200]
                copy.call_number = data.call_number[:100]
                copy.save(update_fields=["location", "call_number"])
