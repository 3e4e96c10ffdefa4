"""`python manage.py import_csv invoices FILE [--dry-run]`: the payment centre's invoices.

One row per invoice line; the rows that share an `invoice_number` make one invoice and must agree
on its student, session, description and due date. The guarantees are those of every
import (students.imports.engine): all-or-nothing, every error with its line number, idempotent
by invoice number. An invoice whose lines change gets its lines replaced, except that a voluntary
contribution the student removed stays removed while the same line (description and amount) is
still there. An invoice with an approved or pending payment, or no longer open, is never changed.

The summary counts the file's rows, that is invoice lines (a row creates a line, updates it or
leaves it as it is); a note counts the invoices.
"""

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.balances import invoice_balances_refresh
from billing.imports.lines import (
    InvoicePlan,
    InvoiceRow,
    disagreements,
    field_of,
    line_label,
    max_length,
    money,
    new_line,
    pair_lines,
    refusal,
    row_label,
    yes_no,
)
from billing.models import Allocation, Invoice, InvoiceLine, Payment
from portal.templatetags.portal_format import format_when
from students.imports import (
    BATCH_ROWS,
    PREFETCH_CHUNK,
    Change,
    Importer,
    Plan,
    Row,
    RowInvalid,
    cells,
    chunks,
    line_error,
    register,
)
from students.models import Student

SESSION_RE = re.compile(r"[A-Z]{3}-[0-9]{4}")
NUMBER_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*")
# Payments that settle, or may still settle, an invoice: its lines are then what was paid.
BINDING_PAYMENTS = (Payment.Status.SUCCEEDED, Payment.Status.PENDING)


@register
class InvoiceImporter(Importer):
    kind = "invoices"
    label = gettext_lazy("Factures")
    model = Invoice
    key = "invoice_number"
    # header → what it fills: the invoice's fields, then its line's (InvoiceLine).
    columns: ClassVar[dict[str, str]] = {
        "matricule": "student",
        "session": "session",
        "invoice_number": "number",
        "description": "description",
        "due_date": "due_date",
        "line_description": "line.description",
        "amount": "line.amount",
        "voluntary": "line.voluntary",
        "tax_eligible": "line.tax_eligible",
    }
    # tax_eligible is optional: absent or empty, a new line is not eligible and a line already
    # on file keeps its flag.
    required = frozenset(columns) - {"tax_eligible"}
    # Checked and written in batches (memory flat in the file's size), never cutting an
    # invoice's rows in two: a batch ends where the next row starts another invoice.
    batch_rows = BATCH_ROWS
    batch_by = "invoice_number"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.students: dict[str, Student] = {}
        self.invoices: dict[str, InvoicePlan] = {}
        self.outcomes: dict[int, Plan | list[str]] = {}
        self.warnings: list[tuple[int, str]] = []
        # Across batches: the invoices of the batches done (number → first line), and the
        # counts of the closing note.
        self.done: dict[str, int] = {}
        self.firsts: dict[str, int] = {}
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}

    def start_batch(self) -> None:
        super().start_batch()
        self.done.update({number: first for number, first in self.firsts.items()})
        self.students = {}
        self.invoices = {}
        self.outcomes = {}
        self.warnings = []

    # Loading, once per batch

    def prepare(self, rows: Sequence[Row]) -> None:
        """Loads the students and the invoices the batch names, a few queries whatever its length.

        The students are locked first, as starting a payment does, so that no payment can begin
        on an invoice between the check below and the write; the invoices and their lines are
        locked too (a student removing a contribution meanwhile waits for the import). Rows are
        locked in primary key order, so that two imports at once wait rather than deadlock.
        """
        matricules = list(dict.fromkeys(row.cells.get("matricule", "") for row in rows))
        for chunk in chunks(matricules):
            for student in (
                Student.objects.select_for_update().filter(matricule__in=chunk).order_by("pk")
            ):
                self.students[student.matricule] = student
        numbers = list(dict.fromkeys(row.cells.get("invoice_number", "") for row in rows))
        paid = Allocation.objects.filter(
            invoice=OuterRef("pk"), payment__status__in=BINDING_PAYMENTS
        )
        lines = InvoiceLine.objects.select_for_update().order_by("position", "id")
        for chunk in chunks(numbers):
            queryset = (
                Invoice.objects.select_for_update(of=("self",))
                .filter(number__in=chunk)
                .order_by("pk")  # locks always taken in the same order: no deadlock
                .select_related("student")
                .annotate(has_payments=Exists(paid))
                .prefetch_related(Prefetch("lines", queryset=lines))
            )
            for invoice in queryset:
                self.existing[invoice.number] = invoice
        self._plan_all(rows)

    # Cells

    def clean_matricule(self, value: str) -> Student:
        return cells.student(self.students, value, self.institution)

    def clean_session(self, value: str) -> str:
        session = value.upper()
        if not SESSION_RE.fullmatch(session):
            raise ValidationError(
                _(
                    "la session doit avoir la forme AUT-2026 (trois lettres, un trait d'union et "
                    "l'année). Valeur reçue : « %(value)s »."
                )
                % {"value": value}
            )
        return session

    def clean_invoice_number(self, value: str) -> str:
        if not NUMBER_RE.fullmatch(value) or len(value) > max_length(Invoice, "number"):
            raise ValidationError(
                _(
                    "le numéro de facture ne peut contenir que des chiffres, des lettres sans "
                    "accent et des traits d'union (%(max)d au plus). Valeur reçue : « %(value)s »."
                )
                % {"max": max_length(Invoice, "number"), "value": value}
            )
        return value

    def clean_description(self, value: str) -> str:
        return cells.text(value, "description", max_length(Invoice, "description"))

    def clean_due_date(self, value: str) -> datetime.date | None:
        return cells.date(value, "due_date", subject=_("l'échéance"))

    def clean_line_description(self, value: str) -> str:
        return cells.text(value, "line_description", max_length(InvoiceLine, "description"))

    def clean_amount(self, value: str) -> Decimal:
        return cells.money(value)

    def clean_voluntary(self, value: str) -> bool:
        return cells.yes_no(
            value,
            "voluntary",
            message=_(
                "la colonne « voluntary » vaut « oui » pour une cotisation volontaire, "
                "« non » sinon."
            ),
        )

    def clean_tax_eligible(self, value: str) -> bool:
        return cells.yes_no(
            value,
            "tax_eligible",
            message=_(
                "la colonne « tax_eligible » vaut « oui » pour des frais admissibles aux relevés "
                "d'impôt (droits de scolarité), « non » sinon."
            ),
        )

    # Rows: every row is checked in `prepare`, since an invoice is known only from all of its rows

    def plan(self, row: Row) -> Plan:
        outcome = self.outcomes[row.line]
        if isinstance(outcome, list):
            raise RowInvalid(outcome)
        return outcome

    def _clean_cells(self, row: Row) -> tuple[dict[str, Any], list[str]]:
        values: dict[str, Any] = {}
        errors: list[str] = []
        for header in self.columns:
            cell = row.cells.get(header, "")
            if not cell and header not in self.required:
                values[header] = None
                continue
            if not cell:
                errors.append(
                    _("la cellule « %(name)s » est vide ; elle est obligatoire.") % {"name": header}
                )
                continue
            try:
                values[header] = getattr(self, f"clean_{header}")(cell)
            except ValidationError as error:
                errors.extend(error.messages)
        return values, errors

    def _plan_all(self, rows: Sequence[Row]) -> None:
        groups: dict[str, list[tuple[Row, dict[str, Any]]]] = {}
        errors: dict[int, list[str]] = {}
        self.firsts: dict[str, int] = {}
        for row in rows:
            values, errors[row.line] = self._clean_cells(row)
            number = values.get("invoice_number")
            if number is None:
                continue  # without a valid number, the row belongs to no invoice
            if number in self.done:
                # Only in a file longer than a batch: its invoice was written with the rows seen.
                errors[row.line].append(
                    _(
                        "la facture %(number)s figure déjà plus haut (ligne %(first)d) : dans un "
                        "fichier de plus de %(rows)d lignes, les lignes d'une même facture "
                        "doivent se suivre. Triez le fichier par numéro de facture."
                    )
                    % {"number": number, "first": self.done[number], "rows": BATCH_ROWS}
                )
                continue
            self.firsts.setdefault(number, row.line)
            group = groups.setdefault(number, [])
            if group:
                errors[row.line].extend(disagreements(number, group[0][0], row))
            group.append((row, values))
        for number, group in groups.items():
            if all(not errors[row.line] for row, _values in group):
                self._plan_invoice(number, group, errors)
            else:
                self._check_student(number, group, errors)
        for row in rows:
            if errors[row.line]:
                self.outcomes[row.line] = errors[row.line]
        # A valid row of an invoice refused on another of its lines has nothing to do and nothing
        # to say: the file is refused for the other line.
        unplanned = [row.line for row in rows if row.line not in self.outcomes]
        if unplanned and not any(errors.values()):
            raise RuntimeError(f"Rows left without a plan: {unplanned}")
        for line in unplanned:
            self.outcomes[line] = []

    def _check_student(
        self, number: str, group: list[tuple[Row, dict[str, Any]]], errors: dict[int, list[str]]
    ) -> None:
        existing = self.existing.get(number)
        row, values = group[0]
        student = values.get("matricule")
        if existing is not None and student is not None and existing.student_id != student.pk:
            errors[row.line].append(
                _(
                    "la facture %(number)s est au dossier %(old)s ; un import ne peut pas la "
                    "faire passer au dossier %(new)s. Corrigez le matricule, ou donnez un autre "
                    "numéro à la nouvelle facture."
                )
                % {
                    "number": number,
                    "old": existing.student.matricule,
                    "new": student.matricule,
                }
            )

    def _plan_invoice(
        self, number: str, group: list[tuple[Row, dict[str, Any]]], errors: dict[int, list[str]]
    ) -> None:
        first, header = group[0]
        existing = self.existing.get(number)
        fields = {
            "session": header["session"],
            "description": header["description"],
            "due_date": header["due_date"],
        }
        if existing is None:
            invoice = Invoice(number=number, student=header["matricule"], **fields)
            plan = self.invoices[number] = InvoicePlan(number, invoice, created=True)
            for position, (row, values) in enumerate(group):
                line = new_line(invoice, position, values)
                plan.lines.append(line)
                if position == 0:
                    label = _(
                        "%(number)s (%(student)s, %(session)s, échéance %(due_date)s) : %(line)s"
                    ) % {
                        "number": number,
                        "student": header["matricule"].matricule,
                        "session": header["session"],
                        "due_date": format_when(header["due_date"]),
                        "line": line_label(line.description, line.amount, line.voluntary),
                    }
                else:
                    label = row_label(number, line)
                self.outcomes[row.line] = Plan(
                    row.line, InvoiceRow(invoice, line, label), True, values
                )
            return

        self._check_student(number, group, errors)
        if errors[first.line]:
            return
        plan = self.invoices[number] = InvoicePlan(number, existing, created=False)
        header_changes = [
            Change(name, str(field_of(Invoice, name).verbose_name), getattr(existing, name), new)
            for name, new in fields.items()
            if getattr(existing, name) != new
        ]
        plan.header_changed = bool(header_changes)

        old_lines = list(existing.lines.all())
        pairs = pair_lines(old_lines, [values for _row, values in group])
        plans: list[Plan] = []
        for position, (row, values) in enumerate(group):
            line = new_line(existing, position, values)
            old = pairs.get(position)
            changes: list[Change] = []
            if old is not None:
                if old.amount != line.amount:
                    changes.append(
                        Change(
                            "amount",
                            str(field_of(InvoiceLine, "amount").verbose_name),
                            money(old.amount),
                            money(line.amount),
                        )
                    )
                if old.voluntary != line.voluntary:
                    changes.append(
                        Change(
                            "voluntary",
                            str(field_of(InvoiceLine, "voluntary").verbose_name),
                            yes_no(old.voluntary),
                            yes_no(line.voluntary),
                        )
                    )
                # The student's removal of a contribution survives while the line is the same.
                line.removed = old.removed and not changes
                if values.get("tax_eligible") is None:
                    line.tax_eligible = old.tax_eligible
                elif old.tax_eligible != line.tax_eligible:
                    changes.append(
                        Change(
                            "tax_eligible",
                            str(field_of(InvoiceLine, "tax_eligible").verbose_name),
                            yes_no(old.tax_eligible),
                            yes_no(line.tax_eligible),
                        )
                    )
                if old.removed and changes:
                    self.warnings.append(
                        (
                            row.line,
                            _(
                                "la facture %(number)s : la cotisation volontaire « %(line)s » "
                                "que l'étudiant avait retirée change ; elle sera de nouveau "
                                "à payer."
                            )
                            % {"number": number, "line": old.description},
                        )
                    )
            plan.lines.append(line)
            plans.append(
                Plan(
                    row.line,
                    InvoiceRow(existing, line, row_label(number, line, old is None)),
                    old is None,
                    values,
                    changes,
                )
            )
        paired = {old.pk for old in pairs.values()}
        dropped = [old for old in old_lines if old.pk not in paired]
        for old in dropped:
            plans[0].changes.append(
                Change(
                    "lines",
                    _("ligne retirée"),
                    line_label(old.description, old.amount, old.voluntary),
                    None,
                )
            )
            if old.removed:
                self.warnings.append(
                    (
                        first.line,
                        _(
                            "la facture %(number)s : la cotisation volontaire « %(line)s » que "
                            "l'étudiant avait retirée n'est plus dans le fichier."
                        )
                        % {"number": number, "line": old.description},
                    )
                )
        # A reordering alone changes nothing; the file's order is kept when lines are replaced.
        plan.lines_changed = any(row_plan.created or row_plan.changes for row_plan in plans)
        plans[0].changes[:0] = header_changes

        if plan.changed:
            reason = refusal(existing)
            if reason:
                del self.invoices[number]
                errors[first.line].append(reason)
                return
        for change in header_changes:
            setattr(existing, change.field, change.new)
        for row_plan in plans:
            self.outcomes[row_plan.line] = row_plan

    # Writing

    def apply(self, plans: Sequence[Plan]) -> None:
        numbers = {plan.instance.invoice.number for plan in plans}  # type: ignore[attr-defined]
        changed = [plan for number, plan in self.invoices.items() if number in numbers]
        new_invoices = [plan.invoice for plan in changed if plan.created]
        updated = [plan.invoice for plan in changed if not plan.created and plan.header_changed]
        replaced = [plan.invoice.pk for plan in changed if not plan.created and plan.lines_changed]
        lines = [
            line for plan in changed if plan.created or plan.lines_changed for line in plan.lines
        ]
        Invoice.objects.bulk_create(new_invoices, batch_size=PREFETCH_CHUNK)
        if updated:
            Invoice.objects.bulk_update(
                updated, ["session", "description", "due_date"], batch_size=PREFETCH_CHUNK
            )
        for chunk in chunks(replaced):
            InvoiceLine.objects.filter(invoice_id__in=chunk).delete()
        InvoiceLine.objects.bulk_create(lines, batch_size=PREFETCH_CHUNK)
        # bulk_create sends no signal: the batch's invoices get their stored balance here, set
        # based (billing.balances).
        invoice_balances_refresh([invoice.pk for invoice in new_invoices] + replaced)

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        created = sum(plan.created for plan in self.invoices.values())
        updated = sum(not plan.created and plan.changed for plan in self.invoices.values())
        self.counts["created"] += created
        self.counts["updated"] += updated
        self.counts["unchanged"] += len(self.invoices) - created - updated
        return [line_error(line, message) for line, message in sorted(self.warnings)]

    def closing_notes(self, *, dry_run: bool) -> list[str]:
        summary = (
            _("Factures : %(created)d à créer, %(updated)d à modifier, %(unchanged)d inchangée(s).")
            if dry_run
            else _(
                "Factures : %(created)d créée(s), %(updated)d modifiée(s), "
                "%(unchanged)d inchangée(s)."
            )
        )
        return [summary % self.counts]
