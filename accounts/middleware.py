from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.services.devices import device_cookie_write
from accounts.services.login import STAGE_KEY, Stage, stage_pending

# The URLs a half-authenticated browser may use at each stage; any other sends it back.
STAGE_ROUTES = {
    Stage.VERIFY: (
        "accounts:second_factor",
        "accounts:passkey_login_options",
        "accounts:passkey_login_verify",
    ),
    Stage.ENROL: ("accounts:second_factor_setup",),
}
ALWAYS = ("accounts:login_stage_cancel", "set_language")


@cache
def _allowed(stage: str) -> frozenset[str]:
    return frozenset(reverse(name) for name in (*STAGE_ROUTES[Stage(stage)], *ALWAYS))


class LoginStageMiddleware:
    """After django-allauth's stages: a browser between the password and the second step (or
    the required enrolment) is sent back to that step from any other URL, so that asking for
    another page never skips it. Also writes the device cookie a login asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._guard(request) or self.get_response(request)
        device_cookie_write(request, response)
        return response

    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        if STAGE_KEY not in request.session:
            return None
        if request.user.is_authenticated:
            del request.session[STAGE_KEY]
            return None
        pending = stage_pending(request)
        if pending is None or request.path.startswith(settings.STATIC_URL):
            return None
        allowed = _allowed(pending["stage"])
        if request.path in allowed:
            return None
        first = STAGE_ROUTES[Stage(pending["stage"])][0]
        return redirect(first)
