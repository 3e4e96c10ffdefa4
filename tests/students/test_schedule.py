"""Horaire en ligne: Bob's weekly grid, its print layout and ICS export, the first retrieval
per term recorded for the registrar, and the staff list of those who have not retrieved theirs.
Charlie takes other courses, and never shows up on Bob's schedule."""

# The query_budget fixture is imported, and tests take it as an argument.
# ruff: noqa: F811

import datetime
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from django.test import Client
from django.urls import reverse

from accounts.models import User
from students.models import Course, ScheduleRetrieval, Student, Term
from students.selectors import schedule_current_term
from tests.accounts.test_first_use import page
from tests.accounts.test_login import employee_login, student_login
from tests.accounts.test_query_budget import query_budget  # noqa: F401 (fixture)
from tests.conftest import PASSWORD
from tests.factories import activate, make_employee, make_student
from tests.students.factories_courses import enrol, make_course, make_section, make_term

TORONTO = ZoneInfo("America/Toronto")
SCHEDULE = reverse("students:schedule")
BUDGET = 15


def schedule_url(term: str = "AUT-2026") -> str:
    return reverse("students:schedule_term", args=[term])


def print_url(term: str = "AUT-2026") -> str:
    return reverse("students:schedule_print", args=[term])


def ics_url(term: str = "AUT-2026") -> str:
    return reverse("students:schedule_ics", args=[term])


def grid_of(text: str) -> str:
    """The weekly grid's table in the page."""
    return re.search(r'<table class="[^"]*schedule-grid">.*?</table>', text, re.S)[0]


def day_columns(text: str) -> list[str]:
    return re.findall(r'<th scope="col">(\w+)</th>', grid_of(text))


def record(user: User) -> Student:
    return Student.objects.get(user=user)


@pytest.fixture
def autumn(db) -> Term:
    # Starts on a Wednesday, so a Monday class first meets the Monday after.
    return make_term("AUT-2026", datetime.date(2026, 8, 26), datetime.date(2026, 12, 18))


@pytest.fixture
def winter(db) -> Term:
    return make_term("HIV-2027", datetime.date(2027, 1, 20), datetime.date(2027, 5, 21))


@pytest.fixture
def bob_courses(institution, bob, charlie, autumn, winter):
    """Bob's autumn: calculus (Monday and Wednesday) and programming (Tuesday). Charlie takes
    philosophy in autumn and winter, with a Saturday class."""
    teacher = make_employee(institution, first_name="Isabelle", last_name="Bergeron")
    calculus = make_section(
        autumn,
        make_course("201-NYA-05", "Calcul différentiel"),
        group="00001",
        teacher=teacher,
        meetings=[(1, "08:00", "10:00", "B-101"), (3, "13:00", "15:00", "B-102")],
    )
    programming = make_section(
        autumn,
        make_course("420-1A5-TH", "Programmation I"),
        group="00002",
        meetings=[(2, "10:00", "12:30", "C-204")],
    )
    philosophy = make_section(
        autumn,
        make_course("340-101-MQ", "Philosophie et rationalité"),
        group="00007",
        meetings=[(6, "09:00", "12:00", "D-999")],
    )
    ethics = make_section(
        winter,
        make_course("340-102-MQ", "L'être humain"),
        meetings=[(4, "08:00", "11:00", "D-888")],
    )
    for section in (calculus, programming):
        enrol(record(bob), section)
    for section in (philosophy, ethics):
        enrol(record(charlie), section)
    return calculus, programming


@pytest.fixture
def bob_client(client: Client, bob: User) -> Client:
    student_login(client, "2026102")
    return client


# --- The grid -------------------------------------------------------------------------------


def test_the_grid_shows_each_meeting_with_its_course_group_room_and_teacher(
    bob_client, bob_courses
):
    response = bob_client.get(schedule_url())
    assert response.status_code == 200
    text = page(response)
    for expected in (
        "201-NYA-05",
        "Calcul différentiel",
        "00001",
        "B-101",
        "B-102",
        "Isabelle Bergeron",
        "420-1A5-TH",
        "Programmation I",
        "00002",
        "C-204",
    ):
        assert expected in text
    grid = grid_of(text)
    assert ">Horaire de la session AUT-2026, semaine type</caption>" in grid
    # No class on the weekend: no weekend columns.
    assert day_columns(text) == ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi"]
    # Half-hour rows from the earliest start (8:00) to the latest end (15:00).
    hours = re.findall(r'<th scope="row" class="schedule-hour">([^<]+)</th>', grid)
    assert hours[0] == "8 h 00" and hours[-1] == "14 h 30" and len(hours) == 14
    assert '<td rowspan="4" class="schedule-meeting">' in grid  # Monday 8:00-10:00
    assert '<td rowspan="5" class="schedule-meeting">' in grid  # Tuesday 10:00-12:30
    assert grid.count("201-NYA-05") == 2 and grid.count("420-1A5-TH") == 1
    # The day-by-day list for phones carries the same meetings.
    days_list = text.split("Jour par jour", 1)[1].split("Mes cours", 1)[0]
    assert "Lundi" in days_list and "B-101" in days_list and "C-204" in days_list
    assert reverse("students:schedule_print", args=["AUT-2026"]) in text
    assert reverse("students:schedule_ics", args=["AUT-2026"]) in text


def test_weekend_columns_only_when_a_class_meets_then(client, charlie, bob_courses):
    student_login(client, "2026103")
    grid = page(client.get(schedule_url()))
    assert day_columns(grid) == [
        "Lundi",
        "Mardi",
        "Mercredi",
        "Jeudi",
        "Vendredi",
        "Samedi",
    ]
    assert "Dimanche" not in grid


def test_overlapping_classes_share_one_cell_so_the_conflict_shows(
    bob_client, bob, autumn, bob_courses
):
    lab = make_section(
        autumn, make_course("202-NYA-05", "Chimie générale"), meetings=[(1, "09:00", "11:00", "L")]
    )
    enrol(record(bob), lab)
    grid = page(bob_client.get(schedule_url()))
    # Monday 8:00-10:00 and 9:00-11:00: one cell from 8:00 to 11:00, holding both.
    cell = re.search(r'<td rowspan="6" class="schedule-meeting schedule-conflict">(.*?)</td>', grid)
    assert "201-NYA-05" in cell[1] and "202-NYA-05" in cell[1]


def test_the_term_switcher_lists_only_the_students_terms(bob_client, bob, winter, bob_courses):
    text = page(bob_client.get(schedule_url()))
    assert f'href="{schedule_url()}"' in text
    assert "HIV-2027" not in text  # Charlie's term, not Bob's
    enrol(record(bob), make_section(winter, make_course("109-101-MQ", "Activité physique")))
    text = page(bob_client.get(schedule_url("HIV-2027")))
    assert 'aria-current="page">HIV-2027</a>' in text and ">AUT-2026</a>" in text
    assert "109-101-MQ" in text and "201-NYA-05" not in text


def test_the_current_term_by_default(bob_client, bob):
    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    past = make_term("HIV-2020", today - 400 * day, today - 300 * day)
    current = make_term("ETE-2020", today - 10 * day, today + 10 * day)
    future = make_term("AUT-2099", today + 300 * day, today + 400 * day)
    for term in (past, current, future):
        enrol(record(bob), make_section(term, make_course(title=f"Cours {term.code}")))
    text = page(bob_client.get(SCHEDULE))
    assert "Cours ETE-2020" in text and "Cours HIV-2020" not in text


def test_which_term_is_current():
    def term(code, start, end):
        return Term(code=code, starts_on=datetime.date(*start), ends_on=datetime.date(*end))

    autumn = term("AUT-2026", (2026, 8, 26), (2026, 12, 18))
    winter = term("HIV-2027", (2027, 1, 20), (2027, 5, 21))
    terms = [autumn, winter]
    assert schedule_current_term(terms, today=datetime.date(2026, 10, 1)) == autumn
    assert schedule_current_term(terms, today=datetime.date(2026, 12, 18)) == autumn
    # Between terms and before the first: the next one to start.
    assert schedule_current_term(terms, today=datetime.date(2027, 1, 2)) == winter
    assert schedule_current_term(terms, today=datetime.date(2026, 1, 2)) == autumn
    # After the last: the latest.
    assert schedule_current_term(terms, today=datetime.date(2027, 9, 1)) == winter
    assert schedule_current_term([], today=datetime.date(2027, 9, 1)) is None


def test_a_student_without_courses_has_an_empty_schedule_and_nothing_recorded(bob_client, autumn):
    text = page(bob_client.get(SCHEDULE))
    assert "Vous n'êtes inscrit à aucun cours" in text
    assert not ScheduleRetrieval.objects.exists()


# --- Access ---------------------------------------------------------------------------------


def test_another_students_term_and_sections_never_appear(bob_client, bob_courses):
    for url in (SCHEDULE, schedule_url(), print_url()):
        text = page(bob_client.get(url))
        assert "340-101-MQ" not in text and "D-999" not in text and "Samedi" not in text
    assert b"340-101-MQ" not in bob_client.get(ics_url()).content
    # Charlie's winter term, a term Bob is not enrolled in: missing, in every form.
    for url in (schedule_url("HIV-2027"), print_url("HIV-2027"), ics_url("HIV-2027")):
        assert bob_client.get(url).status_code == 404


def test_an_unknown_term_is_not_found(bob_client, bob_courses):
    for url in (schedule_url("AUT-1999"), print_url("aut-2026"), ics_url("n'importe")):
        assert bob_client.get(url).status_code == 404


def test_a_disabled_module_is_not_found_and_greyed_on_the_home_page(
    bob_client, institution, bob_courses
):
    institution.enabled_modules = [m for m in institution.enabled_modules if m != "schedule"]
    institution.save()
    for url in (SCHEDULE, schedule_url(), print_url(), ics_url()):
        assert bob_client.get(url).status_code == 404
    home = page(bob_client.get(reverse("portal:home")))
    item = re.search(
        r'<li class="list-group-item module-disabled"[^>]*>Horaire en ligne<.*?</li>', home
    )
    assert item and "présentement désactivé" in item[0]
    assert SCHEDULE not in home
    assert not ScheduleRetrieval.objects.exists()


def test_staff_and_employees_have_no_schedule(client, admin_client, institution, bob_courses):
    for url in (SCHEDULE, schedule_url(), ics_url()):
        assert admin_client.get(url).status_code == 404
    activate(make_employee(institution, employee_number="50042"), password=PASSWORD)
    employee_login(client, "50042")
    for url in (SCHEDULE, schedule_url(), ics_url()):
        assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, bob_courses):
    response = client.get(ics_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Print layout ---------------------------------------------------------------------------


def test_the_print_page_has_the_grid_and_no_navigation(bob_client, bob_courses):
    response = bob_client.get(print_url())
    assert response.status_code == 200
    text = page(response)
    assert "<nav" not in text and "portal-header" not in text and "Quitter" not in text
    assert "Horaire de la session AUT-2026" in text and "Gagnon" in text and "2026102" in text
    assert "201-NYA-05" in text and "C-204" in text and "schedule-grid" in text
    assert "<script" not in text and "style=" not in text


def test_the_page_and_its_print_layout_show_one_grid_and_course_list(bob_client, bob_courses):
    """One copy of each partial (jinja2/students/_schedule_*.html): the Jinja2 page's body
    includes them, the print layout (a Django template) with {% jinja_include %}; values
    escaped once."""
    calculus, _programming = bob_courses
    Course.objects.filter(pk=calculus.course_id).update(title="Calcul <différentiel> & d'été")
    shown = bob_client.get(schedule_url()).content.decode()
    printed = bob_client.get(print_url()).content.decode()
    assert grid_of(shown) == grid_of(printed)
    courses = r'<table class="[^"]*schedule-courses[^"]*">.*?</table>'
    assert re.search(courses, shown, re.S)[0] == re.search(courses, printed, re.S)[0]
    assert "Calcul &lt;différentiel&gt; &amp; d&#39;été" in shown and "&amp;lt;" not in shown
    # Programming has no teacher: a dash.
    row = re.search(r"<th[^>]*>420-1A5-TH</th>.*?</tr>", shown, re.S)[0]
    assert '<td data-label="Enseignant">—</td>' in row
    assert "Mardi 10 h 00 – 12 h 30 (C-204)" in row


# --- ICS export -----------------------------------------------------------------------------


def test_the_ics_export_parses_back_to_weekly_events_in_toronto_time(bob_client, bob_courses):
    calculus, _programming = bob_courses
    response = bob_client.get(ics_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="horaire-AUT-2026.ics"'
    raw = response.content.decode()
    assert "BEGIN:VTIMEZONE" in raw and "TZID:America/Toronto" in raw
    assert "DTSTART;TZID=America/Toronto:20260831T080000" in raw

    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["PRODID"]) == "-//Portail//Horaire//FR"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 3
    monday = events[f"meeting-{calendar_meeting(calculus, day=1).pk}@127.0.0.1"]
    assert str(monday["SUMMARY"]) == "201-NYA-05 Calcul différentiel"
    assert str(monday["LOCATION"]) == "B-101"
    assert "00001" in str(monday["DESCRIPTION"]) and "Isabelle Bergeron" in str(
        monday["DESCRIPTION"]
    )
    start = monday.decoded("DTSTART")
    # The term starts on Wednesday 26 August: the Monday class first meets on the 31st.
    assert start.astimezone(TORONTO).replace(tzinfo=None) == datetime.datetime(2026, 8, 31, 8)
    assert start.utcoffset() == datetime.timedelta(hours=-4)  # EDT
    assert monday.decoded("DTEND").astimezone(TORONTO).time() == datetime.time(10)
    rule = monday["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["UNTIL"][0].astimezone(TORONTO).date() == datetime.date(2026, 12, 18)

    # Every Monday to the end of term, still at 8:00 in Toronto after the clocks change.
    occurrences = list(rrulestr(rule.to_ical().decode(), dtstart=start))
    assert len(occurrences) == 16
    assert occurrences[-1].astimezone(TORONTO) == datetime.datetime(2026, 12, 14, 8, tzinfo=TORONTO)
    assert {o.astimezone(TORONTO).time() for o in occurrences} == {datetime.time(8)}
    assert {o.astimezone(TORONTO).weekday() for o in occurrences} == {0}

    wednesday = events[f"meeting-{calendar_meeting(calculus, day=3).pk}@127.0.0.1"]
    assert wednesday.decoded("DTSTART").astimezone(TORONTO).replace(
        tzinfo=None
    ) == datetime.datetime(2026, 8, 26, 13)


def calendar_meeting(section, *, day: int):
    return section.meetings.get(day=day)


def test_the_ics_uids_are_stable_between_downloads(bob_client, bob_courses):
    def uids() -> list[str]:
        calendar = icalendar.Calendar.from_ical(bob_client.get(ics_url()).content)
        return sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))

    assert uids() == uids()


# --- Retrieval ------------------------------------------------------------------------------


def test_the_first_retrieval_is_recorded_once_and_shown(bob_client, bob, bob_courses, autumn):
    text = page(bob_client.get(schedule_url()))
    retrieval = ScheduleRetrieval.objects.get(student=record(bob), term=autumn)
    assert "La récupération de votre horaire est obligatoire" in text
    assert "Horaire récupéré pour la première fois le" in text
    for url in (schedule_url(), print_url(), ics_url()):
        assert bob_client.get(url).status_code == 200
    assert ScheduleRetrieval.objects.filter(student=record(bob)).count() == 1
    assert ScheduleRetrieval.objects.get().retrieved_at == retrieval.retrieved_at


def test_a_first_retrieval_recorded_by_another_visit_meanwhile_is_kept(
    bob, bob_courses, autumn, monkeypatch
):
    """Two first visits at once: the second finds no row, the first inserts it, the second's
    insert then breaks the unique constraint and it reads the first's row."""
    from students import services

    earlier = ScheduleRetrieval.objects.create(student=record(bob), term=autumn)
    monkeypatch.setattr(services, "prepared", lambda *args, **kwargs: [])  # read before it
    kept = services.schedule_retrieval_record(student=record(bob), term=autumn)
    assert kept.pk == earlier.pk and kept.retrieved_at == earlier.retrieved_at
    assert ScheduleRetrieval.objects.filter(student=record(bob)).count() == 1


@pytest.mark.parametrize("first", ["print", "ics"])
def test_printing_or_downloading_counts_as_retrieval(client, charlie, bob_courses, first):
    student_login(client, "2026103")
    client.get(print_url() if first == "print" else ics_url())
    assert ScheduleRetrieval.objects.filter(student=record(charlie)).count() == 1


# --- Staff: who has not retrieved their schedule ------------------------------------------


def test_staff_list_the_students_who_have_not_retrieved_their_schedule(
    admin_client, institution, bob_client, alice, bob, charlie, bob_courses
):
    bob_client.get(schedule_url())  # Bob retrieves his; Charlie has not; Alice takes no course
    changelist = reverse("admin:students_student_changelist")
    sidebar = page(admin_client.get(changelist))
    assert "horaire récupéré" in sidebar
    assert "AUT-2026 : non récupéré" in sidebar and "HIV-2027 : récupéré" in sidebar

    missing = page(admin_client.get(changelist, {"horaire": "AUT-2026:non-recupere"}))
    assert "2026103" in missing and "2026102" not in missing and "2026101" not in missing
    done = page(admin_client.get(changelist, {"horaire": "AUT-2026:recupere"}))
    assert "2026102" in done and "2026103" not in done and "2026101" not in done


def test_a_student_with_several_courses_is_listed_once(admin_client, bob, bob_courses):
    # Bob has two autumn sections: listed once, not once per section.
    missing = page(
        admin_client.get(
            reverse("admin:students_student_changelist"), {"horaire": "AUT-2026:non-recupere"}
        )
    )
    assert missing.count(">2026102</a>") == 1


# --- Languages ------------------------------------------------------------------------------


def test_day_names_in_french_and_english(bob_client, bob_courses):
    assert '<th scope="col">Lundi</th>' in page(bob_client.get(schedule_url()))
    bob_client.post(reverse("set_language"), {"language": "en", "next": schedule_url()})
    text = page(bob_client.get(schedule_url()))
    assert '<th scope="col">Monday</th>' in text and '<th scope="col">Friday</th>' in text
    assert "Lundi" not in text
    bob_client.post(reverse("set_language"), {"language": "fr", "next": schedule_url()})
    assert '<th scope="col">Mercredi</th>' in page(bob_client.get(schedule_url()))


# --- Query budget ---------------------------------------------------------------------------


def student_with_courses(institution, term: Term, count: int) -> str:
    student = make_student(institution)
    activate(student, password=PASSWORD)
    for n in range(count):
        teacher = make_employee(institution, last_name=f"Enseignant{n}")
        section = make_section(
            term,
            make_course(f"COURS-{count}-{n}", f"Cours {n}"),
            teacher=teacher,
            meetings=[
                (1 + n % 5, "08:00", "10:00", f"A-{n}"),
                (1 + (n + 2) % 5, "13:00", "15:00", "B"),
            ],
        )
        enrol(student, section)
    return student.matricule


def test_the_schedule_page_keeps_to_its_query_budget_whatever_the_number_of_courses(
    client, institution, autumn, query_budget
):
    counts = {}
    for count in (2, 8):
        matricule = student_with_courses(institution, autumn, count)
        student_login(client, matricule)
        for visit in ("first", "again"):
            with query_budget(BUDGET) as context:
                response = client.get(schedule_url())
            assert response.status_code == 200
            assert page(response).count("COURS-") >= 2 * count
            counts[count, visit] = len(context.captured_queries)
        client.logout()
    assert counts[2, "first"] == counts[8, "first"]
    assert counts[2, "again"] == counts[8, "again"]
