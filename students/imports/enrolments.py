"""`import_csv enrolments`: a student in a section, found by (term, matricule, course_code): a
student is in one group of a course in a term, so another group for a known enrolment moves the
student to that group."""

from collections.abc import Sequence
from typing import Any, ClassVar, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import register
from students.imports.engine import BATCH_ROWS, PREFETCH_CHUNK, Change, Plan, chunks, line_error
from students.imports.reading import Row
from students.imports.registrar import (
    RegistrarImporter,
    Target,
    many_groups,
    offering,
    update_fields,
)
from students.models import Enrolment, Mark, Section


@register
class EnrolmentImporter(RegistrarImporter):
    kind = "enrolments"
    label = gettext_lazy("Inscriptions")
    model = Enrolment
    columns: ClassVar[dict[str, str]] = {
        "term": "",
        "matricule": "student",
        "course_code": "",
        "group": "section",
    }
    required = frozenset(columns)
    batch_rows = BATCH_ROWS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.moves: list[tuple[int, Enrolment, str]] = []  # (line, enrolment, old group)

    def start_batch(self) -> None:
        super().start_batch()
        self.moves = []  # the previous batch's were noted

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows)
        self.load_students(rows)
        self.load_enrolments(rows, with_marks=True)

    def load_enrolments(self, rows: Sequence[Row], *, with_marks: bool = False) -> None:
        """The batch's students' enrolments in the file's courses, as `Enrolled` (its id, its
        section, whether it has marks there): a record is built only for one the file moves
        (building every loaded enrolment was a third of a no-op import's time)."""
        if not self.sections_by_pk or not self.students:
            return
        terms = [term.pk for term in self._file_terms(rows)]
        courses = [course.pk for course in self._file_courses(rows)]
        by_pk = {student.pk: student for student in self.students.values()}
        offerings: dict[int, tuple[str, str]] = {}
        marks = Mark.objects.filter(
            student=OuterRef("student"), evaluation__section=OuterRef("section")
        )
        for chunk in chunks(list(by_pk)):
            found = (
                Enrolment.objects.filter(
                    student_id__in=chunk,
                    section__term_id__in=terms,
                    section__course_id__in=courses,
                )
                .annotate(has_marks=Exists(marks))
                .order_by("pk")
                .values_list("pk", "student_id", "section_id", "has_marks")
            )
            for pk, student_pk, section_pk, has_marks in found:
                section = self.sections_by_pk[section_pk]
                known = offerings.get(section_pk)
                if known is None:
                    known = offerings[section_pk] = offering(section.term, section.course)
                self.enrolments[(by_pk[student_pk].matricule, *known)].append(
                    Enrolled(pk, section, has_marks)  # type: ignore[arg-type]
                )

    def plan_row(self, row: Row, values: dict[str, Any]) -> Plan:
        term, course, student = values["term"], values["course_code"], values["matricule"]
        section = self.section_for(term, course, values["group"])
        names = {"matricule": student.matricule, "course": course.code, "term": term.code}
        self.once(enrolment_key(student.id, term.id, course.id), row.line, REPEATED, names)
        found: list[Enrolled] = self.enrolments.get(  # type: ignore[assignment]
            (student.matricule, *offering(term, course)), []
        )
        same = next((e for e in found if e.section.pk == section.pk), None)
        if same is not None:
            # Unchanged, the most common row of a re-import: no record is built for it.
            return Plan(row.line, Target(None, ""), False, {"section": section})  # type: ignore[arg-type]
        if not found:
            enrolment = Enrolment(student=student, section=section)
            return Plan(row.line, Target(enrolment, enrolment.__str__), True, {"section": section})
        if len(found) > 1:
            raise ValidationError(many_groups(found, names))  # type: ignore[arg-type]
        enrolled = found[0]
        enrolment = Enrolment(pk=enrolled.pk, student=student, section=enrolled.section)
        enrolment._state.adding = False
        label = str(enrolment) if self.details else ""  # before the group changes
        old_group = enrolled.section.group
        change = Change("section", _("groupe"), old_group, section.group)
        enrolment.section = section
        if enrolled.has_marks:
            self.moves.append((row.line, enrolment, old_group))
        return Plan(row.line, Target(enrolment, label), False, {"section": section}, [change])

    def apply(self, plans: Sequence[Plan]) -> None:
        # Checked as a whole, not one `full_clean` a row: an enrolment's only cells are its
        # student and its section, records the batch resolved from the database, and its other
        # fields hold their defaults; the uniqueness is the database's.
        Enrolment.objects.bulk_create(
            [plan.instance.record for plan in plans if plan.created], batch_size=PREFETCH_CHUNK
        )
        changed = [plan.instance.record for plan in plans if not plan.created]
        if changed:
            update_fields(Enrolment, changed, ["section"])

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        return [
            line_error(
                line,
                _(
                    "attention, l'étudiant %(matricule)s change de groupe en %(course)s "
                    "(%(old)s → %(new)s) ; ses notes d'évaluation du groupe %(old)s y restent."
                )
                % {
                    "matricule": enrolment.student.matricule,
                    "course": enrolment.section.course.code,
                    "old": old,
                    "new": enrolment.section.group,
                },
            )
            for line, enrolment, old in self.moves
        ]


class Enrolled(NamedTuple):
    """What a row needs of a stored enrolment: its id, its section, whether it has marks there."""

    pk: int
    section: Section
    has_marks: bool


REPEATED = gettext_lazy(
    "l'inscription de l'étudiant %(matricule)s au cours %(course)s à la session "
    "%(term)s figure déjà à la ligne %(first)d."
)


def enrolment_key(student_pk: int, term_pk: int, course_pk: int) -> int:
    """An enrolment's key as one number: the file's keys are kept until its end (`seen`), one
    per row, and an int costs a fraction of a tuple of the three cells (280,000 of them for a
    college of 20,000 students)."""
    return (student_pk << 32 | term_pk) << 32 | course_pk
