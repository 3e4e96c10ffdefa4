"""The smaller findings of the outside test (issue 16): a refused CAPTCHA is audited, the
language cookie is like the others, MIO bodies have a length limit, and CSV exports never carry
a formula a spreadsheet would run."""

import csv
import io

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from messaging.forms import BODY_MAX_LENGTH
from messaging.models import Message
from portal.csv_export import csv_safe_cell
from portal.models import AuditEvent
from tests.accounts.test_first_use import page
from tests.accounts.test_recovery import (
    MEMBER_RECOVERY,
    identity_data,
    member,  # noqa: F401  (fixture)
)
from tests.factories import make_invoice, make_student
from tests.messaging.test_mio import message_from, send, teacher  # noqa: F401
from tests.students.factories_courses import enrol, make_course, make_section, make_term

# --- CAPTCHA --------------------------------------------------------------------------------


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.CAPTCHA_REFUSED))


def test_a_refused_captcha_on_recovery_is_audited(client, bob):
    response = client.post(
        reverse("accounts:recovery"),
        {"identifier": bob.identifier, "captcha_0": "x", "captcha_1": "NON"},
        REMOTE_ADDR="198.51.100.23",
    )
    assert response.status_code == 200
    [event] = refusals()
    assert event.identifier == bob.identifier
    assert event.details == {"page": "recovery"}
    assert event.ip_address == "198.51.100.23"
    # A right CAPTCHA writes no refusal.
    client.post(
        reverse("accounts:recovery"),
        {"identifier": bob.identifier, "captcha_0": "x", "captcha_1": "PASSED"},
    )
    assert len(refusals()) == 1


def test_a_refused_captcha_on_first_use_and_member_recovery_is_audited(
    client,
    member,  # noqa: F811
):
    response = client.post(MEMBER_RECOVERY, identity_data(member, captcha_1="FAUX"))
    assert response.status_code == 200
    [event] = refusals()
    assert event.details == {"page": "member_recovery"}
    response = client.post(
        reverse("accounts:first_use"),
        {"identifier": "00875", "captcha_0": "x", "captcha_1": "FAUX"},
    )
    assert response.status_code == 200
    assert [e.details["page"] for e in refusals()] == ["first_use", "member_recovery"]


# --- Language cookie ------------------------------------------------------------------------


def test_the_language_cookie_is_lax_and_httponly(client, institution):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies[django_settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert not cookie["secure"]  # plain HTTP here (PORTAL_HTTPS off)


def test_the_language_cookie_is_secure_over_https(settings, institution):
    settings.LANGUAGE_COOKIE_SECURE = True  # what PORTAL_HTTPS=1 sets
    response = Client().post(reverse("set_language"), {"language": "en", "next": "/"}, secure=True)
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME]["secure"] is True


def test_portal_https_makes_the_language_cookie_secure(tmp_path):
    from tests.portal.test_production_key import run

    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_HTTPONLY)"
    )
    environment = {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_HTTPS": "1",
        "DJANGO_SECRET_KEY": "x" * 64,
    }
    result = run(environment, tmp_path, "-c", script)
    assert result.stdout.split() == ["True", "Lax", "True"], result.stderr


# --- MIO body length ------------------------------------------------------------------------


@pytest.fixture
def mio_client(bob, teacher):  # noqa: F811
    section = make_section(make_term(current=True), make_course(), teacher=teacher.employee)
    enrol(bob.student, section)
    client = Client()
    client.force_login(bob)
    return client


def test_a_mio_longer_than_the_limit_is_refused_and_nothing_is_saved(
    mio_client,
    teacher,  # noqa: F811
):
    response = send(mio_client, teacher, body="a" * (BODY_MAX_LENGTH + 1))
    assert response.status_code == 200
    assert "Le message est trop long : 20000 caractères au plus (il en compte 20001)." in page(
        response
    )
    assert not Message.objects.exists()
    # Exactly at the limit is fine.
    assert send(mio_client, teacher, body="a" * BODY_MAX_LENGTH).status_code == 302
    assert Message.objects.count() == 1


def test_a_reply_longer_than_the_limit_is_refused(mio_client, bob, teacher):  # noqa: F811
    original = message_from(teacher, [bob])
    response = mio_client.post(
        reverse("messaging:reply", args=[original.pk]), {"body": "b" * (BODY_MAX_LENGTH + 1)}
    )
    assert Message.objects.count() == 1
    assert response.status_code == 400  # the message page again, with the form's error
    assert "Le message est trop long : 20000 caractères au plus" in page(response)


# --- CSV exports ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Tremblay", "Tremblay"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(value, written):
    assert csv_safe_cell(value) == written


def test_the_invoice_export_never_carries_a_formula(admin_client, institution):
    record = make_student(institution, last_name="=cmd|' /C calc'!A0", first_name="@Eve")
    invoice = make_invoice(record, description="+Frais", number="FAC00000990")
    response = admin_client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "export_csv", "_selected_action": [invoice.pk]},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = rows[1]
    assert row[1] == "'=cmd|' /C calc'!A0"
    assert row[2] == "'@Eve"
    assert row[5] == "'+Frais"
    assert row[4] == "FAC00000990"
    for cell in (cell for row in rows for cell in row):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
