"""Amounts and dates as each language writes them. `{% load portal_format %}`, then
`{{ invoice.balance|money }}`: "1 234,50 $" in French (no-break spaces group the thousands and
keep the figure and the sign together), "$1,234.50" in English;
`{{ meeting.start|when:"DAY_TIME_FORMAT" }}`: "mardi 1er décembre, 10 h 15" in French,
"Tuesday, December 1, 10:15 a.m." in English."""

import datetime
import functools
import re
from decimal import Decimal
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import floatformat
from django.utils import dateformat, formats
from django.utils.translation import get_language

from portal.devices import device_description

register = template.Library()


@register.filter
def money(value: Decimal | float | int | str | None) -> str:
    if value is None or value == "":
        return ""
    return _money(type(value), value, get_language() or "fr")


@functools.lru_cache(maxsize=4096)
def _money(kind: type, value: Decimal | float | int | str, lang: str) -> str:
    """One amount in one language, written once per process (as `format_when`)."""
    # "2g": two decimals, thousands grouped with the language's separator (portal.formats).
    amount = floatformat(value, "2g")
    if lang.startswith("en"):
        return f"${amount}"
    return f"{amount}\N{NO-BREAK SPACE}$"


# The named formats `when` accepts: Django's, and the portal's own (portal/formats/<lang>/).
WHEN_FORMATS = (
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "TIME_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "DAY_FORMAT",
    "DAY_TIME_FORMAT",
)
# An unescaped "j" (day of the month) in a format string.
_DAY = re.compile(r"(?<!\\)((?:\\\\)*)j")


# Each (name, language)'s format string, found once per process: the format modules do not
# change while it runs; a test that changes the settings they come from starts again.
_named: dict[tuple[str, str], str] = {}


@receiver(setting_changed)
def _formats_changed(*, setting: str, **kwargs: object) -> None:
    if setting in {"FORMAT_MODULE_PATH", "LANGUAGE_CODE", "LANGUAGES"} or setting.endswith(
        "_FORMAT"
    ):
        _named.clear()
        _formatted.cache_clear()
        _money.cache_clear()


def named_format(name: str, lang: str | None = None) -> str:
    """The active language's format string for one of WHEN_FORMATS."""
    lang = lang or get_language() or "fr"
    found = _named.get((name, lang))
    if found is not None:
        return found
    if name not in WHEN_FORMATS:
        raise ValueError(f"unknown date format name: {name}")
    for module in formats.iter_format_modules(lang):
        if hasattr(module, name):
            found = getattr(module, name)
            break
    else:
        found = formats.get_format(name)
    _named[(name, lang)] = found
    return found


def format_when(value: datetime.date | datetime.time, name: str = "DATE_FORMAT") -> str:
    """`value` in the named format of the active language; in French, the first day of a
    month is "1er" ("1er décembre 2026", "mardi 1er décembre, 10 h 15"). The same value in
    the same format and language is written once per process (a page shows the same days and
    hours to everyone: Django's formatting parses the format on every call)."""
    lang = get_language() or "fr"
    return _formatted(type(value), value, getattr(value, "tzinfo", None), name, lang)


@functools.lru_cache(maxsize=4096)
def _formatted(kind: type, value: Any, tzinfo: Any, name: str, lang: str) -> str:
    fmt = named_format(name, lang)
    if isinstance(value, datetime.time):
        return dateformat.time_format(value, fmt)
    if lang.startswith("fr") and value.day == 1:
        fmt = _DAY.sub(lambda m: m.group(1) + r"j\e\r", fmt)
    return dateformat.format(value, fmt)


@register.filter(expects_localtime=True)
def when(value: datetime.date | datetime.time | None, name: str = "DATE_FORMAT") -> str:
    """A date, datetime or time in a named format of the active language (format_when)."""
    if value in (None, ""):
        return ""
    return format_when(value, name)


@register.filter
def device(user_agent: str) -> str:
    """ "Chrome sur Windows" rather than the raw User-Agent (portal.devices)."""
    return device_description(user_agent)
