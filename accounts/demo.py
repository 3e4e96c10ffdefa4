"""Demo people: students (some activated), employees and a registrar."""

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import SecretAnswer, SecretQuestion, User
from portal.demo import demo_is_school_board, demo_step
from portal.models import Institution
from portal.normalize import normalize_answer
from portal.selectors import school_main
from students import code_permanent
from students.models import Program, Student
from students.services import employee_upsert, student_upsert

DEMO_PASSWORD = "Portail-Demo-2026"
REGISTRAR = ("registraire", "Registraire-Demo-2026")
DEMO_ANSWERS = ("Filou", "Rimouski", "Gabrielle")

# last name, first name, sex, birthdate, email?, activated?, postal code
PEOPLE = [
    ("Tremblay", "Éloïse", "F", "2006-03-05", True, True, "J7Z 4V2"),
    ("Gagnon-Roy", "Jean-François", "M", "2005-11-23", True, True, "J7Y 1A1"),
    ("D'Amour", "Léa", "F", "2007-01-14", True, False, "J7Z 2B3"),
    ("McDonald", "Ryan", "M", "2006-07-30", False, False, "J8C 1K4"),
    ("MacIntyre", "Fiona", "F", "2005-05-02", True, False, "J7Z 5T6"),
    ("Ng", "Minh", "M", "2006-09-09", False, False, "J7Y 3C9"),
    ("Côté", "Zoé", "F", "2007-02-28", True, True, "J7Z 6R2"),
    ("Bélanger", "Émile", "M", "2006-12-01", False, False, "J7Y 2M8"),
    ("O'Neil", "Siobhan", "F", "2005-08-17", True, False, "J7Z 7H1"),
    ("St-Pierre", "Mathis", "M", "2006-04-11", False, False, "J7Y 4J5"),
    ("Nguyễn", "Thảo", "F", "2006-10-21", True, False, "J7Z 8K2"),
    ("Lévesque", "Noémie", "F", "2007-06-06", False, True, "J8E 1P3"),
    ("Bouchard", "Félix", "M", "2005-02-19", True, False, "J7Z 9L4"),
    ("Ouellet", "Chloé", "F", "2006-11-08", False, False, "J7Y 5M6"),
    ("Fortin", "William", "M", "2007-03-25", True, False, "J7Z 1N7"),
    ("Lafleur-Béliveau", "Anaïs", "F", "2006-01-31", True, False, "J7Y 6P8"),
    ("Pelletier", "Samuel", "M", "2005-09-13", False, False, "J7Z 2R9"),
    ("Gauthier", "Maëlle", "F", "2006-05-27", True, False, "J7Y 7S1"),
    ("Leblanc", "Olivier", "M", "2007-08-04", True, True, "J7Z 3T2"),
    ("Roy", "Juliette", "F", "2006-02-15", False, False, "J7Y 8V3"),
]

# Where each forward sortation area is, with its area code: most students live in Saint-Jérôme,
# a few come down from the Laurentides.
CITIES = {
    "J7Y": ("Saint-Jérôme", "450"),
    "J7Z": ("Saint-Jérôme", "450"),
    "J8C": ("Sainte-Agathe-des-Monts", "819"),
    "J8E": ("Mont-Tremblant", "819"),
}

EMPLOYEES = [
    ("10042", "Bergeron", "Isabelle", "Mathématiques", "B-2104", "2231"),
    ("10057", "Lapointe", "Marc-André", "Registrariat", "A-1002", "2001"),
]

# At a school board (`cepeo`): pupils of Carrefour Jeunesse in Rockland, five per grade from
# 9e to 12e année, of the age their grade has whatever the year the demo runs (the birth year
# follows from the grade: students.demo_ontario.birthdate). No code permanent in Ontario.
# last name, first name, sex, (month, day) of birth, grade, email?, activated?, postal code
SCHOOL_BOARD_PEOPLE = [
    ("Lalonde", "Émilie", "F", (3, 5), 12, True, True, "K4K 1A3"),
    ("Gagnon-Roy", "Jean-François", "M", (11, 23), 12, True, True, "K4K 1B7"),
    ("Brisebois", "Léa", "F", (1, 14), 11, True, False, "K4K 1C2"),
    ("McDonald", "Ryan", "M", (7, 30), 10, False, False, "K0A 1E0"),
    ("Lavergne", "Florence", "F", (5, 2), 12, True, False, "K4K 1E5"),
    ("Ng", "Minh", "M", (9, 9), 11, False, False, "K4C 1A4"),
    ("Séguin", "Zoé", "F", (2, 28), 9, True, True, "K4K 1G8"),
    ("Bélanger", "Émile", "M", (12, 1), 10, False, False, "K4K 1H2"),
    ("Charbonneau", "Maya", "F", (8, 17), 12, True, False, "K4K 1J6"),
    ("Larocque", "Mathis", "M", (4, 11), 11, False, False, "K0A 1E0"),
    ("Kanza", "Grâce", "F", (10, 21), 10, True, False, "K4K 1K1"),
    ("Lévesque", "Noémie", "F", (6, 6), 9, False, True, "K4C 1B9"),
    ("Bourdeau", "Félix", "M", (2, 19), 12, True, False, "K4K 1L4"),
    ("Ouellette", "Chloé", "F", (11, 8), 10, False, False, "K4K 1M3"),
    ("Pilon", "William", "M", (3, 25), 9, True, False, "K0A 2A0"),
    ("Desjardins", "Anaïs", "F", (1, 31), 11, True, False, "K4K 1N8"),
    ("Lacelle", "Samuel", "M", (9, 13), 10, False, False, "K4C 1C5"),
    ("Sabourin", "Maëlle", "F", (5, 27), 11, True, False, "K4K 1P2"),
    ("Leblanc", "Olivier", "M", (8, 4), 9, True, True, "K4K 1R6"),
    ("Gauthier", "Juliette", "F", (2, 15), 9, False, False, "K4K 1S9"),
]
# Rockland (Clarence-Rockland) and nearby: Cumberland (in Ottawa), Bourget, Hammond; each
# full postal code rural (K0A) names its village.
SCHOOL_BOARD_CITIES = {
    "K4K": ("Rockland", "613"),
    "K4C": ("Ottawa", "613"),
    "K0A 1E0": ("Bourget", "613"),
    "K0A 2A0": ("Hammond", "613"),
}
SCHOOL_BOARD_EMPLOYEES = [
    ("10042", "Bergeron", "Isabelle", "Mathématiques", "Local 204", "2231"),
    ("10057", "Lapointe", "Marc-André", "Secrétariat", "Bureau 101", "2001"),
]


def city_for(postal_code: str, *, school_board: bool) -> tuple[str, str]:
    """(city, area code) of a demo postal code."""
    if not school_board:
        return CITIES[postal_code[:3]]
    return SCHOOL_BOARD_CITIES.get(postal_code) or SCHOOL_BOARD_CITIES[postal_code[:3]]


def _email(last: str, first: str) -> str:
    from portal.normalize import normalize_name

    return f"{normalize_name(first)}.{normalize_name(last)}@etudiant.example"


@demo_step(order=10)
def demo_people(institution: Institution) -> list[str]:
    school = school_main(institution)
    board = demo_is_school_board(institution)
    program = None if board else _program()
    questions = list(SecretQuestion.objects.filter(is_active=True)[:3])
    length = institution.identifier_length
    rows = []
    for number, person in enumerate(_people(board), 1):
        last, first, sex, birthdate, grade, has_email, activated, postal = person
        city, area_code = city_for(postal, school_board=board)
        matricule = f"{2026000 + number}"[-length:].rjust(length, "0")
        # Quebec's code permanent; an Ontario pupil has none.
        code = (
            ""
            if board
            else code_permanent.build(
                last_name=last,
                first_name=first,
                birthdate=birthdate,
                sex=sex,
                suffix=f"{number:02d}",
            )
        )
        student, _created = student_upsert(
            matricule=matricule,
            code_permanent=code,
            last_name=last,
            first_name=first,
            birthdate=birthdate,
            sex=sex,
            email=_email(last, first) if has_email else "",
            phone=f"{area_code} 555-01{number:02d}",
            address=(
                f"{100 + number}, rue Laurier, {city} (Ontario)"
                if board
                else f"{100 + number}, rue Principale, {city} (Québec)"
            ),
            postal_code=postal,
            program=program,
            grade=grade,
            school=school,
        )
        if activated and student.user is None:
            _activate(student, questions)
        rows.append((student, code, has_email, student.user is not None))
    employees = SCHOOL_BOARD_EMPLOYEES if board else EMPLOYEES
    domain = "cepeo.example" if board else "cegep.example"
    for number, last, first, department, office, extension in employees:
        employee, _created = employee_upsert(
            employee_number=number,
            last_name=last,
            first_name=first,
            email=f"{first[0].lower()}.{last.lower()}@{domain}",
            department=department,
            office=office,
            phone_extension=extension,
            school=school,
        )
        if employee.user is None:
            employee.user = User.objects.create(
                username=User.username_for(User.Audience.EMPLOYEE, number),
                audience=User.Audience.EMPLOYEE,
                identifier=number,
                first_name=first,
                last_name=last,
                email=employee.email,
                password=make_password(DEMO_PASSWORD),
                activated_at=timezone.now(),
            )
            employee.save(update_fields=["user"])
    if not User.objects.filter(username=REGISTRAR[0]).exists():
        User.objects.create_superuser(
            REGISTRAR[0], email="registraire@example.org", password=REGISTRAR[1]
        )
    return _lines(institution, rows)


def _people(school_board: bool) -> list[tuple]:
    """The demo's 20 people: (last, first, sex, birthdate, grade, email?, activated?, postal)."""
    if not school_board:
        return [
            (last, first, sex, datetime.date.fromisoformat(born), "", email, active, postal)
            for last, first, sex, born, email, active, postal in PEOPLE
        ]
    from students.demo_ontario import birthdate, grade_label

    today = timezone.localdate()
    return [
        (last, first, sex, birthdate(grade, born, today), grade_label(grade), *rest)
        for last, first, sex, born, grade, *rest in SCHOOL_BOARD_PEOPLE
    ]


def _program() -> Program:
    program, _created = Program.objects.get_or_create(
        code="420.B0", defaults={"name": "Techniques de l'informatique"}
    )
    return program


def _activate(student: Student, questions: list[SecretQuestion]) -> None:
    user = User.objects.create(
        username=User.username_for(User.Audience.STUDENT, student.matricule),
        audience=User.Audience.STUDENT,
        identifier=student.matricule,
        first_name=student.first_name,
        last_name=student.last_name,
        email=student.email,
        password=make_password(DEMO_PASSWORD),
        activated_at=timezone.now(),
    )
    for position, (question, answer) in enumerate(zip(questions, DEMO_ANSWERS, strict=False)):
        SecretAnswer.objects.create(
            user=user,
            question=question,
            answer_hash=make_password(normalize_answer(answer)),
            position=position,
        )
    student.user = user
    student.save(update_fields=["user"])


def _lines(institution: Institution, rows: list) -> list[str]:
    board = demo_is_school_board(institution)
    lines = [
        "",
        "First use (« Première utilisation ? »): number, "
        + (
            "last name, birthdate, postal code, grade"
            if board
            else "code permanent, birthdate, postal code"
        ),
    ]
    for student, code, has_email, activated in rows:
        if not activated:
            mail = " [code by email]" if has_email and institution.emailed_code_enabled else ""
            proof = "" if board else f"  {code}"
            grade = f", {student.grade}" if board else ""
            lines.append(
                f"  {student.matricule}{proof}  {student.birthdate:%Y-%m-%d}  "
                f"{student.postal_code}  {student.first_name} {student.last_name}{grade}{mail}"
            )
    lines.append(
        f"\nAlready activated (password {DEMO_PASSWORD}; answers {', '.join(DEMO_ANSWERS)}):"
    )
    for student, _code, _has_email, activated in rows:
        if activated:
            grade = f", {student.grade}" if board else ""
            lines.append(f"  {student.matricule}  {student.first_name} {student.last_name}{grade}")
    lines.append(f"\nEmployees (password {DEMO_PASSWORD}): " + ", ".join(e[0] for e in EMPLOYEES))
    lines.append(f"Registrar (admin at /admin/): {REGISTRAR[0]} / {REGISTRAR[1]}")
    return lines
