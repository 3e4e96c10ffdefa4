"""`python manage.py import_csv loans FILE [--dry-run]`: the loans of the college's library
system, fed nightly (found by `students.imports.importers()`).

One row per open loan: `barcode` (a copy imported with `import_marc`), `matricule`,
`loaned_on` and `due_on` (AAAA-MM-JJ). The loan the file names (same copy, student and loan
date) is updated (its due date); a copy the file lends to someone else, or from another date,
had its previous loan end: that loan is closed as returned on the new loan's date. The
guarantees are those of every import: all-or-nothing, errors with their line numbers, and a
second run of the same file changes nothing.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library.models import Copy, Loan
from students.imports import Change, Importer, Plan, Row, RowInvalid, cells, chunks, register
from students.models import Student


@register
class LoanImporter(Importer):
    kind = "loans"
    label = gettext_lazy("Prêts de la bibliothèque")
    model = Loan
    key = "barcode"
    columns: ClassVar[dict[str, str]] = {
        "barcode": "copy",
        "matricule": "student",
        "loaned_on": "loaned_on",
        "due_on": "due_on",
    }
    required = frozenset(columns)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.copies: dict[str, Copy] = {}
        self.students: dict[str, Student] = {}
        self.open_loans: dict[int, Loan] = {}  # copy id → its open loan
        self.closing: dict[int, Loan] = {}  # line → the open loan the row ends

    def prepare(self, rows: Sequence[Row]) -> None:
        barcodes = list(dict.fromkeys(row.cells.get("barcode", "") for row in rows))
        matricules = list(dict.fromkeys(row.cells.get("matricule", "") for row in rows))
        for chunk in chunks(barcodes):
            for copy in Copy.objects.filter(barcode__in=chunk).select_related("record"):
                self.copies[copy.barcode] = copy
        for chunk in chunks(matricules):
            for student in Student.objects.filter(matricule__in=chunk):
                self.students[student.matricule] = student
        copy_ids = [copy.pk for copy in self.copies.values()]
        for chunk in chunks(copy_ids):
            for loan in Loan.objects.filter(copy_id__in=chunk, returned_on__isnull=True):
                self.open_loans[loan.copy_id] = loan

    def clean_barcode(self, value: str) -> Copy:
        copy = self.copies.get(value)
        if copy is None:
            raise ValidationError(
                _(
                    "aucun exemplaire n'a le code-barres « %(value)s ». Importez d'abord le "
                    "catalogue (import_marc)."
                )
                % {"value": value}
            )
        return copy

    def clean_matricule(self, value: str) -> Student:
        return cells.student(self.students, value, self.institution)

    def clean_loaned_on(self, value: str) -> Any:
        return cells.date(value, "loaned_on", subject=_("la date du prêt"))

    def clean_due_on(self, value: str) -> Any:
        return cells.date(value, "due_on", subject=_("la date de retour"))

    def plan(self, row: Row) -> Plan:
        values, errors = self.field_values(row)
        copy, student = values.get("copy"), values.get("student")
        loaned_on, due_on = values.get("loaned_on"), values.get("due_on")
        if copy is not None:
            first = self.seen.setdefault(copy.barcode, row.line)
            if first != row.line:
                errors.append(
                    _("l'exemplaire %(barcode)s figure déjà à la ligne %(first)d.")
                    % {"barcode": copy.barcode, "first": first}
                )
        if loaned_on and due_on and due_on < loaned_on:
            errors.append(_("la date de retour précède la date du prêt."))
        if errors:
            raise RowInvalid(errors)
        current = self.open_loans.get(copy.pk)
        if current and current.student_id == student.pk and current.loaned_on == loaned_on:
            changes = []
            if current.due_on != due_on:
                changes.append(Change("due_on", _("à rendre le"), current.due_on, due_on))
                current.due_on = due_on
            return Plan(row.line, current, False, values, changes)
        if current is not None:
            self.closing[row.line] = current
        loan = Loan(copy=copy, student=student, loaned_on=loaned_on, due_on=due_on)
        return Plan(row.line, loan, True, values)

    def apply(self, plans: Sequence[Plan]) -> None:
        for plan in plans:
            loan = plan.instance
            previous = self.closing.get(plan.line)
            if previous is not None:
                previous.returned_on = max(loan.loaned_on, previous.loaned_on)
                previous.save(update_fields=["returned_on"])
            if plan.created:
                loan.save()
            else:
                loan.save(update_fields=["due_on"])

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        if not self.closing:
            return []
        message = (
            _("%(count)d prêt(s) précédent(s) à clore (exemplaire prêté de nouveau).")
            if dry_run
            else _("%(count)d prêt(s) précédent(s) clos (exemplaire prêté de nouveau).")
        )
        return [message % {"count": len(self.closing)}]
