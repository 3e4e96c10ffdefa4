"""What every parent page shares: who may open it, and the child it is about."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from accounts.models import User
from parents.selectors import children_of_parent


def parents_enabled(request: HttpRequest) -> bool:
    return bool(request.institution.parent_portal_enabled)


def public_parent_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the parents' portal open before login (login, account creation, help)."""

    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not parents_enabled(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def parent_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for a logged-in parent. Anyone else logged in gets 404; a visitor goes to the
    parents' login page and comes back after it."""

    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not parents_enabled(request):
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("parents:login"))
        if request.user.audience != User.Audience.PARENT:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def parent_children(request: HttpRequest) -> list:
    """The children the logged-in parent may see (`children_for_parent`), read once per
    request (`children_of_parent`: its SQL compiled once per process)."""
    children = getattr(request, "_parent_children", None)
    if children is None:
        children = request._parent_children = children_of_parent(  # type: ignore[attr-defined]
            request.user, request.institution
        )
    return children


def child_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A parent page about one child (`student_id` in the URL): the view receives the child,
    or the request answers 404 when the child is missing or not this parent's to see. The
    parent's children are read once (`parent_children`): the child is found among them."""

    @parent_page
    @wraps(view)
    def wrapped(request: HttpRequest, student_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        student = next((c for c in parent_children(request) if c.pk == student_id), None)
        if student is None:
            raise Http404
        return view(request, student, *args, **kwargs)

    return wrapped
