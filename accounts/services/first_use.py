"""First use: identity, emailed code, secret questions, email, password. Each step is a
write on the flow's row, atomic and audited."""

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import FirstUseFlow, SecretAnswer, SecretQuestion, User
from accounts.services.common import THROTTLE, Refused, refuse, throttle_key
from portal.emails import email_send
from portal.http import client_ip
from portal.models import AuditEvent, Institution
from portal.normalize import normalize_answer, normalize_name, normalize_postal_code
from portal.services import audit_record
from portal.throttle import throttle_check, throttle_clear
from students import code_permanent
from students.models import Student

FLOW_LIFETIME = datetime.timedelta(minutes=30)
CODE_LIFETIME = datetime.timedelta(minutes=15)
CODE_MAX_ATTEMPTS = 5
CODE_MAX_SENDS = 3


class AlreadyActivated(Exception):
    pass


class CodeRefused(Exception):
    def __init__(self, *, expired: bool = False, exhausted: bool = False) -> None:
        super().__init__()
        self.expired = expired
        self.exhausted = exhausted


@dataclass(frozen=True)
class IdentityClaim:
    identifier: str
    birthdate: datetime.date
    code_permanent: str = ""
    last_name: str = ""
    postal_code: str = ""


def identity_matches(student: Student, claim: IdentityClaim, institution: Institution) -> bool:
    if student.birthdate != claim.birthdate:
        return False
    if institution.uses_code_permanent:
        code = claim.code_permanent
        # No code on file, no first use by code: a "consistent" code is built from the name
        # and birthdate alone, which a classmate may know.
        if not student.code_permanent or not constant_time_compare(
            student.code_permanent.upper(), code
        ):
            return False
        return code_permanent.is_consistent(
            code,
            last_name=student.last_name,
            first_name=student.first_name,
            birthdate=student.birthdate,
            sex=student.sex,
        )
    return normalize_name(student.last_name) == normalize_name(claim.last_name) and (
        normalize_postal_code(student.postal_code) == normalize_postal_code(claim.postal_code)
    )


def _code_digest(flow: FirstUseFlow, code: str) -> str:
    return salted_hmac(
        "portail.first-use-code", f"{flow.pk}:{code}", algorithm="sha256"
    ).hexdigest()


def _code_new(flow: FirstUseFlow) -> str:
    """Puts a fresh code's digest on the flow (unsaved) and returns the code for the email."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    flow.code_hash = _code_digest(flow, code)
    flow.code_expires_at = timezone.now() + CODE_LIFETIME
    flow.code_sends += 1
    return code


def _code_email(flow: FirstUseFlow, code: str, institution: Institution | None = None) -> None:
    email_send(
        to=flow.student.email,
        template="first_use_code",
        context={"code": code, "student": flow.student, "minutes": CODE_LIFETIME.seconds // 60},
        institution=institution,
    )


def first_use_verify_identity(
    *, request: HttpRequest, institution: Institution, claim: IdentityClaim
) -> FirstUseFlow:
    """Checks the institution's proofs and opens a first-use flow for that student.

    Raises Refused for any mismatch, whatever field was wrong (failures count towards the
    identifier's lockout like failed logins), AlreadyActivated for an active account.
    """
    key = throttle_key(User.Audience.STUDENT, claim.identifier)
    locked = throttle_check(THROTTLE, key=key, ip=client_ip(request))
    if locked:
        raise Refused(locked)
    student = Student.objects.select_related("user").filter(matricule=claim.identifier).first()
    if student is None or not identity_matches(student, claim, institution):
        raise refuse(request, key=key, kind=AuditEvent.Kind.FIRST_USE_IDENTITY_FAILED)
    if student.user is not None and student.user.has_usable_password():
        # Proofs of an active account say nothing about its password: its failed-login count
        # stays as it is.
        audit_record(
            kind=AuditEvent.Kind.FIRST_USE_ALREADY_ACTIVE,
            request=request,
            subject=student.user,
            identifier=key,
        )
        raise AlreadyActivated
    steps = []
    if institution.emailed_code_enabled and student.email:
        steps.append(FirstUseFlow.Step.CODE)
    if institution.secret_question_count:
        steps.append(FirstUseFlow.Step.QUESTIONS)
    if institution.first_use_collects_email:
        steps.append(FirstUseFlow.Step.EMAIL)
    steps.append(FirstUseFlow.Step.PASSWORD)
    with transaction.atomic():
        throttle_clear(THROTTLE, key=key)
        # One flow per student at a time: an older, unfinished one dies here.
        FirstUseFlow.objects.filter(student=student, completed_at__isnull=True).delete()
        flow = FirstUseFlow(student=student, steps=steps, expires_at=timezone.now() + FLOW_LIFETIME)
        code = _code_new(flow) if steps[0] == FirstUseFlow.Step.CODE else None
        flow.save(force_insert=True)
        audit_record(
            kind=AuditEvent.Kind.FIRST_USE_IDENTITY_VERIFIED,
            request=request,
            subject=student.user,
            identifier=key,
            details={"code_sent": code is not None},
        )
        if code is not None:
            _code_email(flow, code, institution)
    return flow


def _advance(flow: FirstUseFlow, *fields: str) -> None:
    flow.position += 1
    flow.save(update_fields=["position", *fields])


@transaction.atomic
def first_use_resend_code(*, request: HttpRequest, flow: FirstUseFlow) -> bool:
    """Sends a fresh code (the attempts already used still count). False past the limit."""
    flow = FirstUseFlow.objects.select_for_update().select_related("student").get(pk=flow.pk)
    if flow.code_sends >= CODE_MAX_SENDS or flow.code_attempts >= CODE_MAX_ATTEMPTS:
        return False
    code = _code_new(flow)
    flow.save(update_fields=["code_hash", "code_expires_at", "code_sends"])
    _code_email(flow, code)
    audit_record(
        kind=AuditEvent.Kind.FIRST_USE_CODE_SENT,
        request=request,
        identifier=throttle_key(User.Audience.STUDENT, flow.student.matricule),
    )
    return True


def first_use_verify_code(*, request: HttpRequest, flow: FirstUseFlow, code: str) -> None:
    """Checks the emailed code: 15 minutes, 5 tries in all. A wrong try is counted in its own
    committed write before the refusal is raised."""
    key = throttle_key(User.Audience.STUDENT, flow.student.matricule)
    with transaction.atomic():
        flow = FirstUseFlow.objects.select_for_update().get(pk=flow.pk)
        if flow.code_attempts >= CODE_MAX_ATTEMPTS:
            refused = CodeRefused(exhausted=True)
        else:
            flow.code_attempts += 1
            expired = flow.code_expires_at is None or flow.code_expires_at <= timezone.now()
            if expired or not constant_time_compare(flow.code_hash, _code_digest(flow, code)):
                flow.save(update_fields=["code_attempts"])
                refused = CodeRefused(
                    expired=expired, exhausted=flow.code_attempts >= CODE_MAX_ATTEMPTS
                )
            else:
                flow.code_hash = ""
                _advance(flow, "code_attempts", "code_hash")
                audit_record(
                    kind=AuditEvent.Kind.FIRST_USE_CODE_VERIFIED, request=request, identifier=key
                )
                return
    audit_record(kind=AuditEvent.Kind.FIRST_USE_CODE_FAILED, request=request, identifier=key)
    raise refused


@transaction.atomic
def first_use_set_questions(
    *, request: HttpRequest, flow: FirstUseFlow, answers: list[tuple[SecretQuestion, str]]
) -> None:
    """Keeps the chosen questions with their normalised, hashed answers until the account is
    created at the password step."""
    flow.answers = [
        {"question": question.pk, "hash": make_password(normalize_answer(answer))}
        for question, answer in answers
    ]
    _advance(flow, "answers")
    audit_record(
        kind=AuditEvent.Kind.FIRST_USE_QUESTIONS_SET,
        request=request,
        identifier=throttle_key(User.Audience.STUDENT, flow.student.matricule),
    )


@transaction.atomic
def first_use_set_email(*, request: HttpRequest, flow: FirstUseFlow, email: str) -> None:
    flow.email = email
    _advance(flow, "email")
    audit_record(
        kind=AuditEvent.Kind.FIRST_USE_EMAIL_SET,
        request=request,
        identifier=throttle_key(User.Audience.STUDENT, flow.student.matricule),
    )


@transaction.atomic
def first_use_complete(*, request: HttpRequest, flow: FirstUseFlow, password: str) -> User:
    """Creates (or re-activates) the student's account, stores the answers, logs in.

    The flow is claimed by one conditional UPDATE, so a double submission completes once; two
    flows racing for one student meet the unique account identifier and one of them fails.
    """
    now = timezone.now()
    claimed = FirstUseFlow.objects.filter(
        pk=flow.pk, completed_at__isnull=True, expires_at__gt=now
    ).update(completed_at=now, answers=[])
    student = flow.student
    if not claimed or (student.user and student.user.has_usable_password()):
        raise AlreadyActivated
    user = student.user or User(
        audience=User.Audience.STUDENT,
        identifier=student.matricule,
        username=User.username_for(User.Audience.STUDENT, student.matricule),
    )
    created = user.pk is None
    user.first_name = student.first_name
    user.last_name = student.last_name
    user.email = flow.email or student.email
    user.is_active = True
    user.activated_at = now
    user.last_login = now
    user.last_login_saved = True  # see accounts.apps: no second UPDATE at login()
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise AlreadyActivated from error
    if created or (flow.email and student.email != flow.email):
        student.user = user
        student.email = flow.email or student.email
        student.save(update_fields=["user", "email", "updated_at"])
    if not created:
        user.secret_answers.all().delete()
    SecretAnswer.objects.bulk_create(
        SecretAnswer(user=user, question_id=item["question"], answer_hash=item["hash"], position=i)
        for i, item in enumerate(flow.answers)
    )
    login(request, user, backend="accounts.backends.AudienceBackend")
    audit_record(
        kind=AuditEvent.Kind.FIRST_USE_COMPLETED,
        request=request,
        actor=user,
        subject=user,
        identifier=throttle_key(User.Audience.STUDENT, student.matricule),
    )
    return user


def first_use_flow_for(flow_id: Any) -> FirstUseFlow | None:
    """The live flow the session points at, or None (missing, expired or finished)."""
    if not flow_id:
        return None
    flow = FirstUseFlow.objects.select_related("student__user").filter(pk=flow_id).first()
    if flow is None or not flow.is_live:
        return None
    return flow
