"""First use, one view per step; a guard sends the browser to the pending step."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import CodeForm, EmailForm, IdentityForm, QuestionsForm, SetPasswordForm
from accounts.models import FirstUseFlow
from accounts.services import first_use as services
from accounts.services.common import Refused
from accounts.services.devices import device_first
from accounts.services.login import STAGE_VIEWS, Stage, stage_start
from accounts.views.common import captcha_form, captcha_refusal_record, locked_message

FLOW_SESSION_KEY = "first_use_flow"

STEP_URLS = {
    FirstUseFlow.Step.CODE: "accounts:first_use_code",
    FirstUseFlow.Step.QUESTIONS: "accounts:first_use_questions",
    FirstUseFlow.Step.EMAIL: "accounts:first_use_email",
    FirstUseFlow.Step.PASSWORD: "accounts:first_use_password",
}


def first_use_step(step: str) -> Callable[..., Callable[..., HttpResponse]]:
    """Guards a step: the session must point at a live flow whose pending step is this one.

    A missing or expired flow goes back to the start; any other step sends the browser to
    the pending one, so steps can be neither skipped nor replayed.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_not_required
        @require_http_methods(["GET", "POST"])
        @wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            flow = services.first_use_flow_for(request.session.get(FLOW_SESSION_KEY))
            if flow is None:
                request.session.pop(FLOW_SESSION_KEY, None)
                messages.warning(
                    request,
                    _(
                        "Votre première utilisation a expiré ou n'a pas commencé. "
                        "Veuillez recommencer."
                    ),
                )
                return redirect("accounts:first_use")
            if flow.current_step != step:
                return redirect(STEP_URLS[flow.current_step])
            return view(request, flow)

        return wrapped

    return decorator


def _render_step(
    request: HttpRequest, flow: FirstUseFlow, template: str, **context: Any
) -> HttpResponse:
    context.update(
        {
            "flow": flow,
            "step_number": flow.position + 2,
            "step_count": len(flow.steps) + 1,
        }
    )
    return render(request, template, context)


@login_not_required
@require_http_methods(["GET", "POST"])
def first_use_identity(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    institution = request.institution
    form = captcha_form(IdentityForm, request, institution=institution)
    identity_refused = _(
        "Les renseignements saisis ne correspondent pas à nos dossiers. Vérifiez-les et réessayez."
    )
    captcha_refusal_record(request, form)
    # A wrong CAPTCHA says so: it is checked before any lookup, so it reveals nothing.
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            flow = services.first_use_verify_identity(
                request=request, institution=institution, claim=form.claim()
            )
        except Refused as refused:
            form.add_error(
                None, locked_message(refused.locked) if refused.locked else identity_refused
            )
        except services.AlreadyActivated:
            request.session.pop(FLOW_SESSION_KEY, None)
            return render(request, "accounts/first_use_already_active.html")
        else:
            request.session.cycle_key()
            request.session[FLOW_SESSION_KEY] = str(flow.pk)
            return redirect(STEP_URLS[flow.current_step])
    return render(
        request,
        "accounts/first_use_identity.html",
        {"form": form, "step_number": 1, "step_count": None},
    )


@first_use_step(FirstUseFlow.Step.CODE)
def first_use_code(request: HttpRequest, flow: FirstUseFlow) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        if services.first_use_resend_code(request=request, flow=flow):
            messages.info(request, _("Un nouveau code a été envoyé à votre courriel."))
        else:
            messages.error(request, _("Vous avez atteint le nombre maximal d'envois de code."))
        return redirect("accounts:first_use_code")
    if request.method == "POST" and form.is_valid():
        try:
            services.first_use_verify_code(
                request=request, flow=flow, code=form.cleaned_data["code"]
            )
        except services.CodeRefused as refused:
            if refused.exhausted:
                request.session.pop(FLOW_SESSION_KEY, None)
                messages.error(
                    request,
                    _("Trop d'essais avec ce code. Veuillez recommencer la première utilisation."),
                )
                return redirect("accounts:first_use")
            form.add_error(
                "code",
                _("Ce code a expiré. Demandez-en un nouveau.")
                if refused.expired
                else _("Ce code n'est pas le bon."),
            )
        else:
            flow.refresh_from_db()
            return redirect(STEP_URLS[flow.current_step])
    return _render_step(
        request,
        flow,
        "accounts/first_use_code.html",
        form=form,
        email=_mask_email(flow.student.email),
    )


def _mask_email(email: str) -> str:
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}{'•' * max(1, len(local) - 1)}@{domain}"


@first_use_step(FirstUseFlow.Step.QUESTIONS)
def first_use_questions(request: HttpRequest, flow: FirstUseFlow) -> HttpResponse:
    form = QuestionsForm(
        request.POST or None, count=request.institution.secret_question_count, person=flow.student
    )
    if request.method == "POST" and form.is_valid():
        services.first_use_set_questions(request=request, flow=flow, answers=form.answers())
        return redirect(STEP_URLS[flow.current_step])
    return _render_step(request, flow, "accounts/first_use_questions.html", form=form)


@first_use_step(FirstUseFlow.Step.EMAIL)
def first_use_email(request: HttpRequest, flow: FirstUseFlow) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.first_use_set_email(request=request, flow=flow, email=form.cleaned_data["email"])
        return redirect(STEP_URLS[flow.current_step])
    return _render_step(request, flow, "accounts/first_use_email.html", form=form)


@first_use_step(FirstUseFlow.Step.PASSWORD)
def first_use_password(request: HttpRequest, flow: FirstUseFlow) -> HttpResponse:
    form = SetPasswordForm(
        request.POST or None, institution=request.institution, person=flow.student
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.first_use_complete(
                request=request, flow=flow, password=form.cleaned_data["password1"]
            )
        except services.AlreadyActivated:
            return render(request, "accounts/first_use_already_active.html")
        user = request.user
        # This browser is the account's first known device: no "new sign-in" email for it.
        device_first(request=request, user=user)
        if request.institution.second_factor_required(user.audience):
            stage_start(request=request, user=user, stage=Stage.ENROL)
            return redirect(STAGE_VIEWS[Stage.ENROL])
        messages.success(
            request,
            _(
                "Votre compte est activé. N'oubliez pas votre mot de passe : il vous servira "
                "chaque fois que vous vous connecterez."
            ),
        )
        return redirect("portal:home")
    return _render_step(request, flow, "accounts/first_use_password.html", form=form)
