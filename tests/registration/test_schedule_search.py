"""The schedule search (modification d'horaire) against a brute-force enumeration of every
choice of one section per course, over many small seeded cases; then the edges one by one:
touching meetings, one minute of overlap, each wish, the current schedule, limit and total."""

import itertools
import random

import pytest

from registration.schedule_search import (
    Alternative,
    Meeting,
    Option,
    Wishes,
    search,
)
from tests.perf.schedule_cases import adversarial_case, realistic_case


def overlaps(a: Meeting, b: Meeting) -> bool:
    return a.day == b.day and a.start < b.end and b.start < a.end


def brute_force(courses, current, wishes=Wishes()) -> list[Alternative]:
    """Every valid alternative, sorted, by trying every combination: the reference."""
    found = []
    for combination in itertools.product(*courses):
        ids = tuple(o.section_id for o in combination)
        if ids == tuple(current):
            continue
        offered = {o.section_id for options in courses for o in options}
        if not (wishes.keep & offered) <= set(ids):
            continue
        meetings = [m for o in combination for m in o.meetings]
        if any(overlaps(a, b) for a, b in itertools.combinations(meetings, 2)):
            continue
        if wishes.not_before is not None and any(m.start < wishes.not_before for m in meetings):
            continue
        if wishes.not_after is not None and any(m.end > wishes.not_after for m in meetings):
            continue
        if wishes.free_day is not None and any(m.day == wishes.free_day for m in meetings):
            continue
        gaps = day_end = 0
        for day in range(7):
            today = [m for m in meetings if m.day == day]
            if today:
                last = max(m.end for m in today)
                first = min(m.start for m in today)
                gaps += last - first - sum(m.end - m.start for m in today)
                day_end += last
        changed = sum(1 for a, b in zip(ids, current, strict=True) if a != b)
        found.append(Alternative(sections=ids, changed=changed, gaps=gaps, day_end=day_end))
    return sorted(found, key=lambda a: a.key)


def small_case(rng: random.Random):
    """A few courses of a few sections on a coarse grid, so that conflicts, touching meetings
    and ties all happen often."""
    courses = []
    section_id = 0
    for course_id in range(rng.randint(1, 5)):
        options = []
        for _ in range(rng.randint(1, 4)):
            section_id += 1
            meetings = []
            for _ in range(rng.randint(1, 3)):
                day = rng.randint(0, 4)
                start = rng.choice(range(8 * 60, 17 * 60, 30))
                end = start + rng.choice([60, 90, 120, 180])
                meetings.append(Meeting(day, start, end))
            options.append(Option(section_id, course_id, tuple(meetings)))
        courses.append(options)
    current = [rng.choice(options).section_id for options in courses]
    return courses, current


def random_wishes(rng: random.Random, courses) -> Wishes:
    ids = [o.section_id for options in courses for o in options]
    return Wishes(
        keep=frozenset(rng.sample(ids, 1)) if rng.random() < 0.3 else frozenset(),
        not_before=rng.choice([None, None, 9 * 60, 10 * 60]),
        not_after=rng.choice([None, None, 16 * 60, 18 * 60]),
        free_day=rng.choice([None, None, 0, 4]),
    )


@pytest.mark.parametrize("seed", range(300))
def test_same_as_brute_force(seed):
    rng = random.Random(seed)
    courses, current = small_case(rng)
    wishes = random_wishes(rng, courses) if seed % 2 else Wishes()
    expected = brute_force(courses, current, wishes)
    limit = rng.choice([1, 3, 10, 1000])
    result = search(courses, current, wishes, limit=limit)
    assert result.total == len(expected)
    assert result.alternatives == expected[:limit]


@pytest.mark.parametrize("seed", range(20))
def test_same_as_brute_force_realistic(seed):
    """Cégep-like sections (2-3 meetings of 1.5-3 h over the week), 5 courses × 4 sections."""
    courses, current = realistic_case(courses=5, sections=4, seed=seed)
    expected = brute_force(courses, current)
    result = search(courses, current, limit=20)
    assert result.total == len(expected)
    assert result.alternatives == expected[:20]


@pytest.mark.parametrize("seed", range(20))
def test_same_as_brute_force_where_the_bounds_cut(seed):
    """Many valid schedules, few asked: the branch and bound cuts by changes, then by idle
    minutes and end of day (every current section excluded by a wish, on odd seeds)."""
    excluded = bool(seed % 2)
    courses, current = adversarial_case(
        courses=4, sections=4 + seed % 3, seed=seed, current_excluded=excluded
    )
    wishes = Wishes(not_after=18 * 60) if excluded else Wishes()
    expected = brute_force(courses, current, wishes)
    for limit in (1, 7, 30):
        result = search(courses, current, wishes, limit=limit)
        assert result.total == len(expected)
        assert result.alternatives == expected[:limit]


def option(section_id, course_id, *meetings):
    return Option(section_id, course_id, tuple(Meeting(*m) for m in meetings))


MONDAY, TUESDAY, FRIDAY = 0, 1, 4
H = 60


def test_touching_end_to_start_is_not_a_conflict():
    courses = [
        [option(1, 1, (MONDAY, 8 * H, 10 * H)), option(2, 1, (TUESDAY, 8 * H, 10 * H))],
        [option(3, 2, (MONDAY, 10 * H, 12 * H))],
    ]
    result = search(courses, current=[2, 3])
    assert [a.sections for a in result.alternatives] == [(1, 3)]
    assert result.alternatives[0].gaps == 0
    assert result.total == 1


def test_one_minute_of_overlap_is_a_conflict():
    courses = [
        [option(1, 1, (MONDAY, 8 * H, 10 * H + 1)), option(2, 1, (TUESDAY, 8 * H, 10 * H))],
        [option(3, 2, (MONDAY, 10 * H, 12 * H))],
    ]
    result = search(courses, current=[2, 3])
    assert result.alternatives == []
    assert result.total == 0


def test_a_section_whose_own_meetings_overlap_is_never_possible():
    courses = [
        [
            option(1, 1, (MONDAY, 8 * H, 10 * H), (MONDAY, 9 * H, 11 * H)),
            option(2, 1, (TUESDAY, 8 * H, 10 * H)),
        ],
    ]
    assert search(courses, current=[2]).total == 0


def three_by_three():
    """Three courses of three sections each, none in conflict: 27 schedules, 26 alternatives."""
    return [
        [
            option(10 * c + s, c, (s, (8 + 3 * c) * H, (10 + 3 * c) * H))
            for s in (MONDAY, TUESDAY, FRIDAY)
        ]
        for c in range(1, 4)
    ]


def test_the_current_schedule_is_excluded_and_the_order_is_by_changes_first():
    courses = three_by_three()
    current = [10, 20, 30]
    result = search(courses, current, limit=100)
    assert result.total == 26
    assert current not in [list(a.sections) for a in result.alternatives]
    assert [a.changed for a in result.alternatives] == [1] * 6 + [2] * 12 + [3] * 8
    keys = [a.key for a in result.alternatives]
    assert keys == sorted(keys)


def test_limit_keeps_the_best_and_total_counts_the_rest():
    courses = three_by_three()
    result = search(courses, [10, 20, 30], limit=5)
    assert result.total == 26
    assert len(result.alternatives) == 5
    everything = search(courses, [10, 20, 30], limit=100).alternatives
    assert result.alternatives == everything[:5]
    assert search(courses, [10, 20, 30], limit=0).alternatives == []
    assert search(courses, [10, 20, 30], limit=0).total == 26


def test_gaps_then_end_of_day_break_ties():
    courses = [
        [option(1, 1, (MONDAY, 8 * H, 10 * H))],
        [
            option(2, 2, (MONDAY, 14 * H, 16 * H)),  # 4 h of gap
            option(3, 2, (MONDAY, 10 * H, 12 * H)),  # no gap, ends 12:00
            option(4, 2, (TUESDAY, 15 * H, 17 * H)),  # no gap, ends 10:00 + 17:00
            option(5, 2, (MONDAY, 12 * H, 13 * H)),  # 2 h of gap
        ],
    ]
    result = search(courses, current=[1, 2])
    assert [(a.sections, a.changed, a.gaps, a.day_end) for a in result.alternatives] == [
        ((1, 3), 1, 0, 12 * H),
        ((1, 4), 1, 0, 10 * H + 17 * H),
        ((1, 5), 1, 2 * H, 13 * H),
    ]


def test_wish_keep():
    courses = three_by_three()
    result = search(courses, [10, 20, 30], Wishes(keep=frozenset({21})), limit=100)
    assert result.total == 9
    assert all(a.sections[1] == 21 for a in result.alternatives)


def test_wish_keep_two_sections_of_one_course_leaves_nothing():
    courses = three_by_three()
    result = search(courses, [10, 20, 30], Wishes(keep=frozenset({20, 21})))
    assert (result.total, result.alternatives) == (0, [])


def test_wish_keep_a_section_that_another_wish_excludes_leaves_nothing():
    courses = three_by_three()
    result = search(courses, [10, 20, 30], Wishes(keep=frozenset({21}), free_day=TUESDAY))
    assert (result.total, result.alternatives) == (0, [])


def test_a_section_listed_twice_is_one_choice():
    courses = three_by_three()
    courses[0] = [*courses[0], courses[0][1]]
    assert search(courses, [10, 20, 30]).total == 26


def test_wish_not_before():
    courses = [
        [option(1, 1, (MONDAY, 8 * H, 10 * H)), option(2, 1, (MONDAY, 10 * H, 12 * H))],
        [option(3, 2, (TUESDAY, 9 * H + 59, 11 * H)), option(4, 2, (TUESDAY, 13 * H, 15 * H))],
    ]
    result = search(courses, [1, 3], Wishes(not_before=10 * H))
    assert [a.sections for a in result.alternatives] == [(2, 4)]


def test_wish_not_after():
    courses = [
        [option(1, 1, (MONDAY, 8 * H, 10 * H)), option(2, 1, (MONDAY, 16 * H, 18 * H + 1))],
        [option(3, 2, (TUESDAY, 16 * H, 18 * H)), option(4, 2, (TUESDAY, 19 * H, 21 * H))],
    ]
    result = search(courses, [2, 4], Wishes(not_after=18 * H))
    assert [a.sections for a in result.alternatives] == [(1, 3)]


def test_wish_free_day():
    courses = three_by_three()
    result = search(courses, [10, 20, 30], Wishes(free_day=MONDAY), limit=100)
    assert result.total == 8  # 2 × 2 × 2, none of them the current (all on Monday)
    assert all(a.changed == 3 for a in result.alternatives)


def test_no_alternative():
    courses = [
        [option(1, 1, (MONDAY, 8 * H, 10 * H))],
        [option(2, 2, (MONDAY, 9 * H, 11 * H)), option(3, 2, (TUESDAY, 8 * H, 10 * H))],
    ]
    result = search(courses, [1, 3])
    assert (result.alternatives, result.total) == ([], 0)


def test_a_course_with_a_single_option():
    courses = [
        [option(1, 1, (FRIDAY, 8 * H, 11 * H))],
        [option(2, 2, (MONDAY, 8 * H, 10 * H)), option(3, 2, (TUESDAY, 8 * H, 10 * H))],
    ]
    result = search(courses, [1, 2])
    assert [a.sections for a in result.alternatives] == [(1, 3)]
    assert result.total == 1


def test_a_wish_that_leaves_a_course_without_section_leaves_nothing():
    courses = three_by_three()
    # Course 3 meets 17:00-19:00 in every section.
    result = search(courses, [10, 20, 30], Wishes(not_after=18 * H), limit=100)
    assert (result.total, result.alternatives) == (0, [])


def test_the_realistic_8_by_8_case_visits_few_nodes():
    """The benchmark's seeded 8 courses × 8 sections (16.7 M raw combinations): a bound on the
    nodes visited, not on time, so that a slower search shows here on any machine."""
    for seed in range(1, 6):
        courses, current = realistic_case(courses=8, sections=8, seed=seed)
        result = search(courses, current)
        assert result.nodes < 2_000
        assert result.total == len(brute_force_fast(courses, current))


def test_millions_of_valid_schedules_are_counted_without_visiting_them():
    """Adversarial: no two courses conflict, every one of the 8^8 schedules is valid."""
    courses, current = adversarial_case(courses=8, sections=8, seed=1)
    result = search(courses, current)
    assert result.total == 8**8 - 1
    assert result.count_nodes <= 8
    assert [a.changed for a in result.alternatives] == [1] * 50
    assert result.nodes < 5_000


def test_the_best_among_millions_that_all_change_every_section():
    """Adversarial: every current section excluded by a wish, 7^8 alternatives that all change
    every course; the best 50 by idle minutes and end of day, found by the bounds."""
    courses, current = adversarial_case(courses=8, sections=8, seed=1, current_excluded=True)
    result = search(courses, current, Wishes(not_after=18 * 60))
    assert result.total == 7**8
    assert result.nodes < 20_000
    keys = [a.key for a in result.alternatives]
    assert keys == sorted(keys) and len(keys) == 50
    # The best: each day's pair of courses (morning, afternoon) chosen for the least idle time.
    best_gaps = 0
    for day in range(4):
        morning = [o for o in courses[2 * day] if o.meetings[-1].end <= 18 * 60]
        afternoon = [o for o in courses[2 * day + 1] if o.meetings[-1].end <= 18 * 60]
        best_gaps += min(
            b.meetings[0].start - a.meetings[0].end for a in morning for b in afternoon
        )
    assert result.alternatives[0].gaps == best_gaps


def brute_force_fast(courses, current):
    """Every valid alternative by a plain backtracking (no wishes): the 8 × 8 count's check."""
    found = []

    def extend(index, chosen, taken):
        if index == len(courses):
            if [o.section_id for o in chosen] != list(current):
                found.append(tuple(o.section_id for o in chosen))
            return
        for candidate in courses[index]:
            if not any(overlaps(m, t) for m in candidate.meetings for t in taken):
                extend(index + 1, [*chosen, candidate], [*taken, *candidate.meetings])

    extend(0, [], [])
    return found
