"""Demo family for the parents' portal (README lists it): two children in two schools of the
institution, each with the same two guardians on file. One parent has an account already; the
other can try "Créer mon compte" with the details printed. Schools that offer the "Services en
ligne" get a few articles on sale, a school's at a school board, a college's at a cégep. Only
where the institution has the parents' portal.

The family fits the institution: at a school board (`cepeo`), two teenagers in grades that
match their ages; at a cégep (every other preset), twins in the second year of a DEC, each in a
program and without a grade, whose files keep the parents' access after majority."""

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import SecretAnswer, SecretQuestion, User
from parents.models import Guardian, StoreItem
from portal.demo import demo_step
from portal.models import Institution, School
from portal.normalize import normalize_answer
from portal.presets import PRESETS
from portal.selectors import school_main
from students import code_permanent
from students import demo_ontario as ontario
from students.demo import CURRENT_COURSES, PREVIOUS_COURSES, demo_terms
from students.imports.cells import term_dates
from students.models import Course, Enrolment, Program, Section, Student, Term
from students.services import student_upsert

PARENT_PASSWORD = "Parents-Demo-2026"
SECRET_QUESTION = "Quel est le nom de votre personnage fictif préféré ?"
SECRET_ANSWER = "Tintin"
CIVIC_NUMBER = "2445"
# last name, first name, email, relationship (the phones depend on the family's region).
ACTIVE_PARENT = ("Lalonde", "Mireille", "mireille.lalonde@parents.example", "mère")
NEW_PARENT = ("Haddad", "Karim", "karim.haddad@parents.example", "père")


class Child(NamedTuple):
    """One child of the demo family. `number` follows accounts.demo's 1 to 20 (whose counts
    students.demo relies on); `born` is (month, day); `cohort` says how many school years ago
    the child started the level (a school board's 9e année: 2 for an 11e année; a cégep's first
    session), from which the birth year follows; a child with a `program` is a cégep student
    (no grade). `current` lists the courses of the current term (by position in students.demo)
    and `previous` the final grades of the term before students.demo's previous one (position,
    grade, hours of absence): that term is the children's own, so that students.demo's terms
    keep exactly its students."""

    number: int
    last_name: str
    first_name: str
    sex: str
    born: tuple[int, int]
    cohort: int
    grade: str
    program: tuple[str, str] | None
    address: str
    postal_code: str
    current: list[int]
    previous: list[tuple[int, str, int]]


class Family(NamedTuple):
    children: list[Child]
    # The parents' phones (ACTIVE_PARENT's, then NEW_PARENT's), in the family's area code.
    phones: tuple[str, str]
    # At a cégep the files keep the access after 18 (the students agreed).
    access_after_majority: bool


# Ontario: a student starts 9e année in the fall of the year they turn 14 (11e année at 16).
# A school board's child takes their grade's four courses of the semester (students.demo_ontario;
# `current` and `previous` are positions among them), and had the grade below a year earlier.
# The family lives in Rockland: the younger child goes to Carrefour Jeunesse there, the elder
# to De La Salle's arts programme in Ottawa.
SCHOOL_BOARD_FAMILY = Family(
    children=[
        Child(
            number=142,
            last_name="Haddad-Lalonde",
            first_name="Théo",
            sex="M",
            born=(9, 3),
            cohort=1,
            grade="10e année",
            program=None,
            address=f"{CIVIC_NUMBER}, rue des Érables, Rockland (Ontario)",
            postal_code="K4K 1K7",
            current=[0, 1, 2, 3],
            previous=[(0, "72", 4), (1, "88", 0), (2, "64", 2), (3, "81", 0)],
        ),
        Child(
            number=141,
            last_name="Haddad-Lalonde",
            first_name="Camille",
            sex="F",
            born=(3, 14),
            cohort=2,
            grade="11e année",
            program=None,
            address=f"{CIVIC_NUMBER}, rue des Érables, Rockland (Ontario)",
            postal_code="K4K 1K7",
            current=[0, 1, 2, 3],
            previous=[(0, "84", 2), (1, "78", 0), (2, "91", 1), (3, "86", 0)],
        ),
    ],
    phones=("613 555-0142", "613 555-0187"),
    access_after_majority=False,
)
# Quebec: a student starts cégep in the fall of the year they are 17 on 30 September; the
# twins started a year before the term under way (their earlier term's final grades are
# their first session's), so they are 18 or about to be. Camille studies at Saint-Jérôme and
# lives at home; Théo rents a room near the Mont-Laurier campus.
COLLEGE_FAMILY = Family(
    children=[
        Child(
            number=141,
            last_name="Haddad-Lalonde",
            first_name="Camille",
            sex="F",
            born=(9, 3),
            cohort=1,
            grade="",
            program=("420.B0", "Techniques de l'informatique"),
            address=f"{CIVIC_NUMBER}, rue des Érables, Saint-Jérôme (Québec)",
            postal_code="J7Z 3K8",
            current=[0, 1, 4, 5],
            previous=[(0, "84", 2), (2, "78", 0), (3, "91", 1)],
        ),
        Child(
            number=142,
            last_name="Haddad-Lalonde",
            first_name="Théo",
            sex="M",
            born=(9, 3),
            cohort=1,
            grade="",
            program=("200.B0", "Sciences de la nature"),
            address="615, rue de la Madone, app. 3, Mont-Laurier (Québec)",
            postal_code="J9L 1S9",
            current=[5, 6, 7],
            previous=[(3, "72", 4), (4, "88", 0)],
        ),
    ],
    phones=("450 555-0142", "450 555-0187"),
    access_after_majority=True,
)
FAMILIES = {"cepeo": SCHOOL_BOARD_FAMILY}
# The "Services en ligne" articles, as the institution would sell them: name, description,
# price, limit per child, days on sale from today. A school board's are a school's; a cégep's
# are a college student's (no agenda, no school t-shirt).
SCHOOL_STORE_ITEMS = [
    ("Agenda scolaire", "L'agenda de l'année, remis en classe.", "12.00", 1, 45),
    (
        "Sortie au Musée canadien de l'histoire",
        "Transport et entrée compris ; l'autorisation à signer est remise en classe.",
        "25.00",
        1,
        30,
    ),
    (
        "T-shirt de l'école",
        "Coton, tailles jeunesse et adulte ; la taille se choisit en classe.",
        "18.50",
        3,
        60,
    ),
]
COLLEGE_STORE_ITEMS = [
    (
        "Carte étudiante – remplacement",
        "Nouvelle carte avec photo, à retirer au Registrariat ; l'ancienne est désactivée.",
        "15.00",
        1,
        60,
    ),
    (
        "Stationnement – vignette de session",
        "Vignette pour le stationnement étudiant, valide jusqu'à la fin de la session.",
        "95.00",
        1,
        30,
    ),
    (
        "Casier – location pour la session",
        "Casier au pavillon principal, cadenas fourni.",
        "20.00",
        1,
        30,
    ),
    (
        "Sortie pédagogique à Québec",
        "Transport en autocar et visite de l'Assemblée nationale ; inscription auprès de "
        "l'enseignant.",
        "45.00",
        1,
        21,
    ),
]
STORE_ITEMS = {"cepeo": SCHOOL_STORE_ITEMS}


def store_items_for(institution: Institution) -> list[tuple[str, str, str, int, int]]:
    """The demo's articles for the institution: a school board's or a cégep's."""
    return STORE_ITEMS.get(institution.preset, COLLEGE_STORE_ITEMS)


@demo_step(order=50)
@transaction.atomic
def demo_parents(institution: Institution) -> list[str]:
    if not institution.parent_portal_enabled:
        return []
    today = timezone.localdate()
    family = FAMILIES.get(institution.preset, COLLEGE_FAMILY)
    schools = _two_schools(institution)
    children = [
        _child(institution, child, school, today)
        for child, school in zip(family.children, schools, strict=True)
    ]
    for student in children:
        for (last, first, email, relationship), phone in zip(
            (ACTIVE_PARENT, NEW_PARENT), family.phones, strict=True
        ):
            Guardian.objects.get_or_create(
                student=student,
                email=email,
                defaults={
                    "last_name": last,
                    "first_name": first,
                    "phone": phone,
                    "civic_number": CIVIC_NUMBER,
                    "relationship": relationship,
                    "can_view": True,
                    "access_after_majority": family.access_after_majority,
                },
            )
    parent = _active_parent()
    Guardian.objects.filter(email=parent.identifier, account__isnull=True).update(
        account=parent, linked_at=timezone.now()
    )
    offering = list(institution.schools.filter(offers_store=True).order_by("name"))
    for school in offering:
        _store_items(school, store_items_for(institution), today)
    return _lines(children, offering)


def _two_schools(institution: Institution) -> list[School]:
    """The preset's first two schools (the main one, then another), so that the two children
    are in different schools; the main school twice where there is only one."""
    schools = {school.code: school for school in institution.schools.all()}
    codes = [school["code"] for school in PRESETS.get(institution.preset, {}).get("schools", [])]
    chosen = [schools[code] for code in codes if code in schools][:2]
    main = school_main(institution)
    if not chosen:
        chosen = [main]
    others = [school for school in schools.values() if school not in chosen]
    chosen += others[: 2 - len(chosen)]
    return [*chosen, main, main][:2]


def school_year_start(today: datetime.date) -> int:
    """The year the school year under way began (in the fall; from July, the coming one), as
    students.demo's terms count it."""
    return today.year if today.month >= 7 else today.year - 1


def birthdate_for(child: Child, today: datetime.date, *, college: bool) -> datetime.date:
    """The birthdate that fits the child's level: a school board's 9e année starts in the fall
    of the year the student turns 14; a cégep starts in the fall of the year the student is 17
    on 30 September."""
    started = school_year_start(today) - child.cohort
    month, day = child.born
    # A cégep student born after 30 September started a year older.
    late = (month, day) > (9, 30)
    year = started - 17 - late if college else started - 14
    return datetime.date(year, month, day)


def _child(institution: Institution, child: Child, school: School, today: datetime.date) -> Student:
    length = institution.identifier_length
    matricule = f"{2026000 + child.number}"[-length:].rjust(length, "0")
    student = Student.objects.filter(matricule=matricule).first()
    if student is None:
        # Of the age their level has, whatever the year the demo runs.
        birthdate = birthdate_for(child, today, college=child.program is not None)
        program = None
        if child.program is not None:
            code, name = child.program
            program, _created = Program.objects.get_or_create(code=code, defaults={"name": name})
        student, _created = student_upsert(
            matricule=matricule,
            code_permanent=code_permanent.build(
                last_name=child.last_name,
                first_name=child.first_name,
                birthdate=birthdate,
                sex=child.sex,
                suffix="41",
            ),
            last_name=child.last_name,
            first_name=child.first_name,
            birthdate=birthdate,
            sex=child.sex,
            address=child.address,
            postal_code=child.postal_code,
            school=school,
            program=program,
            grade=child.grade,
        )
    _enrol(student, child.current, child.previous, today)
    return student


def _earlier_term(today: datetime.date) -> Term:
    """The term before students.demo's previous one (HIV-2026 → AUT-2025, AUT-2025 →
    HIV-2025), with the dates an import would give it."""
    (previous_code, *_dates), _current = demo_terms(today)
    season, year = previous_code.split("-")
    code = f"AUT-{int(year) - 1}" if season == "HIV" else f"HIV-{year}"
    starts_on, ends_on = term_dates(code)
    term, _created = Term.objects.get_or_create(
        code=code, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    return term


def _enrol(
    student: Student, current: list[int], finished: list[tuple[int, str, int]], today: datetime.date
) -> None:
    """The child's courses: this term's in students.demo's sections (the schedule), and an
    earlier term's with final grades and absences (credits, attendance). Nothing when
    students.demo has no courses."""
    _previous, (current_code, *_dates) = demo_terms(today)
    sections = {
        section.course.code: section
        for section in Section.objects.filter(term__code=current_code, group="01").select_related(
            "course"
        )
    }
    if not sections:
        return
    enrolled = set(student.enrolments.values_list("section_id", flat=True))
    earlier = _earlier_term(today)
    current_codes = [row[0] for row in CURRENT_COURSES]
    earlier_codes = [row[0] for row in PREVIOUS_COURSES]
    grade_now = ontario.grade_number(student.grade)
    if grade_now is not None:
        # A school board's child: their grade's courses then and now.
        current_codes = [row[0] for row in ontario.courses(current_code, grade_now)]
        grade_then = ontario.grade_in(earlier.code, grade_now=grade_now, current_code=current_code)
        earlier_codes = [row[0] for row in ontario.courses(earlier.code, grade_then)]
    new = []
    for position in current:
        section = sections.get(current_codes[position])
        if section is not None and section.pk not in enrolled:
            new.append(Enrolment(student=student, section=section))
    courses = {course.code: course for course in Course.objects.all()}
    for position, grade, absences in finished:
        course = courses.get(earlier_codes[position])
        if course is None:
            continue
        section, _created = Section.objects.get_or_create(term=earlier, course=course, group="01")
        if section.pk not in enrolled:
            new.append(
                Enrolment(
                    student=student,
                    section=section,
                    final_grade=Decimal(grade),
                    absences=absences,
                )
            )
    Enrolment.objects.bulk_create(new)


def _active_parent() -> User:
    last, first, email, _relationship = ACTIVE_PARENT
    username = User.username_for(User.Audience.PARENT, email)
    parent = User.objects.filter(username=username).first()
    if parent is not None:
        return parent
    parent = User.objects.create(
        username=username,
        audience=User.Audience.PARENT,
        identifier=email,
        email=email,
        first_name=first,
        last_name=last,
        password=make_password(PARENT_PASSWORD),
        activated_at=timezone.now(),
    )
    question = (
        SecretQuestion.objects.filter(text=SECRET_QUESTION).first()
        or SecretQuestion.objects.filter(is_active=True).order_by("position", "pk").first()
    )
    if question is not None:
        SecretAnswer.objects.create(
            user=parent,
            question=question,
            answer_hash=make_password(normalize_answer(SECRET_ANSWER)),
        )
    return parent


def _store_items(school: School, items: list, today: datetime.date) -> None:
    for name, description, price, limit, days in items:
        item, created = StoreItem.objects.get_or_create(
            school=school,
            name=name,
            defaults={
                "description": description,
                "price": Decimal(price),
                "limit_per_child": limit,
                "available_from": today - datetime.timedelta(days=7),
                "available_until": today + datetime.timedelta(days=days),
                "is_active": True,
            },
        )
        if not created and item.available_until < today:
            # A demo database kept for months: its articles are put back on sale.
            item.available_from = today - datetime.timedelta(days=7)
            item.available_until = today + datetime.timedelta(days=days)
            item.save(update_fields=["available_from", "available_until"])


def _level(student: Student) -> str:
    """A school board's grade, or a cégep student's program."""
    return student.grade or (str(student.program) if student.program else "")


def _lines(children: list[Student], offering: list[School]) -> list[str]:
    born = max(child.birthdate for child in children)
    youngest = [child for child in children if child.birthdate == born]
    question = SECRET_QUESTION
    answer = SecretAnswer.objects.filter(user__identifier=ACTIVE_PARENT[2]).first()
    if answer is not None:
        question = answer.question.text
    if len(youngest) > 1:
        signup_child = (
            f"the twins' birthdate {born:%Y-%m-%d} and either school ("
            + " or ".join(child.school.name for child in youngest)
            + ")"
        )
    else:
        signup_child = f"youngest child born {born:%Y-%m-%d} at {youngest[0].school.name}"
    lines = [
        "",
        "Parents' portal (/parents/): one family, two children in two schools:",
        *[
            f"  {child.matricule}  {child.first_name} {child.last_name}, born "
            f"{child.birthdate:%Y-%m-%d}, {_level(child)}, {child.school.name}"
            for child in sorted(children, key=lambda child: child.matricule)
        ],
        f"  Parent with an account: {ACTIVE_PARENT[2]} / {PARENT_PASSWORD} "
        f"(secret question « {question} » : {SECRET_ANSWER}); sees both children.",
        f'  "Créer mon compte" with {NEW_PARENT[2]}: {NEW_PARENT[1]} {NEW_PARENT[0]}, '
        f"{signup_child}, civic number {CIVIC_NUMBER} (the link arrives by email: see the "
        "folder printed below).",
    ]
    for school in offering:
        count = school.store_items.filter(is_active=True).count()
        lines.append(f"  Services en ligne at {school.name}: {count} articles on sale.")
    lines.append(
        '  "Contacter l\'école": /parents/contacter-l-ecole/ (requests in the admin, '
        "Portail des parents → Demandes d'aide des parents)."
    )
    return lines
