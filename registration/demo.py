"""The demo's next term: its course choice window open now, the grid's next session offered
in sections with places, two elective lists to rank, and a confirmation deadline for the term
under way, so that a newcomer can choose courses, run the placement and confirm (README)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.demo import demo_step
from portal.models import Institution
from registration.imports.windows import default_deadline
from registration.models import ElectiveList, TermRegistration
from students.models import Course, Meeting, Program, Section, Term

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
