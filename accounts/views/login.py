"""Login for students and employees, and "Quitter"."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import LoginForm
from accounts.messages import locked_message
from accounts.models import User
from accounts.services.common import Refused
from accounts.services.login import STAGE_VIEWS, user_login
from portal.models import AuditEvent
from portal.routes import home_route, login_route
from portal.services import audit_record


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest, audience: str = User.Audience.STUDENT) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(home_route(request.user.audience))
    institution = request.institution
    forms = {
        key: LoginForm(
            request.POST if request.method == "POST" and key == audience else None,
            institution=institution,
            audience=key,
        )
        for key in (User.Audience.STUDENT, User.Audience.EMPLOYEE)
    }
    form = forms[audience]
    if request.method == "POST" and form.is_valid():
        try:
            stage = user_login(
                request=request,
                audience=audience,
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                next_url=request.POST.get("next") or request.GET.get("next") or "",
            )
        except Refused as refused:
            form.add_error(
                None,
                locked_message(refused.locked)
                if refused.locked
                else _("Le numéro ou le mot de passe est incorrect."),
            )
        else:
            if stage is not None:
                return redirect(STAGE_VIEWS[stage])
            return redirect(_safe_next(request))
    return render(
        request,
        "accounts/login.html",
        {
            "student_form": forms[User.Audience.STUDENT],
            "employee_form": forms[User.Audience.EMPLOYEE],
        },
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    login_page = login_route(user.audience)
    audit_record(kind=AuditEvent.Kind.LOGOUT, request=request, actor=user, subject=user)
    logout(request)  # flushes the session on the server
    messages.info(request, _("Vous avez quitté le portail. À bientôt !"))
    return redirect(login_page)


def session_ping(request: HttpRequest) -> HttpResponse:
    """ "Rester connecté": any request behind login counts as activity (see
    portal.middleware.SessionTimeoutMiddleware); this one just answers with nothing."""
    return HttpResponse(status=204)
