"""The re-authentication guard: a sensitive confirmation (course choice, enrolment
confirmation, schedule change…) asks for the password again, the seeds' "NIP".

One form for every module: `PasswordAgainForm(request=request, data=request.POST)`. It counts
wrong passwords against the same named throttle as the login (settings.PORTAL_RATE_LIMITS
"login_failed", the same key as the login's), so that the guard is no way around the login's
lockout, and a locked account is refused here too, even with the right password.
"""

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.http import client_ip
from portal.models import AuditEvent
from portal.services import audit_record
from portal.throttle import lockout_minutes, throttle_check, throttle_clear, throttle_fail

THROTTLE = "login_failed"


def reauth_key(user: Any) -> str:
    # The login's key ("audience:identifier"): one budget of guesses for both.
    return f"{getattr(user, 'audience', '')}:{getattr(user, 'identifier', '') or user.username}"


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Entrez de nouveau votre mot de passe pour confirmer."),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        key, ip = reauth_key(user), client_ip(self.request)
        locked = throttle_check(THROTTLE, key=key, ip=ip)
        if locked is None and user.check_password(password):
            throttle_clear(THROTTLE, key=key)
            return password
        if locked is None:
            locked = throttle_fail(THROTTLE, key=key, ip=ip)
            audit_record(kind=AuditEvent.Kind.REAUTH_FAILED, request=self.request, identifier=key)
        if locked is not None:
            minutes = lockout_minutes(THROTTLE, locked)
            raise forms.ValidationError(
                ngettext(
                    "Trop d'essais. Réessayez dans %(minutes)d minute.",
                    "Trop d'essais. Réessayez dans %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked",
            )
        raise forms.ValidationError(_("Mot de passe incorrect."), code="invalid")
