"""Documents, news and events for the demo: the seeds' "relevé des mentions et mérites
scolaires" and "renseignements sur la rentrée scolaire", news per community, and events and
deadlines this month and next, so the home page's calendar has something to show."""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from messaging.models import (
    Document,
    DocumentRecipient,
    Event,
    Message,
    MessageRecipient,
    NewsItem,
    Office,
)
from portal.demo import demo_is_school_board, demo_step
from portal.models import Institution
from portal.selectors import school_main
from students.demo import DEMO_STUDENTS
from students.models import Employee, Student

# title, description, paragraphs of the PDF.
DOCUMENTS = [
    (
        "Relevé des mentions et mérites scolaires",
        "Vos mentions et mérites scolaires de la dernière session.",
        [
            "Félicitations ! Vos résultats vous valent une mention au tableau d'honneur.",
            "Ce relevé peut être joint à vos demandes de bourses et d'admission.",
        ],
    ),
    (
        "Renseignements sur la rentrée scolaire",
        "Dates, horaire de la première journée et documents à apporter.",
        [
            "La rentrée a lieu le premier lundi de la session, à 8 h, à l'agora.",
            "Apportez votre carte étudiante et votre horaire imprimé.",
        ],
    ),
]
# title, body, for the main school (False: the whole institution), days ago.
NEWS = [
    ("Bienvenue sur le portail", "Vos services en ligne sont regroupés ici.", False, 20),
    ("Semaine de la santé mentale", "Ateliers et kiosques à l'agora toute la semaine.", True, 6),
    ("Fermeture de la bibliothèque", "La bibliothèque sera fermée vendredi après 16 h.", False, 1),
]
# title, kind, month offset (0: this month, 1: next), day.
EVENTS = [
    ("Journée portes ouvertes", Event.Kind.EVENT, 0, 8),
    ("Date limite d'abandon de cours sans échec", Event.Kind.DEADLINE, 0, 15),
    ("Spectacle de la troupe de théâtre", Event.Kind.EVENT, 0, 22),
    ("Date limite de paiement des droits de scolarité", Event.Kind.DEADLINE, 1, 5),
    ("Salon de l'emploi", Event.Kind.EVENT, 1, 12),
    ("Date limite de demande d'admission", Event.Kind.DEADLINE, 1, 26),
]


def _pdf(title: str, paragraphs: list[str], institution: Institution) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only this needs

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        f"<html lang='fr'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1><p>{escape(institution.name)}</p>{body}</body></html>"
    )
    return HTML(string=html).write_pdf()


def _month(today: datetime.date, offset: int) -> datetime.date:
    first = today.replace(day=1)
    return (first + datetime.timedelta(days=32 * offset)).replace(day=1)


@demo_step(order=40)
@transaction.atomic
def demo_messaging(institution: Institution) -> list[str]:
    length = institution.identifier_length
    matricules = [
        f"{2026000 + number}"[-length:].rjust(length, "0") for number in range(1, DEMO_STUDENTS + 1)
    ]
    students = list(Student.objects.filter(matricule__in=matricules))
    school = school_main(institution)
    today = timezone.localdate()

    for title, body, for_school, days_ago in NEWS:
        NewsItem.objects.get_or_create(
            title=title,
            defaults={
                "body": body,
                "school": school if for_school else None,
                "published_on": today - datetime.timedelta(days=days_ago),
            },
        )
    for title, kind, offset, day in EVENTS:
        date = _month(today, offset).replace(day=day)
        Event.objects.get_or_create(title=title, date=date, defaults={"kind": kind, "school": None})
    for title, description, paragraphs in DOCUMENTS:
        document = Document.objects.filter(title=title).first()
        if document is None:
            document = Document(title=title, description=description)
            document.file.save(
                "document.pdf", ContentFile(_pdf(title, paragraphs, institution)), save=True
            )
        already = set(document.recipients.values_list("student_id", flat=True))
        DocumentRecipient.objects.bulk_create(
            DocumentRecipient(document=document, student=student)
            for student in students
            if student.pk not in already
        )
    sent = _demo_mio(students)
    offices = _demo_offices(institution)
    return [
        "",
        f"Documents et messages: {len(DOCUMENTS)} PDF for {len(students)} demo students; "
        f"{len(NEWS)} news, {len(EVENTS)} events and deadlines this month and next; "
        f"{sent} MIO messages from teacher 10042; MIO offices: {', '.join(offices)}.",
    ]


# (name, English name, members: logins): offices a student writes to by name.
OFFICES = [
    ("Registrariat", "Registrar's Office", ["registraire", "employee:10057"]),
    ("Aide financière", "Financial Aid", ["registraire"]),
]
# A secondary school's offices (`cepeo`): no registrar, no financial aid.
SCHOOL_OFFICES = [
    ("Secrétariat de l'école", "School Office", ["registraire", "employee:10057"]),
    ("Orientation", "Guidance", ["registraire"]),
]


def _demo_offices(institution: Institution) -> list[str]:
    from accounts.models import User

    offices = SCHOOL_OFFICES if demo_is_school_board(institution) else OFFICES
    for position, (name, name_en, logins) in enumerate(offices):
        office, _created = Office.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "position": position}
        )
        office.members.add(*User.objects.filter(username__in=logins))
    return [name for name, _name_en, _logins in offices]


# (subject, body): from the demo's teacher 10042 to every activated demo student.
MIO = [
    (
        "Remise du travail pratique 2",
        "Bonjour,\n\nLe travail pratique 2 est à remettre vendredi avant 23 h 59 sur le "
        "portail. N'oubliez pas d'indiquer votre matricule sur la page de titre.\n\n"
        "Isabelle Bergeron",
    ),
    (
        "Disponibilités avant l'examen",
        "Bonjour,\n\nJe serai disponible au bureau B-2104 mardi de 13 h à 15 h pour vos "
        "questions avant l'examen.\n\nIsabelle Bergeron",
    ),
]


def _demo_mio(students: list[Student]) -> int:
    """Messages from a teacher to the activated demo students, once."""
    teacher = Employee.objects.select_related("user").filter(employee_number="10042").first()
    if teacher is None or teacher.user is None:
        return 0
    recipients = [student.user for student in students if student.user_id]
    for subject, body in MIO:
        if Message.objects.filter(sender=teacher.user, subject=subject).exists():
            continue
        message = Message.objects.create(sender=teacher.user, subject=subject, body=body)
        MessageRecipient.objects.bulk_create(
            MessageRecipient(message=message, user=user) for user in recipients
        )
    return len(MIO)
