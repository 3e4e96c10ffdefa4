"""Login: one uniform refusal, throttles per identifier and per address."""

from django.contrib.auth import authenticate, login
from django.http import HttpRequest

from accounts.models import User
from accounts.services.common import THROTTLE, Refused, throttle_key
from portal.http import client_ip
from portal.models import AuditEvent
from portal.services import audit_record
from portal.throttle import throttle_check, throttle_clear, throttle_fail


def user_login(*, request: HttpRequest, audience: str, identifier: str, password: str) -> User:
    """Logs a person in, or raises Refused. A locked identifier is refused even with the
    right password; every refusal looks the same to the client."""
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
    login(request, user)  # rotates the session key
    audit_record(
        kind=AuditEvent.Kind.LOGIN_SUCCEEDED,
        request=request,
        actor=user,
        subject=user,
        identifier=key,
    )
    return user
