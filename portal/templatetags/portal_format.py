"""Amounts as each language writes them: "325,00 $" in French (a non-breaking space keeps the
figure and the sign together), "$325.00" in English. `{% load portal_format %}`, then
`{{ invoice.balance|money }}`."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language

from portal.devices import device_description

register = template.Library()


@register.filter
def money(value: Decimal | float | int | str | None) -> str:
    if value is None or value == "":
        return ""
    amount = floatformat(value, 2)
    if (get_language() or "fr").startswith("en"):
        return f"${amount}"
    return f"{amount}\N{NO-BREAK SPACE}$"


@register.filter
def device(user_agent: str) -> str:
    """ "Chrome sur Windows" rather than the raw User-Agent (portal.devices)."""
    return device_description(user_agent)
