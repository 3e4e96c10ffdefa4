"""Passkeys: the profile's list (add, name, remove) and the sign-in, as the second step or
instead of the password. static/js/passkeys.js talks to the browser's WebAuthn API: it fetches
the options as JSON, then fills a hidden field of an ordinary form, which posts here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.forms.second_factor import PasskeyNameForm
from accounts.models import Passkey, User
from accounts.services import passkeys as services
from accounts.services.login import Stage, login_complete, stage_finish, stage_user
from accounts.services.second_factor import THROTTLE, totp_enabled
from accounts.views.second_factor import after_login_url
from portal.http import client_ip
from portal.models import AuditEvent
from portal.services import audit_record
from portal.throttle import throttle_check, throttle_fail

REFUSED = gettext_lazy(
    "La clé d'accès n'a pas pu être vérifiée. Réessayez ou utilisez un autre moyen."
)


def _json(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


# --- The profile ----------------------------------------------------------------------------


@require_POST
def register_options(request: HttpRequest) -> HttpResponse:
    return _json(
        services.passkey_register_options(
            request=request, user=request.user, institution=request.institution
        )
    )


@require_POST
def passkey_add(request: HttpRequest) -> HttpResponse:
    form = PasskeyNameForm(request.POST)
    credential = request.POST.get("credential", "")
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("name", [])))
    elif not credential:
        messages.error(
            request,
            _(
                "Votre navigateur n'a pas transmis de clé d'accès. Les clés d'accès demandent "
                "JavaScript et un navigateur récent."
            ),
        )
    else:
        try:
            services.passkey_register(
                request=request,
                user=request.user,
                name=form.cleaned_data["name"],
                credential=credential,
            )
        except services.PasskeyRefused:
            messages.error(request, _("La clé d'accès n'a pas pu être enregistrée. Réessayez."))
        else:
            messages.success(
                request,
                _("La clé d'accès « %(name)s » a été ajoutée.")
                % {"name": form.cleaned_data["name"]},
            )
    return redirect("accounts:profile")


@require_POST
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    user = request.user
    passkey = Passkey.objects.filter(pk=passkey_id, user=user).first()
    if passkey is None:
        return HttpResponseNotFound()
    last_factor = not totp_enabled(user) and not user.passkeys.exclude(pk=passkey.pk).exists()
    if last_factor and request.institution.second_factor_required(user.audience):
        messages.error(
            request,
            _(
                "Votre établissement exige la double authentification : activez d'abord "
                "l'application d'authentification ou ajoutez une autre clé d'accès."
            ),
        )
        return redirect("accounts:profile")
    services.passkey_remove(request=request, user=user, passkey=passkey)
    messages.success(request, _("La clé d'accès « %(name)s » a été retirée.") % {"name": passkey})
    return redirect("accounts:profile")


# --- Sign-in --------------------------------------------------------------------------------


def _pending(request: HttpRequest) -> tuple[User, dict] | None:
    return stage_user(request, stage=Stage.VERIFY)


@login_not_required
@require_POST
def login_options(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    return _json(services.passkey_login_options(request=request, user=found[0] if found else None))


@login_not_required
@require_POST
def login_verify(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    user = found[0] if found else None
    key = f"2fa:{user.pk}" if user is not None else f"passkey:{client_ip(request)}"
    ip = client_ip(request)
    credential = (request.POST.get("credential") or "")[:20_000]
    try:
        if throttle_check(THROTTLE, key=key, ip=ip):
            raise services.PasskeyRefused
        signed_in = services.passkey_authenticate(request=request, credential=credential, user=user)
    except services.PasskeyRefused:
        throttle_fail(THROTTLE, key=key, ip=ip)
        audit_record(
            kind=AuditEvent.Kind.SECOND_FACTOR_FAILED if user else AuditEvent.Kind.LOGIN_FAILED,
            request=request,
            subject=user,
            details={"method": "passkey"},
        )
        messages.error(request, REFUSED)
        return redirect("accounts:second_factor" if user else "accounts:login")
    if found is not None:
        pending = found[1]
        next_url = stage_finish(request=request, user=signed_in, pending=pending, method="passkey")
        admin = bool(pending.get("details", {}).get("admin"))
    else:
        login_complete(request=request, user=signed_in, details={"passkey": True})
        next_url = request.POST.get("next", "")
        admin = signed_in.audience == User.Audience.STAFF
    return redirect(after_login_url(request, signed_in, next_url, admin=admin))
