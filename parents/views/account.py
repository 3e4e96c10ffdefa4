"""The parents' portal before login: login, "Créer mon compte" (email, then details), the
activation link, and "Réinitialiser mon mot de passe" (email, then the secret question).

None of these pages tells whether an email is on file: account creation always answers the
same, and the reset shows a question (a stable, made-up one for an unknown email) and one
error for every wrong answer.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.messages import locked_message
from accounts.models import User
from accounts.services import recovery
from accounts.services.common import Refused, throttle_key
from accounts.services.login import STAGE_VIEWS, login_begin, user_login
from accounts.tokens import activation_token
from parents.forms.account import (
    ActivationForm,
    ParentLoginForm,
    ResetAnswerForm,
    ResetEmailForm,
    SignupDetailsForm,
    SignupEmailForm,
)
from parents.services.account import (
    SIGNUP_THROTTLE,
    LinkUsed,
    parent_activate,
    parent_signup_request,
)
from parents.views.common import public_parent_page
from portal.models import AuditEvent
from portal.services import audit_record
from portal.throttle import Locked, lockout_minutes

SIGNUP_SESSION_KEY = "parent_signup_email"
RESET_SESSION_KEY = "parent_reset_email"
# Parents keep one secret question (the parents' guide), whatever the institution's count.
PARENT_QUESTION_COUNT = 1


def _is_parent(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.audience == User.Audience.PARENT


def _safe_next(request: HttpRequest) -> str:
    """Where to go after login: `next` if it stays on this site, else "" (the parent's home)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


# --- Login ----------------------------------------------------------------------------------


@public_parent_page
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if _is_parent(request) and request.method != "POST":
        return redirect("parents:home")
    form = ParentLoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            stage = user_login(
                request=request,
                audience=User.Audience.PARENT,
                identifier=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                next_url=_safe_next(request),
            )
        except Refused as refused:
            form.add_error(
                None,
                locked_message(refused.locked, by_email=True)
                if refused.locked
                else _("Le courriel ou le mot de passe est incorrect."),
            )
        else:
            if stage is not None:
                return redirect(STAGE_VIEWS[stage])
            return redirect(_safe_next(request) or reverse("parents:home"))
    return render(request, "parents/login.html", {"form": form, "next": _safe_next(request)})


# --- Créer mon compte -----------------------------------------------------------------------


@public_parent_page
@require_http_methods(["GET", "POST"])
def signup_email(request: HttpRequest) -> HttpResponse:
    """Step 1: the email only. Nothing is looked up here."""
    form = SignupEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[SIGNUP_SESSION_KEY] = form.cleaned_data["email"]
        return redirect("parents:signup_details")
    return render(request, "parents/signup_email.html", {"form": form})


def _signup_locked_message(locked: Locked) -> str:
    minutes = lockout_minutes(SIGNUP_THROTTLE, locked)
    if locked == Locked.IP:
        return ngettext(
            "Trop de demandes de création de compte depuis votre adresse. Réessayez dans "
            "%(n)d minute.",
            "Trop de demandes de création de compte depuis votre adresse. Réessayez dans "
            "%(n)d minutes.",
            minutes,
        ) % {"n": minutes}
    return ngettext(
        "Trop de demandes de création de compte pour ce courriel. Réessayez dans %(n)d minute.",
        "Trop de demandes de création de compte pour ce courriel. Réessayez dans %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


@public_parent_page
@require_http_methods(["GET", "POST"])
def signup_details(request: HttpRequest) -> HttpResponse:
    """Step 2: the parent's and the youngest child's details. Whatever matched, the answer is
    the same page; the email itself tells the owner what happened."""
    email = request.session.get(SIGNUP_SESSION_KEY)
    if not email:
        return redirect("parents:signup")
    institution = request.institution
    form = SignupDetailsForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            parent_signup_request(request=request, institution=institution, claim=form.claim(email))
        except Refused as refused:
            form.add_error(None, _signup_locked_message(refused.locked or Locked.KEY))
        else:
            # Nothing of the request stays in the session: on a shared computer, the next
            # person finds an empty form.
            request.session.pop(SIGNUP_SESSION_KEY, None)
            return render(request, "parents/signup_sent.html")
    return render(request, "parents/signup_details.html", {"form": form, "email": email})


# --- The activation link --------------------------------------------------------------------


class ActivateView(auth_views.PasswordResetConfirmView):
    """Django's design, as for every link of the portal: the token is checked, moved into the
    session, and the browser is redirected to a token-free URL ("nouveau"); setting the
    password kills it. Only a parent's account not activated yet can be activated here."""

    template_name = "parents/activate.html"
    form_class = ActivationForm
    token_generator = activation_token
    post_reset_login = False
    reset_url_token = "nouveau"

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        if (
            user is None
            or user.audience != User.Audience.PARENT
            or not user.is_active
            or user.has_usable_password()
        ):
            return None
        return user

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(*args, **kwargs)
        if kwargs.get("token") != self.reset_url_token:
            # The URL holds the token: its response must send it nowhere (decision 0004).
            response["Referrer-Policy"] = "no-referrer"
        return response

    def form_valid(self, form: ActivationForm) -> HttpResponse:
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        try:
            user = parent_activate(
                request=self.request,
                user=self.user,
                password=form.cleaned_data["password1"],
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
            )
        except LinkUsed:
            return render(self.request, self.template_name, {"validlink": False})
        # A new account has no second factor yet: logged in, or sent to the enrolment where
        # the institution requires one for parents.
        stage = login_begin(request=self.request, user=user, notify=False)
        if stage is not None:
            return redirect(STAGE_VIEWS[stage])
        messages.success(
            self.request,
            _("Votre compte du portail des parents est créé. Bienvenue !"),
        )
        return redirect("parents:home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not context.get("validlink"):
            audit_record(
                kind=AuditEvent.Kind.RESET_LINK_REFUSED,
                request=self.request,
                subject=getattr(self, "user", None),
                details={"purpose": "parent_activation"},
            )
        return context


activate = public_parent_page(ActivateView.as_view())


# --- Réinitialiser mon mot de passe ---------------------------------------------------------


@public_parent_page
@require_http_methods(["GET", "POST"])
def reset_start(request: HttpRequest) -> HttpResponse:
    form = ResetEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        request.session[RESET_SESSION_KEY] = email
        audit_record(
            kind=AuditEvent.Kind.RECOVERY_STARTED,
            request=request,
            identifier=throttle_key(User.Audience.PARENT, email),
        )
        return redirect("parents:reset_question")
    return render(request, "parents/reset_start.html", {"form": form})


@public_parent_page
@require_http_methods(["GET", "POST"])
def reset_question(request: HttpRequest) -> HttpResponse:
    """The account's secret question; for an unknown email (or an account not activated), a
    question picked from the email alone, so that it never changes and looks real."""
    email = request.session.get(RESET_SESSION_KEY)
    if not email:
        return redirect("parents:reset")
    questions = recovery.recovery_questions(
        identifier=email,
        institution=request.institution,
        audience=User.Audience.PARENT,
        count=PARENT_QUESTION_COUNT,
    )
    question = questions[0] if questions else None
    form = ResetAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and question is not None:
        try:
            user = recovery.recovery_check_answers(
                request=request,
                identifier=email,
                answers={question.pk: form.cleaned_data["answer"]},
                audience=User.Audience.PARENT,
            )
        except Refused as refused:
            form.add_error(
                None,
                locked_message(refused.locked, by_email=True)
                if refused.locked
                else _("La réponse ne correspond pas à celle de votre compte."),
            )
        else:
            del request.session[RESET_SESSION_KEY]
            # At most 3 links an hour for an account: past that, the same page, nothing sent.
            key = throttle_key(User.Audience.PARENT, user.identifier)
            if recovery.link_allowed(request, key):
                recovery.reset_link_send(request=request, user=user)
            return render(request, "parents/reset_sent.html")
    return render(
        request,
        "parents/reset_question.html",
        {"form": form, "email": email, "question": question},
    )
