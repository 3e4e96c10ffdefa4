"""The Jinja2 environment of the pages a student or a parent opens most (issue 17).

Django's template language renders the portal's pages everywhere else; the hottest pages
(jinja2/, listed in docs/decisions/0016-jinja2-for-the-hottest-pages.md) are Jinja2 templates,
which compile to Python functions and render several times faster. Both engines share the
layout (jinja2/_shell.html: Django's base.html renders it with `{% shell %}`), the
translations and the formats:

- `{{ _("Texte") }}` is `{% translate "Texte" %}`, `{% trans name=x %}…{{ name }}…{% endtrans %}`
  is `{% blocktranslate with name=x %}` (plural forms with `{% pluralize %}`), and
  `pgettext()` is `{% translate "…" context "…" %}`: the same msgids, found by `makemessages`
  (portal/management/commands/makemessages.py reads these templates with Jinja's extractor);
- `url()`, `static()`, the filters `when`, `money` and `device` (portal_format), `number` (a
  localized number, what Django prints for a number in a template), and Django's own
  `floatformat`, `capfirst` and `time`;
- `csrf_input`, `request` and every context processor's values, as in Django's templates.

What differs from Django's language and matters when writing one: a method is called with
`()`; `x|default("—", true)` (or `x or "—"`) where Django's `default` is meant; numbers,
decimals and dates are printed as they are unless passed through `number` or `when`; a
template's missing variable prints nothing (as in Django).
"""

import datetime
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import capfirst, floatformat
from django.template.defaultfilters import time as time_format
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext, npgettext, pgettext
from jinja2 import Environment
from markupsafe import Markup

from portal.templatetags.portal_format import device, money, when


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """`{% url name arg %}`: `url("name", arg)`."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def when_local(value: Any, name: str = "DATE_FORMAT") -> str:
    """`when`, with an aware datetime in the portal's time zone first (Django's filter is
    declared `expects_localtime`)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return when(value, name)


def number(value: Any, decimals: int | None = None) -> str:
    """A number as Django's templates print it in the active language ("12,5" in French);
    `decimals` fixes the decimal places (`floatformat`)."""
    if value is None or value == "":
        return ""
    if decimals is not None:
        return formats.number_format(Decimal(str(value)), decimals)
    return formats.localize(value)


# Translations are trusted text, as Django's `{% translate "…" %}` holds them (a template's
# string literal is safe): `{{ _("Votre session d'études") }}` prints the apostrophe as it is.
# A value put into one (`_("… %(name)s")|format(name=x)` or `{% trans %}`) is escaped.
def _gettext(message: str) -> Markup:
    return Markup(gettext(message))  # noqa: S704 (our catalogue's text)


def _ngettext(singular: str, plural: str, count: int) -> Markup:
    return Markup(ngettext(singular, plural, count))  # noqa: S704 (our catalogue's text)


def _pgettext(context: str, message: str) -> Markup:
    return Markup(pgettext(context, message))  # noqa: S704 (our catalogue's text)


def _npgettext(context: str, singular: str, plural: str, count: int) -> Markup:
    return Markup(npgettext(context, singular, plural, count))  # noqa: S704 (our catalogue's text)


def environment(**options: Any) -> Environment:
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    options.pop("autoescape", None)  # always on: every value printed is escaped
    env = Environment(autoescape=True, **options)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=False, pgettext=_pgettext, npgettext=_npgettext
    )
    env.globals.update(url=url, static=static, current_language=get_language)
    env.filters.update(
        when=when_local,
        money=money,
        number=number,
        device=device,
        floatformat=floatformat,
        capfirst=capfirst,
        time=time_format,
    )
    return env
