"""Placement: grid courses first, then electives by rank, one section per course, never over
capacity, never a conflict, a reproducible priority (credits, then a seeded draw), all or
nothing; checked over generated data and through the command, the admin action and the
student's schedule."""

import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from registration import placement
from registration.models import CourseChoice
from registration.placement import Slot, Wish, meeting_mask, place
from students.models import Enrolment, Student
from tests.accounts.test_login import student_login
from tests.factories import make_student
from tests.registration.conftest import bob_student
from tests.registration.test_choice import CHOICE, submission


def random_case(rng: random.Random) -> tuple[list[Wish], list[Slot]]:
    courses = list(range(1, rng.randint(2, 12)))
    slots = []
    pk = 0
    for course in courses:
        for group in range(rng.randint(0, 4)):
            pk += 1
            mask = 0
            for _meeting in range(rng.randint(1, 2)):
                day = rng.randint(1, 5)
                start = rng.choice(range(8 * 60, 17 * 60, 30))
                mask |= meeting_mask(day, start, start + rng.choice((60, 90, 120, 180)))
            capacity = rng.choice((None, 0, 1, 2, 3, 5, 10))
            slots.append(Slot(pk, course, f"{group:02d}", capacity, mask))
    wishes = []
    for student in range(1, rng.randint(1, 40)):
        picked = rng.sample(courses, k=rng.randint(0, min(5, len(courses))))
        rest = [c for c in courses if c not in picked]
        electives = []
        if rest:
            electives.append((1, rng.sample(rest, k=rng.randint(1, len(rest)))))
        wishes.append(Wish(student, Decimal(rng.randint(0, 60)), picked, electives))
    return wishes, slots


def check(wishes: list[Wish], slots: list[Slot], outcome: placement.Outcome) -> None:
    by_pk = {slot.pk: slot for slot in slots}
    counts: dict[int, int] = {}
    per_student: dict[int, list[Slot]] = {}
    for placed in outcome.placed:
        slot = by_pk[placed.section_pk]
        assert slot.course_id == placed.course_id
        counts[slot.pk] = counts.get(slot.pk, 0) + 1
        per_student.setdefault(placed.student_id, []).append(slot)
    for pk, count in counts.items():  # never over capacity
        capacity = by_pk[pk].capacity
        assert capacity is None or count <= capacity
    for student_id, mine in per_student.items():
        assert len({slot.course_id for slot in mine}) == len(mine)  # one section per course
        for i, first in enumerate(mine):  # never a conflict
            for second in mine[i + 1 :]:
                assert first.mask & second.mask == 0, student_id
    wished = {wish.student_id: wish for wish in wishes}
    for placed in outcome.placed:
        wish = wished[placed.student_id]
        if placed.rank is None:
            assert placed.course_id in wish.required
        else:  # a course of the list, at its rank
            ranked = dict(wish.electives)[1]
            assert ranked[placed.rank - 1] == placed.course_id
    # Every course asked for is placed or reported.
    for wish in wishes:
        got = {p.course_id for p in outcome.placed if p.student_id == wish.student_id}
        missed = {m.course_id for m in outcome.missed if m.student_id == wish.student_id}
        assert set(wish.required) <= got | missed


def test_placement_rules_hold_over_generated_data():
    for seed in range(300):
        rng = random.Random(seed)
        wishes, slots = random_case(rng)
        fresh = [Slot(s.pk, s.course_id, s.group, s.capacity, s.mask) for s in slots]
        outcome = place(wishes, slots, seed=str(seed))
        check(wishes, slots, outcome)
        again = place(wishes, fresh, seed=str(seed))
        assert [(p.student_id, p.section_pk) for p in again.placed] == [
            (p.student_id, p.section_pk) for p in outcome.placed
        ]  # reproducible


def test_priority_is_credits_then_the_seeded_draw():
    wishes = [Wish(n, Decimal(n % 3), [], []) for n in range(1, 30)]
    order = [w.student_id for w in placement.priority(wishes, seed="HIV-2027")]
    credits = [n % 3 for n in order]
    assert credits == sorted(credits, reverse=True)
    assert order == [w.student_id for w in placement.priority(reversed(wishes), seed="HIV-2027")]
    assert order != [w.student_id for w in placement.priority(wishes, seed="autre")]


def test_the_last_place_goes_to_the_student_with_more_credits():
    slot = Slot(1, 10, "01", 1, meeting_mask(1, 480, 600))
    outcome = place(
        [Wish(1, Decimal(0), [10], []), Wish(2, Decimal(30), [10], [])], [slot], seed="x"
    )
    assert [(p.student_id, p.section_pk) for p in outcome.placed] == [(2, 1)]
    assert [(m.student_id, m.reason) for m in outcome.missed] == [(1, placement.FULL)]


def test_electives_go_by_rank_and_avoid_conflicts():
    monday = meeting_mask(1, 480, 600)
    slots = [
        Slot(1, 10, "01", None, monday),  # required
        Slot(2, 20, "01", None, monday),  # first choice: conflicts
        Slot(3, 30, "01", None, meeting_mask(2, 480, 600)),  # second choice
    ]
    outcome = place([Wish(1, Decimal(0), [10], [(7, [20, 30])])], slots, seed="x")
    assert [(p.course_id, p.rank) for p in outcome.placed] == [(10, None), (30, 2)]


@pytest.fixture
def chosen(client, bob, grid, charlie):
    """Bob and Charlie submitted a choice; the section of 420-2A4-TH has one place left."""
    student_login(client, "2026102")
    client.post(CHOICE, submission(grid))
    charlie_student = Student.objects.get(user=charlie)
    charlie_student.program = grid.program
    charlie_student.save(update_fields=["program"])
    other = make_student(bob_student(bob).school.institution, program=grid.program)
    enrol(other, grid)
    section = grid.second[0].sections.get(term=grid.upcoming)
    section.capacity = 2
    section.save(update_fields=["capacity"])
    other_client = client_class()
    student_login(other_client, "2026103")
    other_client.post(CHOICE, submission(grid, ranks={"360-C03-TH": 1, "360-C01-TH": 2}))
    return grid


def enrol(student, grid):
    Enrolment.objects.create(
        student=student, section=grid.second[0].sections.get(term=grid.upcoming)
    )


def client_class():
    from django.test import Client

    return Client()


def test_command_dry_run_writes_nothing_and_the_real_run_places(chosen, bob, charlie, client):
    before = Enrolment.objects.count()
    out = StringIO()
    call_command("place_students", "HIV-2027", "--dry-run", stdout=out)
    assert "Simulation" in out.getvalue()
    assert "2026102" in out.getvalue() and "2026103" in out.getvalue()
    assert Enrolment.objects.count() == before
    out = StringIO()
    call_command("place_students", "HIV-2027", stdout=out)
    section = chosen.second[0].sections.get(term=chosen.upcoming)
    assert section.enrolments.count() == 2  # capacity 2: one of the two got it
    report = out.getvalue()
    assert "non placé : 420-2A4-TH — tous les groupes sont complets" in report
    bob_courses = set(
        Enrolment.objects.filter(student__user=bob, section__term=chosen.upcoming).values_list(
            "section__course__code", flat=True
        )
    )
    assert "360-C02-TH" in bob_courses  # his first choice
    assert {"201-1M3-TH", "420-2B4-TH"} <= bob_courses
    # Running it again places nobody twice.
    call_command("place_students", "HIV-2027", stdout=StringIO())
    assert Enrolment.objects.filter(
        student__user=bob, section__term=chosen.upcoming
    ).count() == len(bob_courses)
    # Bob sees the new term in "Horaire en ligne".
    response = client.get(reverse("students:schedule_term", args=["HIV-2027"]))
    assert response.status_code == 200 and "360-C02-TH" in response.content.decode()


def test_placement_is_all_or_nothing(chosen, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(placement, "audit_record", fail)
    before = Enrolment.objects.count()
    with pytest.raises(RuntimeError):
        call_command("place_students", "HIV-2027", stdout=StringIO())
    assert Enrolment.objects.count() == before
    assert CourseChoice.objects.count() == 2


def test_admin_action_places(chosen):
    staff = User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")
    from django.test import Client

    client = Client()
    client.force_login(staff)
    response = client.post(
        reverse("admin:registration_termregistration_changelist"),
        {"action": "place_students", "_selected_action": [chosen.registration.pk]},
        follow=True,
    )
    assert "HIV-2027" in response.content.decode()
    assert Enrolment.objects.filter(section__term=chosen.upcoming).count() > 1
    assert chosen.registration.__class__.objects.get().placed_at is not None
