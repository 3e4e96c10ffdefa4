"""Placement at scale: 5,000 students × 8 courses, 40 sections per course.

    .venv/bin/python tests/perf/bench_placement.py [--students 5000] [--courses 8]
        [--sections 40] [--keep-db-url]

Builds a throwaway SQLite database in a temporary folder (or, with --keep-db-url, the
database DATABASE_URL names, which must be empty and migrated: e.g. a scratch PostgreSQL
database), with the students' current choices (6 grid courses and 2 elective lists of 4
ranked courses each), sections with 2 weekly meetings on a seeded random grid and enough
places in all (about 1.2 per request), then times `placement_run` (loading, placing, writing
every enrolment in one transaction) and checks the result: no section over capacity, no
student with two meetings at once. docs/performance.md has the figures.
"""

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def django_setup(folder: str, keep_db_url: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["PORTAL_VAR_DIR"] = folder
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-placement")
    if not keep_db_url:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(students: int, courses: int, sections: int, seed: int) -> None:
    from django.utils import timezone

    from portal.models import Confirmation
    from portal.selectors import school_main
    from portal.services import institution_load_preset
    from registration.models import ChosenCourse, CourseChoice, ElectiveList, TermRegistration
    from students.models import Course, Meeting, Program, Section, Student, Term

    rng = random.Random(seed)
    institution = institution_load_preset(name="cstj")
    school = school_main(institution)
    program = Program.objects.create(code="420.B0", name="Informatique")
    term = Term.objects.create(
        code="HIV-2027", starts_on=datetime.date(2027, 1, 20), ends_on=datetime.date(2027, 5, 20)
    )
    now = timezone.now()
    registration = TermRegistration.objects.create(
        term=term,
        choice_opens=now - datetime.timedelta(days=3),
        choice_closes=now + datetime.timedelta(days=3),
        confirmation_deadline=datetime.date(2027, 2, 15),
    )
    required = max(0, courses - 2)
    course_rows = Course.objects.bulk_create(
        Course(code=f"C{n:03d}", title=f"Cours {n}", credits=2, program=program, program_term=1)
        for n in range(required + 8)
    )
    grid, electives = course_rows[:required], course_rows[required:]
    lists = [
        ElectiveList.objects.create(term=term, code=f"liste-{n}", name=f"Liste {n}", size=4)
        for n in range(2)
    ]
    lists[0].courses.set(electives[:4])
    lists[1].courses.set(electives[4:])
    # Places: each grid course is asked by everyone; each elective list's 4 courses share one
    # request per student. About 1.2 places per request, spread over the sections.
    per_section_grid = max(1, round(students * 1.2 / sections))
    per_section_elective = max(1, round(students * 1.2 / 4 / sections))
    section_rows = []
    for course in course_rows:
        places = per_section_grid if course in grid else per_section_elective
        for group in range(sections):
            section_rows.append(
                Section(term=term, course=course, group=f"{group:02d}", capacity=places)
            )
    Section.objects.bulk_create(section_rows, batch_size=1000)
    meetings = []
    slots = [(day, hour) for day in range(1, 6) for hour in (8, 10, 13, 15)]
    for section in Section.objects.filter(term=term):
        for day, hour in rng.sample(slots, 2):
            meetings.append(
                Meeting(
                    section=section, day=day, start=datetime.time(hour), end=datetime.time(hour + 2)
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    people = Student.objects.bulk_create(
        (
            Student(
                matricule=f"{3000000 + n}",
                last_name=f"Nom{n}",
                first_name="Étudiant",
                birthdate=datetime.date(2006, 1, 1),
                program=program,
                school=school,
            )
            for n in range(students)
        ),
        batch_size=1000,
    )
    people = list(Student.objects.order_by("pk"))
    confirmations = Confirmation.objects.bulk_create(
        (Confirmation(number=f"B{n:011d}", kind="course_choice") for n in range(students)),
        batch_size=1000,
    )
    confirmations = list(Confirmation.objects.order_by("pk"))
    CourseChoice.objects.bulk_create(
        (CourseChoice(student=s, term=term, confirmation=c) for s, c in zip(people, confirmations)),
        batch_size=1000,
    )
    chosen = []
    for choice in CourseChoice.objects.all().only("pk"):
        chosen.extend(ChosenCourse(choice=choice, course=c) for c in grid)
        for elective_list, offered in ((lists[0], electives[:4]), (lists[1], electives[4:])):
            for rank, course in enumerate(rng.sample(offered, 4), start=1):
                chosen.append(
                    ChosenCourse(
                        choice=choice, course=course, elective_list=elective_list, rank=rank
                    )
                )
    ChosenCourse.objects.bulk_create(chosen, batch_size=2000)
    print(
        f"Data: {students} students, {len(course_rows)} courses × {sections} sections, "
        f"{len(chosen)} chosen courses ({required} grid + 2 elective lists per student)"
    )
    return registration


def check(registration) -> None:
    from collections import defaultdict

    from students.models import Enrolment, Meeting, Section

    term = registration.term
    counts = defaultdict(int)
    for section_id in Enrolment.objects.filter(section__term=term).values_list(
        "section_id", flat=True
    ):
        counts[section_id] += 1
    capacity = dict(Section.objects.filter(term=term).values_list("pk", "capacity"))
    over = [pk for pk, count in counts.items() if capacity[pk] is not None and count > capacity[pk]]
    meetings = defaultdict(list)
    for section_id, day, start, end in Meeting.objects.filter(section__term=term).values_list(
        "section_id", "day", "start", "end"
    ):
        meetings[section_id].append((day, start, end))
    conflicts = 0
    per_student = defaultdict(list)
    for student_id, section_id in Enrolment.objects.filter(section__term=term).values_list(
        "student_id", "section_id"
    ):
        per_student[student_id].append(section_id)
    for sections in per_student.values():
        taken = [m for s in sections for m in meetings[s]]
        for i, (day, start, end) in enumerate(taken):
            for other_day, other_start, other_end in taken[i + 1 :]:
                if day == other_day and start < other_end and other_start < end:
                    conflicts += 1
    print(f"Check: {len(over)} section(s) over capacity, {conflicts} conflict(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--courses", type=int, default=8)
    parser.add_argument("--sections", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-db-url", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        django_setup(folder, options.keep_db_url)
        from django.db import connection

        registration = build(options.students, options.courses, options.sections, options.seed)
        from registration.placement import placement_run

        started = time.perf_counter()
        report = placement_run(registration=registration, dry_run=False)
        elapsed = time.perf_counter() - started
        print(f"Database: {connection.vendor}")
        print(report.summary())
        print(f"placement_run (load + place + write): {elapsed:.1f} s")
        check(registration)


if __name__ == "__main__":
    main()
