"""A parent's account: created from the school's records, activated by a link, then used like
any other account (login, reset by the secret question, Gestion de mon compte).

The request never tells whether an email is on file or which detail was wrong: the page answers
alike, and the email itself tells the owner (DESIGN.md, "Where we deliberately differ"). The
account exists, without a usable password, from the first matching request; it can log in
only once the link has been followed and a password chosen.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import SecretQuestion, User
from accounts.services.common import THROTTLE, Refused, throttle_key
from accounts.services.profile import secret_answers_replace
from accounts.services.recovery import RECOVERY_THROTTLE
from accounts.tokens import activation_token
from parents.models import Guardian
from portal.emails import email_send
from portal.http import client_ip
from portal.models import AuditEvent, Institution, School
from portal.normalize import normalize_name
from portal.services import audit_record
from portal.throttle import throttle_check, throttle_clear, throttle_fail

SIGNUP_THROTTLE = "parent_signup"


class LinkUsed(Exception):
    """The activation link was used by another request in the meantime."""


@dataclass(frozen=True)
class SignupClaim:
    """What a parent types on "Création d'un compte de portail"."""

    email: str
    last_name: str
    first_name: str
    birthdate: datetime.date
    school: School
    civic_number: str


def normalize_email(value: str) -> str:
    """Guardians' emails are stored in lower case: so is every email typed in the parents' pages."""
    return (value or "").strip().lower()


def _civic(value: str) -> str:
    return "".join((value or "").split()).casefold()


def signup_match(*, institution: Institution, claim: SignupClaim) -> Guardian | None:
    """The guardian row the details prove, or None.

    The email must be on a child's file with access to the portal; the youngest of those
    children (the latest birthdate: twins are alike) must have the birthdate and school typed;
    and one row with that email must carry the names (accents, case and spaces aside) and the
    civic number typed."""
    rows = list(
        Guardian.objects.filter(
            email=claim.email, can_view=True, student__school__institution=institution
        ).select_related("student")
    )
    if not rows:
        return None
    youngest = max(row.student.birthdate for row in rows)
    if claim.birthdate != youngest:
        return None
    if not any(
        row.student.birthdate == youngest and row.student.school_id == claim.school.pk
        for row in rows
    ):
        return None
    last, first, civic = (
        normalize_name(claim.last_name),
        normalize_name(claim.first_name),
        _civic(claim.civic_number),
    )
    for row in rows:
        if (
            civic
            and normalize_name(row.last_name) == last
            and normalize_name(row.first_name) == first
            and _civic(row.civic_number) == civic
        ):
            return row
    return None


def activation_link(user: User) -> str:
    """The absolute, single-use link (24 hours) to the parents' activation page. Links point at
    PORTAL_BASE_URL, never at the Host the request came with."""
    path = reverse(
        "parents:activate",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": activation_token.make_token(user),
        },
    )
    return settings.PORTAL_BASE_URL + path


def parent_signup_request(
    *, request: HttpRequest, institution: Institution, claim: SignupClaim
) -> None:
    """ "Confirmer" on the account creation page. Whatever matched, the caller answers alike.

    Every attempt counts (5 an hour per email, 20 per address): past that, Refused is raised
    before anything is looked up, so the lockout depends only on the attempts. On a match, the
    email on file gets an activation link, or, for an account already activated, a reminder
    that it exists (never a password). Nothing is sent otherwise.
    """
    key = throttle_key(User.Audience.PARENT, claim.email)
    ip = client_ip(request)
    locked = throttle_check(SIGNUP_THROTTLE, key=claim.email, ip=ip)
    if locked:
        audit_record(
            kind=AuditEvent.Kind.PARENT_SIGNUP_REFUSED,
            request=request,
            identifier=key,
            details={"reason": f"locked_{locked.value}"},
        )
        raise Refused(locked)
    locked = throttle_fail(SIGNUP_THROTTLE, key=claim.email, ip=ip)
    if locked:
        audit_record(
            kind=AuditEvent.Kind.LOCKOUT,
            request=request,
            identifier=key,
            details={"scope": locked.value, "throttle": SIGNUP_THROTTLE},
        )
    guardian = signup_match(institution=institution, claim=claim)
    if guardian is None:
        audit_record(
            kind=AuditEvent.Kind.PARENT_SIGNUP_REFUSED,
            request=request,
            identifier=key,
            details={"reason": "mismatch"},
        )
        return
    _signup_answer(request=request, institution=institution, guardian=guardian, key=key)


@transaction.atomic
def _signup_answer(
    *, request: HttpRequest, institution: Institution, guardian: Guardian, key: str
) -> None:
    email = guardian.email
    # get_or_create survives two requests racing for the same email (the identifier is unique
    # per audience). The password is unusable: the account cannot log in before activation.
    user, created = User.objects.get_or_create(
        audience=User.Audience.PARENT,
        identifier=email,
        defaults={
            "username": User.username_for(User.Audience.PARENT, email),
            "email": email,
            "first_name": guardian.first_name,
            "last_name": guardian.last_name,
            "password": make_password(None),
        },
    )
    if not user.is_active:
        # Staff disabled the account: nothing to send.
        outcome = "disabled"
    elif user.has_usable_password():
        outcome = "account_exists"
        email_send(
            to=email,
            template="parent_account_exists",
            context={
                "user": user,
                "login_link": settings.PORTAL_BASE_URL + reverse("parents:login"),
                "reset_link": settings.PORTAL_BASE_URL + reverse("parents:reset"),
            },
            institution=institution,
        )
    else:
        outcome = "activation_sent"
        email_send(
            to=email,
            template="parent_activation",
            context={
                "user": user,
                "link": activation_link(user),
                "hours": activation_token.timeout // 3600,
            },
            institution=institution,
        )
    audit_record(
        kind=AuditEvent.Kind.PARENT_SIGNUP_REQUESTED,
        request=request,
        subject=user,
        identifier=key,
        details={"outcome": outcome, "created": created},
    )


@transaction.atomic
def parent_activate(
    *, request: HttpRequest, user: User, password: str, question: SecretQuestion, answer: str
) -> User:
    """The end of the activation link: password, one secret question, and every child whose
    file lists this email linked to the account (what each parent may see is decided by the
    file, see parents.selectors). The password change kills the link. Raises LinkUsed when a
    concurrent request activated the account first."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_usable_password():
        raise LinkUsed
    now = timezone.now()
    user.set_password(password)
    user.activated_at = now
    user.save(update_fields=["password", "activated_at"])
    secret_answers_replace(user=user, answers=[(question, answer)])
    linked = Guardian.objects.filter(email=user.identifier, account__isnull=True).update(
        account=user, linked_at=now
    )
    key = throttle_key(User.Audience.PARENT, user.identifier)
    throttle_clear(THROTTLE, key=key)
    throttle_clear(RECOVERY_THROTTLE, key=key)
    audit_record(
        kind=AuditEvent.Kind.PARENT_ACTIVATED,
        request=request,
        subject=user,
        identifier=key,
        details={"linked": linked},
    )
    return user
