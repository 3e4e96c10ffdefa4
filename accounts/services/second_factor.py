"""The second factor: an authenticator app (TOTP, RFC 6238, with pyotp) and ten single-use
recovery codes, hashed like passwords. Passkeys (accounts.services.passkeys) count as a second
factor too.

A code is accepted from the previous, the current or the next 30-second window, and never twice:
the device keeps the time-step of the last code it accepted and refuses that one and older ones.
Wrong codes count against the "second_factor_failed" throttle (5 lock the step for 15 minutes).
"""

import hmac
import secrets
import time

import pyotp
import segno
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Passkey, RecoveryCode, TOTPDevice, User, UserSession
from accounts.services.common import Refused
from accounts.services.recovery import email_on_file
from portal.emails import email_send
from portal.http import client_ip
from portal.models import AuditEvent, Institution
from portal.services import audit_record
from portal.throttle import throttle_check, throttle_clear, throttle_fail

THROTTLE = "second_factor_failed"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# No look-alikes (0/o, 1/l/i): the codes are read off paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class WrongCode(Exception):
    """The code typed at enrolment is not the app's current one."""


def clock() -> float:
    """The time codes are checked against (tests freeze it)."""
    return time.time()


def throttle_key_for(user: User) -> str:
    return f"2fa:{user.pk}"


# --- What a person has ----------------------------------------------------------------------


def totp_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def has_second_factor(user: User) -> bool:
    return totp_enabled(user) or Passkey.objects.filter(user=user).exists()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- Enrolment ------------------------------------------------------------------------------


def totp_enrol_start(*, user: User) -> TOTPDevice:
    """The enrolment in progress, or a new one with a fresh secret. A reload shows the same
    secret, so that a code from the app already scanned still confirms it."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32(32)}
    )
    return device


def totp_provisioning(device: TOTPDevice, institution: Institution) -> dict[str, str]:
    """What the enrolment page shows: the QR code (a PNG data: URI, allowed by the CSP) and
    the secret in groups of four, for typing it in by hand."""
    user = device.user
    label = user.identifier or user.username
    uri = pyotp.TOTP(device.secret).provisioning_uri(name=label, issuer_name=institution.name)
    qr = segno.make(uri, error="m")
    grouped = " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))
    return {"qr": qr.png_data_uri(scale=5, border=2), "secret": grouped, "uri": uri}


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time-step (previous, current or next window) whose code this is, if any."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now) // STEP_SECONDS
    found = None
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            found = step
    return found


@transaction.atomic
def totp_enrol_confirm(*, request: HttpRequest, user: User, code: str) -> list[str]:
    """The first code confirms the app; ten recovery codes are made and returned (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is not None:
        raise WrongCode
    step = _matching_step(device.secret, code, clock())
    if step is None:
        raise WrongCode
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = recovery_codes_replace(user=user)
    audit_record(
        kind=AuditEvent.Kind.SECOND_FACTOR_ENROLLED,
        request=request,
        actor=user,
        subject=user,
        details={"method": "totp"},
    )
    return codes


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def recovery_codes_replace(*, user: User) -> list[str]:
    """Ten new codes; the old ones die. Returns the codes in clear, for one display only."""
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=make_password(code)) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@transaction.atomic
def recovery_codes_renew(*, request: HttpRequest, user: User) -> list[str]:
    codes = recovery_codes_replace(user=user)
    audit_record(kind=AuditEvent.Kind.RECOVERY_CODES_RENEWED, request=request, subject=user)
    return codes


# --- The step after the password ------------------------------------------------------------


@transaction.atomic
def _totp_accept(user: User, code: str) -> bool:
    device = (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        return False
    step = _matching_step(device.secret, code, clock())
    if step is None or (device.last_step is not None and step <= device.last_step):
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    return True


def _recovery_accept(user: User, code: str) -> bool:
    typed = _normalize_recovery(code)
    if len(typed) != 10:
        return False
    for stored in RecoveryCode.objects.filter(user=user, used_at__isnull=True):
        if check_password(typed, stored.code_hash):
            # The conditional update makes a code good once, even for two requests at once.
            return bool(
                RecoveryCode.objects.filter(pk=stored.pk, used_at__isnull=True).update(
                    used_at=timezone.now()
                )
            )
    return False


def second_factor_verify(*, request: HttpRequest, user: User, code: str) -> str:
    """A code from the app, or a recovery code: which one it was ("totp" or "recovery").
    Anything else raises Refused; five refusals lock the step for 15 minutes."""
    key = throttle_key_for(user)
    ip = client_ip(request)
    locked = throttle_check(THROTTLE, key=key, ip=ip)
    if locked:
        raise Refused(locked)
    if _totp_accept(user, code):
        method = "totp"
    elif _recovery_accept(user, code):
        method = "recovery"
        audit_record(
            kind=AuditEvent.Kind.RECOVERY_CODE_USED,
            request=request,
            actor=user,
            subject=user,
            details={"left": recovery_codes_left(user)},
        )
    else:
        # Outside any transaction: a refusal never rolls its own count back.
        locked = throttle_fail(THROTTLE, key=key, ip=ip)
        audit_record(kind=AuditEvent.Kind.SECOND_FACTOR_FAILED, request=request, subject=user)
        if locked:
            audit_record(
                kind=AuditEvent.Kind.LOCKOUT,
                request=request,
                subject=user,
                details={"scope": locked, "second_factor": True},
            )
        raise Refused(locked)
    throttle_clear(THROTTLE, key=key)
    return method


# --- Turning it off ---------------------------------------------------------------------------


@transaction.atomic
def second_factor_disable(*, request: HttpRequest, user: User) -> None:
    """The person turns the app off (their password was checked): the secret and the recovery
    codes go. Passkeys stay; each is removed on its own."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_record(kind=AuditEvent.Kind.SECOND_FACTOR_DISABLED, request=request, subject=user)


@transaction.atomic
def second_factor_reset(*, request: HttpRequest, actor: User, user: User) -> None:
    """The registrar, having checked the person's identity, removes every second factor (app,
    recovery codes, passkeys) and ends the person's sessions. Audited; the person is told."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    Passkey.objects.filter(user=user).delete()
    UserSession.objects.filter(user=user).delete()
    throttle_clear(THROTTLE, key=throttle_key_for(user))
    audit_record(
        kind=AuditEvent.Kind.SECOND_FACTOR_RESET, request=request, actor=actor, subject=user
    )
    email = email_on_file(user)
    if email:
        email_send(
            to=email,
            template="second_factor_reset",
            context={"user": user, "when": timezone.now()},
        )
