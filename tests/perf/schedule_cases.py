"""Seeded cases for the schedule search (registration/schedule_search.py): the benchmark
(bench_schedule_search.py) and the unit tests use the same generators.

- ``realistic_case``: as in a cégep, each section meets 2 or 3 times a week, 1.5 to 3 h each,
  on different weekdays between 8:00 and 18:00 (a few until 22:00), on a half-hour grid; the
  student's current schedule is valid (drawn first, without conflicts).
- ``adversarial_case``: no two courses ever conflict (each course has its own half-day of the
  week, its sections at different times inside it), so every one of the raw combinations is
  valid (16.7 million for 8 × 8): counting them one by one would take minutes. With
  ``current_excluded``, every current section also meets on Friday evening and
  the wish ``not_after=18 * 60`` removes them all, so the best alternatives are among the
  schedules that change every course, by gaps and end of day only.
- ``short_meetings_case``: the search's known hard case, not a cégep's: every section meets
  once a week for 1 to 1.5 h at a random time, so most combinations are valid (billions for
  10 × 12) and they share no structure that the memoised count could fold.
"""

import random

from registration.schedule_search import Meeting, Option

H = 60


def _section(rng: random.Random, section_id: int, course_id: int) -> Option:
    days = rng.sample(range(5), rng.choice([2, 2, 3]))
    meetings = []
    for day in sorted(days):
        length = rng.choice([90, 120, 150, 180])
        latest = (22 if rng.random() < 0.1 else 18) * H - length
        start = rng.randrange(8 * H, latest + 1, 30)
        meetings.append(Meeting(day, start, start + length))
    return Option(section_id, course_id, tuple(meetings))


def _overlap(a: Option, b: Option) -> bool:
    return any(
        m.day == p.day and m.start < p.end and p.start < m.end
        for m in a.meetings
        for p in b.meetings
    )


def realistic_case(
    *, courses: int, sections: int, seed: int
) -> tuple[list[list[Option]], list[int]]:
    rng = random.Random(seed)
    result: list[list[Option]] = []
    current: list[int] = []
    taken: list[Option] = []
    next_id = 1
    for course_id in range(1, courses + 1):
        # The student's own section first, clear of their other courses.
        while True:
            mine = _section(rng, next_id, course_id)
            if not any(_overlap(mine, other) for other in taken):
                break
        taken.append(mine)
        current.append(mine.section_id)
        options = [mine]
        next_id += 1
        for _ in range(sections - 1):
            options.append(_section(rng, next_id, course_id))
            next_id += 1
        rng.shuffle(options)
        result.append(options)
    return result, current


def adversarial_case(
    *, courses: int, sections: int, seed: int, current_excluded: bool = False
) -> tuple[list[list[Option]], list[int]]:
    rng = random.Random(seed)
    result: list[list[Option]] = []
    current: list[int] = []
    next_id = 1
    for course_id in range(1, courses + 1):
        band = (course_id - 1) % 10  # Monday morning, Monday afternoon, … Friday afternoon
        day, opens = band // 2, (8 if band % 2 == 0 else 13) * H
        options = []
        for index in range(sections):
            length = rng.choice([90, 120, 150, 180])
            start = opens + rng.randrange(0, 4 * H - length + 1, 15)
            meetings = [Meeting(day, start, start + length)]
            if current_excluded and index == 0:
                meetings.append(Meeting(4, 19 * H, 21 * H))
            options.append(Option(next_id, course_id, tuple(meetings)))
            next_id += 1
        current.append(options[0].section_id)
        rng.shuffle(options)
        result.append(options)
    return result, current


def short_meetings_case(
    *, courses: int, sections: int, seed: int
) -> tuple[list[list[Option]], list[int]]:
    rng = random.Random(seed)
    result: list[list[Option]] = []
    next_id = 1
    for course_id in range(1, courses + 1):
        options = []
        for _ in range(sections):
            length = rng.choice([60, 90])
            start = rng.randrange(8 * H, 18 * H - length + 1, 30)
            options.append(
                Option(next_id, course_id, (Meeting(rng.randrange(5), start, start + length),))
            )
            next_id += 1
        result.append(options)
    return result, [options[0].section_id for options in result]
