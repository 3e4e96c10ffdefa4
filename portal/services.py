from typing import Any

from django.db import transaction
from django.http import HttpRequest

from portal.http import client_ip, user_agent
from portal.models import AuditEvent, Institution, School
from portal.presets import INSTITUTION_DEFAULTS, PRESETS


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    subject: Any = None,
    identifier: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Writes one audit row. Callers pass facts, never secrets (no password, answer, code)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor if actor is not None and actor.pk else None,
        subject=subject if subject is not None and subject.pk else None,
        identifier=identifier[:254],
        ip_address=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        details=details or {},
    )


@transaction.atomic
def institution_load_preset(*, name: str) -> Institution:
    """Loads a preset onto the deployment's institution, or switches it to another one.

    Schools of the preset are created or updated; schools that already hold records are kept.
    """
    preset = PRESETS[name]
    institution = Institution.objects.select_for_update().order_by("pk").first() or Institution()
    institution.preset = name
    for field, value in {**INSTITUTION_DEFAULTS, **preset["institution"]}.items():
        setattr(institution, field, list(value) if isinstance(value, (list, tuple)) else value)
    institution.full_clean()
    institution.save()
    institution.schools.update(is_main=False)
    for school in preset["schools"]:
        School.objects.update_or_create(
            institution=institution,
            code=school["code"],
            defaults={
                "name": school["name"],
                "is_main": school.get("is_main", False),
                "address": school.get("address", ""),
                "email": school.get("email", ""),
                "offers_store": school.get("offers_store", False),
            },
        )
    return institution
