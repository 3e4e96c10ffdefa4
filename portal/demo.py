"""`python manage.py demo` is made of steps that each app registers (people from accounts,
invoices from billing...), so that the portal's core imports none of them."""

from collections.abc import Callable

from portal.models import Institution

DemoStep = Callable[[Institution], list[str]]
_STEPS: list[tuple[int, DemoStep]] = []


def demo_step(order: int) -> Callable[[DemoStep], DemoStep]:
    """Registers a step: it loads its demo data (idempotently) and returns lines to print."""

    def register(step: DemoStep) -> DemoStep:
        _STEPS.append((order, step))
        _STEPS.sort(key=lambda item: item[0])
        return step

    return register


def demo_steps() -> list[DemoStep]:
    return [step for _order, step in _STEPS]


def demo_run(institution: Institution) -> list[str]:
    lines: list[str] = []
    for step in demo_steps():
        lines.extend(step(institution))
    return lines


# The presets that are school boards (elementary and secondary schools): their demo people are
# pupils in grades, not cégep students in a program (accounts.demo, students.demo, parents.demo).
SCHOOL_BOARD_PRESETS = frozenset({"cepeo"})


def demo_is_school_board(institution: Institution) -> bool:
    return institution.preset in SCHOOL_BOARD_PRESETS
