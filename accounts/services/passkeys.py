"""Passkeys (WebAuthn, with py_webauthn): register several, name them, remove them, sign in.

The relying party is PORTAL_BASE_URL: its host is the RP id, its scheme://host[:port] the only
origin accepted. User verification is required at registration and at sign-in, so a passkey
is "something you have" plus the PIN or biometric that unlocks it: it satisfies both factors
("Se connecter avec une clé d'accès"), and it passes the second step after a password too.
Each ceremony's challenge lives in the server-side session and is used once.
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts.models import Passkey, User
from portal.models import AuditEvent, Institution
from portal.services import audit_record

REGISTER_CHALLENGE_KEY = "_passkey_register_challenge"
LOGIN_CHALLENGE_KEY = "_passkey_login_challenge"
TIMEOUT_MS = 120_000


class PasskeyRefused(Exception):
    """The browser's answer did not verify (wrong origin, unknown key, no user verification,
    replayed challenge…)."""


def relying_party() -> tuple[str, str]:
    """(RP id, origin) from PORTAL_BASE_URL."""
    parts = urlsplit(settings.PORTAL_BASE_URL)
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id))
        for key in Passkey.objects.filter(user=user).only("credential_id")
    ]


def _credential_id(credential: str) -> str:
    try:
        data = json.loads(credential)
        raw = data.get("rawId") or data.get("id") or ""
        return bytes_to_base64url(base64url_to_bytes(str(raw)))
    except (ValueError, TypeError, AttributeError):
        raise PasskeyRefused from None


# --- Registration (logged in, from the profile) ---------------------------------------------


def passkey_register_options(*, request: HttpRequest, user: User, institution: Institution) -> str:
    rp_id, _origin = relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=institution.name,
        user_id=f"portail-{user.pk}".encode(),
        user_name=user.identifier or user.username,
        user_display_name=user.display_name,
        timeout=TIMEOUT_MS,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    request.session[REGISTER_CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


@transaction.atomic
def passkey_register(*, request: HttpRequest, user: User, name: str, credential: str) -> Passkey:
    challenge = request.session.pop(REGISTER_CHALLENGE_KEY, None)
    if not challenge:
        raise PasskeyRefused
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
        transports = json.loads(credential).get("response", {}).get("transports") or []
    except (WebAuthnException, ValueError, TypeError, AttributeError):
        raise PasskeyRefused from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise PasskeyRefused
    passkey = Passkey.objects.create(
        user=user,
        name=name,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[str(t) for t in transports][:10],
    )
    audit_record(
        kind=AuditEvent.Kind.PASSKEY_ADDED,
        request=request,
        subject=user,
        details={"name": name},
    )
    return passkey


@transaction.atomic
def passkey_remove(*, request: HttpRequest, user: User, passkey: Passkey) -> None:
    name = passkey.name
    passkey.delete()
    audit_record(
        kind=AuditEvent.Kind.PASSKEY_REMOVED, request=request, subject=user, details={"name": name}
    )


# --- Sign-in --------------------------------------------------------------------------------


def passkey_login_options(*, request: HttpRequest, user: User | None) -> str:
    """For the second step, the pending account's keys; for a sign-in without password, any
    passkey the browser holds for this portal (discoverable credentials)."""
    rp_id, _origin = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(user) if user is not None else [],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    request.session[LOGIN_CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def passkey_authenticate(*, request: HttpRequest, credential: str, user: User | None) -> User:
    """The account whose passkey signed this session's challenge, with the user verified.
    With `user` (the second step), the key must be that account's."""
    challenge = request.session.pop(LOGIN_CHALLENGE_KEY, None)
    if not challenge:
        raise PasskeyRefused
    found = Passkey.objects.select_related("user").filter(
        credential_id=_credential_id(credential), user__is_active=True
    )
    if user is not None:
        found = found.filter(user=user)
    passkey = found.first()
    if passkey is None:
        raise PasskeyRefused
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, AttributeError):
        raise PasskeyRefused from None
    Passkey.objects.filter(pk=passkey.pk).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    return passkey.user
