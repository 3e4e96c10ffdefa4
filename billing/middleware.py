from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from billing.home import OVERDUE
from billing.selectors import has_overdue_balance
from students.home import student_of, student_row_value

# What a restricted student can still reach: the payment centre, leaving, the language switch,
# the session keep-alive, and the personal profile (to fix a password or an email).
ALLOWED_PREFIXES = ("/paiement/", "/quitter/", "/i18n/", "/session/", "/profil/", "/static/")


class OverdueRestrictionMiddleware:
    """Where the institution says so, an overdue balance restricts the portal to the payment
    centre (seed 001: "sinon l'accès à Omnivox vous sera retiré"), with a banner saying why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.portal_restricted = False
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.audience == "student"
            and request.institution.restrict_on_overdue
        ):
            student = student_of(request)
            if student is not None and student_row_value(
                request, OVERDUE, lambda: has_overdue_balance(student)
            ):
                request.portal_restricted = True
                if not request.path.startswith(ALLOWED_PREFIXES):
                    return redirect(reverse("billing:statement"))
        return self.get_response(request)
