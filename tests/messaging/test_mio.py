"""MIO through HTTP: Bob (student) writes to his teacher Isabelle; Charlie, another student,
"should have no access to Bob's stuff"."""

import html
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from messaging.models import Attachment, Message, MessageRecipient
from portal.models import Institution
from tests.accounts.test_login import employee_login, student_login
from tests.accounts.test_query_budget import query_budget  # noqa: F401
from tests.conftest import PASSWORD
from tests.factories import activate, make_employee, make_student
from tests.students.factories_courses import enrol, make_course, make_section, make_term

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def inbox_subjects(page: str) -> list[str]:
    """The subjects of the inbox's rows, in order, as the page shows them."""
    rows = re.findall(r'<tr [^>]*data-testid="mio-row">(.*?)</tr>', page, flags=re.S)
    return [html.unescape(re.search(r"<a [^>]*>(.*?)</a>", row, flags=re.S)[1]) for row in rows]


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def teacher(institution: Institution) -> User:
    employee = make_employee(
        institution, employee_number="50100", first_name="Isabelle", last_name="Bergeron"
    )
    return activate(employee, password=PASSWORD)


@pytest.fixture
def section(teacher: User, bob: User):
    section = make_section(make_term(current=True), make_course(), teacher=teacher.employee)
    enrol(bob.student, section)
    return section


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def send(client, recipient: User, subject="Question", body="Bonjour, une question.", **extra):
    return client.post(
        reverse("messaging:compose"),
        {"recipient": recipient.pk, "subject": subject, "body": body, **extra},
    )


def message_from(sender: User, to: list[User], subject="Rappel", body="Texte du message"):
    message = Message.objects.create(sender=sender, subject=subject, body=body)
    for user in to:
        MessageRecipient.objects.create(message=message, user=user)
    return message


def test_student_writes_to_teacher_who_gets_a_notice_without_the_body(
    client, bob, teacher, section, media, commit
):
    student_login(client, bob.identifier)
    page = client.get(reverse("messaging:compose")).content.decode()
    assert "Mes enseignants" in page and "Isabelle Bergeron" in page
    with commit():
        response = send(client, teacher, subject="Examen final", body="SECRET-CONTENU-42")
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.sender == bob and message.body == "SECRET-CONTENU-42"
    assert list(message.recipients.values_list("user", flat=True)) == [teacher.pk]
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [teacher.email]
    html = notice.alternatives[0][0]
    assert "SECRET-CONTENU-42" not in notice.body + html + notice.subject
    assert "Examen final" in notice.body and "Bob Gagnon" in notice.body
    assert f"/mio/{message.pk}/" in notice.body


def test_student_cannot_address_a_student(client, bob, charlie, teacher, section, media):
    student_login(client, bob.identifier)
    assert "Charlie" not in client.get(reverse("messaging:compose")).content.decode()
    response = send(client, charlie)
    assert response.status_code == 200
    assert "Choisissez un destinataire de la liste." in response.content.decode()
    assert not Message.objects.exists()


def test_the_service_refuses_a_student_to_student_message(bob, charlie):
    from django.core.exceptions import ValidationError

    from messaging.services import message_send

    with pytest.raises(ValidationError):
        message_send(request=None, sender=bob, recipients=[charlie], subject="s", body="b")
    assert not Message.objects.exists()


def test_section_message_reaches_exactly_its_students_with_accounts(
    client, institution, teacher, section, bob, charlie, commit
):
    # In the section: Bob (account), Dana (account, no email), Émile (no account).
    dana = activate(make_student(institution, first_name="Dana"), password=PASSWORD)
    enrol(dana.student, section)
    enrol(make_student(institution, first_name="Émile"), section)
    # Charlie has an account but is in another section.
    other = make_section(section.term, section.course, group="02")
    enrol(charlie.student, other)
    bob.email = "bob@etudiant.example"
    bob.save()
    employee_login(client, teacher.identifier)
    with commit():
        response = client.post(
            reverse("messaging:compose"),
            {"target": "section", "section": section.pk, "subject": "Local", "body": "B-204"},
        )
    assert response.status_code == 302
    message = Message.objects.get()
    assert set(message.recipients.values_list("user", flat=True)) == {bob.pk, dana.pk}
    assert [m.to for m in mail.outbox] == [["bob@etudiant.example"]]


def test_employee_writes_to_a_student_by_matricule_and_to_a_program(
    client, institution, teacher, bob, charlie
):
    from tests.students.factories_courses import make_program

    program = make_program()
    bob.student.program = program
    bob.student.save()
    employee_login(client, teacher.identifier)
    client.post(
        reverse("messaging:compose"),
        {"target": "student", "matricule": charlie.identifier, "subject": "A", "body": "b"},
    )
    client.post(
        reverse("messaging:compose"),
        {"target": "program", "program": program.pk, "subject": "B", "body": "b"},
    )
    recipients = {
        m.subject: set(m.recipients.values_list("user", flat=True)) for m in Message.objects.all()
    }
    assert recipients == {"A": {charlie.pk}, "B": {bob.pk}}
    response = client.post(
        reverse("messaging:compose"),
        {"target": "student", "matricule": "9999999", "subject": "C", "body": "b"},
    )
    assert "Aucun étudiant ayant un compte ne porte ce matricule." in response.content.decode()


def test_non_recipients_get_404_on_every_message_and_attachment_url(
    client, bob, charlie, teacher, section, media
):
    student_login(client, bob.identifier)
    send(client, teacher, files=[SimpleUploadedFile("plan.pdf", PDF)])
    message = Message.objects.get()
    attachment = Attachment.objects.get()
    urls = [
        reverse("messaging:message", args=[message.pk]),
        reverse("messaging:attachment", args=[attachment.pk]),
    ]
    # Bob, the sender, and Isabelle, the recipient, see both.
    for login, who in ((student_login, bob), (employee_login, teacher)):
        client.logout()
        login(client, who.identifier)
        for url in urls:
            assert client.get(url).status_code == 200
    client.logout()
    student_login(client, charlie.identifier)
    for url in urls:
        assert client.get(url).status_code == 404
    missing = [
        reverse("messaging:message", args=[message.pk + 100]),
        reverse("messaging:attachment", args=[attachment.pk + 100]),
    ]
    for url in missing:
        assert client.get(url).status_code == 404
    reply = client.post(reverse("messaging:reply", args=[message.pk]), {"body": "x"})
    assert reply.status_code == 404
    assert Message.objects.count() == 1


def test_attachment_is_served_as_a_download_with_its_type(client, bob, teacher, section, media):
    student_login(client, bob.identifier)
    send(client, teacher, files=[SimpleUploadedFile("Plan de cours.pdf", PDF)])
    attachment = Attachment.objects.get()
    assert attachment.size == len(PDF) and attachment.content_type == "application/pdf"
    [path] = stored_files(media)
    assert path.name != "Plan de cours.pdf" and "Plan" not in str(path)
    response = client.get(reverse("messaging:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Plan de cours.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    page = client.get(reverse("messaging:message", args=[attachment.message_id])).content
    assert "Plan de cours.pdf" in page.decode()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100, "son contenu ne correspond pas"),
        ("programme.exe", b"MZ\x90\x00", "type de fichier refusé"),
        ("gros.pdf", b"%PDF" + b"0" * (6 * 1024 * 1024), "est trop volumineux"),
        ("photo.png", b"\xff\xd8\xff\xe0 jpeg", "son contenu ne correspond pas"),
        ("notes.txt", b"\xff\xfe\x00 latin", "encodé en UTF-8"),
        ("tableur.xlsx", b"not a zip", "son contenu ne correspond pas"),
    ],
)
def test_refused_attachment_stores_nothing(
    client, bob, teacher, section, media, name, content, error
):
    student_login(client, bob.identifier)
    files = [SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile(name, content)]
    response = send(client, teacher, files=files)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Message.objects.count() == 0 and Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_more_than_three_attachments_are_refused(client, bob, teacher, section, media):
    student_login(client, bob.identifier)
    files = [SimpleUploadedFile(f"p{n}.pdf", PDF) for n in range(4)]
    response = send(client, teacher, files=files)
    assert "Au plus 3 pièces jointes par message." in response.content.decode()
    assert Message.objects.count() == 0 and stored_files(media) == []


def test_accepted_types(client, bob, teacher, section, media):
    student_login(client, bob.identifier)
    files = [
        SimpleUploadedFile("a.txt", "Été à Québec".encode()),
        SimpleUploadedFile("b.docx", b"PK\x03\x04rest"),
        SimpleUploadedFile("c.jpeg", b"\xff\xd8\xff\xe0rest"),
    ]
    assert send(client, teacher, files=files).status_code == 302
    assert len(stored_files(media)) == 3


def test_read_state_and_reply(client, bob, teacher, section, commit):
    original = message_from(teacher, [bob], subject="Rappel")
    student_login(client, bob.identifier)
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert "non lu" in inbox and "fw-bold" in inbox and "1 non lu(s)" in inbox
    client.get(reverse("messaging:message", args=[original.pk]))
    first_read = MessageRecipient.objects.get().read_at
    assert first_read is not None
    client.get(reverse("messaging:message", args=[original.pk]))
    assert MessageRecipient.objects.get().read_at == first_read
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert "non lu</span>" not in inbox and "0 non lu(s)" in inbox

    with commit():
        response = client.post(reverse("messaging:reply", args=[original.pk]), {"body": "Merci!"})
    assert response.status_code == 302
    reply = Message.objects.exclude(pk=original.pk).get()
    assert reply.subject == "RE : Rappel" and reply.parent == original
    assert list(reply.recipients.values_list("user", flat=True)) == [teacher.pk]
    assert [m.to for m in mail.outbox] == [[teacher.email]]
    # The teacher replies in turn: still one « RE : », and the thread is shown.
    client.logout()
    employee_login(client, teacher.identifier)
    page = client.get(reverse("messaging:message", args=[reply.pk])).content.decode()
    assert "Messages précédents" in page and "Texte du message" in page
    client.post(reverse("messaging:reply", args=[reply.pk]), {"body": "De rien"})
    assert Message.objects.filter(parent=reply).get().subject == "RE : Rappel"


def test_search(client, bob, teacher, institution):
    other = activate(
        make_employee(institution, first_name="Marc", last_name="Aubin"), password=PASSWORD
    )
    message_from(teacher, [bob], subject="Laboratoire 3", body="Apportez la blouse")
    message_from(other, [bob], subject="Sortie", body="Musée des BEAUX-arts")
    student_login(client, bob.identifier)

    def subjects(q: str) -> list[str]:
        # The inbox is a Jinja2 page (no template context): the subjects its rows link to.
        page = client.get(reverse("messaging:inbox"), {"q": q}).content.decode()
        return inbox_subjects(page)

    assert subjects("laboratoire") == ["Laboratoire 3"]
    assert subjects("beaux-ARTS") == ["Sortie"]
    assert subjects("marc aubin") == ["Sortie"]
    assert subjects("bergeron") == ["Laboratoire 3"]
    assert subjects("rien") == []
    assert sorted(subjects("")) == ["Laboratoire 3", "Sortie"]


def test_pages_and_tabs_of_the_jinja2_inbox_and_the_django_mio_pages(
    client, bob, teacher, monkeypatch
):
    """The nav and the pager are one Jinja2 copy each (jinja2/messaging/_mio_nav.html,
    _pager.html), shown by the inbox (Jinja2) and the other MIO pages (Django)."""
    monkeypatch.setattr("messaging.views.PAGE_SIZE", 2)
    for n in range(3):
        message_from(teacher, [bob], subject=f"Labo & co {n}")
        message_from(bob, [teacher], subject=f"Labo & co envoi {n}")
    student_login(client, bob.identifier)

    def current_tab(page: str) -> list[str]:
        return re.findall(r'class="nav-link active" aria-current="page" href="([^"]+)"', page)

    inbox = reverse("messaging:inbox")
    first = client.get(inbox, {"q": "labo & co"}).content.decode()
    assert inbox_subjects(first) == ["Labo & co 2", "Labo & co 1"]
    assert re.search(r"Résultats pour «\s*labo &amp; co\s*»", first)  # escaped
    assert 'value="labo &amp; co"' in first  # the search box keeps the words
    assert "Page 1 de 2" in first and "Précédents" not in first
    assert 'href="?q=labo%20%26%20co&amp;page=2">Suivants</a>' in first
    assert current_tab(first) == [inbox]
    second = client.get(inbox, {"q": "labo & co", "page": 2}).content.decode()
    assert inbox_subjects(second) == ["Labo & co 0"]
    assert 'href="?q=labo%20%26%20co&amp;page=1">Précédents</a>' in second
    assert "Page 2 de 2" in second and "Suivants" not in second

    sent = reverse("messaging:sent")
    page = client.get(sent, {"page": 2}).content.decode()
    assert "Labo &amp; co envoi 0" in page and "Labo &amp; co envoi 2" not in page
    assert "Page 2 de 2" in page and 'href="?page=1">Précédents</a>' in page
    assert current_tab(page) == [sent]
    assert 'role="search"' in page
    compose = reverse("messaging:compose")
    page = client.get(compose).content.decode()
    assert current_tab(page) == [compose] and 'role="search"' not in page
    message = Message.objects.get(subject="Labo & co 0")
    page = client.get(reverse("messaging:message", args=[message.pk])).content.decode()
    assert current_tab(page) == [] and 'role="search"' in page and 'value=""' in page
    # One message, one page: no pager.
    Message.objects.exclude(pk=message.pk).delete()
    assert "pagination" not in client.get(inbox).content.decode()


def test_sent_lists_own_messages_only(client, bob, charlie, teacher, section):
    message_from(bob, [teacher], subject="De Bob")
    message_from(charlie, [teacher], subject="De Charlie")
    student_login(client, bob.identifier)
    page = client.get(reverse("messaging:sent")).content.decode()
    assert "De Bob" in page and "De Charlie" not in page


def test_module_disabled_answers_404(client, bob, institution):
    message = message_from(bob, [bob])
    institution.enabled_modules = [m for m in institution.enabled_modules if m != "mio"]
    institution.save()
    student_login(client, bob.identifier)
    for name, args in (
        ("inbox", []),
        ("sent", []),
        ("compose", []),
        ("message", [message.pk]),
    ):
        assert client.get(reverse(f"messaging:{name}", args=args)).status_code == 404


def test_anonymous_is_sent_to_login(client, institution):
    response = client.get(reverse("messaging:inbox"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("count", [5, 200])
def test_inbox_query_budget(client, bob, teacher, institution, query_budget, count):  # noqa: F811
    others = [
        activate(make_employee(institution, last_name=f"Prof{n}"), password=PASSWORD)
        for n in range(3)
    ]
    senders = [teacher, *others]
    messages = Message.objects.bulk_create(
        Message(sender=senders[n % 4], subject=f"Sujet {n}", body="b") for n in range(count)
    )
    MessageRecipient.objects.bulk_create(MessageRecipient(message=m, user=bob) for m in messages)
    student_login(client, bob.identifier)
    with query_budget(12) as context:
        response = client.get(reverse("messaging:inbox"))
    assert response.status_code == 200
    assert f"{count} messages" in response.content.decode()
    print(f"inbox with {count} messages: {len(context.captured_queries)} queries")


def test_the_home_page_says_how_many_mio_are_unread(client, bob, teacher):
    message_from(teacher, [bob], subject="Rappel")
    message_from(teacher, [bob], subject="Autre rappel")
    student_login(client, "2026102")
    home = client.get(reverse("portal:home")).content.decode()
    assert "2 nouveaux messages MIO" in home
    message = bob.received_messages.order_by("pk").first().message
    client.get(reverse("messaging:message", args=[message.pk]))
    assert "1 nouveau message MIO" in client.get(reverse("portal:home")).content.decode()
