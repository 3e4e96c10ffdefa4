"""Choix de cours: Bob's page proposes his grid's next session (the failed course again, never
the passed one), he adds and drops, ranks the elective list and submits with his password; the
confirmation number is shown, printable, emailed and stored; a resubmission replaces it and
keeps the history; outside the window the page is read-only; bad input saves nothing."""

# ruff: noqa: F811

import datetime
import html
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import Confirmation
from registration.models import ChosenCourse, CourseChoice
from tests.accounts.test_login import student_login
from tests.accounts.test_query_budget import query_budget  # noqa: F401 (fixture)
from tests.conftest import PASSWORD
from tests.registration.conftest import bob_student, elective
from tests.students.factories_courses import make_course, make_section

CHOICE = reverse("registration:choice")
DONE = reverse("registration:choice_done")
PRINT = reverse("registration:choice_print")


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def bob_client(client, bob):
    student_login(client, "2026102")
    return client


def rank(grid, code: str) -> str:
    return f"rank-{grid.electives.pk}-{elective(grid, code).pk}"


def submission(grid, *, courses=None, ranks=None, password=PASSWORD) -> dict:
    data = {
        "courses": [
            c.pk for c in (courses if courses is not None else [grid.failed, *grid.second])
        ],
        "password": password,
    }
    ranks = ranks if ranks is not None else {"360-C02-TH": 1, "360-C01-TH": 2}
    data.update({rank(grid, code): value for code, value in ranks.items()})
    return data


def test_page_proposes_the_next_session_of_the_grid(bob_client, grid):
    response = bob_client.get(CHOICE)
    page = text(response)
    assert response.status_code == 200
    assert "Session HIV-2027 : choix de cours du" in page
    for course in [grid.failed, *grid.second, grid.later]:
        assert course.title in page
    assert "Introduction à la programmation" not in page  # passed: not proposed
    assert "à reprendre" in page  # the failed course comes back
    assert "Cours que vous pouvez ajouter" in page
    # Session 2's courses and the failed one are checked; session 3's may be added.
    content = response.content.decode()
    assert re.search(rf'value="{grid.failed.pk}" id="course-{grid.failed.pk}" checked', content)
    assert not re.search(rf'value="{grid.later.pk}" id="course-{grid.later.pk}" checked', content)
    assert "Indiquez 2 choix (la valeur 1 étant votre premier choix)." in page
    assert (
        "Vous ne serez pas inscrit tant que votre numéro de confirmation ne vous sera pas affiché"
        in page
    )
    assert "Remettre le choix de cours" in page


def test_submitting_shows_stores_and_emails_a_confirmation_number(bob, bob_client, grid, commit):
    student = bob_student(bob)
    student.email = "bob@etudiant.example"
    student.save(update_fields=["email"])
    with commit():
        response = bob_client.post(
            CHOICE, submission(grid, courses=[grid.failed, grid.second[0], grid.later])
        )
    assert response.status_code == 302 and response.url == DONE
    choice = CourseChoice.objects.get()
    number = choice.confirmation.number
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", number)
    assert Confirmation.objects.get(number=number).kind == "course_choice"
    chosen = {(c.course.code, c.rank) for c in ChosenCourse.objects.filter(choice=choice)}
    assert chosen == {
        ("201-1M3-TH", None),
        ("420-2A4-TH", None),  # 420-2B4-TH dropped
        ("420-3A4-TH", None),  # added from session 3
        ("360-C02-TH", 1),
        ("360-C01-TH", 2),
    }
    page = text(bob_client.get(DONE))
    assert f"Numéro de confirmation : {number}" in page
    printable = bob_client.get(PRINT)
    assert number in text(printable) and "Imprimer" in text(printable)
    assert len(mail.outbox) == 1
    assert number in mail.outbox[0].subject and number in mail.outbox[0].body
    assert mail.outbox[0].to == ["bob@etudiant.example"]


def test_resubmitting_replaces_the_choice_and_keeps_the_history(bob_client, grid):
    bob_client.post(CHOICE, submission(grid))
    first = CourseChoice.objects.get().confirmation.number
    bob_client.post(CHOICE, submission(grid, ranks={"360-C01-TH": 1, "360-C03-TH": 2}))
    current = CourseChoice.objects.get(replaced_at__isnull=True)
    assert current.confirmation.number != first
    assert CourseChoice.objects.filter(replaced_at__isnull=False).count() == 1
    page = text(bob_client.get(CHOICE))
    assert "Choix remplacés" in page and first in page
    assert current.confirmation.number in page
    # The form shows the current ranks.
    content = bob_client.get(CHOICE).content.decode()
    assert re.search(rf'name="{rank(grid, "360-C03-TH")}"[^>]*value="2"', content)


def test_wrong_password_saves_nothing(bob_client, grid):
    response = bob_client.post(CHOICE, submission(grid, password="pas-le-bon"))
    assert response.status_code == 200
    assert "Mot de passe incorrect." in text(response)
    assert not CourseChoice.objects.exists() and not Confirmation.objects.exists()


def test_the_password_guard_is_throttled_like_the_login(bob_client, client, grid):
    for _attempt in range(5):
        bob_client.post(CHOICE, submission(grid, password="pas-le-bon"))
    response = bob_client.post(CHOICE, submission(grid))  # the right one, but locked
    assert "Trop d'essais. Réessayez dans 15 minutes." in text(response)
    assert not CourseChoice.objects.exists()


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ({"360-C01-TH": 1, "360-C02-TH": 1}, "chaque rang ne peut être donné qu'une fois"),
        ({"360-C01-TH": 1}, "donnez les rangs 1 à 2, chacun une fois (rang manquant : 2)"),
        ({"360-C01-TH": 1, "360-C02-TH": 3}, "inférieure ou égale à 2"),
    ],
)
def test_bad_ranks_get_a_clear_message_and_save_nothing(bob_client, grid, ranks, message):
    response = bob_client.post(CHOICE, submission(grid, ranks=ranks))
    assert response.status_code == 200
    assert message in text(response)
    assert not CourseChoice.objects.exists()


def test_tampered_ids_answer_404_and_save_nothing(bob_client, grid):
    elsewhere = make_course("999-XXX-XX", "Cours d'un autre programme")
    make_section(grid.upcoming, elsewhere)
    for data in [
        submission(grid, courses=[grid.passed]),  # passed: not offered
        submission(grid, courses=[elsewhere]),  # another program's course
        {**submission(grid), "courses": ["abc"]},
        {**submission(grid), f"rank-{grid.electives.pk}-{grid.passed.pk}": "3"},
        {**submission(grid), "rank-999999-1": "1"},
    ]:
        assert bob_client.post(CHOICE, data).status_code == 404
    assert not CourseChoice.objects.exists()


def test_an_empty_choice_is_refused(bob_client, grid):
    response = bob_client.post(CHOICE, submission(grid, courses=[], ranks={}))
    assert "Choisissez au moins un cours." in text(response)
    assert not CourseChoice.objects.exists()


@pytest.mark.parametrize("when", ["before", "after"])
def test_outside_the_window_the_page_is_read_only(bob_client, grid, when):
    now = timezone.now()
    registration = grid.registration
    if when == "before":
        registration.choice_opens = now + datetime.timedelta(minutes=1)
        registration.choice_closes = now + datetime.timedelta(days=3)
    else:
        registration.choice_opens = now - datetime.timedelta(days=3)
        registration.choice_closes = now - datetime.timedelta(seconds=1)
    registration.save()
    response = bob_client.get(CHOICE)
    page = text(response)
    assert "la page est en lecture seule" in page
    assert "Remettre le choix de cours" not in page
    assert "Session HIV-2027 : choix de cours du" in page
    response = bob_client.post(CHOICE, submission(grid), follow=True)
    assert "Le choix de cours est fermé ; rien n'a été enregistré." in text(response)
    assert not CourseChoice.objects.exists()


def test_window_edges(grid):
    registration = grid.registration
    assert registration.choice_open(registration.choice_opens)
    assert not registration.choice_open(registration.choice_opens - datetime.timedelta(seconds=1))
    assert registration.choice_open(registration.choice_closes - datetime.timedelta(seconds=1))
    assert not registration.choice_open(registration.choice_closes)


def test_other_people_and_a_disabled_module_get_404(client, bob, grid, institution, charlie):
    assert client.get(CHOICE).status_code in (302, 404)  # anonymous: to the login
    student_login(client, "2026102")
    institution.enabled_modules = [m for m in institution.enabled_modules if m != "course_choice"]
    institution.save()
    assert client.get(CHOICE).status_code == 404
    assert client.get(DONE).status_code == 404


def test_confirmation_page_is_404_before_any_choice(bob_client, grid):
    assert bob_client.get(DONE).status_code == 404


@pytest.mark.parametrize("extra", [0, 30])
def test_query_budget_is_constant(bob_client, grid, query_budget, extra):
    for n in range(extra):
        course = make_course(f"420-4{n:02d}-TH", program=grid.program, program_term=2)
        make_section(grid.upcoming, course)
        other = make_course(f"360-D{n:02d}-TH")
        make_section(grid.upcoming, other)
        grid.electives.courses.add(other)
    bob_client.post(CHOICE, submission(grid))
    with query_budget(15):
        response = bob_client.get(CHOICE)
    assert response.status_code == 200
    with query_budget(15):
        assert bob_client.get(DONE).status_code == 200


def test_staff_look_a_number_up_in_the_admin(bob_client, grid, client):
    from accounts.models import User

    bob_client.post(CHOICE, submission(grid))
    number = Confirmation.objects.get().number
    staff = User.objects.create_superuser("registraire", "r@example.org", "Registraire-Test-2026")
    client.force_login(staff)
    typed = number.replace("-", "").lower()
    response = client.get(reverse("admin:portal_confirmation_changelist"), {"q": typed})
    assert number in text(response) and "2026102" in text(response)


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_leave_one_current_choice(load_preset):
    """A double click on two workers: both are kept (one as history), never two current ones
    (PostgreSQL's row locks; SQLite serialises every writer anyway)."""
    import threading
    from decimal import Decimal

    from django.db import connection

    from registration.models import TermRegistration
    from registration.services import course_choice_submit
    from students.models import Student
    from tests.factories import make_student
    from tests.students.factories_courses import make_term

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises every writer anyway")
    student = make_student(load_preset("cstj"))
    course = make_course("420-2A4-TH")
    term = make_term("HIV-2027")
    make_section(term, course)
    now = timezone.now()
    registration = TermRegistration.objects.create(
        term=term,
        choice_opens=now - datetime.timedelta(days=1),
        choice_closes=now + datetime.timedelta(days=1),
        confirmation_deadline=term.starts_on + datetime.timedelta(days=20),
        late_fee=Decimal(25),
    )
    barrier = threading.Barrier(2)
    errors = []

    def submit() -> None:
        try:
            mine = Student.objects.get(pk=student.pk)
            reg = TermRegistration.objects.select_related("term").get(pk=registration.pk)
            barrier.wait(timeout=10)
            course_choice_submit(
                request=None,
                student=mine,
                registration=reg,
                course_ids=[course.pk],
                ranks={},
                actor=None,
            )
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert CourseChoice.objects.count() == 2
    assert CourseChoice.objects.filter(replaced_at__isnull=True).count() == 1
    assert ChosenCourse.objects.count() == 2
