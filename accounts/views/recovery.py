"""Forgotten passwords and employees' first use. Every page answers alike whether the account
exists or not; the reset pages are never sent with a Referer."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms.recovery import (
    EmployeeNumberForm,
    MemberRecoveryForm,
    RecoveryAnswersForm,
    RecoveryNumberForm,
    ResetPasswordForm,
)
from accounts.models import User
from accounts.services import recovery
from accounts.services.common import Refused, throttle_key
from accounts.services.devices import device_seen
from accounts.services.login import STAGE_VIEWS, Stage, stage_start
from accounts.services.second_factor import has_second_factor
from accounts.tokens import activation_token, recovery_token
from accounts.views.common import captcha_form, captcha_refusal_record, locked_message
from portal.models import AuditEvent
from portal.routes import login_route
from portal.services import audit_record

RECOVERY_SESSION_KEY = "recovery_identifier"
RESET_AUDIENCE_KEY = "reset_audience"


def public_form_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return login_not_required(require_http_methods(["GET", "POST"])(view))


# --- Students: secret questions -------------------------------------------------------------


@public_form_page
def recovery_start(request: HttpRequest) -> HttpResponse:
    institution = request.institution
    if not institution.secret_question_count:
        return redirect("accounts:member_recovery")
    form = captcha_form(RecoveryNumberForm, request, institution=institution)
    captcha_refusal_record(request, form)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        request.session[RECOVERY_SESSION_KEY] = identifier
        audit_record(
            kind=AuditEvent.Kind.RECOVERY_STARTED,
            request=request,
            identifier=throttle_key(User.Audience.STUDENT, identifier),
        )
        return redirect("accounts:recovery_questions")
    return render(request, "accounts/recovery_start.html", {"form": form})


@public_form_page
def recovery_questions(request: HttpRequest) -> HttpResponse:
    identifier = request.session.get(RECOVERY_SESSION_KEY)
    if not identifier:
        return redirect("accounts:recovery")
    questions = recovery.recovery_questions(identifier=identifier, institution=request.institution)
    form = RecoveryAnswersForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            user = recovery.recovery_check_answers(
                request=request, identifier=identifier, answers=form.answers()
            )
        except Refused as refused:
            form.add_error(
                None,
                locked_message(refused.locked)
                if refused.locked
                else _(
                    "Les réponses ne correspondent pas à celles de votre dossier. "
                    "Vérifiez-les et réessayez."
                ),
            )
        else:
            del request.session[RECOVERY_SESSION_KEY]
            if recovery.email_on_file(user):
                recovery.reset_link_send(request=request, user=user)
                return render(request, "accounts/recovery_link_sent.html")
            # No email on file: the new password is chosen right now, in this session, through
            # the same page a link leads to.
            uidb64, token = recovery.session_reset_token(user)
            request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN] = token
            return redirect("accounts:reset", uidb64=uidb64, token=ResetView.reset_url_token)
    return render(
        request, "accounts/recovery_questions.html", {"form": form, "identifier": identifier}
    )


# --- Members: identity data -----------------------------------------------------------------


@public_form_page
def member_recovery(request: HttpRequest) -> HttpResponse:
    institution = request.institution
    form = captcha_form(MemberRecoveryForm, request, institution=institution)
    captcha_refusal_record(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            recovery.member_recovery_request(
                request=request, institution=institution, claim=form.claim()
            )
        except Refused as refused:
            form.add_error(None, locked_message(refused.locked))
        else:
            return render(request, "accounts/recovery_requested.html")
    return render(request, "accounts/member_recovery.html", {"form": form})


# --- Employees ------------------------------------------------------------------------------


def _employee_link_page(request: HttpRequest, *, purpose: str) -> HttpResponse:
    form = captcha_form(EmployeeNumberForm, request, institution=request.institution)
    captcha_refusal_record(request, form)
    if request.method == "POST" and form.is_valid():
        recovery.employee_link_request(
            request=request, number=form.cleaned_data["identifier"], purpose=purpose
        )
        return render(request, "accounts/employee_link_requested.html", {"purpose": purpose})
    return render(
        request, "accounts/employee_link_request.html", {"form": form, "purpose": purpose}
    )


@public_form_page
def employee_first_use(request: HttpRequest) -> HttpResponse:
    return _employee_link_page(request, purpose="activation")


@public_form_page
def employee_recovery(request: HttpRequest) -> HttpResponse:
    return _employee_link_page(request, purpose="recovery")


# --- The new password, behind a link --------------------------------------------------------


class ResetView(auth_views.PasswordResetConfirmView):
    """Django's design: the token is checked, moved into the session, and the browser is
    redirected to a token-free URL ("nouveau"); the token dies with the password change.
    Nobody is logged in afterwards; every session of the account ends."""

    template_name = "accounts/reset_confirm.html"
    form_class = ResetPasswordForm
    token_generator = recovery_token
    post_reset_login = False
    reset_url_token = "nouveau"
    success_url = reverse_lazy("accounts:reset_done")
    purpose = "recovery"

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(*args, **kwargs)
        if kwargs.get("token") != self.reset_url_token:
            # The URL holds the token: its response (the redirect, or "lien plus valide")
            # must send it nowhere. The token-free form page keeps the site's same-origin
            # policy: with no-referrer, browsers send "Origin: null" and CSRF refuses the form.
            response["Referrer-Policy"] = "no-referrer"
        return response

    def form_valid(self, form: ResetPasswordForm) -> HttpResponse:
        recovery.password_reset_complete(
            request=self.request, user=self.user, password=form.cleaned_data["password1"]
        )
        # Every session of the account ended, this browser's too: start it afresh, knowing
        # only which login page to lead back to.
        self.request.session.flush()
        # The browser that proved the email (or the answers) is the owner's: known from now on.
        device_seen(request=self.request, user=self.user, notify=False)
        if has_second_factor(self.user):
            # A reset proves the email (or the answers), never the second factor: the
            # person lands on the second step, and is logged in only once it passes.
            stage_start(
                request=self.request,
                user=self.user,
                stage=Stage.VERIFY,
                details={"via": self.purpose},
            )
            return redirect(STAGE_VIEWS[Stage.VERIFY])
        self.request.session[RESET_AUDIENCE_KEY] = self.user.audience
        return redirect(self.success_url)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not context.get("validlink"):
            # Which account the link named, never the token.
            audit_record(
                kind=AuditEvent.Kind.RESET_LINK_REFUSED,
                request=self.request,
                subject=getattr(self, "user", None),
                details={"purpose": self.purpose},
            )
        return {**context, "purpose": self.purpose}


class ActivateView(ResetView):
    """An employee's first use. Parents' links share the token generator but lead to their own
    page (password and secret question, children linked): here they are not valid."""

    token_generator = activation_token
    purpose = "activation"

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        return user if user is not None and user.audience == User.Audience.EMPLOYEE else None


@login_not_required
def reset_done(request: HttpRequest) -> HttpResponse:
    audience = request.session.pop(RESET_AUDIENCE_KEY, None)
    return render(request, "accounts/reset_done.html", {"login_route": login_route(audience)})


reset = login_not_required(ResetView.as_view())
activate = login_not_required(ActivateView.as_view())
