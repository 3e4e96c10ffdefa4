"""What the student service pages share: the module guard and the student whose page it is."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from students.home import student_of


def student_module(slug: str) -> Callable[..., Callable[..., HttpResponse]]:
    """A page of the logged-in student's own, in a module the institution offers: 404 for
    anyone else (staff, employees) and when the module is disabled (it shows greyed)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.institution.module_enabled(slug):
                raise Http404
            student = student_of(request)
            if student is None:
                raise Http404
            return view(request, student, *args, **kwargs)

        return wrapped

    return decorator
