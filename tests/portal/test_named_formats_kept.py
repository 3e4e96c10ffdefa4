"""`when`'s format strings are found once per process per (name, language)
(portal.templatetags.portal_format.named_format): each language keeps its own, and a change of
the settings they come from shows at once."""

import datetime

from django.test import override_settings
from django.utils import translation

from portal.templatetags import portal_format
from portal.templatetags.portal_format import format_when, named_format

FIRST = datetime.date(2026, 12, 1)


def test_each_language_keeps_its_own_format():
    portal_format._named.clear()
    portal_format._formatted.cache_clear()
    with translation.override("fr"):
        assert format_when(FIRST) == "1er décembre 2026"
    with translation.override("en"):
        assert format_when(FIRST) == "December 1, 2026"
    with translation.override("fr"):
        assert format_when(FIRST) == "1er décembre 2026"
    assert {("DATE_FORMAT", "fr"), ("DATE_FORMAT", "en")} <= set(portal_format._named)


def test_a_settings_change_empties_the_kept_formats():
    with translation.override("fr"):
        named_format("DATE_FORMAT")
    assert portal_format._named
    with override_settings(FORMAT_MODULE_PATH=None):
        assert not portal_format._named


def test_kept_dates_and_amounts_stay_per_language_type_and_time_zone():
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from portal.templatetags.portal_format import money

    portal_format._formatted.cache_clear()
    moment = datetime.datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("America/Toronto"))
    same_instant = moment.astimezone(ZoneInfo("America/Vancouver"))  # equal, 07:15 there
    for _ in range(2):  # the second time from what is kept
        with translation.override("fr"):
            assert format_when(moment, "TIME_FORMAT") == "10\xa0h\xa015"
            assert format_when(same_instant, "TIME_FORMAT") == "7\xa0h\xa015"
            assert money(Decimal("1234.5")) == "1\xa0234,50\xa0$"
            assert money(5) == money(Decimal("5.00")) == "5,00\xa0$"
        with translation.override("en"):
            assert format_when(moment.time(), "TIME_FORMAT") == "10:15 a.m."
            assert money(Decimal("1234.5")) == "$1,234.50"
    assert portal_format._formatted.cache_info().hits >= 3


def test_a_settings_change_empties_the_kept_dates():
    with translation.override("fr"):
        format_when(FIRST)
    assert portal_format._formatted.cache_info().currsize
    with override_settings(DATE_FORMAT="Y-m-d"):
        assert portal_format._formatted.cache_info().currsize == 0
