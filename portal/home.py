"""Ma page d'accueil is made of panels that each app registers, so that the portal's core
imports none of them: the balance due comes from billing, the record from students."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int


_PANELS: list[Panel] = []


def home_panel(template: str, *, order: int = 50) -> Callable[..., Any]:
    """Registers a function returning the panel's context, or None to leave it out."""

    def register(function: Callable[[HttpRequest], dict[str, Any] | None]) -> Any:
        _PANELS.append(Panel(template, function, order))
        _PANELS.sort(key=lambda panel: panel.order)
        return function

    return register


def home_panels(request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    shown = []
    for panel in _PANELS:
        context = panel.context(request)
        if context is not None:
            shown.append((panel.template, context))
    return shown
