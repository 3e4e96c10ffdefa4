"""Documents et messages, the events calendar and the news, through HTTP: Bob reads his
documents; Charlie "should have no access to Bob's stuff"."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from messaging.demo import demo_messaging
from messaging.models import Document, DocumentRecipient, Event, NewsItem
from portal.models import School
from portal.selectors import school_main
from students.models import Student
from tests.accounts.test_first_use import page
from tests.accounts.test_login import student_login
from tests.accounts.test_query_budget import query_budget  # noqa: F401 - fixture
from tests.pdf import pdf_text

HOME = reverse("portal:home")
DOCUMENTS = reverse("messaging:documents")
CALENDAR = reverse("messaging:calendar")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make_document(title: str, *students: Student) -> Document:
    document = Document(title=title)
    document.file.save("x.pdf", ContentFile(PDF), save=True)
    for student in students:
        DocumentRecipient.objects.create(document=document, student=student)
    return document


@pytest.fixture
def other_school(institution) -> School:
    return School.objects.create(institution=institution, code="autre", name="École des arts")


def test_documents_newest_first_with_read_state(client, bob):
    older = make_document("Relevé des mentions et mérites scolaires", bob.student)
    Document.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    make_document("Renseignements sur la rentrée scolaire", bob.student)
    student_login(client, "2026102")
    text = page(client.get(DOCUMENTS))
    assert text.index("Renseignements sur la rentrée") < text.index("Relevé des mentions")
    assert text.count("Nouveau") == 2

    response = client.get(reverse("messaging:document", args=[older.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PDF
    text = page(client.get(DOCUMENTS))
    assert text.count("Nouveau") == 1
    assert "Lu le " in text


def test_first_read_recorded_once(client, bob):
    document = make_document("Relevé", bob.student)
    student_login(client, "2026102")
    url = reverse("messaging:document", args=[document.pk])
    client.get(url)
    recipient = DocumentRecipient.objects.get(document=document)
    first = recipient.first_read_at
    assert first is not None
    client.get(url)
    recipient.refresh_from_db()
    assert recipient.first_read_at == first


def test_document_not_addressed_is_404_like_missing(client, bob, charlie):
    document = make_document("Relevé de Bob", bob.student)
    student_login(client, "2026103")
    assert "Relevé de Bob" not in page(client.get(DOCUMENTS))
    not_addressed = client.get(reverse("messaging:document", args=[document.pk]))
    missing = client.get(reverse("messaging:document", args=[document.pk + 1000]))
    assert not_addressed.status_code == missing.status_code == 404
    assert not DocumentRecipient.objects.filter(first_read_at__isnull=False).exists()


def test_documents_module_disabled_is_404(client, bob, institution):
    document = make_document("Relevé", bob.student)
    institution.enabled_modules = [m for m in institution.enabled_modules if m != "documents"]
    institution.save()
    student_login(client, "2026102")
    assert client.get(DOCUMENTS).status_code == 404
    assert client.get(reverse("messaging:document", args=[document.pk])).status_code == 404
    assert "nouveau document" not in page(client.get(HOME))


def test_home_counts_new_documents(client, bob):
    make_document("Relevé", bob.student)
    make_document("Rentrée", bob.student)
    student_login(client, "2026102")
    text = page(client.get(HOME))
    assert "2 nouveaux documents vous sont destinés" in text
    assert DOCUMENTS in text


def test_calendar_navigation_and_schools(client, bob, institution, other_school):
    Event.objects.create(title="Portes ouvertes", date=datetime.date(2026, 11, 12))
    Event.objects.create(
        title="Date limite d'abandon",
        date=datetime.date(2026, 11, 20),
        kind=Event.Kind.DEADLINE,
        school=school_main(institution),
    )
    Event.objects.create(
        title="Vernissage ailleurs", date=datetime.date(2026, 11, 14), school=other_school
    )
    Event.objects.create(title="Salon de décembre", date=datetime.date(2026, 12, 3))
    student_login(client, "2026102")
    text = page(client.get(CALENDAR, {"mois": "2026-11"}))
    assert "Novembre 2026" in text
    assert "Portes ouvertes" in text and "Date limite d'abandon" in text
    assert "Vernissage ailleurs" not in text
    assert "Salon de décembre" not in text
    assert "Événement" in text and "Date limite" in text
    assert f"{CALENDAR}?mois=2026-10" in text
    assert f"{CALENDAR}?mois=2026-12" in text
    # Monday-first: 1 November 2026 is a Sunday, the last cell of the first row.
    assert '<th scope="col"><abbr title="lundi">' in text

    text = page(client.get(CALENDAR, {"mois": "2026-12"}))
    assert "Décembre 2026" in text and "Salon de décembre" in text
    assert f"{CALENDAR}?mois=2027-01" in text

    home = page(client.get(HOME, {"mois": "2026-11"}))
    assert "Calendrier des événements" in home and "Portes ouvertes" in home
    assert f"{HOME}?mois=2026-12" in home
    assert "Vernissage ailleurs" not in home


def test_calendar_grid_is_monday_first():
    from messaging.documents import month_calendar

    cal = month_calendar(datetime.date(2013, 4, 1), [], today=datetime.date(2013, 4, 2))
    first_week = [day.date.day if day.in_month else None for day in cal.weeks[0]]
    assert first_week == [1, 2, 3, 4, 5, 6, 7]
    assert cal.previous == datetime.date(2013, 3, 1)
    assert cal.next == datetime.date(2013, 5, 1)


def test_news_per_community(client, bob, institution, other_school):
    today = timezone.localdate()
    NewsItem.objects.create(title="Pour tous", body="Texte", published_on=today)
    NewsItem.objects.create(
        title="Pour le campus", body="Texte", published_on=today, school=school_main(institution)
    )
    NewsItem.objects.create(
        title="Pour les arts", body="Texte", published_on=today, school=other_school
    )
    student_login(client, "2026102")
    text = page(client.get(HOME))
    assert "Actualités et messages" in text
    assert "Pour tous" in text and "Pour le campus" in text
    assert "Pour les arts" not in text
    assert f"Communauté : {school_main(institution).name}" in text
    assert f"Communauté : {institution.display_name}" in text


def test_home_query_budget_with_events_news_documents(client, bob, query_budget):  # noqa: F811
    today = timezone.localdate()
    for day in (1, 10, 20):
        Event.objects.create(title=f"Événement {day}", date=today.replace(day=day))
    for n in range(8):
        NewsItem.objects.create(title=f"Nouvelle {n}", body="…", published_on=today)
    make_document("Relevé", bob.student)
    student_login(client, "2026102")
    with query_budget():
        response = client.get(HOME)
    assert response.status_code == 200
    text = page(response)
    assert "Événement 10" in text and "Nouvelle 7" in text and "1 nouveau document" in text


def test_demo_twice_without_duplicates(institution):
    from accounts.demo import demo_people

    demo_people(institution)
    demo_messaging(institution)
    counts = (
        Document.objects.count(),
        DocumentRecipient.objects.count(),
        NewsItem.objects.count(),
        Event.objects.count(),
    )
    demo_messaging(institution)
    assert counts == (
        Document.objects.count(),
        DocumentRecipient.objects.count(),
        NewsItem.objects.count(),
        Event.objects.count(),
    )
    assert counts[0] == 2 and counts[2] == 3 and counts[3] == 6
    assert counts[1] > 0
    document = Document.objects.get(title="Relevé des mentions et mérites scolaires")
    with document.file.open("rb") as handle:
        assert "mentions et mérites" in pdf_text(handle.read())


def test_admin_addresses_a_document_to_a_school(admin_client, bob, charlie, institution):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post(
        reverse("admin:messaging_document_add"),
        {
            "title": "Renseignements sur la rentrée scolaire",
            "description": "",
            "file": SimpleUploadedFile("rentree.pdf", PDF, content_type="application/pdf"),
            "to_school": school_main(institution).pk,
            "to_program": "",
            "recipients-TOTAL_FORMS": "0",
            "recipients-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, page(response)
    document = Document.objects.get()
    assert set(document.students.all()) == {bob.student, charlie.student}
