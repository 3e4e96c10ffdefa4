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
