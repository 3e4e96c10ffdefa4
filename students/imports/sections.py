"""`import_csv sections`: the sections (groupes-cours) and their weekly meetings, found by
(term, course_code, group); one row per weekly meeting. The meetings of a section named in the
file are replaced by the file's rows (kept in place where they pair up, so that a calendar sees
the same events). An unknown term code of the form AUT-2026 is created."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.templatetags.portal_format import format_when
from students.imports import cells, register
from students.imports.engine import BATCH_ROWS, Change, Plan, RowInvalid, chunks
from students.imports.reading import Row
from students.imports.registrar import (
    RegistrarImporter,
    Target,
    bulk_save,
    diff,
    hhmm,
    section_key,
)
from students.models import (
    Course,
    Employee,
    Meeting,
    Section,
    Term,
)


@dataclass
class SectionPlan:
    """What the file does to one section and its meetings."""

    section: Section
    created: bool
    first_line: int
    teacher_changed: bool = False
    new: list[Meeting] = field(default_factory=list)
    changed: list[Meeting] = field(default_factory=list)
    removed: list[Meeting] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return (
            self.created or self.teacher_changed or bool(self.new or self.changed or self.removed)
        )


@register
class SectionImporter(RegistrarImporter):
    kind = "sections"
    label = gettext_lazy("Groupes-cours et horaires")
    admin_model = Section
    model = Meeting
    columns: ClassVar[dict[str, str]] = {
        "term": "",
        "course_code": "",
        "group": "",
        "teacher": "",
        "day": "day",
        "start": "start",
        "end": "end",
        "room": "room",
        "capacity": "",
    }
    required = frozenset({"term", "course_code", "group", "day", "start", "end"})
    create_terms = True
    # Checked and written in batches (memory flat in the file's size), never cutting a section's
    # rows in two: a batch ends where the next row starts another section.
    batch_rows = BATCH_ROWS
    batch_by = ("term", "course_code", "group")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outcomes: dict[int, Plan | list[str]] = {}
        self.section_plans: dict[tuple[str, str, str], SectionPlan] = {}
        # Across batches: the sections of the batches done (key → first line), this batch's,
        # and the counts of the closing note.
        self.done: dict[tuple[str, str, str], int] = {}
        self.firsts: dict[tuple[str, str, str], int] = {}
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}

    def batch_key(self, row: Row) -> Any:
        return cells.section_key(row.cells)

    def start_batch(self) -> None:
        super().start_batch()
        self.done.update(self.firsts)
        self.firsts = {}
        self.outcomes = {}
        self.section_plans = {}
        # Each batch loads its own courses' sections with their meetings (as they are now).
        self.sections = {}
        self.sections_by_pk = {}
        self.__dict__.pop("_offerings", None)

    def prepare(self, rows: Sequence[Row]) -> None:
        self.load_terms()
        self.load_courses(rows)
        self.load_sections(rows, meetings=True, named=True)
        self.load_employees(rows, "teacher")
        self._plan_all(rows)

    # Cells

    def clean_teacher(self, value: str) -> Employee | None:
        if not value:
            return None
        employee = self.employees.get(value)
        if employee is None:
            raise ValidationError(
                _(
                    "aucun employé n'a le numéro « %(value)s ». Importez d'abord les employés "
                    "(import_csv employees)."
                )
                % {"value": value}
            )
        return employee

    def clean_capacity(self, value: str) -> int | None:
        return cells.integer(value, "capacity", low=0, high=cells.SMALL_INT_MAX) if value else None

    def clean_day(self, value: str) -> int:
        if value not in {str(day) for day in Meeting.Day.values}:
            raise ValidationError(
                _("le jour doit être un chiffre de 1 (lundi) à 7 (dimanche).")
                + " "
                + cells.received(value)
            )
        return int(value)

    def clean_start(self, value: str) -> datetime.time:
        return cells.time(value, "start")

    def clean_end(self, value: str) -> datetime.time:
        return cells.time(value, "end")

    def clean_room(self, value: str) -> str:
        return cells.text(value, "room", Meeting._meta.get_field("room").max_length)

    # Rows: a section is known only from all of its rows, so every row is checked in `prepare`

    def plan(self, row: Row) -> Plan:
        outcome = self.outcomes[row.line]
        if isinstance(outcome, list):
            raise RowInvalid(outcome)
        return outcome

    def _plan_all(self, rows: Sequence[Row]) -> None:
        groups: dict[tuple[str, str, str], list[tuple[Row, dict[str, Any]]]] = {}
        errors: dict[int, list[str]] = {}
        for row in rows:
            values, errors[row.line] = self.clean_cells(row)
            start, end = values.get("start"), values.get("end")
            if start is not None and end is not None and start >= end:
                errors[row.line].append(
                    _("l'heure de fin %(end)s doit suivre l'heure de début %(start)s.")
                    % {"start": hhmm(start), "end": hhmm(end)}
                )
            if not all(header in values for header in ("term", "course_code", "group")):
                continue  # the row belongs to no section
            key = section_key(values["term"], values["course_code"], values["group"])
            if key in self.done:
                # Only in a file longer than a batch: its section was written with the rows seen.
                errors[row.line].append(
                    _(
                        "le groupe-cours %(section)s figure déjà plus haut (ligne %(first)d) : "
                        "dans un fichier de plus de %(rows)d lignes, les lignes d'un même "
                        "groupe-cours doivent se suivre. Triez le fichier par session, cours et "
                        "groupe."
                    )
                    % {
                        "section": _section_label(
                            values["term"], values["course_code"], values["group"]
                        ),
                        "first": self.done[key],
                        "rows": BATCH_ROWS,
                    }
                )
                continue
            self.firsts.setdefault(key, row.line)
            group = groups.setdefault(key, [])
            errors[row.line].extend(self._disagreements(group, row, values))
            group.append((row, values))
        for key, group in groups.items():
            if all(not errors[row.line] for row, _values in group):
                self._plan_section(key, group)
        for row in rows:
            if errors[row.line]:
                self.outcomes[row.line] = errors[row.line]
            # A valid row of a section refused on another of its rows has nothing to say.
            self.outcomes.setdefault(row.line, [])

    def _disagreements(
        self, group: list[tuple[Row, dict[str, Any]]], row: Row, values: dict[str, Any]
    ) -> list[str]:
        """The row's conflicts with the earlier rows of its section."""
        if not group:
            return []
        errors = []
        first, _first_values = group[0]
        label = _section_label(values["term"], values["course_code"], values["group"])
        for header in ("teacher", "capacity"):
            before, now = first.cells.get(header, ""), row.cells.get(header, "")
            if before != now:
                errors.append(self._disagreement(label, header, before, now, first.line))
        if not all(name in values for name in ("day", "start", "end")):
            return errors
        for other, other_values in group:
            if not all(name in other_values for name in ("day", "start", "end")):
                continue
            if (
                other_values["day"] == values["day"]
                and other_values["start"] < values["end"]
                and values["start"] < other_values["end"]
            ):
                errors.append(
                    _(
                        "la plage %(meeting)s du groupe-cours %(section)s chevauche celle de la "
                        "ligne %(first)d."
                    )
                    % {
                        "meeting": _meeting_label(
                            values["day"], values["start"], values["end"], ""
                        ),
                        "section": label,
                        "first": other.line,
                    }
                )
                break
        return errors

    @staticmethod
    def _disagreement(label: str, header: str, before: str, now: str, first: int) -> str:
        return _(
            "le groupe-cours %(section)s a « %(header)s » = « %(before)s » à la ligne "
            "%(first)d, mais « %(now)s » ici ; les lignes d'un même groupe-cours doivent "
            "concorder."
        ) % {"section": label, "header": header, "before": before, "first": first, "now": now}

    def _plan_section(
        self, key: tuple[str, str, str], group: list[tuple[Row, dict[str, Any]]]
    ) -> None:
        first_row, first = group[0]
        existing = self.sections.get(key)
        if existing is None:
            section = Section(
                term=first["term"],
                course=first["course_code"],
                group=first["group"],
                teacher=first.get("teacher"),
                capacity=first.get("capacity"),
            )
            plan = SectionPlan(section, created=True, first_line=first_row.line)
            old: list[Meeting] = []
        else:
            section = existing
            plan = SectionPlan(section, created=False, first_line=first_row.line)
            old = list(existing.meetings.all())
        self.section_plans[key] = plan

        section_changes: list[Change] = []
        given = {name: first[name] for name in ("teacher", "capacity") if name in first}
        if existing is not None and given:
            section_changes = diff(existing, given)
            plan.teacher_changed = bool(section_changes)
            for name, value in given.items():
                setattr(section, name, value)

        rows = [values for _row, values in group]
        pairs = _pair_meetings(old, rows)
        row_plans: list[Plan] = []
        for position, (row, values) in enumerate(group):
            meeting = pairs.get(position)
            fields = {"day": values["day"], "start": values["start"], "end": values["end"]}
            if "room" in values:
                fields["room"] = values["room"]
            if meeting is None:
                meeting = Meeting(section=section, **{"room": "", **fields})
                plan.new.append(meeting)
                introduce = position == 0 and (plan.created or plan.teacher_changed)
                label = _meeting_in(section, meeting, with_teacher=introduce)
                row_plans.append(Plan(row.line, Target(meeting, label), True, values))
                continue
            label = _meeting_in(section, meeting)  # as it was: the changes say what becomes
            changes = diff(meeting, fields)
            for name, value in fields.items():
                setattr(meeting, name, value)
            if changes:
                plan.changed.append(meeting)
            row_plans.append(Plan(row.line, Target(meeting, label), False, values, changes))
        paired = {meeting.pk for meeting in pairs.values()}
        plan.removed = [meeting for meeting in old if meeting.pk not in paired]
        section_changes += [
            Change(
                "meetings",
                _("plage retirée"),
                _meeting_label(meeting.day, meeting.start, meeting.end, meeting.room),
                None,
            )
            for meeting in plan.removed
        ]
        if section_changes:
            # On the first row that updates: a section's rows outnumber its removed meetings
            # only when some row is new, and then its teacher is named in that row's label.
            updating = next((p for p in row_plans if not p.created), None)
            if updating is not None:
                updating.changes[:0] = section_changes
        for row_plan in row_plans:
            self.outcomes[row_plan.line] = row_plan

    # Writing

    def apply(self, plans: Sequence[Plan]) -> None:
        changed = [plan for plan in self.section_plans.values() if plan.changes]
        for term in self.new_terms.values():  # each one has a new section: all are written
            if term.pk is not None:
                continue  # by an earlier batch
            term.full_clean(validate_unique=False)
            term.save()  # a few a year: one by one, and every backend gives back the key
        bulk_save(
            Section,
            new=[plan.section for plan in changed if plan.created],
            changed=[
                (plan.section, ["teacher", "capacity"]) for plan in changed if plan.teacher_changed
            ],
        )
        removed = [meeting.pk for plan in changed for meeting in plan.removed]
        for chunk in chunks(removed):
            Meeting.objects.filter(pk__in=chunk).delete()
        bulk_save(
            Meeting,
            new=[meeting for plan in changed for meeting in plan.new],
            changed=[
                (meeting, ["day", "start", "end", "room"])
                for plan in changed
                for meeting in plan.changed
            ],
        )

    def removed(self, plans: Sequence[Plan]) -> int:
        return sum(len(plan.removed) for plan in self.section_plans.values())

    def notes(self, plans: Sequence[Plan], *, dry_run: bool) -> list[str]:
        created = sum(plan.created for plan in self.section_plans.values())
        updated = sum(not plan.created and plan.changes for plan in self.section_plans.values())
        self.counts["created"] += created
        self.counts["updated"] += updated
        self.counts["unchanged"] += len(self.section_plans) - created - updated
        return []  # said once for the whole file (`closing_notes`)

    def closing_notes(self, *, dry_run: bool) -> list[str]:
        notes = [
            (
                _("Session à créer : %(code)s, du %(start)s au %(end)s")
                if dry_run
                else _("Session créée : %(code)s, du %(start)s au %(end)s")
            )
            % {
                "code": term.code,
                "start": format_when(term.starts_on),
                "end": format_when(term.ends_on),
            }
            + " "
            + _("(dates d'après son code ; ajustez-les dans l'administration).")
            for term in self.new_terms.values()
        ]
        counts = self.counts
        summary = (
            _(
                "Groupes-cours : %(created)d à créer, %(updated)d à modifier, "
                "%(unchanged)d inchangé(s)."
            )
            if dry_run
            else _(
                "Groupes-cours : %(created)d créé(s), %(updated)d modifié(s), "
                "%(unchanged)d inchangé(s)."
            )
        )
        return [*notes, summary % counts]


def _section_label(term: Term, course: Course, group: str) -> str:
    return _("%(term)s %(course)s gr. %(group)s") % {
        "term": term.code,
        "course": course.code,
        "group": group,
    }


def _meeting_in(section: Section, meeting: Meeting, *, with_teacher: bool = False) -> str:
    values = {
        "section": _section_label(section.term, section.course, section.group),
        "meeting": _meeting_label(meeting.day, meeting.start, meeting.end, meeting.room),
        "teacher": section.teacher if section.teacher is not None else _("aucun"),
    }
    if with_teacher:
        return _("%(section)s (enseignant : %(teacher)s) : %(meeting)s") % values
    return _("%(section)s : %(meeting)s") % values


def _pair_meetings(old: list[Meeting], rows: list[dict[str, Any]]) -> dict[int, Meeting]:
    """Which existing meeting each row is (by its position in the section's rows): the same
    meeting first, then one on the same day at the same start, then one on the same day, then
    any left; a row paired with none is a new meeting. Pairing keeps a meeting's identity (the
    calendar export's events) when its hours or its room change."""
    free = sorted(old, key=lambda meeting: (meeting.day, meeting.start, meeting.pk))
    pairs: dict[int, Meeting] = {}

    def same(meeting: Meeting, values: dict[str, Any]) -> bool:
        return (meeting.day, meeting.start, meeting.end) == (
            values["day"],
            values["start"],
            values["end"],
        ) and values.get("room", meeting.room) == meeting.room

    tests = [
        same,
        lambda meeting, values: (meeting.day, meeting.start) == (values["day"], values["start"]),
        lambda meeting, values: meeting.day == values["day"],
        lambda meeting, values: True,
    ]
    for test in tests:
        for position, values in enumerate(rows):
            if position in pairs:
                continue
            match = next((meeting for meeting in free if test(meeting, values)), None)
            if match is not None:
                pairs[position] = match
                free.remove(match)
    return pairs


def _meeting_label(day: int, start: datetime.time, end: datetime.time, room: str) -> str:
    values = {
        "day": str(Meeting.Day(day).label).lower(),
        "start": hhmm(start),
        "end": hhmm(end),
        "room": room,
    }
    if room:
        return _("%(day)s %(start)s-%(end)s, local %(room)s") % values
    return _("%(day)s %(start)s-%(end)s") % values
