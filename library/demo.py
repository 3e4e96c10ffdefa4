"""The library's demo: a generated catalogue of a few hundred records with their copies, loans
for Éloïse Tremblay (2026001) to renew (one overdue, one at its last renewal), another
student's loan on a record to place a hold on, and a hold of hers waiting in a queue."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from library.models import Copy, DocumentType, Hold, Loan, Record
from library.services import record_fold
from portal.demo import demo_step
from portal.models import Institution
from students.models import Student

TOPICS = [
    "Électricité", "Électronique", "Mécanique des fluides", "Chimie organique",
    "Biologie cellulaire", "Anatomie humaine", "Soins infirmiers", "Physique moderne",
    "Mathématiques discrètes",
    "Statistiques", "Programmation", "Bases de données", "Réseaux informatiques",
    "Sécurité informatique", "Histoire du Québec", "Littérature québécoise", "Philosophie",
    "Psychologie", "Sociologie", "Économie", "Comptabilité", "Marketing", "Droit des affaires",
    "Géographie du Canada", "Écologie", "Art contemporain", "Musique baroque",
    "Cinéma québécois", "Photographie", "Nutrition",
]  # fmt: skip
FORMS = [
    "Introduction : {topic}",
    "{topic} : notions fondamentales",
    "Guide pratique : {topic}",
    "{topic} : exercices corrigés",
    "Précis : {topic}",
    "{topic} au XXIe siècle",
    "Dictionnaire : {topic}",
    "{topic} : enjeux et débats",
    "Atelier : {topic}",
    "{topic} pour le collégial",
]
LAST_NAMES = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
              "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque"]  # fmt: skip
FIRST_NAMES = ["Hélène", "François", "Élise", "Jérôme", "Amélie", "Benoît", "Geneviève",
               "Stéphane", "Noémie", "André", "Josée", "Réjean"]  # fmt: skip
LOCATIONS = ["Bibliothèque — 1er étage", "Bibliothèque — 2e étage", "Réserve du comptoir"]


def _matricule(number: int, institution: Institution) -> str:
    length = institution.identifier_length
    return f"{2026000 + number}"[-length:].rjust(length, "0")


def _catalogue() -> int:
    if Record.objects.filter(control_number__startswith="demo-").exists():
        return Record.objects.filter(control_number__startswith="demo-").count()
    rng = random.Random("bibliotheque")  # noqa: S311 - demo data, drawn the same every time
    records = []
    for index, (topic, form) in enumerate((topic, form) for topic in TOPICS for form in FORMS):
        kind = DocumentType.BOOK
        if form.startswith("Atelier"):
            kind = DocumentType.VIDEO
        elif form.endswith("débats"):
            kind = DocumentType.PERIODICAL
        related = rng.sample(TOPICS, 2)
        records.append(
            record_fold(
                Record(
                    control_number=f"demo-{index + 1:04d}",
                    title=form.format(topic=topic),
                    authors=" ; ".join(
                        f"{rng.choice(LAST_NAMES)}, {rng.choice(FIRST_NAMES)}"
                        for _author in range(rng.randint(1, 2))
                    ),
                    subjects="\n".join(dict.fromkeys([topic, *related])),
                    isbn=f"97828{rng.randrange(10**8):08d}",
                    call_number=f"QA {rng.randint(1, 999)} {topic[:1].upper()}{index % 90 + 10}",
                    year=rng.randint(1995, 2026),
                    language="eng" if index % 11 == 0 else "fre",
                    document_type=kind,
                )
            )
        )
    created = Record.objects.bulk_create(records)
    Copy.objects.bulk_create(
        Copy(
            record=record,
            barcode=f"3{index + 1:04d}{copy:02d}",
            location=LOCATIONS[(index + copy) % len(LOCATIONS)],
        )
        for index, record in enumerate(created)
        for copy in range(1, 1 + (1 if index % 3 else 2))
    )
    return len(created)


def _loans(institution: Institution) -> list[str]:
    students = {
        student.matricule: student
        for student in Student.objects.filter(
            matricule__in=[_matricule(n, institution) for n in (1, 2, 7)]
        )
    }
    eloise = students.get(_matricule(1, institution))
    other = students.get(_matricule(2, institution))
    zoe = students.get(_matricule(7, institution))
    if (
        eloise is None
        or other is None
        or zoe is None
        or Loan.objects.filter(student=eloise).exists()
    ):
        return []
    today = timezone.localdate()
    day = datetime.timedelta(days=1)

    def lend(control: str, student: Student, due_in: int, renewals: int = 0) -> Loan:
        copy = Copy.objects.filter(record__control_number=control).order_by("barcode").first()
        return Loan.objects.create(
            copy=copy,
            student=student,
            loaned_on=today - 14 * day,
            due_on=today + due_in * day,
            renewals=renewals,
        )

    lend("demo-0001", eloise, 3)  # Introduction : Électricité, renewable
    lend("demo-0012", eloise, -2)  # overdue by 2 days, still renewable
    lend("demo-0023", eloise, 5, renewals=2)  # at its last renewal
    lend("demo-0002", other, 10)  # Électricité : notions fondamentales, one copy: hold it
    lend("demo-0035", other, 6)
    Hold.objects.create(
        record=Record.objects.get(control_number="demo-0035"),
        student=zoe,
        placed_at=timezone.now() - 2 * day,
    )
    Hold.objects.create(
        record=Record.objects.get(control_number="demo-0035"),
        student=eloise,
        placed_at=timezone.now() - day,
    )
    return [
        f"  {eloise.matricule} {eloise.first_name} {eloise.last_name}: 3 loans (one overdue, "
        "one at its last renewal) and a hold 2nd in its queue; « Électricité : notions "
        "fondamentales » is on loan: place a hold on it.",
    ]


@demo_step(order=70)
@transaction.atomic
def demo_library(institution: Institution) -> list[str]:
    count = _catalogue()
    return [
        f"Bibliothèque: {count} documents (search « electricite »).",
        *_loans(institution),
    ]
