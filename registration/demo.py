"""The demo's next term: its course choice window open now, the grid's next session offered
in sections with places, two elective lists to rank, and a confirmation deadline for the term
under way, so that a newcomer can choose courses, run the placement and confirm (README).
Then the term under way's schedule change window, open now, with second groups of some
courses, so that a newcomer can change a schedule (Modification d'horaire)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.demo import demo_step
from portal.models import Institution
from registration.imports.windows import default_deadline
from registration.models import ElectiveList, TermRegistration
from students.models import Course, Evaluation, Meeting, Program, Section, Term

PROGRAM = "420.B0"
# The grid's session 3 (students.demo's LATER_COURSES) and a course failed by 2026002, with
# their sections: code, group, places, meetings (day, start, end, room).
NEXT_SECTIONS = [
    ("420-3A4-TH", "01", 30, [(1, "08:00", "10:00", "D-2120"), (3, "08:00", "10:00", "D-2120")]),
    ("420-3A4-TH", "02", 30, [(2, "13:00", "15:00", "D-2120"), (4, "13:00", "15:00", "D-2120")]),
    ("420-3B4-TH", "01", 30, [(1, "10:15", "12:15", "D-2130"), (3, "10:15", "12:15", "D-2130")]),
    ("420-3C3-TH", "01", 30, [(2, "08:00", "11:00", "D-2124")]),
    ("201-1M3-TH", "01", 25, [(5, "08:00", "11:00", "B-1310")]),
]  # fmt: skip
# Elective lists: code, name, ranks to give, courses (code, title, group, places, meeting).
ELECTIVES = [
    ("complementaires", "Cours complémentaires", 3, [
        ("360-C01-TH", "Astronomie", "01", 25, (4, "08:00", "10:00", "C-1104")),
        ("360-C02-TH", "Initiation à l'espagnol", "01", 2, (4, "13:00", "15:00", "C-1106")),
        ("360-C03-TH", "Histoire du cinéma", "01", 25, (5, "13:00", "15:00", "C-1108")),
        ("360-C04-TH", "Psychologie du quotidien", "01", 25, (2, "15:15", "17:15", "C-1110")),
    ]),
    ("education-physique", "Éducation physique", 2, [
        ("109-101-MQ", "Activité physique et santé", "01", 30, (3, "13:00", "15:00", "GYM")),
        ("109-102-MQ", "Activité physique et efficacité", "01", 30, (5, "10:15", "12:15", "GYM")),
        ("109-103-MQ", "Activité physique et autonomie", "01", 30, (1, "13:00", "15:00", "GYM")),
    ]),
]  # fmt: skip


def next_term_dates(current: Term) -> tuple[str, datetime.date, datetime.date]:
    season, year = current.code.split("-")
    if season == "AUT":
        return (
            f"HIV-{int(year) + 1}",
            datetime.date(int(year) + 1, 1, 20),
            datetime.date(int(year) + 1, 5, 20),
        )
    return f"AUT-{year}", datetime.date(int(year), 8, 20), datetime.date(int(year), 12, 20)


def _section(term: Term, course: Course, group: str, places: int, meetings: list) -> None:
    section, created = Section.objects.get_or_create(
        term=term, course=course, group=group, defaults={"capacity": places}
    )
    if created:
        Meeting.objects.bulk_create(
            Meeting(
                section=section,
                day=day,
                start=datetime.time.fromisoformat(start),
                end=datetime.time.fromisoformat(end),
                room=room,
            )
            for day, start, end, room in meetings
        )


@demo_step(order=35)
@transaction.atomic
def demo_registration(institution: Institution) -> list[str]:
    today = timezone.localdate()
    current = Term.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    program = Program.objects.filter(code=PROGRAM).first()
    if current is None or program is None:
        return []
    code, starts_on, ends_on = next_term_dates(current)
    upcoming, _created = Term.objects.get_or_create(
        code=code, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    for course_code, group, places, meetings in NEXT_SECTIONS:
        course = Course.objects.filter(code=course_code).first()
        if course is not None:
            _section(upcoming, course, group, places, meetings)
    for list_code, name, size, courses in ELECTIVES:
        elective_list, _created = ElectiveList.objects.get_or_create(
            term=upcoming, code=list_code, defaults={"name": name, "size": size}
        )
        for course_code, title, group, places, meeting in courses:
            course, _created = Course.objects.get_or_create(
                code=course_code, defaults={"title": title, "credits": Decimal("1.00")}
            )
            _section(upcoming, course, group, places, [meeting])
            elective_list.courses.add(course)
    now = timezone.now()
    fee = institution.enrolment_late_fee
    TermRegistration.objects.get_or_create(
        term=upcoming,
        defaults={
            "choice_opens": now - datetime.timedelta(days=1),
            "choice_closes": now + datetime.timedelta(days=14),
            "confirmation_deadline": default_deadline(upcoming, institution)
            or upcoming.starts_on + datetime.timedelta(days=25),
            "late_fee": fee,
        },
    )
    # The term under way: its choice window is long closed; its deadline is the seed's date
    # when still ahead, otherwise in two weeks, so that confirming shows the usual path.
    deadline = default_deadline(current, institution)
    if deadline is None or deadline < today:
        deadline = today + datetime.timedelta(days=14)
    TermRegistration.objects.get_or_create(
        term=current,
        defaults={
            "choice_opens": timezone.make_aware(
                datetime.datetime.combine(
                    current.starts_on - datetime.timedelta(days=90), datetime.time()
                )
            ),
            "choice_closes": timezone.make_aware(
                datetime.datetime.combine(
                    current.starts_on - datetime.timedelta(days=60), datetime.time()
                )
            ),
            "confirmation_deadline": deadline,
            "late_fee": fee,
        },
    )
    return [
        f"Registration: course choice for {upcoming.code} open until "
        f"{(now + datetime.timedelta(days=14)):%Y-%m-%d}; enrolment confirmation for "
        f"{current.code} until {deadline:%Y-%m-%d}; then: manage.py place_students {upcoming.code}",
    ]


# Second groups in the term under way (students.demo puts everyone in group 01): code,
# places, meetings. Together with group 01 they make real alternatives: 601-102-MQ's group 02
# and 420-2B4-TH's overlap on Tuesday; 360-C01-TH's and 420-2A4-TH's on Friday; freeing
# Friday means moving 201-2M3-TH and 601-102-MQ.
SECOND_GROUPS = [
    ("420-2A4-TH", 30, [(3, "10:15", "12:15", "D-2122"), (5, "13:00", "15:00", "D-2122")]),
    ("420-2B4-TH", 30, [(2, "15:15", "17:15", "D-2126"), (5, "15:15", "17:15", "D-2126")]),
    ("201-2M3-TH", 30, [(1, "16:15", "18:15", "B-1312"), (3, "15:15", "17:15", "B-1312")]),
    ("601-102-MQ", 30, [(2, "15:15", "17:15", "B-2207"), (4, "11:15", "12:45", "B-2207")]),
    ("360-C01-TH", 25, [(5, "13:00", "15:00", "C-1105")]),
]  # fmt: skip
# The term's fee when the preset has none: seed 001's "des frais (15 $) … pour chaque
# modification d'horaire confirmée", so that the demo shows the fee in the payment centre.
DEMO_CHANGE_FEE = Decimal("15.00")


@demo_step(order=36)
@transaction.atomic
def demo_schedule_change(institution: Institution) -> list[str]:
    today = timezone.localdate()
    current = Term.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if current is None:
        return []
    registration = TermRegistration.objects.filter(term=current).first()
    if registration is None:
        return []
    for course_code, places, meetings in SECOND_GROUPS:
        first = (
            Section.objects.filter(term=current, course__code=course_code, group="01")
            .select_related("course")
            .first()
        )
        if first is None:
            continue
        _section(current, first.course, "02", places, meetings)
        Section.objects.filter(
            term=current, course=first.course, group="02", teacher__isnull=True
        ).update(teacher=first.teacher)
        # The same course outline in both groups: a student who moves finds the evaluations
        # (not yet marked in the new group) on their results page.
        second = Section.objects.get(term=current, course=first.course, group="02")
        if not second.evaluations.exists():
            Evaluation.objects.bulk_create(
                Evaluation(section=second, title=e.title, weight=e.weight, date=e.date)
                for e in first.evaluations.all()
            )
    if registration.change_opens is None:
        now = timezone.now()
        registration.change_opens = now - datetime.timedelta(days=1)
        registration.change_closes = now + datetime.timedelta(days=14)
        registration.change_fee = institution.schedule_change_fee or DEMO_CHANGE_FEE
        registration.save(update_fields=["change_opens", "change_closes", "change_fee"])
    return [
        f"Schedule change: {current.code} open until {registration.change_closes:%Y-%m-%d}, "
        f"{registration.change_fee} $ per confirmed change",
    ]
