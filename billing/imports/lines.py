"""The invoices import's pieces that are not the importer: what a row and an invoice plan are,
how the file's rows pair with an invoice's lines, and the labels the report prints."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from billing.models import Invoice, InvoiceLine
from students.imports import (
    Row,
    cells,
)

# The columns every row of one invoice repeats, and must repeat alike.
INVOICE_COLUMNS = ("matricule", "session", "description", "due_date")


@dataclass
class InvoiceRow:
    """What a plan of this import is about: one line of one invoice (`Plan.instance`)."""

    invoice: Invoice
    line: InvoiceLine
    label: str

    def __str__(self) -> str:
        return self.label


@dataclass
class InvoicePlan:
    """What the file does to one invoice."""

    number: str
    invoice: Invoice
    created: bool
    header_changed: bool = False
    lines_changed: bool = False
    lines: list[InvoiceLine] = field(default_factory=list)  # its lines as the file has them

    @property
    def changed(self) -> bool:
        return self.created or self.header_changed or self.lines_changed


def money(amount: Decimal) -> str:
    return str(amount.quantize(cells.CENT))


def yes_no(value: bool) -> str:
    return _("oui") if value else _("non")


def line_label(description: str, amount: Decimal, voluntary: bool) -> str:
    if voluntary:
        return _("%(description)s (%(amount)s $, volontaire)") % {
            "description": description,
            "amount": money(amount),
        }
    return _("%(description)s (%(amount)s $)") % {
        "description": description,
        "amount": money(amount),
    }


def field_of(model: type[Invoice] | type[InvoiceLine], name: str) -> Any:
    return model._meta.get_field(name)


def max_length(model: type[Invoice] | type[InvoiceLine], name: str) -> int:
    return field_of(model, name).max_length


def disagreements(number: str, first: Row, row: Row) -> list[str]:
    """The invoice's columns in which `row` says otherwise than the invoice's first row."""
    errors = []
    for header in INVOICE_COLUMNS:
        before, now = first.cells.get(header, ""), row.cells.get(header, "")
        if header == "session":
            before, now = before.upper(), now.upper()
        if before != now:
            errors.append(
                _(
                    "la facture %(number)s a « %(name)s » = « %(before)s » à la ligne "
                    "%(first)d, mais « %(now)s » ici ; les lignes d'une même facture doivent "
                    "concorder."
                )
                % {
                    "number": number,
                    "name": header,
                    "before": before,
                    "first": first.line,
                    "now": now,
                }
            )
    return errors


def pair_lines(old_lines: list[InvoiceLine], rows: list[dict[str, Any]]) -> dict[int, InvoiceLine]:
    """Which existing line each row of the file is (by its position in the invoice's rows):
    first the same line (description, amount, voluntary), then a line of the same description
    (its amount or kind changes); a row paired with none is a new line."""
    free = list(old_lines)
    pairs: dict[int, InvoiceLine] = {}

    def same(old: InvoiceLine, values: dict[str, Any]) -> bool:
        return (old.description, old.amount, old.voluntary) == (
            values["line_description"],
            values["amount"],
            values["voluntary"],
        )

    for test in (same, lambda old, values: old.description == values["line_description"]):
        for position, values in enumerate(rows):
            if position in pairs:
                continue
            match = next((old for old in free if test(old, values)), None)
            if match is not None:
                pairs[position] = match
                free.remove(match)
    return pairs


def refusal(invoice: Invoice) -> str:
    """Why an invoice may no longer change, or ""."""
    if invoice.status == Invoice.Status.CANCELLED:
        return _(
            "la facture %(number)s est annulée ; elle ne peut plus être modifiée par import."
        ) % {"number": invoice.number}
    if invoice.status == Invoice.Status.PAID or invoice.has_payments:  # type: ignore[attr-defined]
        return _(
            "la facture %(number)s a déjà des paiements ; elle ne peut plus être modifiée par "
            "import."
        ) % {"number": invoice.number}
    return ""


def new_line(invoice: Invoice, position: int, values: dict[str, Any]) -> InvoiceLine:
    return InvoiceLine(
        invoice=invoice,
        description=values["line_description"],
        amount=values["amount"],
        voluntary=values["voluntary"],
        tax_eligible=bool(values.get("tax_eligible")),
        position=position,
    )


def row_label(number: str, line: InvoiceLine, with_amount: bool = True) -> str:
    text = (
        line_label(line.description, line.amount, line.voluntary)
        if with_amount
        else line.description
    )
    return _("%(number)s : %(line)s") % {"number": number, "line": text}
