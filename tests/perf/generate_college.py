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

GROUP_SIZE = 35
FIRST_MATRICULE = 2000001
TERMS = ("HIV-2026", "AUT-2026")  # the finished one, then the running one

PROGRAMS = {
    "420.B0": ("Techniques de l'informatique", "420", "Informatique"),
    "180.A0": ("Soins infirmiers", "180", "Soins infirmiers"),
    "200.B1": ("Sciences de la nature", "201", "Mathématiques"),
    "300.A0": ("Sciences humaines", "300", "Sciences humaines"),
    "410.B0": ("Techniques de comptabilité et de gestion", "410", "Administration"),
    "322.A0": ("Techniques d'éducation à l'enfance", "322", "Éducation à l'enfance"),
    "221.B0": ("Technologie du génie civil", "221", "Génie civil"),
    "243.C0": ("Technologie du génie électrique", "243", "Génie électrique"),
    "570.E0": ("Techniques de design d'intérieur", "570", "Design"),
    "310.A0": ("Techniques policières", "310", "Techniques policières"),
    "111.A0": ("Techniques d'hygiène dentaire", "111", "Hygiène dentaire"),
    "500.AF": ("Arts, lettres et communication", "500", "Arts et lettres"),
}
SUBJECTS = (
    "Fondements",
    "Méthodes",
    "Atelier",
    "Analyse",
    "Projet intégrateur",
    "Stage d'observation",
    "Éthique professionnelle",
    "Laboratoire",
)
# General education by program term: (code, title, department).
GENERAL = {
    2: [
        ("601-102-MQ", "Littérature et imaginaire", "Français"),
        ("604-101-MQ", "Langue anglaise et communication", "Anglais"),
        ("109-102-MQ", "Activité physique et efficacité", "Éducation physique"),
    ],
    3: [
        ("601-103-MQ", "Littérature québécoise", "Français"),
        ("340-102-MQ", "L'être humain", "Philosophie"),
        ("604-102-MQ", "Anglais propre au programme", "Anglais"),
    ],
    4: [
        ("601-101-MQ", "Écriture et littérature", "Français"),
        ("340-EAC-MQ", "Éthique et politique", "Philosophie"),
        ("109-103-MQ", "Activité physique et autonomie", "Éducation physique"),
    ],
    5: [
        ("601-BXE-MQ", "Communication et discours", "Français"),
        ("340-101-MQ", "Philosophie et rationalité", "Philosophie"),
        ("360-COM-SJ", "Cours complémentaire : la science au quotidien", "Sciences"),
    ],
}
# Evaluations of a group: (title, weight, max_mark, date).
EVALUATIONS = {
    "HIV-2026": [
        ("Examen 1", 20, 20, "2026-02-19"),
        ("Travail pratique 1", 15, 50, "2026-03-12"),
        ("Examen 2", 20, 40, "2026-04-02"),
        ("Travail pratique 2", 15, 50, "2026-04-23"),
        ("Examen final", 30, 100, "2026-05-12"),
    ],
    "AUT-2026": [
        ("Examen 1", 25, 20, "2026-09-24"),
        ("Travail pratique 1", 20, 50, "2026-10-15"),
        ("Examen 2", 20, 40, "2026-11-12"),
        ("Travail pratique 2", 15, 50, "2026-12-03"),
        ("Examen final", 20, 100, "2026-12-15"),
    ],
}
# On 2026-12-01, how many of AUT-2026's evaluations are marked: 2, or 3 in these groups.
THIRD_MARKED_SHARE = 0.15

LAST_NAMES = [
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
    "Caron",
    "Beaulieu",
    "Cloutier",
    "Dubé",
    "Poirier",
    "Fournier",
    "Lapointe",
    "Leclerc",
    "Lefebvre",
    "Poulin",
    "Thibault",
    "St-Pierre",
    "Nadeau",
    "Martin",
    "Landry",
    "Martel",
    "Bédard",
    "Grenier",
    "Lessard",
    "Bernier",
    "Richard",
    "Michaud",
    "Hébert",
    "Desjardins",
    "Couture",
    "Turcotte",
    "Lachance",
    "Parent",
    "Blais",
    "Gosselin",
    "Savard",
    "Proulx",
    "Beaudoin",
    "Demers",
    "Perreault",
    "Boudreau",
    "Lemieux",
    "Cyr",
    "Mercier",
    "Bérubé",
    "Dufour",
    "Vézina",
    "Thériault",
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Benali",
    "Haddad",
    "Ouellette-Roy",
    "Gagnon-Roy",
    "D'Amour",
    "D'Auteuil",
    "O'Neill",
    "Saint-Onge",
    "Joseph",
    "Pierre-Louis",
    "Rodríguez",
    "García",
    "Müller",
    "Øvergaard",
    "Çelik",
    "Łukasik",
    "Dvořák",
]
FIRST_NAMES_F = [
    "Léa",
    "Emma",
    "Chloé",
    "Zoé",
    "Florence",
    "Alice",
    "Maëlle",
    "Noémie",
    "Éloïse",
    "Camille",
    "Juliette",
    "Béatrice",
    "Anaïs",
    "Océane",
    "Rosalie",
    "Mégane",
    "Laurie",
    "Gabrielle",
    "Marie-Ève",
    "Anne-Sophie",
    "Thị-Hoa",
    "Aïcha",
    "Inès",
    "Sofía",
    "Élodie",
    "Frédérique",
    "Geneviève",
    "Mélodie",
    "Héloïse",
    "Clémence",
]
FIRST_NAMES_M = [
    "William",
    "Thomas",
    "Félix",
    "Samuel",
    "Olivier",
    "Nathan",
    "Louis",
    "Gabriel",
    "Raphaël",
    "Étienne",
    "Jérémie",
    "Jean-François",
    "Benoît",
    "Frédéric",
    "Mathéo",
    "Zacharie",
    "Loïc",
    "Noé",
    "Élie",
    "Antoine",
    "Maxime",
    "Hugo",
    "Léo",
    "Émile",
    "Anh-Tuấn",
    "Karim",
    "Youssef",
    "Mathis",
    "Cédric",
    "Joël",
]
STREETS = (
    "rue Fournier",
    "boulevard des Laurentides",
    "rue de Saint-Jérôme",
    "chemin de la Rivière-du-Nord",
    "rue Labelle",
    "montée Sainte-Thérèse",
    "rue de l'Église",
    "avenue du Parc",
)
CITIES = (
    ("Saint-Jérôme", "J7Z"),
    ("Mirabel", "J7J"),
    ("Sainte-Adèle", "J8B"),
    ("Prévost", "J0R"),
    ("Saint-Colomban", "J5K"),
    ("Mont-Laurier", "J9L"),
)
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"  # the letters Canada Post uses in a code
SLOTS = (("08:00", "10:00"), ("10:00", "12:00"), ("13:00", "15:00"), ("15:00", "17:00"))


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

    def writer(self, out: Path, name: str, header: list[str]):
        handle = (out / f"{name}.csv").open("w", newline="", encoding="utf-8")
        rows = csv.writer(handle, lineterminator="\n")
        rows.writerow(header)
        self.counts[name] = 0
        return handle, rows

    # --- Students -------------------------------------------------------------------------

    def write_students(self, out: Path) -> list[dict]:
        rand = self.random
        programs = list(PROGRAMS)
        students = []
        handle, rows = self.writer(
            out,
            "students",
            [
                "matricule",
                "code_permanent",
                "last_name",
                "first_name",
                "birthdate",
                "sex",
                "email",
                "phone",
                "address",
                "postal_code",
                "program",
            ],
        )
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
        handle, rows = self.writer(
            out, "courses", ["code", "title", "credits", "program", "program_term"]
        )
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
        handle, rows = self.writer(
            out,
            "employees",
            ["employee_number", "last_name", "first_name", "email", "department", "office"],
        )
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
        handle, rows = self.writer(
            out,
            "sections",
            ["term", "course_code", "group", "teacher", "day", "start", "end", "room"],
        )
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
        handle, rows = self.writer(out, "enrolments", ["term", "matricule", "course_code", "group"])
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
        evaluations_file, evaluations = self.writer(
            out,
            "evaluations",
            ["term", "course_code", "group", "title", "weight", "date", "class_average"],
        )
        marks_file, marks = self.writer(
            out, "marks", ["term", "matricule", "course_code", "evaluation", "mark", "max_mark"]
        )
        finals_file, finals = self.writer(
            out,
            "final_grades",
            ["term", "matricule", "course_code", "grade", "absences", "lateness"],
        )
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
        handle, rows = self.writer(
            out,
            "invoices",
            [
                "matricule",
                "session",
                "invoice_number",
                "description",
                "due_date",
                "line_description",
                "amount",
                "voluntary",
            ],
        )
        number = 1
        with handle:
            for student in students:
                invoices = [
                    (
                        "AUT-2026",
                        "Droits de scolarité",
                        "2026-08-15",
                        [
                            ("Droits d'inscription", 175.0, "non"),
                            ("Frais de services aux étudiants", 100.0, "non"),
                            ("Association étudiante", 25.0, "oui"),
                        ],
                    )
                ]
                if rand.random() < 0.4:
                    invoices.append(
                        (
                            "HIV-2027",
                            "Droits de scolarité",
                            "2027-01-15",
                            [
                                ("Droits d'inscription", 175.0, "non"),
                                ("Activités sportives et culturelles", 40.0, "non"),
                                ("Fondation du cégep", 10.0, "oui"),
                            ],
                        )
                    )
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
