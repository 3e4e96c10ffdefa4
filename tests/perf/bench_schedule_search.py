"""The schedule search (modification d'horaire) on seeded cases: CPU time and nodes visited.

    .venv/bin/python tests/perf/bench_schedule_search.py [--seeds 20] [--limit 50]

No database, no Django: registration/schedule_search.py alone. For each size (8 courses × 8
sections: 16.7 million raw combinations; 10 × 12: 61.9 billion) it runs:

- ``réaliste``: sections as in a cégep (2-3 meetings of 1.5-3 h over the week,
  tests/perf/schedule_cases.py), one case per seed; prints the median and the worst CPU time
  and nodes over the seeds, and the alternatives found;
- ``réaliste, garder 1 section``: the same cases, keeping the first course's section (with
  8 courses in a 50-hour week, "no class before 10:00" usually leaves nothing at all);
- ``adverse``: no two courses ever conflict, so every combination is valid (all counted);
- ``adverse, tout change``: the same, every current section excluded by a wish, so the best
  alternatives are chosen among millions (billions) by idle minutes and end of day alone;
- ``réunions courtes (limite)``: 3 seeds of one 1-1.5 h meeting a week per section at random
  times: billions of valid schedules without structure, the case where the exact count costs
  most (see docs/performance.md).

CPU time is ``time.process_time`` around ``search`` (user + system of this process), the best
of 3 runs of each case, so that the box's other load inflates it as little as possible.
docs/performance.md has the figures; the issue's goals are 100 ms for 8 × 8 and 1 s for 10 × 12.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from registration.schedule_search import Wishes, search
from tests.perf.schedule_cases import adversarial_case, realistic_case, short_meetings_case

GOALS_MS = {(8, 8): 100, (10, 12): 1000}


def cpu_ms(courses, current, wishes, limit):
    best = None
    for _ in range(3):
        started = time.process_time()
        result = search(courses, current, wishes, limit=limit)
        spent = (time.process_time() - started) * 1000
        best = spent if best is None else min(best, spent)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args()
    print(
        f"{'cas':<28} {'taille':>7} {'CPU ms méd.':>11} {'CPU ms max':>10} "
        f"{'nœuds méd.':>10} {'nœuds max':>9} {'total (méd.)':>15} {'objectif':>8}"
    )
    for size in ((8, 8), (10, 12)):
        n, m = size
        runs = {
            "réaliste": [
                (*realistic_case(courses=n, sections=m, seed=seed), Wishes())
                for seed in range(1, args.seeds + 1)
            ],
            "réaliste, garder 1 section": [
                (courses, current, Wishes(keep=frozenset(current[:1])))
                for courses, current in (
                    realistic_case(courses=n, sections=m, seed=seed)
                    for seed in range(1, args.seeds + 1)
                )
            ],
            "adverse": [(*adversarial_case(courses=n, sections=m, seed=1), Wishes())],
            "adverse, tout change": [
                (
                    *adversarial_case(courses=n, sections=m, seed=1, current_excluded=True),
                    Wishes(not_after=18 * 60),
                )
            ],
            "réunions courtes (limite)": [
                (*short_meetings_case(courses=n, sections=m, seed=seed), Wishes())
                for seed in range(1, 4)
            ],
        }
        for name, cases in runs.items():
            times, nodes, totals = [], [], []
            for courses, current, wishes in cases:
                spent, result = cpu_ms(courses, current, wishes, args.limit)
                times.append(spent)
                nodes.append(result.nodes)
                totals.append(result.total)
            goal = GOALS_MS[size]
            print(
                f"{name:<28} {n:>3}×{m:<3} {statistics.median(times):>11.1f} "
                f"{max(times):>10.1f} {statistics.median(nodes):>10.0f} {max(nodes):>9} "
                f"{statistics.median(totals):>15,.0f} "
                f"{'ok' if max(times) < goal else 'dépassé':>8}"
            )


if __name__ == "__main__":
    main()
