"""A full term for the demo students: the program's courses, teachers with their office hours,
sections with weekly meetings, evaluations with marks and class averages, and the previous
term's final grades with the groups' IDGZ and IFGZ (Cote R). At a school board, the grades'
courses instead (students.demo_ontario)."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.demo import demo_is_school_board, demo_step
from portal.models import Institution
from portal.selectors import school_main
from students.models import (
    Course,
    Employee,
    Enrolment,
    Evaluation,
    Mark,
    Meeting,
    Program,
    Section,
    Student,
    Term,
)

# accounts.demo's people: matricules 2026001 to 2026020, in program 420.B0.
DEMO_STUDENTS = 20
PROGRAM = ("420.B0", "Techniques de l'informatique")

# employee number, last name, first name, department, office, extension, email, availability.
# 10042 comes from accounts.demo; 10057 (registrar's office) does not teach.
TEACHERS = [
    ("10042", "Bergeron", "Isabelle", "Mathématiques", "B-2104", "2231",
     "i.bergeron@cegep.example", "mardi 13 h à 15 h"),
    ("10063", "Nadeau", "Sophie", "Informatique", "D-3110", "2417",
     "s.nadeau@cegep.example", "lundi 13 h à 15 h, jeudi 10 h à 12 h"),
    ("10078", "Côté-Larivière", "Étienne", "Informatique", "D-3114", "2422",
     "e.cote-lariviere@cegep.example", "mercredi 15 h à 17 h, vendredi 13 h à 14 h"),
    ("10091", "Poirier", "Hélène", "Lettres et philosophie", "B-1207", "2310",
     "h.poirier@cegep.example", "mercredi 10 h à 12 h"),
]  # fmt: skip

# code, title, credits, session of the grid (None: outside the program), teacher, evaluations
# kind, meetings of the term under way (day, start, end, room).
CURRENT_COURSES = [
    ("420-2A4-TH", "Programmation orientée objet", "2.66", 2, "10063", "info",
     [(1, "08:00", "10:00", "D-2120"), (3, "13:00", "15:00", "D-2120")]),
    ("420-2B4-TH", "Bases de données", "2.66", 2, "10078", "info",
     [(2, "08:00", "10:00", "D-2124"), (4, "13:00", "15:00", "D-2124")]),
    ("420-2C3-TH", "Développement Web 1", "2.00", 2, "10063", "info",
     [(1, "13:00", "16:00", "D-2130")]),
    ("420-2D3-TH", "Réseaux et sécurité 1", "2.00", 2, "10078", "info",
     [(1, "10:15", "12:15", "D-3105"), (4, "15:15", "17:15", "D-3105")]),
    ("201-2M3-TH", "Mathématiques discrètes", "2.00", 2, "10042", "math",
     [(2, "10:15", "12:15", "B-1310"), (5, "08:00", "10:00", "B-1310")]),
    ("601-102-MQ", "Littérature et imaginaire", "2.33", 2, "10091", "general",
     [(3, "08:00", "10:00", "B-2205"), (5, "10:15", "12:15", "B-2205")]),
    ("340-102-MQ", "L'être humain", "2.00", 2, "10091", "general",
     [(4, "08:00", "11:00", "B-2210")]),
    ("360-C01-TH", "Astronomie (cours complémentaire)", "2.00", None, "10042", "math",
     [(2, "13:00", "15:00", "C-1104")]),
]  # fmt: skip
PREVIOUS_COURSES = [
    ("420-1A4-TH", "Introduction à la programmation", "2.66", 1, "10063", "info",
     [(1, "08:00", "11:00", "D-2120")]),
    ("420-1B3-TH", "Systèmes d'exploitation", "2.00", 1, "10078", "info",
     [(2, "13:00", "16:00", "D-2124")]),
    ("201-1M3-TH", "Mathématiques appliquées à l'informatique", "2.00", 1, "10042", "math",
     [(3, "10:15", "12:15", "B-1310")]),
    ("601-101-MQ", "Écriture et littérature", "2.33", 1, "10091", "general",
     [(4, "08:00", "10:00", "B-2205")]),
    ("340-101-MQ", "Philosophie et rationalité", "2.33", 1, "10091", "general",
     [(5, "13:00", "16:00", "B-2210")]),
]  # fmt: skip
# Later sessions of the grid, not offered yet: "à faire".
LATER_COURSES = [
    ("420-3A4-TH", "Structures de données", "2.66", 3),
    ("420-3B4-TH", "Développement Web 2", "2.66", 3),
    ("420-3C3-TH", "Interfaces utilisateurs", "2.00", 3),
]
# title, weight (%), out of, week of the term.
EVALUATIONS = {
    "info": [
        ("Travail pratique 1", "15", "50", 4),
        ("Examen 1", "20", "100", 6),
        ("Travail pratique 2", "15", "50", 9),
        ("Examen 2", "20", "100", 12),
        ("Projet final", "30", "100", 16),
    ],
    "math": [
        ("Quiz 1", "10", "20", 3),
        ("Examen 1", "25", "100", 6),
        ("Quiz 2", "10", "20", 9),
        ("Examen 2", "25", "100", 13),
        ("Examen final", "30", "100", 16),
    ],
    "general": [
        ("Analyse littéraire", "20", "100", 5),
        ("Examen de mi-session", "25", "100", 8),
        ("Dissertation", "30", "100", 13),
        ("Examen final", "25", "100", 16),
    ],
}
# Marks are out a few days after the evaluation.
MARKED_AFTER_DAYS = 3
# Failures last term, so that the grid and the Cote R show one: (student number in
# accounts.demo, course code). 2026002 has an account: log in to see it.
FAILURES = {(2, "201-1M3-TH"), (4, "420-1B3-TH")}


TermDates = tuple[str, datetime.date, datetime.date]


def demo_terms(today: datetime.date) -> tuple[TermDates, TermDates]:
    """(previous, current): the current term contains today whatever the day the demo runs
    (stretched over the holidays or the summer when needed)."""
    year = today.year
    if today.month >= 7:
        current = (f"AUT-{year}", datetime.date(year, 8, 20), datetime.date(year, 12, 20))
        previous = (f"HIV-{year}", datetime.date(year, 1, 20), datetime.date(year, 5, 20))
    else:
        current = (f"HIV-{year}", datetime.date(year, 1, 20), datetime.date(year, 5, 20))
        previous = (
            f"AUT-{year - 1}",
            datetime.date(year - 1, 8, 20),
            datetime.date(year - 1, 12, 20),
        )
    code, starts_on, ends_on = current
    return previous, (code, min(starts_on, today), max(ends_on, today))


def _draw(seed: str) -> random.Random:
    # Seeded: the demo draws the same marks every time it runs.
    return random.Random(seed)  # noqa: S311 - demo data, not a secret


def _percent(rng: random.Random, ability: float) -> Decimal:
    value = min(100.0, max(30.0, rng.gauss(ability, 8)))
    return Decimal(str(value))


def _rounded(value: Decimal, places: str = "0.5") -> Decimal:
    step = Decimal(places)
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


@demo_step(order=20)
@transaction.atomic
def demo_term(institution: Institution) -> list[str]:
    length = institution.identifier_length
    matricules = {
        f"{2026000 + number}"[-length:].rjust(length, "0"): number
        for number in range(1, DEMO_STUDENTS + 1)
    }
    students = list(Student.objects.filter(matricule__in=matricules).order_by("matricule"))
    if not students:
        return []
    if demo_is_school_board(institution):
        from students.demo_ontario import demo_term_school_board

        return demo_term_school_board(institution, students, matricules)
    # The demo's own numbering (1 to 20), which the marks are drawn from.
    numbers = {student.pk: matricules[student.matricule] for student in students}
    today = timezone.localdate()
    program, _created = Program.objects.get_or_create(
        code=PROGRAM[0], defaults={"name": PROGRAM[1]}
    )
    teachers = _teachers(institution)
    (prev_code, prev_start, prev_end), (code, start, end) = demo_terms(today)
    previous, _created = Term.objects.get_or_create(
        code=prev_code, defaults={"starts_on": prev_start, "ends_on": prev_end}
    )
    current, _created = Term.objects.get_or_create(
        code=code, defaults={"starts_on": start, "ends_on": end}
    )
    for course_code, title, credits, grid_term in LATER_COURSES:
        _course(course_code, title, credits, grid_term, program)

    for term, rows, finished in (
        (previous, PREVIOUS_COURSES, True),
        (current, CURRENT_COURSES, False),
    ):
        for course_code, title, credits, grid_term, teacher, kind, slots in rows:
            course = _course(course_code, title, credits, grid_term, program)
            section, created = Section.objects.get_or_create(
                term=term, course=course, group="01", defaults={"teacher": teachers[teacher]}
            )
            if created:
                Meeting.objects.bulk_create(
                    Meeting(
                        section=section,
                        day=day,
                        start=datetime.time.fromisoformat(begins),
                        end=datetime.time.fromisoformat(ends),
                        room=room,
                    )
                    for day, begins, ends, room in slots
                )
            _enrol(section, students)
            totals = _evaluate(section, students, numbers, kind, today=today, finished=finished)
            if finished:
                _finish(section, numbers, totals)
    weekly = sum(len(row[6]) for row in CURRENT_COURSES)
    return [
        "",
        f"Courses ({program.code}): {current.code} under way, {len(CURRENT_COURSES)} courses "
        f"({weekly} weekly meetings) for {len(students)} demo students; {previous.code} with "
        f"final grades, IDGZ and IFGZ (Cote R); teachers {', '.join(teachers)}.",
    ]


def _teachers(institution: Institution, rows: list | None = None) -> dict[str, Employee]:
    school = school_main(institution)
    teachers = {}
    for number, last, first, department, office, extension, email, availability in rows or TEACHERS:
        employee, created = Employee.objects.get_or_create(
            employee_number=number,
            defaults={
                "last_name": last,
                "first_name": first,
                "email": email,
                "department": department,
                "office": office,
                "phone_extension": extension,
                "availability": availability,
                "school": school,
            },
        )
        if not created and not employee.availability:
            # accounts.demo's teacher has no office hours of her own.
            employee.availability = availability
            employee.save(update_fields=["availability"])
        if employee.user is None:
            # Every teacher has an account, so that a student can write to each (MIO).
            employee.user = _teacher_account(employee)
            employee.save(update_fields=["user"])
        teachers[number] = employee
    return teachers


def _teacher_account(employee: Employee) -> Any:
    from django.contrib.auth.hashers import make_password

    from accounts.demo import DEMO_PASSWORD
    from accounts.models import User

    return User.objects.create(
        username=User.username_for(User.Audience.EMPLOYEE, employee.employee_number),
        audience=User.Audience.EMPLOYEE,
        identifier=employee.employee_number,
        first_name=employee.first_name,
        last_name=employee.last_name,
        email=employee.email,
        password=make_password(DEMO_PASSWORD),
        activated_at=timezone.now(),
    )


def _course(code: str, title: str, credits: str, grid_term: int | None, program: Program) -> Course:
    course, _created = Course.objects.get_or_create(
        code=code,
        defaults={
            "title": title,
            "credits": Decimal(credits),
            "program": program if grid_term else None,
            "program_term": grid_term,
        },
    )
    return course


def _enrol(section: Section, students: list[Student]) -> None:
    enrolled = set(section.enrolments.values_list("student_id", flat=True))
    Enrolment.objects.bulk_create(
        Enrolment(student=student, section=section)
        for student in students
        if student.pk not in enrolled
    )


def _ability(number: int, course_code: str, failures: set[tuple[int, str]] = FAILURES) -> float:
    rng = _draw(f"ability-{number}-{course_code}")
    base = 68 + (number * 37) % 25  # 68 to 92, spread over the class
    if (number, course_code) in failures:
        base = 45
    return base + rng.uniform(-5, 5)


def _evaluate(
    section: Section,
    students: list[Student],
    numbers: dict[int, int],
    kind: str,
    *,
    today: datetime.date,
    finished: bool,
    plan: list[tuple[str, str, str, int]] | None = None,
    failures: set[tuple[int, str]] = FAILURES,
) -> dict[int, Decimal]:
    """The section's evaluations, and marks for those a few days past; returns each
    student's weighted total (out of the weights marked so far)."""
    start = section.term.starts_on
    totals: dict[int, Decimal] = {student.pk: Decimal(0) for student in students}
    existing = set(
        Mark.objects.filter(evaluation__section=section).values_list("evaluation_id", "student_id")
    )
    for title, weight, out_of, week in plan or EVALUATIONS[kind]:
        date = start + datetime.timedelta(weeks=week - 1, days=2)
        evaluation, _created = Evaluation.objects.get_or_create(
            section=section, title=title, defaults={"weight": Decimal(weight), "date": date}
        )
        if not finished and date > today - datetime.timedelta(days=MARKED_AFTER_DAYS):
            continue
        maximum = Decimal(out_of)
        new, percents = [], []
        for student in students:
            number = numbers[student.pk]
            rng = _draw(f"mark-{number}-{section.course.code}-{title}")
            percent = _percent(rng, _ability(number, section.course.code, failures))
            mark = _rounded(percent * maximum / 100)
            percents.append(mark * 100 / maximum)
            totals[student.pk] += mark / maximum * evaluation.weight
            if (evaluation.pk, student.pk) not in existing:
                new.append(
                    Mark(evaluation=evaluation, student=student, mark=mark, max_mark=maximum)
                )
        if new:
            Mark.objects.bulk_create(new)
            # Entered a few days after the evaluation, not when the demo ran: only the latest
            # ones are "new" on the home page.
            entered = min(
                timezone.now(),
                timezone.make_aware(
                    datetime.datetime.combine(
                        date + datetime.timedelta(days=MARKED_AFTER_DAYS), datetime.time(16)
                    )
                ),
            )
            Mark.objects.filter(evaluation=evaluation, student__in=[m.student for m in new]).update(
                created_at=entered
            )
        if evaluation.class_average is None:
            evaluation.class_average = _rounded(sum(percents) / len(percents), "0.01")
            evaluation.save(update_fields=["class_average"])
    return totals


def _finish(
    section: Section,
    numbers: dict[int, int],
    totals: dict[int, Decimal],
    *,
    cote_r: bool = True,
) -> None:
    """The previous term's final grades (the weighted marks, rounded), absences, and, at a
    cégep (`cote_r`), the group's IDGZ and IFGZ as the ministry would give them."""
    pending = list(section.enrolments.filter(final_grade__isnull=True, student__in=list(numbers)))
    for enrolment in pending:
        enrolment.final_grade = _rounded(totals[enrolment.student_id], "1")
        number = numbers[enrolment.student_id]
        enrolment.absences = _draw(f"absences-{number}-{section.course.code}").randint(0, 6)
    Enrolment.objects.bulk_update(pending, ["final_grade", "absences"])
    if cote_r and section.idgz is None:
        rng = _draw(f"group-{section.term.code}-{section.course.code}")
        section.idgz = Decimal(str(round(rng.uniform(0.9, 1.1), 4)))
        section.ifgz = Decimal(str(round(rng.uniform(0.0, 0.4), 4)))
        section.save(update_fields=["idgz", "ifgz"])
