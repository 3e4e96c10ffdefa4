"""The second step after the password, the required enrolment, and the app in the profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms.second_factor import DisableForm, EnrolConfirmForm, SecondFactorForm
from accounts.models import Passkey, User
from accounts.services import second_factor as services
from accounts.services.common import Refused
from accounts.services.login import Stage, stage_cancel, stage_finish, stage_pending, stage_user
from portal.routes import home_route, login_route

CODES_KEY = "second_factor_codes"
CODES_NEXT_KEY = "second_factor_codes_next"


def after_login_url(request: HttpRequest, user: User, next_url: str, *, admin: bool) -> str:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("admin:index") if admin else reverse(home_route(user.audience))


@login_not_required
@require_http_methods(["GET", "POST"])
def second_factor_step(request: HttpRequest) -> HttpResponse:
    found = stage_user(request, stage=Stage.VERIFY)
    if found is None:
        return redirect("accounts:login")
    user, pending = found
    totp, passkeys = services.totp_enabled(user), Passkey.objects.filter(user=user).exists()
    if not totp and not passkeys:
        # Reset by the registrar in the meantime: the login starts over.
        stage_cancel(request)
        return redirect(login_route(user.audience))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            method = services.second_factor_verify(
                request=request, user=user, code=form.cleaned_data["code"]
            )
        except Refused as refused:
            form.add_error(
                "code",
                _(
                    "Trop de codes erronés. Pour votre sécurité, la vérification est bloquée "
                    "pendant 15 minutes."
                )
                if refused.locked
                else _("Ce code n'est pas valide. Vérifiez-le et réessayez."),
            )
        else:
            next_url = stage_finish(request=request, user=user, pending=pending, method=method)
            if method == "recovery":
                left = services.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "Vous avez utilisé un code de récupération. Il vous en reste %(n)d. "
                        "Générez-en de nouveaux dans votre profil."
                    )
                    % {"n": left},
                )
            admin = bool(pending.get("details", {}).get("admin"))
            return redirect(after_login_url(request, user, next_url, admin=admin))
    return render(
        request,
        "accounts/second_factor_step.html",
        {
            "form": form,
            "totp": totp,
            "passkeys": passkeys,
        },
    )


@login_not_required
@require_POST
def login_stage_cancel(request: HttpRequest) -> HttpResponse:
    pending = stage_pending(request)
    user = User.objects.filter(pk=pending["user"]).first() if pending else None
    stage_cancel(request)
    messages.info(request, _("La connexion a été annulée."))
    if pending and pending.get("details", {}).get("admin"):
        return redirect("admin:login")
    return redirect(login_route(user.audience if user else None))


def _setup_subject(request: HttpRequest) -> tuple[User, dict | None] | None:
    if request.user.is_authenticated:
        return request.user, None
    return stage_user(request, stage=Stage.ENROL)


@login_not_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment of an authenticator app: from the profile, or right after the password when
    the institution requires a second factor the account does not have yet."""
    found = _setup_subject(request)
    if found is None:
        return redirect("accounts:login")
    user, pending = found
    device = services.totp_enrol_start(user=user)
    if device.confirmed_at is not None:
        messages.info(request, _("La double authentification est déjà activée."))
        return redirect("accounts:profile")
    form = EnrolConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrol_confirm(
                request=request, user=user, code=form.cleaned_data["code"]
            )
        except services.WrongCode:
            form.add_error(
                "code",
                _(
                    "Ce code n'est pas celui de l'application. Vérifiez l'heure de votre "
                    "téléphone et entrez le code affiché."
                ),
            )
        else:
            next_url = reverse("accounts:profile")
            if pending is not None:
                next_url = after_login_url(
                    request,
                    user,
                    stage_finish(request=request, user=user, pending=pending, method="enrolled"),
                    admin=bool(pending.get("details", {}).get("admin")),
                )
            request.session[CODES_KEY] = codes
            request.session[CODES_NEXT_KEY] = next_url
            messages.success(request, _("La double authentification est activée."))
            return redirect("accounts:recovery_codes")
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "required": pending is not None,
            "is_parent": user.audience == User.Audience.PARENT,
            **services.totp_provisioning(device, request.institution),
        },
    )


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The ten recovery codes, shown once: they leave the session as this page is drawn."""
    codes = request.session.pop(CODES_KEY, None)
    next_url = request.session.pop(CODES_NEXT_KEY, None) or reverse("accounts:profile")
    if not codes:
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": codes,
            "next_url": next_url,
            "is_parent": request.user.audience == User.Audience.PARENT,
        },
    )


@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if not services.totp_enabled(request.user):
        return HttpResponseNotFound()
    request.session[CODES_KEY] = services.recovery_codes_renew(request=request, user=request.user)
    return redirect("accounts:recovery_codes")


@require_http_methods(["GET", "POST"])
def second_factor_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.totp_enabled(user):
        return HttpResponseNotFound()
    required = request.institution.second_factor_required(user.audience)
    if required and not Passkey.objects.filter(user=user).exists():
        messages.error(
            request,
            _(
                "Votre établissement exige la double authentification : elle ne peut pas être "
                "désactivée. Ajoutez d'abord une clé d'accès, ou demandez au registrariat de "
                "la réinitialiser si vous changez de téléphone."
            ),
        )
        return redirect("accounts:profile")
    form = DisableForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        services.second_factor_disable(request=request, user=user)
        messages.success(request, _("L'application d'authentification a été désactivée."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile_form.html",
        {
            "form": form,
            "title": _("Désactiver l'application d'authentification"),
            "is_parent": user.audience == User.Audience.PARENT,
        },
    )
