"""Login: one uniform refusal, throttles per identifier and per address, then the stages.

After django-allauth's stages: the right password does not log anyone in by itself. If the
account has a second factor, the session only remembers, server-side, who is half-way (the
account's id, until when, where to go next); the person is logged in when the second step
passes. Where the institution requires a second factor and the account has none, the pending
stage is the enrolment. accounts.middleware.LoginStageMiddleware sends a half-authenticated
browser back to its pending stage, whatever URL it asks for.
"""

import time
from enum import StrEnum
from typing import Any

from django.contrib.auth import authenticate, login
from django.http import HttpRequest

from accounts.models import User
from accounts.services.common import THROTTLE, Refused, throttle_key
from accounts.services.devices import device_seen
from accounts.services.second_factor import has_second_factor
from portal.http import client_ip
from portal.models import AuditEvent
from portal.services import audit_record
from portal.throttle import throttle_check, throttle_clear, throttle_fail

STAGE_KEY = "_portal_login_stage"
STAGE_SECONDS = 10 * 60
DEFAULT_BACKEND = "accounts.backends.AudienceBackend"


class Stage(StrEnum):
    VERIFY = "verify"  # the second step: a code, a recovery code or a passkey
    ENROL = "enrol"  # the institution requires a second factor the account does not have


# Where each stage is passed (URL names).
STAGE_VIEWS = {Stage.VERIFY: "accounts:second_factor", Stage.ENROL: "accounts:second_factor_setup"}


def user_login(
    *, request: HttpRequest, audience: str, identifier: str, password: str, next_url: str = ""
) -> Stage | None:
    """Checks the password, or raises Refused. A locked identifier is refused even with the
    right password; every refusal looks the same to the client. Returns the stage the person
    must pass next, or None when they are now logged in."""
    key = throttle_key(audience, identifier)
    ip = client_ip(request)
    locked = throttle_check(THROTTLE, key=key, ip=ip)
    if locked:
        audit_record(
            kind=AuditEvent.Kind.LOGIN_FAILED,
            request=request,
            identifier=key,
            details={"reason": f"locked_{locked.value}"},
        )
        raise Refused(locked)
    user = authenticate(request, audience=audience, identifier=identifier, password=password)
    if user is None:
        locked = throttle_fail(THROTTLE, key=key, ip=ip)
        audit_record(kind=AuditEvent.Kind.LOGIN_FAILED, request=request, identifier=key)
        if locked:
            audit_record(
                kind=AuditEvent.Kind.LOCKOUT,
                request=request,
                identifier=key,
                details={"scope": locked.value},
            )
        raise Refused(locked)
    throttle_clear(THROTTLE, key=key)
    return login_begin(request=request, user=user, key=key, next_url=next_url)


def login_begin(
    *,
    request: HttpRequest,
    user: User,
    key: str = "",
    next_url: str = "",
    details: dict[str, Any] | None = None,
    notify: bool = True,
) -> Stage | None:
    """The password (or an equivalent proof) passed: either the person is logged in now, or
    the pending stage is started and returned."""
    backend = getattr(user, "backend", DEFAULT_BACKEND)
    if has_second_factor(user):
        stage = Stage.VERIFY
    elif request.institution.second_factor_required(user.audience):
        stage = Stage.ENROL
    else:
        login_complete(
            request=request, user=user, key=key, details=details, backend=backend, notify=notify
        )
        return None
    stage_start(
        request=request,
        user=user,
        stage=stage,
        key=key,
        next_url=next_url,
        details=details,
        backend=backend,
    )
    return stage


def stage_start(
    *,
    request: HttpRequest,
    user: User,
    stage: Stage,
    key: str = "",
    next_url: str = "",
    details: dict[str, Any] | None = None,
    backend: str = DEFAULT_BACKEND,
) -> None:
    if request.user.is_authenticated:
        request.session.flush()
    else:
        request.session.cycle_key()
    request.session[STAGE_KEY] = {
        "user": user.pk,
        "stage": str(stage),
        "until": int(time.time()) + STAGE_SECONDS,
        "key": key or throttle_key(user.audience, user.identifier or user.username),
        "next": next_url,
        "details": details or {},
        "backend": backend,
    }


def stage_pending(request: HttpRequest) -> dict[str, Any] | None:
    """The pending stage of this browser, if one is under way and not expired."""
    stage = request.session.get(STAGE_KEY)
    if not isinstance(stage, dict):
        return None
    if stage.get("until", 0) < time.time():
        del request.session[STAGE_KEY]
        return None
    return stage


def stage_user(request: HttpRequest, *, stage: str) -> tuple[User, dict[str, Any]] | None:
    """The half-authenticated account, if this browser is at `stage`."""
    pending = stage_pending(request)
    if pending is None or pending.get("stage") != stage:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else None


def stage_cancel(request: HttpRequest) -> None:
    request.session.pop(STAGE_KEY, None)


def stage_finish(*, request: HttpRequest, user: User, pending: dict[str, Any], method: str) -> str:
    """The pending stage passed: logs the person in. Returns where they wanted to go."""
    next_url = pending.get("next", "")
    login_complete(
        request=request,
        user=user,
        key=pending.get("key", ""),
        details={**pending.get("details", {}), "second_factor": method},
        backend=pending.get("backend", DEFAULT_BACKEND),
    )
    return next_url


def login_complete(
    *,
    request: HttpRequest,
    user: User,
    key: str = "",
    details: dict[str, Any] | None = None,
    backend: str = DEFAULT_BACKEND,
    notify: bool = True,
) -> None:
    request.session.pop(STAGE_KEY, None)
    login(request, user, backend=backend)  # rotates the session key
    audit_record(
        kind=AuditEvent.Kind.LOGIN_SUCCEEDED,
        request=request,
        actor=user,
        subject=user,
        identifier=key or throttle_key(user.audience, user.identifier or user.username),
        details=details or {},
    )
    device_seen(request=request, user=user, notify=notify)
