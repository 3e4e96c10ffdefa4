"""Writes on the guardians on file: what an import changes, and the links between a guardian
row and a parent's account. A link is what gives a parent access to a child (see
`parents.selectors`), so every link that ends is audited."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from parents.models import Guardian
from portal.models import AuditEvent
from portal.services import audit_record

BATCH = 500


def parent_accounts_by_email(emails: Iterable[str]) -> dict[str, User]:
    """The activated parent accounts whose login (identifier) is one of `emails`, by email in
    lower case: the accounts guardian rows with these emails are linked to."""
    wanted = sorted({email.strip().lower() for email in emails if email})
    found: dict[str, User] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        accounts = (
            User.objects.annotate(identifier_lower=Lower("identifier"))
            .filter(
                audience=User.Audience.PARENT,
                identifier_lower__in=chunk,
                activated_at__isnull=False,
            )
            .order_by("pk")
        )
        for account in accounts:
            found.setdefault(account.identifier.lower(), account)
    return found


def _audit_unlinked(
    *,
    request: HttpRequest | None,
    actor: Any,
    guardian: Guardian,
    account: User,
    reason: str,
) -> None:
    audit_record(
        kind=AuditEvent.Kind.PARENT_UNLINKED,
        request=request,
        actor=actor,
        subject=account,
        identifier=f"{User.Audience.PARENT}:{account.identifier}",
        details={
            "student": guardian.student.matricule,
            "guardian_email": guardian.email,
            "reason": reason,
        },
    )


@transaction.atomic
def guardians_import_save(
    *,
    new: Sequence[Guardian],
    changed: Sequence[tuple[Guardian, Sequence[str]]],
    removed: Sequence[Guardian],
    unlinked: Sequence[tuple[Guardian, User]],
) -> None:
    """Writes what a `guardians` import found: inserts the `new` rows, writes only the listed
    fields of the `changed` ones, deletes the `removed` ones (a child's guardians that the file
    no longer lists), and audits each link that ends (`unlinked`: the row and the account it
    was linked to). Every row is validated before anything is written."""
    for guardian in new:
        guardian.email = guardian.email.strip().lower()
        guardian.full_clean(
            exclude=["student", "account"], validate_unique=False, validate_constraints=False
        )
    for guardian, fields in changed:
        guardian.email = guardian.email.strip().lower()
        guardian.full_clean(
            exclude=[f.name for f in Guardian._meta.concrete_fields if f.name not in fields]
            + ["student", "account"],
            validate_unique=False,
            validate_constraints=False,
        )
    if removed:
        Guardian.objects.filter(pk__in=[guardian.pk for guardian in removed]).delete()
    Guardian.objects.bulk_create(new, batch_size=BATCH)
    by_fields: dict[tuple[str, ...], list[Guardian]] = {}
    for guardian, fields in changed:
        names = set(fields)
        if "account" in names:
            names.add("linked_at")
        names.add("updated_at")
        guardian.updated_at = timezone.now()
        by_fields.setdefault(tuple(sorted(names)), []).append(guardian)
    for fields, guardians in by_fields.items():
        Guardian.objects.bulk_update(guardians, fields, batch_size=BATCH)
    for guardian, account in unlinked:
        _audit_unlinked(
            request=None, actor=None, guardian=guardian, account=account, reason="import"
        )


@transaction.atomic
def guardians_unlink(
    *, request: HttpRequest | None, actor: Any, guardians: Iterable[Guardian]
) -> int:
    """Staff's "Délier le compte du parent": the rows lose their account, so that the parent
    stops seeing these children at their next page (the access is read on every request).
    The parent's account itself is kept; the row is linked again only by an import or by the
    parent creating an account anew with this email. Returns the number of rows unlinked."""
    rows = list(
        Guardian.objects.select_for_update(of=("self",))
        .filter(pk__in=[guardian.pk for guardian in guardians], account__isnull=False)
        .select_related("student", "account")
        .order_by("pk")
    )
    for guardian in rows:
        account = guardian.account
        Guardian.objects.filter(pk=guardian.pk).update(
            account=None, linked_at=None, updated_at=timezone.now()
        )
        _audit_unlinked(
            request=request, actor=actor, guardian=guardian, account=account, reason="staff"
        )
    return len(rows)


@transaction.atomic
def guardian_link_sync(*, request: HttpRequest | None, actor: Any, guardian: Guardian) -> None:
    """After staff change a row's email in the admin: the row follows its email, linked to the
    activated parent account with that login, or to none (the former link ends, audited)."""
    guardian = (
        Guardian.objects.select_for_update(of=("self",))
        .select_related("student", "account")
        .get(pk=guardian.pk)
    )
    account = parent_accounts_by_email([guardian.email]).get(guardian.email)
    if guardian.account_id == (account.pk if account else None):
        return
    previous = guardian.account
    guardian.account = account
    guardian.linked_at = timezone.now() if account else None
    guardian.save(update_fields=["account", "linked_at", "updated_at"])
    if previous is not None:
        _audit_unlinked(
            request=request, actor=actor, guardian=guardian, account=previous, reason="email"
        )
