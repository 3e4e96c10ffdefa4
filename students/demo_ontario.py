"""The demo's studies at a school board (`cepeo`): an Ontario French-language secondary school,
9e to 12e année, where the year is two semesters of four courses (semester 1 in the fall, 2 in
the winter), each course one credit toward the OSSD (30 credits, passing grade 50: institution
settings), meeting every day for one 75-minute period. No program, no Cote R.

A student's grade is the school year's: in the fall of the year they turn 14 they start the
9e année. students.demo's terms are AUT-yyyy (semester 1) and HIV-yyyy (semester 2); the grade
a student had in an earlier term follows from the school years between the two."""

import datetime
from decimal import Decimal

from portal.models import Institution
from students.models import Course, Employee, Meeting, Section, Student, Term

GRADES = (9, 10, 11, 12)
# Four periods a day, every school day (Ontario's semestered timetable).
PERIODS = [("08:15", "09:30"), ("09:35", "10:50"), ("11:35", "12:50"), ("12:55", "14:10")]

# employee number, last name, first name, department, office, extension, email, availability.
# 10042 comes from accounts.demo; 10057 (the school's office) does not teach.
TEACHERS = [
    ("10042", "Bergeron", "Isabelle", "Mathématiques", "Local 204", "2231",
     "i.bergeron@cepeo.example", "midi, les mardis et jeudis"),
    ("10063", "Nadeau", "Sophie", "Sciences", "Local 118", "2417",
     "s.nadeau@cepeo.example", "après les classes, le lundi"),
    ("10078", "Côté-Larivière", "Étienne", "Arts", "Local 012", "2422",
     "e.cote-lariviere@cepeo.example", "midi, le mercredi"),
    ("10091", "Poirier", "Hélène", "Français", "Local 210", "2310",
     "h.poirier@cepeo.example", "après les classes, le jeudi"),
    ("10104", "Murphy", "Colleen", "English", "Local 212", "2315",
     "c.murphy@cepeo.example", "midi, le lundi"),
    ("10112", "Charbonneau", "Luc", "Études canadiennes et mondiales", "Local 220", "2320",
     "l.charbonneau@cepeo.example", "midi, le vendredi"),
    ("10127", "Séguin", "Martin", "Éducation physique et santé", "Gymnase", "2350",
     "m.seguin@cepeo.example", "après les classes, le mardi"),
    ("10135", "Lalande", "Nathalie", "Informatique et affaires", "Local 130", "2430",
     "n.lalande@cepeo.example", "midi, le jeudi"),
]  # fmt: skip

# Each semester: four columns, each taught by one teacher in every grade. A column's course in
# grade g meets in period (column + g) % 4, so a teacher never has two groups at once.
# code, title, credits, evaluation kind.
SEMESTERS = {
    1: [
        ("10042", {
            9: ("MTH1W", "Mathématiques, 9e année", "1.00"),
            10: ("MPM2D", "Principes de mathématiques, 10e année", "1.00"),
            11: ("MCR3U", "Fonctions, 11e année", "1.00"),
            12: ("MHF4U", "Fonctions avancées, 12e année", "1.00"),
        }),
        ("10091", {
            9: ("FRA1D", "Français, 9e année", "1.00"),
            10: ("FRA2D", "Français, 10e année", "1.00"),
            11: ("FRA3U", "Français, 11e année", "1.00"),
            12: ("FRA4U", "Français, 12e année", "1.00"),
        }),
        ("10063", {
            9: ("SNC1W", "Sciences, 9e année", "1.00"),
            10: ("SNC2D", "Sciences, 10e année", "1.00"),
            11: ("SBI3U", "Biologie, 11e année", "1.00"),
            12: ("SBI4U", "Biologie, 12e année", "1.00"),
        }),
        ("10104", {
            9: ("ENG1D", "English, Grade 9", "1.00"),
            10: ("ENG2D", "English, Grade 10", "1.00"),
            11: ("ENG3U", "English, Grade 11", "1.00"),
            12: ("ENG4U", "English, Grade 12", "1.00"),
        }),
    ],
    2: [
        ("10112", {
            9: ("CGC1D", "Enjeux géographiques du Canada, 9e année", "1.00"),
            10: ("CHC2D", "Histoire du Canada depuis la Première Guerre mondiale", "1.00"),
            11: ("CHW3M", "Histoire mondiale jusqu'à la fin du XVe siècle", "1.00"),
            12: ("CHY4U", "Histoire mondiale depuis le XVe siècle", "1.00"),
        }),
        ("10127", {
            9: ("PPL1O", "Vie active et santé, 9e année", "1.00"),
            10: ("PPL2O", "Vie active et santé, 10e année", "1.00"),
            11: ("PPL3O", "Vie active et santé, 11e année", "1.00"),
            12: ("PPL4O", "Vie active et santé, 12e année", "1.00"),
        }),
        ("10078", {
            9: ("AMU1O", "Musique, 9e année", "1.00"),
            10: ("AMU2O", "Musique, 10e année", "1.00"),
            11: ("AMU3M", "Musique, 11e année", "1.00"),
            12: ("AMU4M", "Musique, 12e année", "1.00"),
        }),
        ("10135", {
            9: ("BTT1O", "Technologie de l'information en affaires", "1.00"),
            10: ("ICD2O", "Technologies numériques et innovations", "1.00"),
            11: ("ICS3U", "Introduction au génie informatique", "1.00"),
            12: ("ICS4U", "Génie informatique", "1.00"),
        }),
    ],
}  # fmt: skip
# Ontario's evaluation: 70 % during the semester, 30 % at the end (summative task and exam).
EVALUATIONS = [
    ("Tâche d'évaluation 1", "15", "40", 3),
    ("Test 1", "15", "50", 6),
    ("Tâche d'évaluation 2", "20", "40", 9),
    ("Test 2", "20", "50", 12),
    ("Tâche sommative", "15", "100", 15),
    ("Examen final", "15", "100", 17),
]
# Failures last term (below the passing grade of 50): (demo number, course code).
FAILURES = {(2, "CHC2D"), (4, "AMU2O")}
# Classes held outside the teacher's room.
ROOMS = {"10127": "Gymnase"}


def semester(term_code: str) -> int:
    return 1 if term_code.startswith("AUT") else 2


def school_year(term_code: str) -> int:
    """The year the term's school year began: AUT-2026 and HIV-2027 are 2026-2027's."""
    season, year = term_code.split("-")
    return int(year) if season == "AUT" else int(year) - 1


def grade_number(grade: str) -> int | None:
    """10 for "10e année"; None for an empty grade or another level."""
    head = grade.removesuffix("e année")
    return int(head) if head.isdigit() else None


def grade_label(number: int) -> str:
    return f"{number}e année"


def grade_in(term_code: str, *, grade_now: int, current_code: str) -> int:
    """The grade a student now in `grade_now` (in the term `current_code`) had in a term."""
    return grade_now - (school_year(current_code) - school_year(term_code))


def courses(term_code: str, grade: int) -> list[tuple[str, str, str, str, int]]:
    """The grade's four courses in that term's semester: (code, title, credits, teacher,
    period) — period 0 to 3, every day."""
    rows = []
    for column, (teacher, by_grade) in enumerate(SEMESTERS[semester(term_code)]):
        if grade in by_grade:
            code, title, credits = by_grade[grade]
            rows.append((code, title, credits, teacher, (column + grade) % len(PERIODS)))
    return rows


def meetings(teacher: str, grade: int, period: int) -> list[tuple[int, str, str, str]]:
    """Every school day in the same period, in the teacher's room (grade by grade)."""
    begins, ends = PERIODS[period]
    office = next(row[4] for row in TEACHERS if row[0] == teacher)
    room = ROOMS.get(teacher) or office.replace("Local ", "")
    return [(day, begins, ends, room) for day in range(1, 6)]


def birthdate(grade: int, born: tuple[int, int], today: datetime.date) -> datetime.date:
    """Of the age the grade has: 9e année in the fall of the year one turns 14."""
    start = today.year if today.month >= 7 else today.year - 1
    month, day = born
    return datetime.date(start - (grade - 9) - 14, month, day)


def takes(student: Student, term_code: str, grade: int, current_code: str) -> bool:
    now = grade_number(student.grade)
    return (
        now is not None and grade_in(term_code, grade_now=now, current_code=current_code) == grade
    )


def demo_term_school_board(
    institution: Institution, students: list[Student], matricules: dict[str, int]
) -> list[str]:
    """students.demo's term at a school board: in the term under way each grade's four
    courses, with the grade's demo students; in the previous term the courses they took then
    (a grade lower when it was the previous school year), with final grades."""
    from django.utils import timezone

    from students import demo

    numbers = {student.pk: matricules[student.matricule] for student in students}
    today = timezone.localdate()
    teachers = demo._teachers(institution, TEACHERS)
    (prev_code, prev_start, prev_end), (code, start, end) = demo.demo_terms(today)
    previous, _created = Term.objects.get_or_create(
        code=prev_code, defaults={"starts_on": prev_start, "ends_on": prev_end}
    )
    current, _created = Term.objects.get_or_create(
        code=code, defaults={"starts_on": start, "ends_on": end}
    )
    weekly = count = 0
    for term, finished in ((previous, True), (current, False)):
        for grade in GRADES:
            group = [s for s in students if takes(s, term.code, grade, current.code)]
            for course_code, title, credits, teacher, period in courses(term.code, grade):
                course, _created = Course.objects.get_or_create(
                    code=course_code, defaults={"title": title, "credits": Decimal(credits)}
                )
                section = _section(
                    term, course, teachers[teacher], meetings(teacher, grade, period)
                )
                if not finished:
                    count += 1
                    weekly += section.meetings.count()
                if not group:
                    continue
                demo._enrol(section, group)
                totals = demo._evaluate(
                    section,
                    group,
                    numbers,
                    "ontario",
                    today=today,
                    finished=finished,
                    plan=EVALUATIONS,
                    failures=FAILURES,
                )
                if finished:
                    demo._finish(section, numbers, totals, cote_r=False)
    return [
        "",
        f"Courses ({grade_label(GRADES[0])} to {grade_label(GRADES[-1])}): {current.code} under "
        f"way, {count} courses ({weekly} weekly meetings), four per grade, for {len(students)} "
        f"demo students; {previous.code} with final grades (credits toward the OSSD); teachers "
        f"{', '.join(teachers)}.",
    ]


def _section(term: Term, course: Course, teacher: Employee, slots: list) -> Section:
    section, created = Section.objects.get_or_create(
        term=term, course=course, group="01", defaults={"teacher": teacher}
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
    return section
