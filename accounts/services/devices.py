"""Known devices and "Nouvelle connexion à votre compte".

A browser is known by a long-lived, signed, HttpOnly cookie holding a random id; the account
keeps only a hash of it. A sign-in from a browser the account has not seen sends an email with
a "Ce n'était pas vous ?" link: single-use (it removes the device it names), expiring, and
leading to the end of every session and to the password reset.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from accounts.models import KnownDevice, User, UserSession
from accounts.services.recovery import email_on_file
from portal.emails import email_send
from portal.http import client_ip, user_agent
from portal.models import AuditEvent
from portal.services import audit_record

DEVICE_COOKIE = "portail_appareil"
DEVICE_SALT = "portail.accounts.device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 60 * 60
NOT_ME_SALT = "portail.accounts.not-me"
NOT_ME_MAX_AGE = 3 * 24 * 60 * 60
# Set on the request by device_seen, written on the response by the login stage middleware.
NEW_DEVICE_ATTR = "portal_new_device_id"


def _digest(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()


def _device_id(request: HttpRequest) -> str:
    """This browser's id: from its cookie if it carries a valid one, else a new one that the
    response will set."""
    device_id = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    if not device_id:
        device_id = getattr(request, NEW_DEVICE_ATTR, None) or secrets.token_urlsafe(24)
        setattr(request, NEW_DEVICE_ATTR, device_id)
    return device_id


def device_cookie_write(request: HttpRequest, response: HttpResponse) -> None:
    device_id = getattr(request, NEW_DEVICE_ATTR, None)
    if device_id:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            device_id,
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )


def device_first(*, request: HttpRequest, user: User) -> None:
    """A new account's first browser (its first use): known from the start, in one INSERT."""
    KnownDevice.objects.create(
        user=user,
        device_hash=_digest(_device_id(request)),
        user_agent=user_agent(request),
        ip_address=client_ip(request),
    )


def device_seen(*, request: HttpRequest, user: User, notify: bool = True) -> bool:
    """Records this browser for the account. Returns whether it was new; a new one is audited
    and, where `notify` and an email is on file, told to the owner."""
    digest = _digest(_device_id(request))
    device, created = KnownDevice.objects.get_or_create(
        user=user,
        device_hash=digest,
        defaults={"user_agent": user_agent(request), "ip_address": client_ip(request)},
    )
    if not created:
        KnownDevice.objects.filter(pk=device.pk).update(last_seen=timezone.now())
        return False
    audit_record(
        kind=AuditEvent.Kind.NEW_DEVICE,
        request=request,
        actor=user,
        subject=user,
        identifier=f"{user.audience}:{user.identifier or user.username}",
        details={"notified": bool(notify and email_on_file(user))},
    )
    email = email_on_file(user)
    if notify and email:
        token = signing.dumps({"u": user.pk, "d": device.pk}, salt=NOT_ME_SALT)
        email_send(
            to=email,
            template="new_sign_in",
            context={
                "user": user,
                "when": timezone.now(),
                "ip": client_ip(request),
                "device": user_agent(request) or "—",
                "link": settings.PORTAL_BASE_URL
                + reverse("accounts:not_me", kwargs={"token": token}),
                "days": NOT_ME_MAX_AGE // (24 * 60 * 60),
            },
        )
    return True


def not_me_check(token: str) -> tuple[User, KnownDevice] | None:
    """The account and device a "Ce n'était pas vous ?" link names, while it is valid."""
    try:
        data = signing.loads(token, salt=NOT_ME_SALT, max_age=NOT_ME_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    device = (
        KnownDevice.objects.select_related("user")
        .filter(pk=data.get("d"), user_id=data.get("u"), user__is_active=True)
        .first()
    )
    return (device.user, device) if device is not None else None


@transaction.atomic
def not_me_apply(*, request: HttpRequest, token: str) -> User | None:
    """Ends every session of the account and forgets the device the email was about (which
    makes the link dead). The caller then starts the password reset."""
    found = not_me_check(token)
    if found is None:
        return None
    user, device = found
    if not KnownDevice.objects.filter(pk=device.pk).delete()[0]:
        return None
    ended, _by_model = UserSession.objects.filter(user=user).delete()
    audit_record(
        kind=AuditEvent.Kind.NOT_ME,
        request=request,
        actor=user,
        subject=user,
        details={"sessions": ended},
    )
    return user
