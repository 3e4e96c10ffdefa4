"""`python manage.py import_csv guardians FILE [--dry-run]`: the parents, tutors and tutrices on
the children's files (docs/import.md, docs/parents.md).

One row per guardian of a child; a child may have several rows (mother, father, tutor), and a
parent several children, in different schools. A row is found by the child's matricule and the
guardian's email (compared in lower case). The guarantees are those of the students import
(students.imports.engine): all-or-nothing, every error with its line number, idempotent.

Two rules make the file the truth about who may follow a child:

- The guardians of a child named in the file are the file's rows: a row of that child whose email
  the file no longer lists is removed, and its parent loses the access at once (the school
  changed the email on the file, or the guardian is no longer on it). A child the file does not
  name keeps its guardians.
- A row not yet linked is linked to the activated parent account whose login is its email: a
  new child appears for a parent who already has an account. A linked row stays linked, even
  after the parent changed the account's email. `can_view` = non keeps the link but ends the
  access, at the parent's next page.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from parents.models import Guardian
from parents.services.guardians import guardians_import_save, parent_accounts_by_email
from students.imports import (
    BATCH_ROWS,
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


@register
class GuardianImporter(Importer):
    kind = "guardians"
    label = gettext_lazy("Parents et tuteurs")
    model = Guardian
    key = ""  # two columns: matricule and email
    columns: ClassVar[dict[str, str]] = {
        "matricule": "student",
        "last_name": "last_name",
        "first_name": "first_name",
        "email": "email",
        "phone": "phone",
        "civic_number": "civic_number",
        "relationship": "relationship",
        "can_view": "can_view",
        "access_after_18": "access_after_majority",
    }
    required = frozenset({"matricule", "last_name", "first_name", "email", "can_view"})
    # Checked and written in batches (memory flat in the file's size), never cutting a child's
    # rows in two: a batch ends where the next row names another child.
    batch_rows = BATCH_ROWS
    batch_by = "matricule"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.students: dict[str, Student] = {}
        self.rows_by_key: dict[tuple[str, str], Guardian] = {}
        self.rows_by_student: dict[int, list[Guardian]] = defaultdict(list)
        self.accounts: dict[str, User] = {}
        self.keys_seen: dict[tuple[str, str], int] = {}
        self.first_line: dict[int, int] = {}  # student pk → the first line naming the child
        self.unlinked: list[tuple[Guardian, User]] = []
        self.linked = 0
        self._removals: list[tuple[int, Guardian]] | None = None
        # Across batches: the children of the batches done (matricule → first line), and this
        # batch's.
        self.done: dict[str, int] = {}
        self.firsts: dict[str, int] = {}

    def start_batch(self) -> None:
        super().start_batch()
        self.done.update(self.firsts)
        self.firsts = {}
        self.students = {}
        self.rows_by_key = {}
        self.rows_by_student = defaultdict(list)
        self.accounts = {}
        self.first_line = {}
        self._removals = None

    # Loading, once for the whole file

    def prepare(self, rows: Sequence[Row]) -> None:
        matricules = list(dict.fromkeys(row.cells.get("matricule", "") for row in rows))
        for chunk in chunks(matricules):
            for student in Student.objects.filter(matricule__in=chunk):
                self.students[student.matricule] = student
        by_pk = {student.pk: student for student in self.students.values()}
        for chunk in chunks(list(by_pk)):
            for guardian in (
                Guardian.objects.filter(student_id__in=chunk)
                .select_related("account")
                .order_by("pk")
            ):
                guardian.student = by_pk[guardian.student_id]
                self.rows_by_key[(guardian.student.matricule, guardian.email)] = guardian
                self.rows_by_student[guardian.student_id].append(guardian)
        self.accounts = parent_accounts_by_email(row.cells.get("email", "") for row in rows)

    # Cells

    def clean_matricule(self, value: str) -> Student:
        return cells.student(self.students, value, self.institution)

    def clean_email(self, value: str) -> str:
        return cells.email(value, lower=True)

    def clean_can_view(self, value: str) -> bool:
        return cells.yes_no(value, "can_view")

    def clean_access_after_18(self, value: str) -> bool:
        # Empty: the default, the access ends at the institution's age.
        return cells.yes_no(value, "access_after_18") if value else False

    # Rows

    def plan(self, row: Row) -> Plan:
        values, errors = self.field_values(row)
        student, email = values.get("student"), values.get("email")
        if student is not None and student.matricule in self.done:
            # Only in a file longer than a batch: the child's guardians were written (and the
            # others removed) with the rows seen.
            errors.append(
                _(
                    "l'enfant %(matricule)s figure déjà plus haut (ligne %(first)d) : dans un "
                    "fichier de plus de %(rows)d lignes, les lignes d'un même enfant doivent se "
                    "suivre. Triez le fichier par matricule."
                )
                % {
                    "matricule": student.matricule,
                    "first": self.done[student.matricule],
                    "rows": BATCH_ROWS,
                }
            )
        elif student is not None:
            self.firsts.setdefault(student.matricule, row.line)
        if student is not None and email:
            key = (student.matricule, email)
            first = self.keys_seen.setdefault(key, row.line)
            if first != row.line:
                errors.append(
                    _(
                        "le parent %(email)s de l'enfant %(matricule)s figure déjà à la ligne "
                        "%(first)d."
                    )
                    % {"email": email, "matricule": student.matricule, "first": first}
                )
        if errors:
            raise RowInvalid(errors)

        assert student is not None and email  # both required, checked above
        self.first_line.setdefault(student.pk, row.line)
        existing = self.rows_by_key.get((student.matricule, email))
        if existing is None:
            instance = Guardian(student=student, email=email)
            changes: list[Change] = []
        else:
            instance = existing
            changes = self._changes(existing, values)
        for name, value in values.items():
            setattr(instance, name, value)
        # A row not linked yet is linked to the activated parent account with its email, so a
        # new child appears for a parent who already has an account. A link is never undone
        # here: the key holds the email, so a linked row's email did not change, and the parent
        # may since have changed the account's login in "Gestion de mon compte".
        account = self.accounts.get(email)
        if instance.account_id is None and account is not None:
            if existing is not None:
                changes.append(
                    Change(
                        "account",
                        str(Guardian._meta.get_field("account").verbose_name),
                        None,
                        account.identifier,
                    )
                )
            self.linked += 1
            instance.account = account
            instance.linked_at = timezone.now()
        return Plan(row.line, instance, existing is None, values, changes)

    def removals(self) -> list[tuple[int, Guardian]]:
        """The rows of the file's children that the file no longer lists, with the first line
        that names their child."""
        if self._removals is None:
            self._removals = [
                (line, guardian)
                for student_pk, line in self.first_line.items()
                for guardian in self.rows_by_student.get(student_pk, [])
                if (guardian.student.matricule, guardian.email) not in self.keys_seen
            ]
        return self._removals

    def removed(self, plans: Sequence[Plan]) -> int:
        return len(self.removals())

    def apply(self, plans: Sequence[Plan]) -> None:
        removed = [guardian for _line, guardian in self.removals()]
        guardians_import_save(
            new=[plan.instance for plan in plans if plan.created],
            changed=[(plan.instance, plan.fields) for plan in plans if not plan.created],
            removed=removed,
            unlinked=[
                *self.unlinked,
                *[(guardian, guardian.account) for guardian in removed if guardian.account_id],
            ],
        )

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        notes = []
        for line, guardian in self.removals():
            message = (
                _("retrait de %(guardian)s, absent du fichier pour cet enfant")
                if not dry_run
                else _("à retirer : %(guardian)s, absent du fichier pour cet enfant")
            ) % {"guardian": guardian}
            if guardian.account_id:
                message += " " + _("(son compte de parent n'y aura plus accès)")
            notes.append(line_error(line, message + "."))
        return notes

    def closing_notes(self, *, dry_run: bool) -> list[str]:
        notes = []
        if self.linked:
            notes.append(
                (
                    _("Parents au dossier à lier à un compte de parent existant : %(count)d.")
                    if dry_run
                    else _("Parents au dossier liés à un compte de parent existant : %(count)d.")
                )
                % {"count": self.linked}
            )
        if self.unlinked:
            notes.append(
                (
                    _(
                        "Parents au dossier à délier de leur compte (le courriel a changé) : "
                        "%(count)d."
                    )
                    if dry_run
                    else _(
                        "Parents au dossier déliés de leur compte (le courriel a changé) : "
                        "%(count)d."
                    )
                )
                % {"count": len(self.unlinked)}
            )
        return notes
