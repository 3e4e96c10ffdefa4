"""The demo's next term: the choice window is open, 2026002 chooses and submits, the
placement places him, and the term under way asks him to confirm."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from registration.models import CourseChoice, ElectiveList, TermRegistration
from students.models import Enrolment
from tests.accounts.test_login import student_login

DEMO_PASSWORD = "Portail-Demo-2026"


@pytest.fixture
def demo(db, capsys):
    call_command("demo")
    return capsys.readouterr().out


def test_demo_choice_placement_and_confirmation(demo, client):
    assert "Registration: course choice for HIV-2027 open until" in demo or (
        "Registration: course choice for" in demo
    )
    upcoming = TermRegistration.objects.filter(placed_at__isnull=True).order_by("-term__starts_on")[
        0
    ]
    assert upcoming.choice_open()
    assert ElectiveList.objects.filter(term=upcoming.term).count() == 2
    student_login(client, "2026002", DEMO_PASSWORD)
    page = client.get(reverse("registration:choice")).content.decode()
    assert "Structures de données" in page and "à reprendre" in page  # 201-1M3-TH failed
    checked = re.findall(r'name="courses" value="(\d+)" id="course-\d+" checked', page)
    ranks = {}
    for elective_list in ElectiveList.objects.filter(term=upcoming.term):
        for rank, course in enumerate(
            elective_list.courses.order_by("code")[: elective_list.size], 1
        ):
            ranks[f"rank-{elective_list.pk}-{course.pk}"] = rank
    response = client.post(
        reverse("registration:choice"), {"courses": checked, "password": DEMO_PASSWORD, **ranks}
    )
    assert response.status_code == 302
    assert CourseChoice.objects.filter(student__matricule="2026002").exists()
    call_command("place_students", upcoming.term.code, stdout=StringIO())
    assert (
        Enrolment.objects.filter(student__matricule="2026002", section__term=upcoming.term).count()
        == len(checked) + 2
    )
    confirm = client.get(reverse("registration:confirmation")).content.decode()
    assert "Confirmer ma présence" in confirm
    # Running the demo again adds nothing.
    call_command("demo", stdout=StringIO())
    assert TermRegistration.objects.count() == 2


def test_demo_schedule_change(demo, client):
    """The README's path: 2026001 asks for a free Friday, takes the one schedule offered and
    confirms; the fee is in the payment centre."""
    assert "Schedule change: " in demo and "per confirmed change" in demo
    student_login(client, "2026001", DEMO_PASSWORD)
    url = reverse("registration:schedule_change")
    listed = client.get(url, {"continuer": "1"}).content.decode()
    assert listed.count("Cliquez ici pour sélectionner cet horaire") >= 10
    friday = client.get(url, {"continuer": "1", "free_day": "4"}).content.decode()
    assert friday.count("Cliquez ici pour sélectionner cet horaire") == 1
    sections = re.search(r"sections=([0-9%C]+)", friday).group(1).replace("%2C", ",")
    response = client.post(
        reverse("registration:schedule_change_confirm"),
        {"sections": sections, "password": DEMO_PASSWORD},
        follow=True,
    )
    assert "La modification d'horaire est effectuée" in html.unescape(response.content.decode())
    statement = html.unescape(client.get(reverse("billing:statement")).content.decode())
    assert "Frais de modification d'horaire" in statement
    fridays = Enrolment.objects.filter(
        student__matricule="2026001", section__term__registration__change_opens__isnull=False
    ).filter(section__meetings__day=5)
    assert not fridays.exists()
