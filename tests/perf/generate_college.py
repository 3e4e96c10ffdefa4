"""A seeded college of a given size, as the CSV files of docs/import.md.

    .venv/bin/python tests/perf/generate_college.py --students 20000 --out var/college-20k

writes, in the order `import_csv` takes them (tests/perf/load_college.py imports them):

    students.csv employees.csv courses.csv sections.csv enrolments.csv evaluations.csv
    marks.csv final_grades.csv invoices.csv college.json

The college (a cégep, matricules of 7 digits as in the cstj preset):

- 12 programs of 6 terms; 4 program courses per program term, and 3 general-education courses
  (French, English, philosophy, physical education) per term, shared by all programs;
- every student is in first or second year of a program, and follows 7 courses in each of two
  terms: HIV-2026 (finished: every evaluation marked, a final grade, absences and lateness)
  and AUT-2026 (running on 2026-12-01: the first two evaluations marked, the third in some
  groups only, the last two still to come);
- groups of 35 students at most, each with a teacher and two weekly meetings in a room;
  5 evaluations per group (weights summing to 100 %), marks drawn around each student's own
  level, the class average published for the marked evaluations;
- one tuition invoice per student for AUT-2026 (with a voluntary contribution) and, for about
  40 % of them, one for HIV-2027;
- French and other names with accents (Côté, Nguyễn, Jean-François, Maëlle), apostrophes and
  hyphens, codes permanents that agree with the names and birthdates, addresses with commas.

At 20,000 students: 280,000 enrolments, about 1,000,000 marks, 140,000 final grades, about
8,000 groups. The same seed and size give byte-identical files.
"""

import argparse
import csv
import datetime
import json
import math
import random
import sys
import time
import unicodedata
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

from students.code_permanent import build as code_permanent  # noqa: E402
from tests.perf.college_data import (  # noqa: E402
    CITIES,
    COLUMNS,
    EVALUATIONS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    GENERAL,
    INVOICES,
    LAST_NAMES,
    POSTAL_LETTERS,
    PROGRAMS,
    SLOTS,
    STREETS,
    SUBJECTS,
    THIRD_MARKED_SHARE,
)

GROUP_SIZE = 35
FIRST_MATRICULE = 2000001
TERMS = ("HIV-2026", "AUT-2026")  # the finished one, then the running one


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ø", "o").replace("ł", "l"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in plain if char.isascii() and (char.isalnum() or char == "-"))


def money(value: float) -> str:
    return f"{value:.2f}"


def half(value: float) -> str:
    """A mark rounded to the half point, without a useless decimal."""
    rounded = round(value * 2) / 2
    return f"{rounded:g}"


class College:
    def __init__(self, students: int, seed: int) -> None:
        self.size = students
        self.seed = seed
        self.random = random.Random(seed)
        self.counts: dict[str, int] = {}
        self.started = time.monotonic()

    def generate(self, out: Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        students = self.write_students(out)
        courses = self.write_courses(out)
        roster = self.enrol(students, courses)
        sections = self.plan_sections(roster)
        self.write_employees(out, sections)
        self.write_sections(out, sections)
        self.write_enrolments(out, sections)
        self.write_results(out, sections, students)
        self.write_invoices(out, students)
        summary = {
            "students": self.size,
            "seed": self.seed,
            "rows": self.counts,
            "seconds": round(time.monotonic() - self.started, 1),
        }
        (out / "college.json").write_text(json.dumps(summary, indent=2) + "\n")
        return summary

    def writer(self, out: Path, name: str):
        """An open file and its CSV writer, the header (COLUMNS[name]) written."""
        handle = (out / f"{name}.csv").open("w", newline="", encoding="utf-8")
        rows = csv.writer(handle, lineterminator="\n")
        rows.writerow(COLUMNS[name])
        self.counts[name] = 0
        return handle, rows

    # --- Students -------------------------------------------------------------------------

    def write_students(self, out: Path) -> list[dict]:
        rand = self.random
        programs = list(PROGRAMS)
        students = []
        handle, rows = self.writer(out, "students")
        with handle:
            for index in range(self.size):
                sex = rand.choice("FFFFFMMMMX")
                first = rand.choice(
                    FIRST_NAMES_F
                    if sex == "F"
                    else FIRST_NAMES_M
                    if sex == "M"
                    else FIRST_NAMES_F + FIRST_NAMES_M
                )
                last = rand.choice(LAST_NAMES)
                if rand.random() < 0.08:
                    last = f"{last}-{rand.choice(LAST_NAMES)}"
                year = rand.choice((1, 2))  # first or second year of the program
                birthdate = datetime.date(2008 - year, 1, 1) + datetime.timedelta(
                    days=rand.randrange(365 + (365 if rand.random() < 0.2 else 0))
                )
                matricule = str(FIRST_MATRICULE + index)
                city, area = rand.choice(CITIES)
                student = {
                    "matricule": matricule,
                    "program": programs[index % len(programs)],
                    "year": year,
                    "level": rand.gauss(74, 9),  # the student's usual mark, in per cent
                }
                students.append(student)
                email = (
                    f"{ascii_slug(first)}.{ascii_slug(last)}.{matricule[-5:]}@etudiant.example"
                    if rand.random() < 0.7
                    else ""
                )
                rows.writerow(
                    [
                        matricule,
                        code_permanent(
                            last_name=last,
                            first_name=first,
                            birthdate=birthdate,
                            sex="F" if sex == "F" else "M",
                            suffix=f"{rand.randrange(1, 99):02d}",
                        )
                        if sex != "X"
                        else "",
                        last,
                        first,
                        birthdate.isoformat(),
                        sex,
                        email,
                        f"450 555-{rand.randrange(10000):04d}" if rand.random() < 0.8 else "",
                        f"{rand.randrange(1, 3000)}, {rand.choice(STREETS)}, {city}",
                        f"{area} {rand.randrange(10)}{rand.choice(POSTAL_LETTERS)}"
                        f"{rand.randrange(10)}",
                        student["program"],
                    ]
                )
                self.counts["students"] += 1
        return students

    # --- Courses ---------------------------------------------------------------------------

    def write_courses(self, out: Path) -> dict[tuple[str | None, int], list[tuple[str, str]]]:
        """Courses by (program, program term): [(code, department)]; general education under
        the program None."""
        courses: dict[tuple[str | None, int], list[tuple[str, str]]] = {}
        handle, rows = self.writer(out, "courses")
        with handle:
            for program, (name, discipline, department) in PROGRAMS.items():
                suffix = program.split(".")[1][:2]
                for term in range(1, 7):
                    for number in range(1, 5):
                        code = f"{discipline}-{term}{number}{suffix}-SJ"
                        subject = SUBJECTS[(term * 4 + number) % len(SUBJECTS)]
                        title = f"{subject} {term}.{number} ({name})"
                        credits = self.random.choice(("2.33", "2.66", "3", "1.66"))
                        rows.writerow([code, title, credits, program, term])
                        courses.setdefault((program, term), []).append((code, department))
                        self.counts["courses"] += 1
            for term, general in GENERAL.items():
                for code, title, department in general:
                    rows.writerow([code, title, "2.33", "", ""])
                    courses.setdefault((None, term), []).append((code, department))
                    self.counts["courses"] += 1
        return courses

    # --- Enrolments and groups -------------------------------------------------------------

    @staticmethod
    def program_term(student: dict, term: str) -> int:
        """First-year students are in program term 2 in winter and 3 in the fall; second-year
        students in 4 and 5."""
        return 2 * student["year"] + (0 if term == "HIV-2026" else 1)

    def enrol(self, students: list[dict], courses: dict) -> dict[tuple[str, str], list[dict]]:
        """The students of each course in each term: their program term's 4 program courses
        and its 3 general-education courses."""
        roster: dict[tuple[str, str], list[dict]] = {}
        self.departments: dict[str, str] = {}
        for student in students:
            for term in TERMS:
                level = self.program_term(student, term)
                for code, department in (
                    courses[(student["program"], level)] + courses[(None, level)]
                ):
                    roster.setdefault((term, code), []).append(student)
                    self.departments[code] = department
        return roster

    def plan_sections(self, roster: dict[tuple[str, str], list[dict]]) -> list[dict]:
        rand = self.random
        sections = []
        for (term, code), members in roster.items():
            groups = math.ceil(len(members) / GROUP_SIZE)
            members = members[:]
            rand.shuffle(members)
            for number in range(groups):
                first_day = rand.randrange(1, 5)
                sections.append(
                    {
                        "term": term,
                        "code": code,
                        "group": f"{number + 1:02d}",
                        "department": self.departments[code],
                        "students": members[number::groups],
                        "meetings": [
                            (first_day, *rand.choice(SLOTS)),
                            (rand.randrange(first_day + 1, 6), *rand.choice(SLOTS)),
                        ],
                        "room": f"{rand.choice('ABCDE')}-{rand.randrange(1, 4)}"
                        f"{rand.randrange(1, 40):02d}",
                    }
                )
        return sections

    def write_employees(self, out: Path, sections: list[dict]) -> None:
        """Teachers: one for about 4 groups a term, in the group's department."""
        rand = self.random
        by_department: dict[str, list[dict]] = {}
        for section in sections:
            by_department.setdefault(section["department"], []).append(section)
        handle, rows = self.writer(out, "employees")
        number = 50001
        with handle:
            for department, groups in sorted(by_department.items()):
                count = max(1, math.ceil(len(groups) / len(TERMS) / 4))
                teachers = []
                for _ in range(count):
                    first = rand.choice(FIRST_NAMES_F + FIRST_NAMES_M)
                    last = rand.choice(LAST_NAMES)
                    rows.writerow(
                        [
                            number,
                            last,
                            first,
                            f"{ascii_slug(first)}.{ascii_slug(last)}.{number}@cegep.example",
                            department,
                            f"{rand.choice('ABCDE')}-{rand.randrange(100, 400)}",
                        ]
                    )
                    teachers.append(str(number))
                    number += 1
                    self.counts["employees"] += 1
                for index, section in enumerate(groups):
                    section["teacher"] = teachers[index % count]

    def write_sections(self, out: Path, sections: list[dict]) -> None:
        handle, rows = self.writer(out, "sections")
        with handle:
            for section in sections:
                for day, start, end in section["meetings"]:
                    rows.writerow(
                        [
                            section["term"],
                            section["code"],
                            section["group"],
                            section["teacher"],
                            day,
                            start,
                            end,
                            section["room"],
                        ]
                    )
                    self.counts["sections"] += 1

    def write_enrolments(self, out: Path, sections: list[dict]) -> None:
        handle, rows = self.writer(out, "enrolments")
        with handle:
            for section in sections:
                for student in section["students"]:
                    rows.writerow(
                        [section["term"], student["matricule"], section["code"], section["group"]]
                    )
                    self.counts["enrolments"] += 1

    # --- Evaluations, marks, final grades --------------------------------------------------

    def write_results(self, out: Path, sections: list[dict], students: list[dict]) -> None:
        rand = self.random
        evaluations_file, evaluations = self.writer(out, "evaluations")
        marks_file, marks = self.writer(out, "marks")
        finals_file, finals = self.writer(out, "final_grades")
        with evaluations_file, marks_file, finals_file:
            for section in sections:
                plan = EVALUATIONS[section["term"]]
                finished = section["term"] == "HIV-2026"
                marked = len(plan) if finished else 3 if rand.random() < THIRD_MARKED_SHARE else 2
                difficulty = rand.gauss(0, 4)
                percents: dict[str, list[float]] = {}
                for title, _weight, max_mark, _date in plan[:marked]:
                    scores = percents.setdefault(title, [])
                    for student in section["students"]:
                        percent = min(100.0, max(0.0, rand.gauss(student["level"] + difficulty, 9)))
                        mark = half(percent * max_mark / 100)
                        scores.append(float(mark) * 100 / max_mark)
                        marks.writerow(
                            [
                                section["term"],
                                student["matricule"],
                                section["code"],
                                title,
                                mark,
                                max_mark,
                            ]
                        )
                        self.counts["marks"] += 1
                for title, weight, _max_mark, date in plan:
                    scores = percents.get(title)
                    average = f"{sum(scores) / len(scores):.1f}" if scores else ""
                    evaluations.writerow(
                        [
                            section["term"],
                            section["code"],
                            section["group"],
                            title,
                            weight,
                            date,
                            average,
                        ]
                    )
                    self.counts["evaluations"] += 1
                if not finished:
                    continue
                for position, student in enumerate(section["students"]):
                    grade = sum(
                        percents[title][position] * weight / 100 for title, weight, *_ in plan
                    )
                    finals.writerow(
                        [
                            section["term"],
                            student["matricule"],
                            section["code"],
                            round(grade),
                            rand.choice((0, 0, 0, 0, 0, 1, 2, 2, 3, 4, 6, 9)),
                            rand.choice((0, 0, 0, 0, 1, 1, 2, 3)),
                        ]
                    )
                    self.counts["final_grades"] += 1

    # --- Invoices --------------------------------------------------------------------------

    def write_invoices(self, out: Path, students: list[dict]) -> None:
        rand = self.random
        handle, rows = self.writer(out, "invoices")
        number = 1
        with handle:
            for student in students:
                invoices = INVOICES[:1] + (INVOICES[1:] if rand.random() < 0.4 else [])
                for session, description, due, lines in invoices:
                    for text, amount, voluntary in lines:
                        rows.writerow(
                            [
                                student["matricule"],
                                session,
                                f"FAC{number:08d}",
                                description,
                                due,
                                text,
                                money(amount),
                                voluntary,
                            ]
                        )
                        self.counts["invoices"] += 1
                    number += 1
        self.counts["invoice_count"] = number - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20000)
    parser.add_argument("--out", type=Path, required=True, help="folder for the CSV files")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    summary = College(options.students, options.seed).generate(options.out)
    for name, count in summary["rows"].items():
        print(f"{name:>14}: {count:>9,}")
    print(f"written to {options.out} in {summary['seconds']} s")


if __name__ == "__main__":
    main()
