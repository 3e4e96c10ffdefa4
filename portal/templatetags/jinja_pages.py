"""Jinja2 templates (jinja2/, portal/jinja2.py) inside Django's: `{% load jinja_pages %}`.

- `{% shell "part" %}`: a part of the layout (jinja2/_shell.html). The layout is written
  once, in Jinja2, for the pages rendered by either engine: templates/base.html places its
  four parts (top, head, body, bottom) around its blocks, as jinja2/base.html does.
- `{% jinja_include "app/_partial.html" name=value %}`: a Jinja2 partial rendered with the
  Django template's context (and `name=value`), for a partial that pages of both engines
  show (one copy of it, in jinja2/).
"""

from typing import Any

from django import template
from django.template import engines
from django.template.backends.utils import csrf_input_lazy
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# What the layout reads from a Django template's context.
_NAMES = ("request", "user", "institution", "shell", "messages")


def _render(name: str, values: dict[str, Any]) -> SafeString:
    request = values.get("request")
    if "csrf_input" not in values:
        values["csrf_input"] = csrf_input_lazy(request) if request is not None else ""
    layout = engines["jinja2"].env.get_template(name)
    return mark_safe(layout.render(values))  # noqa: S308 (rendered with autoescape on)


@register.simple_tag(takes_context=True)
def shell(context: template.Context, part: str) -> SafeString:
    values: dict[str, Any] = {name: context.get(name) for name in _NAMES}
    values["part"] = part
    return _render("_shell.html", values)


@register.simple_tag(takes_context=True)
def jinja_include(context: template.Context, name: str, **extra: Any) -> SafeString:
    values = context.flatten()
    values.update(extra)
    return _render(name, values)
