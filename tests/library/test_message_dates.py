"""The library's messages write their dates as the reader's language does ("renouvelé jusqu'au
11 décembre 2026", "renewed until December 11, 2026"), never "2026-12-11"."""

import html

import pytest
from django.urls import reverse
from freezegun import freeze_time

from tests.library.factories import make_loan, make_record

DESK = reverse("admin:library_desk")


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\N{NO-BREAK SPACE}", " ")


@pytest.fixture
def record(db):
    return make_record("Électricité", control="el", copies=1)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "« Électricité » est renouvelé jusqu'au 11 décembre 2026."),
        ("en", "“Électricité” is renewed until December 11, 2026."),
    ],
)
def test_a_renewal_says_the_new_due_date_in_words(
    bob_client, bob_student, library_on, record, settings, lang, said
):
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    with freeze_time("2026-11-20 15:00:00"):
        loan = make_loan(record.copies.get(), bob_student, due_in=2)
        response = bob_client.post(reverse("library:renew", args=[loan.pk]), follow=True)
    assert said in text(response)
    assert "2026-12-11" not in text(response)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "le 25 novembre 2026."),
        ("en", "by November 25, 2026."),
    ],
)
def test_a_copy_kept_for_pickup_says_until_when_in_words(
    bob_client, bob_student, library_on, record, commit, settings, lang, said
):
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    with freeze_time("2026-11-20 15:00:00"), commit():
        response = bob_client.post(reverse("library:hold_place", args=[record.pk]), follow=True)
    assert said in text(response)
    assert "2026-11-25" not in text(response)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "« Électricité » prêté à Bob Gagnon jusqu'au 11 décembre 2026."),
        ("en", "“Électricité” lent to Bob Gagnon until December 11, 2026."),
    ],
)
def test_the_desk_says_the_due_date_in_words(
    admin_client, bob_student, record, settings, lang, said
):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    with freeze_time("2026-11-20 15:00:00"):
        response = admin_client.post(
            DESK, {"barcode": "el-1", "matricule": bob_student.matricule}, follow=True
        )
    assert said in text(response)
