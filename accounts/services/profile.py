"""Profil personnel, and what staff do to accounts from the admin. Each write is audited; a
changed password or address is told to the owner by email."""

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import SecretAnswer, SecretQuestion, User, UserSession
from accounts.services.common import THROTTLE, Refused, throttle_key
from accounts.services.recovery import RECOVERY_THROTTLE, email_on_file
from portal.emails import email_send
from portal.http import client_ip
from portal.models import AuditEvent, Institution
from portal.normalize import normalize_answer
from portal.services import audit_record
from portal.throttle import throttle_check, throttle_clear, throttle_fail

EMAIL_CHANGE_SALT = "portail.accounts.email-change"
EMAIL_CHANGE_MAX_AGE = 24 * 60 * 60


class EmailTaken(Exception):
    """The new address is already another parent's login: the change cannot apply."""


def question_count_for(user: User, institution: Institution) -> int:
    """How many secret questions the account keeps: one for a parent (the parents' guide asks
    one question, for reset), the institution's number for everyone else."""
    if user.audience == User.Audience.PARENT:
        return 1
    return institution.secret_question_count


def current_password_verify(*, request: HttpRequest, user: User, password: str) -> None:
    """The password typed again before a sensitive change. Wrong ones count as failed logins
    (the same lockout), so a session left open is no way to guess the password."""
    key = throttle_key(user.audience, user.identifier or user.username)
    ip = client_ip(request)
    locked = throttle_check(THROTTLE, key=key, ip=ip)
    if locked:
        raise Refused(locked)
    if not user.check_password(password):
        locked = throttle_fail(THROTTLE, key=key, ip=ip)
        audit_record(
            kind=AuditEvent.Kind.LOGIN_FAILED,
            request=request,
            subject=user,
            identifier=key,
            details={"reason": "password_reentry"},
        )
        raise Refused(locked)


def sessions_end_others(*, request: HttpRequest, user: User) -> int:
    """Logs the account out everywhere but in this browser."""
    ended, _by_model = (
        UserSession.objects.filter(user=user).exclude(session_key=request.session.session_key)
    ).delete()
    if ended:
        audit_record(
            kind=AuditEvent.Kind.SESSIONS_ENDED,
            request=request,
            subject=user,
            details={"count": ended},
        )
    return ended


@transaction.atomic
def password_change(*, request: HttpRequest, user: User, password: str) -> None:
    """The current password was checked by the form. This browser stays logged in (with a new
    session key); every other session ends."""
    user.set_password(password)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)
    UserSession.objects.filter(user=user).exclude(session_key=request.session.session_key).delete()
    audit_record(kind=AuditEvent.Kind.PASSWORD_CHANGED, request=request, subject=user)
    email = email_on_file(user)
    if email:
        email_send(
            to=email,
            template="password_changed",
            context={"user": user, "when": timezone.now(), "ip": client_ip(request)},
        )


@transaction.atomic
def questions_change(
    *, request: HttpRequest, user: User, answers: list[tuple[SecretQuestion, str]]
) -> None:
    secret_answers_replace(user=user, answers=answers)
    audit_record(kind=AuditEvent.Kind.QUESTIONS_CHANGED, request=request, subject=user)


def secret_answers_replace(*, user: User, answers: list[tuple[SecretQuestion, str]]) -> None:
    """The account's questions become these, each answer normalised then hashed like a
    password (staff cannot read them). The caller holds the transaction."""
    user.secret_answers.all().delete()
    SecretAnswer.objects.bulk_create(
        SecretAnswer(
            user=user,
            question=question,
            answer_hash=make_password(normalize_answer(answer)),
            position=position,
        )
        for position, (question, answer) in enumerate(answers)
    )


def _email_change_binding(user: User, old: str) -> str:
    """Ties a link to the account as it is now: its password hash and its current address. A
    new password (reset or change) or another address kills every link sent before, and a link
    signed with a leaked key is worthless without the account's password hash."""
    return salted_hmac(
        EMAIL_CHANGE_SALT, f"{user.password}\x1f{old}", algorithm="sha256"
    ).hexdigest()


def email_change_request(*, request: HttpRequest, user: User, email: str) -> None:
    """Sends a verification link to the new address and a notice to the old one. Nothing
    changes until the link is followed; the link dies once the address has changed."""
    old = email_on_file(user)
    token = signing.dumps(
        {"user": user.pk, "new": email, "bind": _email_change_binding(user, old)},
        salt=EMAIL_CHANGE_SALT,
    )
    email_send(
        to=email,
        template="email_change_verify",
        context={
            "user": user,
            "link": settings.PORTAL_BASE_URL
            + reverse("accounts:email_confirm", kwargs={"token": token}),
        },
    )
    if old:
        email_send(to=old, template="email_change_notice", context={"user": user, "new": email})
    audit_record(kind=AuditEvent.Kind.EMAIL_CHANGE_REQUESTED, request=request, subject=user)


@transaction.atomic
def email_change_confirm(*, request: HttpRequest, token: str) -> User | None:
    """Applies a verified change to the account and to the registrar's record. None for a
    link that is forged, expired, or already used.

    A parent logs in with their email, so the login (identifier and username) follows the new
    address; if another parent account already logs in with it, nothing changes and EmailTaken
    is raised. The children stay linked: the links point at the account, not at an address."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"user", "new", "bind"} <= data.keys():
        return None
    user = User.objects.select_for_update().filter(pk=data["user"], is_active=True).first()
    if user is None or not constant_time_compare(
        str(data["bind"]), _email_change_binding(user, email_on_file(user))
    ):
        return None
    fields = ["email"]
    if user.audience == User.Audience.PARENT:
        new = data["new"].strip().lower()
        taken = (
            User.objects.filter(audience=User.Audience.PARENT, identifier=new)
            .exclude(pk=user.pk)
            .exists()
        )
        too_long = len(User.username_for(User.Audience.PARENT, new)) > (
            User._meta.get_field("username").max_length
        )
        if taken or too_long:
            raise EmailTaken(new)
        user.email = user.identifier = new
        user.username = User.username_for(User.Audience.PARENT, new)
        fields += ["identifier", "username"]
    else:
        user.email = data["new"]
    try:
        # A concurrent change to the same address loses cleanly instead of breaking the page.
        with transaction.atomic():
            user.save(update_fields=fields)
    except IntegrityError:
        raise EmailTaken(user.email) from None
    for related in ("student", "employee"):
        record = getattr(user, related, None)
        if record is not None:
            record.email = data["new"]
            record.save(update_fields=["email"])
    audit_record(kind=AuditEvent.Kind.EMAIL_CHANGED, request=request, subject=user)
    return user


# --- Staff, from the admin ------------------------------------------------------------------


def account_unlock(*, request: HttpRequest, actor: User, user: User) -> None:
    """Lifts the account's lockouts (login and secret questions) before they expire."""
    key = throttle_key(user.audience, user.identifier or user.username)
    throttle_clear(THROTTLE, key=key)
    throttle_clear(RECOVERY_THROTTLE, key=key)
    audit_record(
        kind=AuditEvent.Kind.STAFF_UNLOCK,
        request=request,
        actor=actor,
        subject=user,
        identifier=key,
    )


@transaction.atomic
def first_use_reset(*, request: HttpRequest, actor: User, user: User) -> None:
    """The student does first use again: no password, no answers, no session. Staff never see
    or choose either."""
    user.set_unusable_password()
    user.activated_at = None
    user.save(update_fields=["password", "activated_at"])
    user.secret_answers.all().delete()
    UserSession.objects.filter(user=user).delete()
    audit_record(
        kind=AuditEvent.Kind.STAFF_FIRST_USE_RESET,
        request=request,
        actor=actor,
        subject=user,
        identifier=throttle_key(user.audience, user.identifier),
    )


@transaction.atomic
def account_disable(*, request: HttpRequest, actor: User, user: User) -> None:
    """Disabling an account ends its sessions at once."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    UserSession.objects.filter(user=user).delete()
    audit_record(kind=AuditEvent.Kind.ACCOUNT_DISABLED, request=request, actor=actor, subject=user)
