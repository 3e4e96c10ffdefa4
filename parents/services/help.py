"""The "Formulaire d'aide aux parents": stored for the school's staff, emailed to the school's
main address, marked answered in the admin."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from parents.models import HelpRequest
from portal.emails import email_send
from portal.http import client_ip
from portal.models import AuditEvent, Institution
from portal.services import audit_record
from portal.throttle import Locked, throttle_check, throttle_fail

THROTTLE = "parent_help"


class HelpRequestRefused(Exception):
    """Too many forms from this email or this address: nothing is stored or sent."""

    def __init__(self, locked: Locked) -> None:
        super().__init__(locked)
        self.locked = locked


def help_request_recipient(help_request: HelpRequest, institution: Institution) -> str:
    """Where the form goes: the school's main address, else the institution's."""
    return help_request.school.email or institution.email


def help_request_submit(*, request: HttpRequest, data: dict[str, Any]) -> HelpRequest:
    """Stores the form (`data`: the form's cleaned data), emails it to the school once the
    transaction commits, and audits it. A parent who is logged in is recorded with it.

    Counted against the `parent_help` limits (per email and per address) before anything is
    written: past them, raises HelpRequestRefused and nothing is stored or sent, so that the
    form cannot be used to flood a school's mailbox."""
    email = data["email"].strip().lower()
    ip = client_ip(request)
    locked = throttle_check(THROTTLE, key=email, ip=ip)
    if locked:
        raise HelpRequestRefused(locked)
    # Every form sent counts, not only refused ones: the limit is on sending.
    throttle_fail(THROTTLE, key=email, ip=ip)
    user = request.user
    account = user if user.is_authenticated and user.audience == User.Audience.PARENT else None
    institution = request.institution
    with transaction.atomic():
        help_request = HelpRequest(
            parent_last_name=data["parent_last_name"],
            parent_first_name=data["parent_first_name"],
            email=email,
            day_phone=data["day_phone"],
            child_last_name=data["child_last_name"],
            child_first_name=data["child_first_name"],
            grade=data["grade"],
            school=data["school"],
            description=data["description"],
            account=account,
        )
        help_request.full_clean()
        help_request.save()
        recipient = help_request_recipient(help_request, institution)
        if recipient:
            # In the institution's language: the school's secretary reads it, not the parent.
            email_send(
                to=recipient,
                template="parent_help_request",
                context={
                    "help_request": help_request,
                    "admin_url": settings.PORTAL_BASE_URL
                    + reverse("admin:parents_helprequest_change", args=[help_request.pk]),
                },
                language=settings.LANGUAGE_CODE,
                institution=institution,
                # "Répondre" in the school's mailbox answers the parent.
                reply_to=help_request.email,
            )
        audit_record(
            kind=AuditEvent.Kind.PARENT_HELP_REQUESTED,
            request=request,
            actor=account,
            subject=account,
            identifier=f"{User.Audience.PARENT}:{email}",
            details={
                "help_request": help_request.pk,
                "school": help_request.school.code,
                "emailed_to": recipient,
            },
        )
    return help_request


@transaction.atomic
def help_request_answer(
    *, request: HttpRequest | None, actor: Any, help_request: HelpRequest
) -> bool:
    """Staff's "Marquer comme répondue". Returns False when it was answered already (the first
    answer's date and author are kept)."""
    updated = HelpRequest.objects.filter(pk=help_request.pk, answered_at__isnull=True).update(
        answered_at=timezone.now(), answered_by=actor
    )
    if not updated:
        return False
    help_request.refresh_from_db(fields=["answered_at", "answered_by"])
    audit_record(
        kind=AuditEvent.Kind.PARENT_HELP_ANSWERED,
        request=request,
        actor=actor,
        subject=help_request.account,
        identifier=f"{User.Audience.PARENT}:{help_request.email}",
        details={"help_request": help_request.pk, "school": help_request.school.code},
    )
    return True
