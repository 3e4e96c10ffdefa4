"""Getting back in: secret questions (students, and parents with their one question),
identity data (members), a link by email (employees), and the password reset every route ends
with.

Every answer is the same for an existing and a missing account: the same page, the same status,
and the same work (the hasher runs for unknown accounts too), so that nothing tells whether an
account exists. No password is ever emailed or shown: a route ends with a single-use link sent
to the address on file, or, where there is none, with a new-password step in the same session.
"""

import hashlib
import hmac
import random

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import SecretQuestion, User, UserSession
from accounts.services.common import THROTTLE, Refused, throttle_key
from accounts.services.first_use import IdentityClaim, identity_matches
from accounts.tokens import TimedTokenGenerator, activation_token, recovery_token
from portal.emails import email_send
from portal.http import client_ip
from portal.models import AuditEvent, Institution
from portal.normalize import normalize_answer
from portal.services import audit_record
from portal.throttle import throttle_check, throttle_clear, throttle_fail
from students.models import Employee, Student

RECOVERY_THROTTLE = "recovery_failed"
LINK_THROTTLE = "link_requested"
# A hash of a password nobody has, checked against for unknown accounts (equal timing).
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password("portail-dummy-answer")
    return _DUMMY_HASH


def email_on_file(user: User) -> str:
    """Where links go: the registrar's record first (what the school has on file), then the
    account. Never an address typed in a recovery form."""
    for related in ("student", "employee"):
        record = getattr(user, related, None)
        if record is not None and record.email:
            return record.email
    return user.email


def _account(audience: str, identifier: str) -> User | None:
    return (
        User.objects.filter(audience=audience, identifier=identifier, is_active=True)
        .prefetch_related("secret_answers__question")
        .first()
    )


# --- Secret questions: students (the institution's count) and parents (one) ------------------


def recovery_questions(
    *,
    identifier: str,
    institution: Institution,
    audience: str = User.Audience.STUDENT,
    count: int | None = None,
) -> list[SecretQuestion]:
    """The account's own questions, in its order; for a missing account (or one without
    answers, such as a parent's account not activated yet), `count` questions (by default the
    institution's) picked from the identifier alone, so that they too never change."""
    user = _account(audience, identifier)
    answers = list(user.secret_answers.all()) if user else []
    if answers:
        return [answer.question for answer in answers]
    # Every question ever offered, retired ones too: a real account may still have one, and
    # a missing number must look the same.
    pool = list(SecretQuestion.objects.all())
    wanted = institution.secret_question_count if count is None else count
    count = min(len(pool), max(1, wanted))
    seed = hmac.new(force_bytes(settings.SECRET_KEY), force_bytes(identifier), hashlib.sha256)
    return random.Random(seed.digest()).sample(pool, count)  # noqa: S311 - not a secret


def recovery_check_answers(
    *,
    request: HttpRequest,
    identifier: str,
    answers: dict[int, str],
    audience: str = User.Audience.STUDENT,
) -> User:
    """All the answers right: the account. Anything else: Refused, without saying which
    answer was wrong. A wrong submission counts as a failed login, and three close this route
    for the identifier for 15 minutes."""
    key = throttle_key(audience, identifier)
    ip = client_ip(request)
    locked = throttle_check(RECOVERY_THROTTLE, key=key, ip=ip) or throttle_check(
        THROTTLE, key=key, ip=ip
    )
    if locked:
        raise Refused(locked)
    user = _account(audience, identifier)
    stored = list(user.secret_answers.all()) if user else []
    if stored:
        # Every answer is checked, right or wrong, so the timing says nothing either.
        results = [
            check_password(
                normalize_answer(answers.get(answer.question_id, "")), answer.answer_hash
            )
            for answer in stored
        ]
        right = len(stored) == len(answers) and all(results)
    else:
        # The same hashing work as an account with answers.
        for answer in answers.values():
            check_password(normalize_answer(answer), _dummy_hash())
        right = False
    if right:
        throttle_clear(RECOVERY_THROTTLE, key=key)
        audit_record(
            kind=AuditEvent.Kind.RECOVERY_VERIFIED, request=request, subject=user, identifier=key
        )
        return user
    locked = throttle_fail(RECOVERY_THROTTLE, key=key, ip=ip)
    locked = throttle_fail(THROTTLE, key=key, ip=ip) or locked
    audit_record(kind=AuditEvent.Kind.RECOVERY_FAILED, request=request, identifier=key)
    if locked:
        audit_record(
            kind=AuditEvent.Kind.LOCKOUT, request=request, identifier=key, details={"scope": locked}
        )
    raise Refused(locked)


# --- Links ----------------------------------------------------------------------------------


def link_path(user: User, *, generator: TimedTokenGenerator) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    name = "accounts:activate" if generator is activation_token else "accounts:reset"
    return reverse(name, kwargs={"uidb64": uidb64, "token": generator.make_token(user)})


def reset_link_send(
    *, request: HttpRequest, user: User, purpose: str = "recovery", email: str | None = None
) -> None:
    """Emails a single-use link to the address on file: "recovery" (1 hour) or "activation"
    (an employee's first use, 24 hours). Links point at PORTAL_BASE_URL, never at the Host
    the request came with."""
    generator = activation_token if purpose == "activation" else recovery_token
    email_send(
        to=email or email_on_file(user),
        template="activation_link" if purpose == "activation" else "reset_link",
        context={
            "user": user,
            "link": settings.PORTAL_BASE_URL + link_path(user, generator=generator),
            "hours": generator.timeout // 3600,
        },
    )
    audit_record(
        kind=AuditEvent.Kind.RESET_LINK_SENT,
        request=request,
        subject=user,
        identifier=throttle_key(user.audience, user.identifier),
        details={"purpose": purpose},
    )


def link_allowed(request: HttpRequest, key: str) -> bool:
    """At most 3 emails an hour for one identifier (and 30 for one address): past that, the
    page answers the same and nothing is sent."""
    ip = client_ip(request)
    if throttle_check(LINK_THROTTLE, key=key, ip=ip):
        return False
    throttle_fail(LINK_THROTTLE, key=key, ip=ip)
    return True


# --- Members: identity data -----------------------------------------------------------------


def member_recovery_request(
    *, request: HttpRequest, institution: Institution, claim: IdentityClaim
) -> None:
    """Matricule + last name + birthdate + postal code: if they match an activated account
    with an email on file, a reset link goes to that email. The caller always answers alike.
    Raises Refused only for a lockout (which says nothing about the account)."""
    key = throttle_key(User.Audience.STUDENT, claim.identifier)
    ip = client_ip(request)
    locked = throttle_check(THROTTLE, key=key, ip=ip)
    if locked:
        raise Refused(locked)
    audit_record(kind=AuditEvent.Kind.RECOVERY_STARTED, request=request, identifier=key)
    student = Student.objects.select_related("user").filter(matricule=claim.identifier).first()
    if student is None or not identity_matches(student, claim, institution):
        throttle_fail(THROTTLE, key=key, ip=ip)
        audit_record(kind=AuditEvent.Kind.RECOVERY_FAILED, request=request, identifier=key)
        return
    user = student.user
    if user is None or not user.is_active or not user.has_usable_password():
        return
    if email_on_file(user) and link_allowed(request, key):
        reset_link_send(request=request, user=user)


# --- Employees: a link to the address on file -----------------------------------------------


@transaction.atomic
def employee_link_request(*, request: HttpRequest, number: str, purpose: str) -> None:
    """An employee's first use ("activation") or forgotten password ("recovery"): whatever the
    number, the page answers alike; an employee on file with an email gets the right link.

    An employee who asks for a first use but is already active gets a recovery link instead,
    and one who forgot a password never set gets the first-use link.
    """
    key = throttle_key(User.Audience.EMPLOYEE, number)
    audit_record(
        kind=AuditEvent.Kind.RECOVERY_STARTED,
        request=request,
        identifier=key,
        details={"purpose": purpose},
    )
    employee = Employee.objects.select_related("user").filter(employee_number=number).first()
    if employee is None or not employee.email or not link_allowed(request, key):
        return
    user = employee.user
    if user is None:
        user = User(
            audience=User.Audience.EMPLOYEE,
            identifier=number,
            username=User.username_for(User.Audience.EMPLOYEE, number),
            first_name=employee.first_name,
            last_name=employee.last_name,
            email=employee.email,
        )
        user.set_unusable_password()
        user.save()
        employee.user = user
        employee.save(update_fields=["user"])
    if not user.is_active:
        return
    active = user.has_usable_password()
    reset_link_send(request=request, user=user, purpose="recovery" if active else "activation")


# --- The end of every route -----------------------------------------------------------------


@transaction.atomic
def password_reset_complete(*, request: HttpRequest, user: User, password: str) -> None:
    """Sets the new password, ends every session of the account (this browser is not logged
    in), and tells the owner by email."""
    first_time = not user.has_usable_password()
    user.set_password(password)
    if first_time and user.activated_at is None:
        user.activated_at = timezone.now()
    user.save(update_fields=["password", "activated_at"])
    UserSession.objects.filter(user=user).delete()
    key = throttle_key(user.audience, user.identifier)
    throttle_clear(THROTTLE, key=key)
    throttle_clear(RECOVERY_THROTTLE, key=key)
    kind = AuditEvent.Kind.EMPLOYEE_ACTIVATED if first_time else AuditEvent.Kind.PASSWORD_RESET
    audit_record(kind=kind, request=request, subject=user, identifier=key)
    email = email_on_file(user)
    if email:
        email_send(
            to=email,
            template="password_changed",
            context={"user": user, "when": timezone.now(), "ip": client_ip(request)},
        )


def session_reset_token(user: User) -> tuple[str, str]:
    """For a student with no email on file: the (uidb64, token) the same session uses to set
    the new password right after the answers, through the same reset page as a link."""
    return urlsafe_base64_encode(force_bytes(user.pk)), recovery_token.make_token(user)
