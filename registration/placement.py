"""Placement: the registrar turns the term's course choices into enrolments in sections.

The rules (docs/registration.md):
- students are served in a fixed order of priority: most credits earned first (courses
  passed), then a random draw seeded by the term's code (or `--seed`), so that the same data
  always gives the same result and nobody can buy a better draw by submitting early;
- every student's grid courses first (pass 1, for all students), then the elective lists
  (pass 2), each list's courses in the student's order of rank, one course per list;
- one section per course, never over a section's places, never two meetings that overlap;
  among the sections that fit, the one with the most places left (groups fill evenly);
- enrolments already in the term (an earlier run, an import) are kept and count;
- all or nothing: the enrolments are written in one transaction, or none (`--dry-run`).

The core (`place`) works on plain numbers, so that it is fast (5,000 students × 8 courses ×
40 sections: see docs/performance.md) and can be tested over generated data: a week is a
bitmask of minutes, and two schedules conflict when their masks share a bit.
"""

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import AuditEvent
from portal.services import audit_record
from registration.models import ChosenCourse, ElectiveList, TermRegistration
from registration.selectors import credits_earned
from students.models import Enrolment, Meeting, Section, Student

MINUTES_PER_DAY = 24 * 60


def meeting_mask(day: int, start_minute: int, end_minute: int) -> int:
    """The minutes of one weekly meeting as bits of a week."""
    return ((1 << (end_minute - start_minute)) - 1) << (day * MINUTES_PER_DAY + start_minute)


@dataclass
class Slot:
    """A section as the placement sees it."""

    pk: int
    course_id: int
    group: str
    capacity: int | None  # None: no limit
    mask: int
    taken: int = 0

    @property
    def left(self) -> float:
        return float("inf") if self.capacity is None else self.capacity - self.taken


@dataclass
class Wish:
    """One student's choice: grid courses, then each elective list's courses in rank order."""

    student_id: int
    credits: Decimal
    required: list[int]
    electives: list[tuple[int, list[int]]]  # (list id, course ids by rank)


@dataclass
class Placed:
    student_id: int
    section_pk: int
    course_id: int
    rank: int | None = None


@dataclass
class Missed:
    student_id: int
    course_id: int | None
    list_id: int | None
    reason: str


@dataclass
class Outcome:
    order: list[int]  # students by priority
    placed: list[Placed] = field(default_factory=list)
    missed: list[Missed] = field(default_factory=list)


FULL = "full"
CONFLICT = "conflict"
NOT_OFFERED = "not_offered"
NONE_LEFT = "none_left"


def priority(wishes: Iterable[Wish], *, seed: str) -> list[Wish]:
    """Most credits first, then a draw seeded by `seed` (in student id order, so that the same
    data and seed always give the same order)."""
    ordered = sorted(wishes, key=lambda wish: wish.student_id)
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    draws = {wish.student_id: rng.random() for wish in ordered}
    return sorted(ordered, key=lambda wish: (-wish.credits, draws[wish.student_id]))


def place(
    wishes: list[Wish],
    slots: list[Slot],
    *,
    seed: str,
    already: dict[int, list[Slot]] | None = None,
) -> Outcome:
    """Places every wish; `already` gives each student's sections in the term before the run
    (their places are already counted in the slots' `taken`)."""
    by_course: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_course[slot.course_id].append(slot)
    ordered = priority(wishes, seed=seed)
    outcome = Outcome(order=[wish.student_id for wish in ordered])
    masks: dict[int, int] = {}
    courses: dict[int, set[int]] = {}
    for wish in ordered:
        mine = (already or {}).get(wish.student_id, [])
        masks[wish.student_id] = 0
        for slot in mine:
            masks[wish.student_id] |= slot.mask
        courses[wish.student_id] = {slot.course_id for slot in mine}

    def try_course(student_id: int, course_id: int) -> Slot | str:
        candidates = by_course.get(course_id)
        if not candidates:
            return NOT_OFFERED
        mask = masks[student_id]
        best: Slot | None = None
        some_free = False
        for slot in candidates:
            if slot.left <= 0:
                continue
            some_free = True
            if slot.mask & mask:
                continue
            if best is None or slot.left > best.left:
                best = slot
        if best is None:
            return CONFLICT if some_free else FULL
        best.taken += 1
        masks[student_id] |= best.mask
        courses[student_id].add(course_id)
        return best

    for wish in ordered:  # pass 1: the grid's courses
        for course_id in wish.required:
            if course_id in courses[wish.student_id]:
                continue
            result = try_course(wish.student_id, course_id)
            if isinstance(result, Slot):
                outcome.placed.append(Placed(wish.student_id, result.pk, course_id))
            else:
                outcome.missed.append(Missed(wish.student_id, course_id, None, result))
    for wish in ordered:  # pass 2: one course per elective list, by rank
        for list_id, ranked in wish.electives:
            if any(course_id in courses[wish.student_id] for course_id in ranked):
                continue  # placed from this list by an earlier run
            for rank, course_id in enumerate(ranked, start=1):
                result = try_course(wish.student_id, course_id)
                if isinstance(result, Slot):
                    outcome.placed.append(Placed(wish.student_id, result.pk, course_id, rank))
                    break
            else:
                outcome.missed.append(Missed(wish.student_id, None, list_id, NONE_LEFT))
    return outcome


# --- With the database --------------------------------------------------------------------


@dataclass
class PlacementReport:
    registration: TermRegistration
    outcome: Outcome
    dry_run: bool
    students: dict[int, Student]
    sections: dict[int, Section]
    lists: dict[int, str]

    def lines(self) -> list[str]:
        reasons = {
            FULL: _("tous les groupes sont complets"),
            CONFLICT: _("chaque groupe avec des places est en conflit d'horaire"),
            NOT_OFFERED: _("le cours n'a aucun groupe à cette session"),
            NONE_LEFT: _("aucun des cours classés n'a de groupe possible"),
        }
        placed: dict[int, list[Placed]] = defaultdict(list)
        for item in self.outcome.placed:
            placed[item.student_id].append(item)
        missed: dict[int, list[Missed]] = defaultdict(list)
        for item in self.outcome.missed:
            missed[item.student_id].append(item)
        lines = []
        for position, student_id in enumerate(self.outcome.order, start=1):
            student = self.students[student_id]
            got = ", ".join(
                f"{self.sections[p.section_pk].course.code} gr. {self.sections[p.section_pk].group}"
                + (" (" + _("choix %(rank)d") % {"rank": p.rank} + ")" if p.rank else "")
                for p in placed[student_id]
            )
            lines.append(f"{position}. {student.matricule} {student.full_name} : {got or '—'}")
            for item in missed[student_id]:
                what = (
                    self.sections_course_code(item.course_id)
                    if item.course_id
                    else self.lists.get(item.list_id or 0, "")
                )
                lines.append(
                    "   "
                    + _("non placé : %(what)s — %(reason)s")
                    % {"what": what, "reason": reasons[item.reason]}
                )
        return lines

    def sections_course_code(self, course_id: int) -> str:
        for section in self.sections.values():
            if section.course_id == course_id:
                return section.course.code
        return str(course_id)

    def summary(self) -> str:
        text = _(
            "%(students)d étudiant(s), %(placed)d inscription(s) à des groupes, "
            "%(missed)d cours non placé(s)."
        ) % {
            "students": len(self.outcome.order),
            "placed": len(self.outcome.placed),
            "missed": len(self.outcome.missed),
        }
        return (_("Simulation : ") if self.dry_run else "") + text


def _load(registration: TermRegistration) -> tuple[list[Wish], list[Slot], dict, dict, dict, dict]:
    term = registration.term
    sections = {
        s.pk: s
        for s in Section.objects.filter(term=term).select_related("course").order_by("group")
    }
    masks: dict[int, int] = defaultdict(int)
    for section_id, day, start, end in Meeting.objects.filter(section__term=term).values_list(
        "section_id", "day", "start", "end"
    ):
        masks[section_id] |= meeting_mask(
            day, start.hour * 60 + start.minute, end.hour * 60 + end.minute
        )
    slots = {
        pk: Slot(pk, s.course_id, s.group, s.capacity, masks[pk]) for pk, s in sections.items()
    }
    already: dict[int, list[Slot]] = defaultdict(list)
    for student_id, section_id in Enrolment.objects.filter(section__term=term).values_list(
        "student_id", "section_id"
    ):
        slots[section_id].taken += 1
        already[student_id].append(slots[section_id])
    rows: dict[int, tuple[list[int], dict[int, list[tuple[int, int]]]]] = {}
    for student_id, course_id, list_id, rank in ChosenCourse.objects.filter(
        choice__term=term, choice__replaced_at__isnull=True
    ).values_list("choice__student_id", "course_id", "elective_list_id", "rank"):
        required, electives = rows.setdefault(student_id, ([], defaultdict(list)))
        if list_id is None:
            required.append(course_id)
        else:
            electives[list_id].append((rank, course_id))
    credits = credits_earned(list(rows))
    wishes = [
        Wish(
            student_id,
            credits.get(student_id, Decimal(0)),
            sorted(required),
            [
                (list_id, [course for _rank, course in sorted(ranked)])
                for list_id, ranked in sorted(electives.items())
            ],
        )
        for student_id, (required, electives) in rows.items()
    ]
    students = Student.objects.in_bulk(list(rows))
    lists = dict(ElectiveList.objects.filter(term=term).values_list("pk", "name"))
    return wishes, list(slots.values()), dict(already), students, sections, lists


def placement_run(
    *, registration: TermRegistration, dry_run: bool, seed: str = "", actor: object = None
) -> PlacementReport:
    """Places the term's current choices; writes every enrolment or none."""
    seed = seed or registration.term.code
    with transaction.atomic():
        TermRegistration.objects.select_for_update().get(pk=registration.pk)
        wishes, slots, already, students, sections, lists = _load(registration)
        outcome = place(wishes, slots, seed=seed, already=already)
        report = PlacementReport(registration, outcome, dry_run, students, sections, lists)
        if dry_run:
            return report
        Enrolment.objects.bulk_create(
            [Enrolment(student_id=p.student_id, section_id=p.section_pk) for p in outcome.placed],
            batch_size=1000,
        )
        registration.placed_at = timezone.now()
        registration.save(update_fields=["placed_at"])
        audit_record(
            kind=AuditEvent.Kind.PLACEMENT_RUN,
            actor=actor,
            details={
                "term": registration.term.code,
                "seed": seed,
                "placed": len(outcome.placed),
                "missed": len(outcome.missed),
            },
        )
    return report
