"""The student's NAS and Quebec residence: stored encrypted, audited without the number."""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.models import TaxProfile
from certificates.sin import SinError, SinKeyMissing, keys_configured, sin_clean, sin_encrypt
from portal.models import AuditEvent
from portal.services import audit_record
from students.models import Student

NO_KEY = gettext_lazy(
    "Le portail ne peut pas conserver de numéro d'assurance sociale pour le moment : la clé de "
    "chiffrement n'est pas configurée. Rien n'a été enregistré. Communiquez avec le registrariat."
)


def tax_profile_of(student: Student) -> TaxProfile:
    return TaxProfile.objects.filter(student=student).first() or TaxProfile(student=student)


@transaction.atomic
def tax_profile_update(
    *, request: HttpRequest | None, student: Student, quebec_resident: bool, sin: str
) -> TaxProfile:
    """Records the residence and, when one is typed, the NAS (validated, then encrypted). An
    empty `sin` keeps the number on file."""
    profile = TaxProfile.objects.select_for_update().filter(student=student).first()
    profile = profile or TaxProfile(student=student)
    changed = []
    if sin:
        if not keys_configured():
            raise SinKeyMissing(str(NO_KEY))
        try:
            number = sin_clean(sin)
        except SinError as error:
            raise SinError(_("Ce numéro d'assurance sociale n'est pas valide.")) from error
        profile.sin_encrypted = sin_encrypt(number)
        profile.sin_last3 = number[-3:]
        changed.append("sin")
    if profile.quebec_resident != quebec_resident or profile.pk is None:
        changed.append("quebec_resident")
    profile.quebec_resident = quebec_resident
    profile.save()
    audit_record(
        kind=AuditEvent.Kind.TAX_PROFILE_UPDATED,
        request=request,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={"changed": changed},  # what changed, never the number
    )
    return profile
