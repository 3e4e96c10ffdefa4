"""`{% shell "part" %}`: a part of the layout (jinja2/_shell.html), for Django's base.html.

The layout is written once, in Jinja2, for the pages rendered by either engine
(portal/jinja2.py): templates/base.html places its four parts (top, head, body, bottom)
around its blocks, as jinja2/base.html does."""

from typing import Any

from django import template
from django.template import engines
from django.template.backends.utils import csrf_input_lazy
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# What the layout reads from a Django template's context.
_NAMES = ("request", "user", "institution", "shell", "messages")


@register.simple_tag(takes_context=True)
def shell(context: template.Context, part: str) -> SafeString:
    layout = engines["jinja2"].env.get_template("_shell.html")
    values: dict[str, Any] = {name: context.get(name) for name in _NAMES}
    request = values["request"]
    values["csrf_input"] = csrf_input_lazy(request) if request is not None else ""
    values["part"] = part
    return mark_safe(layout.render(values))  # noqa: S308 (rendered with autoescape on)
