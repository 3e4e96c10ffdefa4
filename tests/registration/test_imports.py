"""`import_csv choice_windows | elective_lists`, and the `capacity` column of `sections`: the
documented examples import, defaults come from the institution (seed 001's dates and fee),
and a bad row refuses the whole file."""

import datetime
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from registration.models import ElectiveList, TermRegistration
from students.models import Section
from tests.students.factories_courses import make_course, make_section, make_term
from tests.students.test_import_registrar import (
    DOC,
    _doc_section,
    _examples,
    refused,
    run,
    write_csv,
)

WINDOW_HEADERS = ["term", "choice_opens", "choice_closes", "confirmation_deadline", "late_fee"]
LIST_HEADERS = ["term", "list", "name", "size", "course_code"]


def example(tmp_path: Path, title: str) -> Path:
    path = tmp_path / f"{title[:5]}.csv"
    path.write_text(_examples(_doc_section(title))[0], encoding="utf-8")
    return path


def test_documented_examples_import(institution, tmp_path):
    assert DOC.exists()
    term = make_term("AUT-2026", datetime.date(2026, 8, 20), datetime.date(2026, 12, 20))
    for code in ("201-NYA-05", "601-101-MQ"):
        make_section(term, make_course(code))
    output = run(
        example(tmp_path, "Calendriers d'inscription (`choice_windows`)"), "choice_windows"
    )
    assert "1 création(s)" in output
    registration = TermRegistration.objects.get()
    # Empty deadline and fee: the institution's (cstj preset: 20 September, 25 $).
    assert registration.confirmation_deadline == datetime.date(2026, 9, 20)
    assert registration.late_fee == Decimal("25.00")
    assert timezone.localtime(registration.choice_opens).strftime("%Y-%m-%d %H:%M") == (
        "2026-03-02 08:00"
    )
    assert timezone.localtime(registration.choice_closes).date() == datetime.date(2026, 3, 14)
    output = run(example(tmp_path, "Listes de cours au choix (`elective_lists`)"), "elective_lists")
    assert "2 création(s)" in output
    elective = ElectiveList.objects.get()
    assert (elective.name, elective.size) == ("Cours complémentaires", 2)
    assert sorted(elective.courses.values_list("code", flat=True)) == ["201-NYA-05", "601-101-MQ"]


def test_a_known_window_is_updated_and_a_bad_row_refuses_the_file(institution, tmp_path):
    make_term("HIV-2027", datetime.date(2027, 1, 15), datetime.date(2027, 5, 15))
    path = write_csv(
        tmp_path / "w.csv", WINDOW_HEADERS, [["HIV-2027", "2026-11-02", "2026-11-13", "", "30"]]
    )
    run(path, "choice_windows")
    registration = TermRegistration.objects.get()
    assert registration.confirmation_deadline == datetime.date(2027, 2, 15)  # 15 February
    assert registration.late_fee == Decimal("30.00")
    path = write_csv(
        tmp_path / "w2.csv",
        WINDOW_HEADERS,
        [["HIV-2027", "2026-11-02", "2026-11-20", "2027-02-01", ""]],
    )
    assert "1 mise(s) à jour" in run(path, "choice_windows")
    registration.refresh_from_db()
    assert registration.confirmation_deadline == datetime.date(2027, 2, 1)
    assert registration.late_fee == Decimal("30.00")  # an empty fee leaves it
    bad = write_csv(
        tmp_path / "bad.csv",
        WINDOW_HEADERS,
        [
            ["HIV-2027", "2026-11-20", "2026-11-02", "", ""],
            ["HIV-2030", "2026-11-02", "2026-11-13", "", ""],
        ],
    )
    message = refused(bad, "choice_windows")
    assert "Ligne 2 : « choice_closes » doit suivre « choice_opens »." in message
    assert "Ligne 3 : la session « HIV-2030 » n'existe pas." in message
    registration.refresh_from_db()
    assert registration.confirmation_deadline == datetime.date(2027, 2, 1)


def test_elective_lists_replace_their_courses_and_must_agree(institution, tmp_path):
    make_term("HIV-2027", datetime.date(2027, 1, 15), datetime.date(2027, 5, 15))
    for code in ("360-C01", "360-C02", "360-C03"):
        make_course(code)
    rows = [
        ["HIV-2027", "comp", "Cours complémentaires", "2", code] for code in ("360-C01", "360-C02")
    ]
    run(write_csv(tmp_path / "a.csv", LIST_HEADERS, rows), "elective_lists")
    rows = [
        ["HIV-2027", "comp", "Cours complémentaires", "2", code] for code in ("360-C02", "360-C03")
    ]
    output = run(write_csv(tmp_path / "b.csv", LIST_HEADERS, rows), "elective_lists")
    assert "1 mise(s) à jour" in output
    assert sorted(ElectiveList.objects.get().courses.values_list("code", flat=True)) == [
        "360-C02",
        "360-C03",
    ]
    rows = [
        ["HIV-2027", "comp", "Cours complémentaires", "2", "360-C01"],
        ["HIV-2027", "comp", "Cours complémentaires", "4", "360-C02"],
        ["HIV-2027", "comp", "Cours complémentaires", "2", "360-C01"],
    ]
    message = refused(write_csv(tmp_path / "c.csv", LIST_HEADERS, rows), "elective_lists")
    assert "Ligne 3 : la liste comp a « size » = « 2 » à la ligne 2, mais « 4 » ici." in message
    assert "Ligne 4 : le cours 360-C01 figure déjà dans la liste comp." in message


def test_sections_capacity_column(institution, tmp_path):
    make_course("201-NYA-05")
    headers = ["term", "course_code", "group", "capacity", "day", "start", "end"]
    rows = [
        ["AUT-2026", "201-NYA-05", "01", "35", "1", "08:00", "10:00"],
        ["AUT-2026", "201-NYA-05", "01", "35", "3", "08:00", "10:00"],
        ["AUT-2026", "201-NYA-05", "02", "", "2", "08:00", "10:00"],
    ]
    run(write_csv(tmp_path / "s.csv", headers, rows), "sections")
    assert dict(Section.objects.values_list("group", "capacity")) == {"01": 35, "02": None}
    rows[0][3] = rows[1][3] = "40"
    output = run(write_csv(tmp_path / "s2.csv", headers, rows), "sections")
    assert "places « 35 » → « 40 »" in output or "1 mise(s) à jour" in output
    assert Section.objects.get(group="01").capacity == 40
    rows[1][3] = "30"
    message = refused(write_csv(tmp_path / "s3.csv", headers, rows), "sections")
    assert "a « capacity » = « 40 » à la ligne 2, mais « 30 » ici" in message


def test_a_new_window_takes_the_institutions_schedule_change_fee(load_preset, tmp_path):
    load_preset("thetford")  # seed 001: 15 $ per confirmed schedule change
    make_term("HIV-2027", datetime.date(2027, 1, 15), datetime.date(2027, 5, 15))
    path = write_csv(
        tmp_path / "w.csv", WINDOW_HEADERS, [["HIV-2027", "2026-11-02", "2026-11-13", "", ""]]
    )
    run(path, "choice_windows")
    registration = TermRegistration.objects.get()
    assert registration.change_fee == Decimal("15.00")
    assert registration.change_opens is None  # the window itself is set in the admin
