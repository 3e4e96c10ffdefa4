from portal.models import Institution, School


def institution_current() -> Institution:
    """The deployment's institution: the one accessor every rule is read through.

    A fresh database gets the product's defaults until `load_institution` or the admin says
    otherwise.
    """
    institution = Institution.objects.order_by("pk").first()
    if institution is None:
        institution = Institution.objects.create(name="Portail")
        School.objects.create(
            institution=institution, code="principal", name="Portail", is_main=True
        )
    return institution


def school_main(institution: Institution) -> School:
    school = institution.schools.filter(is_main=True).first() or institution.schools.first()
    if school is None:
        school = School.objects.create(
            institution=institution, code="principal", name=institution.name, is_main=True
        )
    return school
