"""What the account flows share: the throttle they count against and how a refusal looks."""

from django.http import HttpRequest

from portal.http import client_ip
from portal.models import AuditEvent
from portal.services import audit_record
from portal.throttle import Locked, throttle_fail

THROTTLE = "login_failed"


class Refused(Exception):
    """An attempt the portal turns down. `locked` says whether a lockout is (now) in force."""

    def __init__(self, locked: Locked | None = None) -> None:
        super().__init__(locked)
        self.locked = locked


def throttle_key(audience: str, identifier: str) -> str:
    return f"{audience}:{identifier}"


def refuse(request: HttpRequest, *, key: str, kind: str) -> Refused:
    """Counts and audits a failed check. Runs outside any transaction of the attempt, so that a
    refusal can never roll its own count back."""
    locked = throttle_fail(THROTTLE, key=key, ip=client_ip(request))
    audit_record(kind=kind, request=request, identifier=key)
    if locked:
        audit_record(
            kind=AuditEvent.Kind.LOCKOUT, request=request, identifier=key, details={"scope": locked}
        )
    return Refused(locked)
