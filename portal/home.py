"""Ma page d'accueil is made of panels that each app registers, so that the portal's core
imports none of them: the balance due comes from billing, the record from students."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int
    whats_new: bool = False


_PANELS: list[Panel] = []


def home_panel(template: str, *, order: int = 50, whats_new: bool = False) -> Callable[..., Any]:
    """Registers a function returning the panel's context, or None to leave it out.
    `whats_new` panels (balance, unread MIO and documents, new marks) share the page's one
    "Quoi de neuf ?" region, first on a phone; their own headings are <h3>."""

    def register(function: Callable[[HttpRequest], dict[str, Any] | None]) -> Any:
        _PANELS.append(Panel(template, function, order, whats_new))
        _PANELS.sort(key=lambda panel: panel.order)
        return function

    return register


def home_panels(
    request: HttpRequest, *, whats_new: bool | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """The panels to show, in order; `whats_new` True or False keeps only those of that kind."""
    shown = []
    for panel in _PANELS:
        if whats_new is not None and panel.whats_new != whats_new:
            continue
        context = panel.context(request)
        if context is not None:
            shown.append((panel.template, context))
    return shown


def home_requested(request: HttpRequest) -> bool:
    """Whether this request is for Ma page d'accueil: the panels' figures are then read with
    the student's row (students.home.student_row_extra), even by a middleware that reads the
    row before the URL is resolved."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name == "portal:home"
    return request.path_info == reverse("portal:home")
