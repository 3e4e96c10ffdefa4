"""Modification d'horaire: every valid alternative to a student's schedule, best first.

Pure Python on plain numbers (no Django, no database), so that it is fast and can be checked
against a brute-force enumeration over generated cases (tests/registration/
test_schedule_search.py; figures in docs/performance.md).

What is an alternative
----------------------
``courses[i]`` lists the sections the student could take for course ``i`` (the caller has
already removed the full sections, except the student's own, whose place counts as free);
``current[i]`` is the student's section for course ``i``. An alternative takes one section per
course such that:

- no two meetings overlap: meetings are weekly (day, start, end in minutes, the end excluded),
  so a class ending at 10:00 and one starting at 10:00 the same day do not conflict, while one
  minute of overlap does; a section whose own meetings overlap is never possible;
- the student's wishes hold (``Wishes``): every section of ``keep`` that is a candidate of some
  course is taken (a kept id that no course offers is ignored; two kept sections of one course
  leave nothing possible); no meeting starts before ``not_before``; no meeting ends after
  ``not_after``; no meeting falls on ``free_day``;
- it differs from the current schedule (the current one is never listed nor counted).

The order (documented for the student's page)
---------------------------------------------
1. ``changed``: the fewest sections different from ``current``;
2. ``gaps``: the fewest idle minutes between classes, summed over the days: for each day with
   classes, (end of the last class − start of the first) − minutes in class;
3. ``day_end``: the earliest end of the days, summed over the days with classes: the sum of the
   end of each day's last class (a day without classes counts 0, so a free day helps);
4. the section ids, in the order of ``courses``, compared as a tuple, so that equal schedules
   by the three measures always come in the same order.

``search`` returns the best ``limit`` alternatives in this order, ``total``: how many there are
in all, and ``nodes``: the search nodes visited (count and best-first search together).

How it stays fast
-----------------
The wishes are applied to each section first. Every remaining section gets a global index and
a bitset (a Python int) of the sections of other courses that it conflicts with. Courses are
searched fewest sections first (mapped back to the caller's order in the results).

- ``total`` is counted by a memoised recursion over (course, sections still allowed for the
  courses after it): two partial schedules that leave the same sections allowed have the same
  number of completions, so millions of valid schedules are counted without visiting each one.
- The best ``limit`` are found by a depth-first branch and bound with forward checking: taking
  a section removes the sections it conflicts with from the later courses, and a branch stops
  as soon as a later course has none left. The best ``limit`` so far are kept in a bounded heap;
  a branch stops when its lower bound is worse than the heap's worst: the sections changed so
  far plus the later courses whose current section is no longer allowed; then the idle minutes
  between classes already placed that no section still allowed could fill; then the sum of the
  days' ends so far (which can only grow).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

MINUTES_PER_DAY = 24 * 60
DAYS = 7


@dataclass(frozen=True)
class Meeting:
    """One weekly meeting: ``day`` 0 = Monday … 6 = Sunday, minutes since midnight."""

    day: int
    start: int
    end: int  # excluded: touching end-to-start is not a conflict


@dataclass(frozen=True)
class Option:
    """One section the student could take for one course."""

    section_id: int
    course_id: int
    meetings: tuple[Meeting, ...]


@dataclass(frozen=True)
class Wishes:
    keep: frozenset[int] = frozenset()  # section ids to keep
    not_before: int | None = None  # no class starting before this minute of the day
    not_after: int | None = None  # no class ending after this minute of the day
    free_day: int | None = None  # a weekday with no class


@dataclass(frozen=True)
class Alternative:
    sections: tuple[int, ...]  # one section id per course, in the order of ``courses``
    changed: int  # sections different from ``current``
    gaps: int  # idle minutes between classes, summed over the days
    day_end: int  # sum over the days with classes of the end of the last class

    @property
    def key(self) -> tuple[int, int, int, tuple[int, ...]]:
        """The sort key: the order of the module's docstring."""
        return (self.changed, self.gaps, self.day_end, self.sections)


@dataclass(frozen=True)
class SearchResult:
    alternatives: list[Alternative]  # the best ``limit``, sorted
    total: int  # valid alternatives in all (the current schedule excluded)
    nodes: int  # search nodes visited (count + best-first)
    count_nodes: int = field(default=0)  # of which: counting ``total``
    best_nodes: int = field(default=0)  # of which: finding the best ``limit``


def meeting_mask(meeting: Meeting) -> int:
    """The minutes of one weekly meeting as bits of a week (end excluded)."""
    return ((1 << (meeting.end - meeting.start)) - 1) << (
        meeting.day * MINUTES_PER_DAY + meeting.start
    )


def fits_wishes(option: Option, wishes: Wishes) -> bool:
    """Whether a section alone satisfies the time wishes (``keep`` is per course)."""
    for meeting in option.meetings:
        if wishes.not_before is not None and meeting.start < wishes.not_before:
            return False
        if wishes.not_after is not None and meeting.end > wishes.not_after:
            return False
        if wishes.free_day is not None and meeting.day == wishes.free_day:
            return False
    return True


def option_mask(option: Option) -> int | None:
    """The week's minutes of a section, or None when its own meetings overlap or are empty."""
    mask = 0
    for meeting in option.meetings:
        if meeting.end <= meeting.start:
            return None
        bits = meeting_mask(meeting)
        if mask & bits:
            return None
        mask |= bits
    return mask


def candidates(options: Sequence[Option], wishes: Wishes) -> list[Option]:
    """A course's sections that can be part of an alternative on their own."""
    fitting = [o for o in options if fits_wishes(o, wishes) and option_mask(o) is not None]
    offered = {o.section_id for o in options}
    kept = offered & wishes.keep
    if kept:
        if len(kept) > 1:
            return []  # two kept sections of one course: nothing possible
        fitting = [o for o in fitting if o.section_id in kept]
    return fitting


def search(
    courses: Sequence[Sequence[Option]],
    current: Sequence[int],
    wishes: Wishes = Wishes(),
    limit: int = 50,
) -> SearchResult:
    """The best ``limit`` alternatives to ``current`` and how many there are in all."""
    n = len(courses)
    if len(current) != n:
        raise ValueError("current must give one section per course")
    filtered = [candidates(options, wishes) for options in courses]
    if any(not options for options in filtered):
        return SearchResult(alternatives=[], total=0, nodes=0)
    if n == 0:
        return SearchResult(alternatives=[], total=0, nodes=0)

    # Fewest sections first; ties in the caller's order, so the search is deterministic.
    order = sorted(range(n), key=lambda i: (len(filtered[i]), i))
    section_ids: list[int] = []  # by global index
    masks: list[int] = []
    durations: list[int] = []
    meetings: list[tuple[tuple[int, int, int], ...]] = []
    course_bits: list[int] = []  # by depth: the global bits of that course's sections
    current_bits = 0  # the current section of each course, when still a candidate
    for depth, i in enumerate(order):
        first = len(section_ids)
        for option in filtered[i]:
            g = len(section_ids)
            section_ids.append(option.section_id)
            masks.append(option_mask(option) or 0)
            durations.append(sum(m.end - m.start for m in option.meetings))
            meetings.append(tuple((m.day, m.start, m.end) for m in option.meetings))
            if option.section_id == current[i]:
                current_bits |= 1 << g
        course_bits.append(((1 << len(section_ids)) - 1) ^ ((1 << first) - 1))
    size = len(section_ids)
    everything = (1 << size) - 1
    # rest[d]: the bits of the courses at depth d and after.
    rest = [0] * (n + 1)
    for depth in range(n - 1, -1, -1):
        rest[depth] = rest[depth + 1] | course_bits[depth]
    course_of = [0] * size
    for depth in range(n):
        bits = course_bits[depth]
        while bits:
            low = bits & -bits
            course_of[low.bit_length() - 1] = depth
            bits ^= low

    # keeps[g]: everything except the sections of other courses that conflict with g.
    keeps = [everything] * size
    for g in range(size):
        mask_g = masks[g]
        depth_g = course_of[g]
        for h in range(g + 1, size):
            if course_of[h] != depth_g and masks[h] & mask_g:
                keeps[g] &= ~(1 << h)
                keeps[h] &= ~(1 << g)

    total_valid, count_nodes = _count(n, everything, course_bits, rest, keeps)
    current_valid = current_bits.bit_count() == n and all(
        keeps[g] & current_bits == current_bits for g in _bits(current_bits)
    )
    total = total_valid - (1 if current_valid else 0)

    alternatives: list[Alternative] = []
    best_nodes = 0
    if limit > 0 and total > 0:
        alternatives, best_nodes = _best(
            n,
            limit,
            order,
            everything,
            course_bits,
            rest,
            keeps,
            current_bits,
            section_ids,
            masks,
            durations,
            meetings,
        )
    return SearchResult(
        alternatives=alternatives,
        total=total,
        nodes=count_nodes + best_nodes,
        count_nodes=count_nodes,
        best_nodes=best_nodes,
    )


def _bits(value: int) -> list[int]:
    found = []
    while value:
        low = value & -value
        found.append(low.bit_length() - 1)
        value ^= low
    return found


def _count(
    n: int, everything: int, course_bits: list[int], rest: list[int], keeps: list[int]
) -> tuple[int, int]:
    """How many valid schedules, memoised on the sections still allowed after each course."""
    memo: list[dict[int, int]] = [{} for _ in range(n + 1)]
    nodes = 0

    def count(depth: int, allowed: int) -> int:
        nonlocal nodes
        if depth == n:
            return 1
        key = allowed & rest[depth]
        seen = memo[depth].get(key)
        if seen is not None:
            return seen
        nodes += 1
        total = 0
        options = allowed & course_bits[depth]
        later = range(depth + 1, n)
        while options:
            low = options & -options
            options ^= low
            narrowed = allowed & keeps[low.bit_length() - 1]
            # Forward checking: every later course keeps at least one section.
            for d in later:
                if not narrowed & course_bits[d]:
                    break
            else:
                total += count(depth + 1, narrowed)
        memo[depth][key] = total
        return total

    return count(0, everything), nodes


def _best(
    n: int,
    limit: int,
    order: list[int],
    everything: int,
    course_bits: list[int],
    rest: list[int],
    keeps: list[int],
    current_bits: int,
    section_ids: list[int],
    masks: list[int],
    durations: list[int],
    meetings: list[tuple[tuple[int, int, int], ...]],
) -> tuple[list[Alternative], int]:
    """Branch and bound for the best ``limit`` by (changed, gaps, day_end, sections)."""
    # A max-heap of the best so far: keys negated element by element.
    heap: list[tuple[int, int, int, tuple[int, ...]]] = []
    position = [0] * n  # caller's index of the course at each depth
    for depth, i in enumerate(order):
        position[depth] = i
    chosen = [0] * n  # section id per caller's index
    first = [0] * DAYS
    last = [-1] * DAYS
    current_rest = [current_bits & rest[d] for d in range(n + 1)]
    day_shift = [d * MINUTES_PER_DAY for d in range(DAYS)]
    nodes = 0

    def visit(depth: int, allowed: int, changed: int, busy: int, week: int) -> None:
        nonlocal nodes
        nodes += 1
        # Totals of the days so far.
        span = 0
        day_end = 0
        for d in range(DAYS):
            if last[d] >= 0:
                span += last[d] - first[d]
                day_end += last[d]
        gaps = span - busy
        if depth == n:
            if changed == 0:
                return
            entry = (-changed, -gaps, -day_end, tuple(-s for s in chosen))
            if len(heap) < limit:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
            return
        if len(heap) == limit:
            worst_changed, worst_gaps, worst_end = -heap[0][0], -heap[0][1], -heap[0][2]
            # Later courses whose current section is no longer allowed must change.
            least = changed + (n - depth) - (allowed & current_rest[depth]).bit_count()
            if least > worst_changed:
                return
            if least == worst_changed:
                if gaps > 0:
                    # Idle minutes already inside a day that no allowed section could fill.
                    cover = 0
                    for g in _bits(allowed & rest[depth]):
                        cover |= masks[g]
                    idle = 0
                    for d in range(DAYS):
                        if last[d] >= 0:
                            idle |= ((1 << (last[d] - first[d])) - 1) << (day_shift[d] + first[d])
                    stuck = (idle & ~week & ~cover).bit_count()
                else:
                    stuck = 0
                if stuck > worst_gaps or (stuck == worst_gaps and day_end > worst_end):
                    return
        options = allowed & course_bits[depth]
        here = position[depth]
        # The current section first: it leads to the fewest changes.
        ordered = _bits(options)
        mine = options & current_bits
        if mine:
            ordered.remove(mine.bit_length() - 1)
            ordered.insert(0, mine.bit_length() - 1)
        later = range(depth + 1, n)
        for g in ordered:
            narrowed = allowed & keeps[g]
            for d in later:
                if not narrowed & course_bits[d]:
                    break
            else:
                saved = [(d, first[d], last[d]) for d, _, _ in meetings[g]]
                for d, start, end in meetings[g]:
                    if last[d] < 0:
                        first[d], last[d] = start, end
                    else:
                        if start < first[d]:
                            first[d] = start
                        if end > last[d]:
                            last[d] = end
                chosen[here] = section_ids[g]
                visit(
                    depth + 1,
                    narrowed,
                    changed + (0 if (current_bits >> g) & 1 else 1),
                    busy + durations[g],
                    week | masks[g],
                )
                for d, f, lst in reversed(saved):
                    first[d], last[d] = f, lst

    visit(0, everything, 0, 0, 0)
    found = sorted(
        (
            Alternative(
                sections=tuple(-s for s in entry[3]),
                changed=-entry[0],
                gaps=-entry[1],
                day_end=-entry[2],
            )
            for entry in heap
        ),
        key=lambda a: a.key,
    )
    return found, nodes
