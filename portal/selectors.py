import copy

from django.http import HttpRequest

from portal.models import Institution, School
from portal.versions import versions_of_request

# The row last read by this process, with the "institution" version it was read under.
_kept: dict[str, object] = {}


def institution_current(request: HttpRequest | None = None) -> Institution:
    """The deployment's institution: the one accessor every rule is read through.

    A fresh database gets the product's defaults until `load_institution` or the admin says
    otherwise. The row is kept by the process between requests while the shared "institution"
    version is unchanged (every write bumps it: portal/versions.py); each caller gets its own
    copy, so that nothing a request sets on it reaches the next one.
    """
    version = versions_of_request(request)["institution"]
    kept = _kept.get("row")
    if kept is None or _kept.get("version") != version:
        kept = Institution.objects.order_by("pk").first()
        if kept is None:
            institution = Institution.objects.create(name="Portail")
            School.objects.create(
                institution=institution, code="principal", name="Portail", is_main=True
            )
            return institution
        _kept.update(row=kept, version=version)
    return copy.copy(kept)


def school_main(institution: Institution) -> School:
    school = institution.schools.filter(is_main=True).first() or institution.schools.first()
    if school is None:
        school = School.objects.create(
            institution=institution, code="principal", name=institution.name, is_main=True
        )
    return school
