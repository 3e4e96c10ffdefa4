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
  It counts by number of sections changed, which tells how many changes the ``limit``-th best
  has: the search for the best never goes further.
- The best ``limit`` are found by a depth-first branch and bound with forward checking: taking
  a section removes the sections it conflicts with from the later courses, and a branch stops
  as soon as a later course has none left. The best ``limit`` so far are kept in a bounded heap;
  a branch stops when its lower bound is worse than the heap's worst: the sections changed so
  far plus the later courses whose current section is no longer allowed; then the idle minutes,
  within each day's known span (its classes so far, and what the later courses must add that
  day), that no section still allowed could fill; then the days' ends so far and to come.

The known hard case, far from a college's timetable: sections of one short meeting a week at
random times (billions of valid schedules without structure), where the exact count visits
hundreds of thousands of states (docs/performance.md).
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
    """The week's minutes of a section, or None when its own meetings overlap or one of them
    is empty or outside the week."""
    mask = 0
    for meeting in option.meetings:
        if not (0 <= meeting.day < DAYS and 0 <= meeting.start < meeting.end <= MINUTES_PER_DAY):
            return None
        bits = meeting_mask(meeting)
        if mask & bits:
            return None
        mask |= bits
    return mask


def candidates(options: Sequence[Option], wishes: Wishes) -> list[Option]:
    """A course's sections that can be part of an alternative on their own.

    A kept section that another wish excludes leaves its course, hence the search, empty.
    """
    fitting, seen = [], set()
    for option in options:
        if option.section_id in seen:
            continue  # a section listed twice is one choice
        seen.add(option.section_id)
        if fits_wishes(option, wishes) and option_mask(option) is not None:
            fitting.append(option)
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
    if len(current) != len(courses):
        raise ValueError("current must give one section per course")
    filtered = [candidates(options, wishes) for options in courses]
    if not courses or any(not options for options in filtered):
        return SearchResult(alternatives=[], total=0, nodes=0)
    problem = _Problem(filtered, current)
    by_changes, count_nodes = problem.count_by_changes()
    total = sum(by_changes[1:])  # 0 changes: the current schedule itself
    if limit <= 0 or total == 0:
        return SearchResult(
            alternatives=[], total=total, nodes=count_nodes, count_nodes=count_nodes
        )
    # The best ``limit`` change at most ``cap`` sections: the fewest changes that reach it.
    cap, reached = len(courses), 0
    for changes in range(1, len(by_changes)):
        reached += by_changes[changes]
        if reached >= limit:
            cap = changes
            break
    alternatives, best_nodes = problem.best(limit, cap)
    return SearchResult(
        alternatives=alternatives,
        total=total,
        nodes=count_nodes + best_nodes,
        count_nodes=count_nodes,
        best_nodes=best_nodes,
    )


def _bits(value: int) -> list[int]:
    """The positions of the set bits, lowest first."""
    found = []
    while value:
        low = value & -value
        found.append(low.bit_length() - 1)
        value ^= low
    return found


class _Problem:
    """The sections as numbers: a global index per section, courses by depth (fewest sections
    first), and per section the bitset of the sections it leaves allowed."""

    def __init__(self, filtered: list[list[Option]], current: Sequence[int]) -> None:
        n = self.n = len(filtered)
        # Fewest sections first; ties in the caller's order, so the search is deterministic.
        self.order = sorted(range(n), key=lambda i: (len(filtered[i]), i))
        self.section_ids: list[int] = []  # by global index
        self.masks: list[int] = []  # the week's minutes
        self.durations: list[int] = []
        self.meetings: list[tuple[tuple[int, int, int], ...]] = []
        self.course_bits: list[int] = []  # by depth: the global bits of that course's sections
        self.current_bits = 0  # the current section of each course, when still a candidate
        course_of: list[int] = []
        for depth, i in enumerate(self.order):
            first = len(self.section_ids)
            for option in filtered[i]:
                g = len(self.section_ids)
                self.section_ids.append(option.section_id)
                self.masks.append(option_mask(option) or 0)
                self.durations.append(sum(m.end - m.start for m in option.meetings))
                self.meetings.append(tuple((m.day, m.start, m.end) for m in option.meetings))
                course_of.append(depth)
                if option.section_id == current[i]:
                    self.current_bits |= 1 << g
            self.course_bits.append(((1 << len(self.section_ids)) - 1) ^ ((1 << first) - 1))
        size = len(self.section_ids)
        self.everything = (1 << size) - 1
        # rest[d]: the bits of the courses at depth d and after.
        self.rest = [0] * (n + 1)
        for depth in range(n - 1, -1, -1):
            self.rest[depth] = self.rest[depth + 1] | self.course_bits[depth]
        # keeps[g]: everything but the sections of other courses that conflict with g.
        keeps = [self.everything] * size
        masks = self.masks
        for g in range(size):
            mask_g, course_g = masks[g], course_of[g]
            for h in range(g + 1, size):
                if course_of[h] != course_g and masks[h] & mask_g:
                    keeps[g] &= ~(1 << h)
                    keeps[h] &= ~(1 << g)
        self.keeps = keeps
        # How many schedules at most: the width of one count in ``count_by_changes``.
        most = 1
        for options in filtered:
            most *= len(options)
        self.width = most.bit_length() + 1

    def count_order(self) -> list[int]:
        """The depths in the order the count takes them: the course with the most conflicting
        pairs first, then each time the course with the most conflicts with those already
        taken (ties: the search's order). Settling the courses that constrain each other
        together keeps fewer distinct "sections still allowed" states to memoise (2 to 3 times
        fewer nodes on dense random cases)."""
        n, everything, course_bits, keeps = self.n, self.everything, self.course_bits, self.keeps
        weight = [[0] * n for _ in range(n)]
        for a in range(n):
            for g in _bits(course_bits[a]):
                conflicts = ~keeps[g] & everything
                for b in range(n):
                    if b != a:
                        weight[a][b] += (conflicts & course_bits[b]).bit_count()
        taken = [max(range(n), key=lambda a: (sum(weight[a]), -a))]
        left = [a for a in range(n) if a != taken[0]]
        while left:
            chosen = max(left, key=lambda a: (sum(weight[a][b] for b in taken), -a))
            taken.append(chosen)
            left.remove(chosen)
        return taken

    def count_by_changes(self) -> tuple[list[int], int]:
        """How many valid schedules change 0, 1, … n sections (0: the current one, if valid).

        Memoised on the sections still allowed for the later courses. The counts by number of
        changes are packed in one int, ``width`` bits each, so that adding two lists is one
        addition and one more change is one shift.
        """
        n, width = self.n, self.width
        keeps, current_bits = self.keeps, self.current_bits
        course_bits = [self.course_bits[d] for d in self.count_order()]
        rest = [0] * (n + 1)
        for depth in range(n - 1, -1, -1):
            rest[depth] = rest[depth + 1] | course_bits[depth]
        # touched[g]: the later courses that section g removes sections from, the only ones
        # that taking g can leave empty (forward checking).
        touched: dict[int, tuple[int, ...]] = {}
        for depth in range(n):
            for g in _bits(course_bits[depth]):
                touched[g] = tuple(b for b in course_bits[depth + 1 :] if b & ~keeps[g])
        memo: list[dict[int, int]] = [{} for _ in range(n + 1)]
        nodes = 0
        last = n - 1

        def count(depth: int, allowed: int) -> int:
            nonlocal nodes
            if depth == last:
                # The last course: each allowed section completes one schedule.
                options = allowed & course_bits[depth]
                mine = options & current_bits
                return (1 if mine else 0) + ((options ^ mine).bit_count() << width)
            key = allowed & rest[depth]
            seen = memo[depth].get(key)
            if seen is not None:
                return seen
            nodes += 1
            packed = 0
            options = allowed & course_bits[depth]
            while options:
                low = options & -options
                options ^= low
                g = low.bit_length() - 1
                narrowed = allowed & keeps[g]
                # Forward checking: every later course keeps at least one section.
                for bits in touched[g]:
                    if not narrowed & bits:
                        break
                else:
                    below = count(depth + 1, narrowed)
                    packed += below if low & current_bits else below << width
            memo[depth][key] = packed
            return packed

        packed = count(0, self.everything)
        mask = (1 << width) - 1
        return [(packed >> (width * k)) & mask for k in range(n + 1)], nodes

    def best(self, limit: int, cap: int) -> tuple[list[Alternative], int]:
        """Branch and bound for the best ``limit`` by (changed, gaps, day_end, sections), among
        the schedules that change 1 to ``cap`` sections."""
        n = self.n
        course_bits, rest, keeps, current_bits = (
            self.course_bits,
            self.rest,
            self.keeps,
            self.current_bits,
        )
        section_ids, masks, durations, meetings = (
            self.section_ids,
            self.masks,
            self.durations,
            self.meetings,
        )
        # A max-heap of the best so far: keys negated element by element.
        heap: list[tuple[int, int, int, tuple[int, ...]]] = []
        position = self.order  # caller's index of the course at each depth
        chosen = [0] * n  # section id per caller's index
        first = [0] * DAYS
        last = [-1] * DAYS
        current_rest = [current_bits & rest[d] for d in range(n + 1)]
        day_shift = [d * MINUTES_PER_DAY for d in range(DAYS)]
        later_bits = [course_bits[d + 1 :] for d in range(n)]
        bounds: list[dict[int, tuple[int, list[int], list[int]]]] = [{} for _ in range(n + 1)]
        nodes = 0

        def reach(depth: int, allowed: int) -> tuple[int, list[int], list[int]]:
            """What the later courses can cover (the union of their allowed sections' minutes)
            and, per day, must reach: the latest of the courses' earliest possible ends, and
            the earliest of the latest possible starts of the courses that meet that day in
            every allowed section."""
            key = allowed & rest[depth]
            found = bounds[depth].get(key)
            if found is None:
                cover = 0
                need_end = [0] * DAYS
                need_start = [MINUTES_PER_DAY] * DAYS
                for bits in course_bits[depth:]:
                    earliest_end = [MINUTES_PER_DAY] * DAYS
                    latest_start = [0] * DAYS
                    for g in _bits(allowed & bits):
                        cover |= masks[g]
                        ends = [0] * DAYS
                        starts = [MINUTES_PER_DAY] * DAYS
                        for d, start, end in meetings[g]:
                            if end > ends[d]:
                                ends[d] = end
                            if start < starts[d]:
                                starts[d] = start
                        for d in range(DAYS):
                            if ends[d] < earliest_end[d]:
                                earliest_end[d] = ends[d]
                            if starts[d] > latest_start[d]:
                                latest_start[d] = starts[d]
                    for d in range(DAYS):
                        if earliest_end[d] > need_end[d]:
                            need_end[d] = earliest_end[d]
                        if latest_start[d] < need_start[d]:
                            need_start[d] = latest_start[d]
                found = bounds[depth][key] = (cover, need_end, need_start)
            return found

        def visit(depth: int, allowed: int, changed: int, busy: int, week: int) -> None:
            nonlocal nodes
            nodes += 1
            if depth == n:
                if changed == 0:
                    return
                span = day_end = 0
                for d in range(DAYS):
                    if last[d] >= 0:
                        span += last[d] - first[d]
                        day_end += last[d]
                entry = (-changed, busy - span, -day_end, tuple(-s for s in chosen))
                if len(heap) < limit:
                    heapq.heappush(heap, entry)
                elif entry > heap[0]:
                    heapq.heapreplace(heap, entry)
                return
            # Later courses whose current section is no longer allowed must change.
            least = changed + (n - depth) - (allowed & current_rest[depth]).bit_count()
            if least > cap:
                return
            if len(heap) == limit and least == -heap[0][0]:
                worst_gaps, worst_end = -heap[0][1], -heap[0][2]
                cover, need_end, need_start = reach(depth, allowed)
                idle = day_end = 0
                for d in range(DAYS):
                    # The final day spans at least [low, high): its classes so far, and what
                    # the later courses must add.
                    if last[d] >= 0:
                        low = first[d] if first[d] < need_start[d] else need_start[d]
                        high = last[d] if last[d] > need_end[d] else need_end[d]
                    else:
                        low, high = need_start[d], need_end[d]
                    if low < high:
                        idle |= ((1 << (high - low)) - 1) << (day_shift[d] + low)
                    day_end += high
                # Idle minutes inside a day that no allowed section could fill.
                stuck = (idle & ~week & ~cover).bit_count()
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
            for g in ordered:
                narrowed = allowed & keeps[g]
                for bits in later_bits[depth]:
                    if not narrowed & bits:
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

        visit(0, self.everything, 0, 0, 0)
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
