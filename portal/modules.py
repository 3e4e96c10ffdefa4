"""The portal's modules (DESIGN.md, "Modules"), in menu order.

A module with no `url_name` is not built yet: it shows greyed in the menu as disabled, never as
a placeholder page. Which modules an institution offers is data (`Institution.enabled_modules`).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    slug: str
    label: Promise
    description: Promise
    url_name: str | None = None


MODULES: tuple[Module, ...] = (
    Module("home", _("Ma page d'accueil"), _("Quoi de neuf ?"), "portal:home"),
    Module("mio", _("MIO"), _("Messagerie interne"), "messaging:inbox"),
    Module(
        "payments",
        _("Centre de paiement"),
        _("Consultez et payez vos factures"),
        "billing:statement",
    ),
    Module(
        "documents",
        _("Documents et messages"),
        _("Accédez aux documents et messages vous étant destinés"),
        "messaging:documents",
    ),
    Module(
        "personal_file",
        _("Dossier personnel"),
        _("Tenez votre dossier personnel à jour"),
        "students:personal_file",
    ),
    Module(
        "schedule",
        _("Horaire en ligne"),
        _("Consultez et imprimez votre horaire"),
        "students:schedule",
    ),
    Module(
        "schedule_change",
        _("Modification d'horaire"),
        _("Choisissez un autre horaire"),
        "registration:schedule_change",
    ),
    Module(
        "course_choice",
        _("Choix de cours"),
        _("Choisissez vos cours de la prochaine session"),
        "registration:choice",
    ),
    Module(
        "enrolment_confirmation",
        _("Confirmation d'inscription"),
        _("Confirmez votre présence à vos cours"),
        "registration:confirmation",
    ),
    Module(
        "marks",
        _("Résultats — notes d'évaluation"),
        _("Vos résultats de la session"),
        "students:marks",
    ),
    Module(
        "final_grades",
        _("Résultats — notes finales"),
        _("Bulletin, Cote R, absences"),
        "students:final_grades",
    ),
    Module(
        "pathway",
        _("Grille de cheminement"),
        _("Consultez votre grille personnalisée"),
        "students:pathway",
    ),
    Module(
        "directory",
        _("Annuaire des enseignants"),
        _("Vos enseignants et leurs disponibilités"),
        "students:directory",
    ),
    Module(
        "attendance_certificate",
        _("Attestation de fréquentation"),
        _("Demande et paiement en ligne"),
        "certificates:attestations",
    ),
    Module(
        "tax_slips",
        _("Relevés d'impôt"),
        _("Relevés d'impôt pour les frais de scolarité"),
        "certificates:tax_slips",
    ),
    Module(
        "library",
        _("Bibliothèque"),
        _("Recherche documentaire, mises de côté et renouvellements"),
        "library:search",
    ),
    Module("reperes", _("Repères"), _("Information sur les choix de carrière"), "library:reperes"),
    Module(
        "profile",
        _("Profil personnel"),
        _("Mot de passe, questions en cas d'oubli, courriel et sessions"),
        "accounts:profile",
    ),
)

MODULE_CHOICES = [(module.slug, module.label) for module in MODULES]
ALL_MODULE_SLUGS = [module.slug for module in MODULES]


def module_by_slug(slug: str) -> Module | None:
    return next((module for module in MODULES if module.slug == slug), None)
