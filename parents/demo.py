"""Demo family for the parents' portal (README lists it): two children in two schools of the
institution, each with the same two guardians on file. One parent has an account already; the
other can try "Créer mon compte" with the details printed. Schools that offer the "Services en
ligne" get a few articles on sale. Only where the institution has the parents' portal."""

import datetime
import re
from decimal import Decimal

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
from students.demo import CURRENT_COURSES, PREVIOUS_COURSES, demo_terms
from students.imports.cells import term_dates
from students.models import Course, Enrolment, Section, Student, Term
from students.services import student_upsert

PARENT_PASSWORD = "Parents-Demo-2026"
SECRET_QUESTION = "Quel est le nom de votre personnage fictif préféré ?"
SECRET_ANSWER = "Tintin"
CIVIC_NUMBER = "2445"
# last name, first name, email, relationship, phone
ACTIVE_PARENT = ("Lalonde", "Mireille", "mireille.lalonde@parents.example", "mère", "613 555-0142")
NEW_PARENT = ("Haddad", "Karim", "karim.haddad@parents.example", "père", "613 555-0187")
# Demo number (apart from accounts.demo's 1 to 20, whose counts students.demo relies on), last
# name, first name, sex, age, birthday (month, day), grade, courses of the current term (by
# position in students.demo), and final grades of the term before students.demo's previous one
# (position, grade, hours of absence): that term is the children's own, so that students.demo's
# terms keep exactly its students.
CHILDREN = [
    (141, "Haddad-Lalonde", "Camille", "F", 16, (3, 14), "11e année", [0, 1, 4, 5],
     [(0, "84", 2), (2, "78", 0), (3, "91", 1)]),
    (142, "Haddad-Lalonde", "Théo", "M", 14, (9, 3), "9e année", [2, 3, 6],
     [(1, "72", 4), (4, "88", 0)]),
]  # fmt: skip
# name, description, price, limit per child, days on sale from today.
STORE_ITEMS = [
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
POSTAL_CODE_RE = re.compile(r"[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]")


@demo_step(order=50)
@transaction.atomic
def demo_parents(institution: Institution) -> list[str]:
    if not institution.parent_portal_enabled:
        return []
    today = timezone.localdate()
    schools = _two_schools(institution)
    children = [
        _child(institution, row, school, today)
        for row, school in zip(CHILDREN, schools, strict=True)
    ]
    for student in children:
        for last, first, email, relationship, phone in (ACTIVE_PARENT, NEW_PARENT):
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
                },
            )
    parent = _active_parent()
    Guardian.objects.filter(email=parent.identifier, account__isnull=True).update(
        account=parent, linked_at=timezone.now()
    )
    offering = list(institution.schools.filter(offers_store=True).order_by("name"))
    for school in offering:
        _store_items(school, today)
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


def _child(institution: Institution, row: tuple, school: School, today: datetime.date) -> Student:
    number, last, first, sex, age, (month, day), grade, current, previous = row
    length = institution.identifier_length
    matricule = f"{2026000 + number}"[-length:].rjust(length, "0")
    student = Student.objects.filter(matricule=matricule).first()
    if student is None:
        # Young enough for the parents' access, whatever the year the demo runs.
        birthdate = datetime.date(today.year - age, month, day)
        postal = POSTAL_CODE_RE.search(institution.address or "")
        student, _created = student_upsert(
            matricule=matricule,
            code_permanent=code_permanent.build(
                last_name=last, first_name=first, birthdate=birthdate, sex=sex, suffix="41"
            ),
            last_name=last,
            first_name=first,
            birthdate=birthdate,
            sex=sex,
            address=f"{CIVIC_NUMBER}, rue des Érables",
            postal_code=postal.group(0) if postal else "",
            school=school,
            grade=grade,
        )
    _enrol(student, current, previous, today)
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
    new = []
    for position in current:
        section = sections.get(CURRENT_COURSES[position][0])
        if section is not None and section.pk not in enrolled:
            new.append(Enrolment(student=student, section=section))
    earlier = _earlier_term(today)
    courses = {course.code: course for course in Course.objects.all()}
    for position, grade, absences in finished:
        course = courses.get(PREVIOUS_COURSES[position][0])
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
    last, first, email, _relationship, _phone = ACTIVE_PARENT
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


def _store_items(school: School, today: datetime.date) -> None:
    for name, description, price, limit, days in STORE_ITEMS:
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


def _lines(children: list[Student], offering: list[School]) -> list[str]:
    youngest = max(children, key=lambda student: student.birthdate)
    question = SECRET_QUESTION
    answer = SecretAnswer.objects.filter(user__identifier=ACTIVE_PARENT[2]).first()
    if answer is not None:
        question = answer.question.text
    lines = [
        "",
        "Parents' portal (/parents/): one family, two children in two schools:",
        *[
            f"  {child.matricule}  {child.first_name} {child.last_name}, born "
            f"{child.birthdate:%Y-%m-%d}, {child.grade}, {child.school.name}"
            for child in children
        ],
        f"  Parent with an account: {ACTIVE_PARENT[2]} / {PARENT_PASSWORD} "
        f"(secret question « {question} » : {SECRET_ANSWER}); sees both children.",
        f'  "Créer mon compte" with {NEW_PARENT[2]}: {NEW_PARENT[1]} {NEW_PARENT[0]}, youngest '
        f"child born {youngest.birthdate:%Y-%m-%d} at {youngest.school.name}, civic number "
        f"{CIVIC_NUMBER} (the link arrives by email: see the folder printed below).",
    ]
    for school in offering:
        count = school.store_items.filter(is_active=True).count()
        lines.append(f"  Services en ligne at {school.name}: {count} articles on sale.")
    lines.append(
        '  "Contacter l\'école": /parents/contacter-l-ecole/ (requests in the admin, '
        "Portail des parents → Demandes d'aide des parents)."
    )
    return lines
