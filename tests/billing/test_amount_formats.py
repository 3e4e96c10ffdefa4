"""Amounts and dates per language: "350,00 $" (non-breaking space) and "21 déc. 2026" in
French, "$350.00" and "Dec. 21, 2026" in English."""

# ruff: noqa: F811

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import dateformat, formats, translation

from portal.templatetags.portal_format import money
from tests.billing.test_statement import (  # noqa: F401 (fixtures)
    STATEMENT,
    bob_client,
    tuition,
    visible,
)


def test_money_follows_the_language() -> None:
    with translation.override("fr"):
        assert money(Decimal("325")) == "325,00\N{NO-BREAK SPACE}$"
    with translation.override("en"):
        assert money(Decimal("325")) == "$325.00"
    assert money(None) == ""


def test_money_groups_the_thousands() -> None:
    """ "1 234,50 $" with the no-break space U+00A0 of docs/ui.md, "$1,234.50" in English."""
    with translation.override("fr"):
        assert money(Decimal("1234.5")) == "1\N{NO-BREAK SPACE}234,50\N{NO-BREAK SPACE}$"
        assert money(Decimal("1234567.891")) == "1\u00a0234\u00a0567,89\u00a0$"
        assert money(Decimal("999.99")) == "999,99\u00a0$"
    with translation.override("en"):
        assert money(Decimal("1234.5")) == "$1,234.50"
        assert money(1234567) == "$1,234,567.00"


def test_the_statement_in_english_writes_dollars_first(bob_client, tuition) -> None:
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = visible(bob_client.get(STATEMENT))
    assert "$350.00" in text
    assert "350,00 $" not in text
    with translation.override("en"):
        assert dateformat.format(tuition.due_date, "N j, Y") in text
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    text = visible(bob_client.get(STATEMENT))
    assert "350,00 $" in text
    month = dateformat.format(tuition.due_date, "n")
    with translation.override("fr"):
        shown = dateformat.format(tuition.due_date, "j N Y")
    assert shown in text and shown.split()[1].islower(), (month, shown)


def test_english_date_and_time_formats() -> None:
    moment = datetime.datetime(2026, 12, 1, 10, 15)
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == (
            "Tuesday, December 1, 2026, 10:15 a.m."
        )
    with translation.override("fr"):
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "1 déc. 2026"
