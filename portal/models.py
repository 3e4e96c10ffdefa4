from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.fastload import FastLoad
from portal.modules import ALL_MODULE_SLUGS, MODULE_CHOICES
from portal.templatetags.portal_format import format_when
from portal.versions import versioned, versioned_manager


def default_modules() -> list[str]:
    return list(ALL_MODULE_SLUGS)


@versioned("institution")
class Institution(models.Model):
    """The one institution a deployment serves, and every rule that differs between them.

    Rules are data, read through `portal.selectors.institution_current()`; code never asks which
    institution it is serving. Every write bumps the "institution" version, which ends every
    app server's kept copy of the row (portal/versions.py).
    """

    class IdentifierName(models.TextChoices):
        MATRICULE = "matricule", _("Matricule")
        DOSSIER = "dossier", _("Numéro de dossier")
        STUDENT_NUMBER = "student_number", _("Numéro d'étudiant")

    class FirstUseProofs(models.TextChoices):
        CODE_PERMANENT = "code_permanent", _("Code permanent et date de naissance")
        MEMBER_IDENTITY = (
            "member_identity",
            _("Nom de famille, date de naissance et code postal"),
        )

    class PasswordCharset(models.TextChoices):
        ANY = "any", _("Tous les caractères")
        ASCII_ALNUM = "ascii_alnum", _("Lettres non accentuées (a à z) et chiffres (0 à 9)")

    class SecondFactor(models.TextChoices):
        OPTIONAL = "optional", _("Facultative")
        REQUIRED = "required", _("Exigée")

    preset = models.SlugField(_("préréglage"), max_length=30, blank=True)
    name = models.CharField(_("nom"), max_length=200)
    short_name = models.CharField(_("nom court"), max_length=60, blank=True)
    address = models.TextField(_("adresse"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    email = models.EmailField(_("courriel"), blank=True)

    identifier_name = models.CharField(
        _("nom de l'identifiant"),
        max_length=20,
        choices=IdentifierName.choices,
        default=IdentifierName.MATRICULE,
    )
    identifier_length = models.PositiveSmallIntegerField(
        _("nombre de chiffres de l'identifiant"),
        default=7,
        validators=[MinValueValidator(3), MaxValueValidator(12)],
    )
    first_use_proofs = models.CharField(
        _("preuves d'identité à la première utilisation"),
        max_length=20,
        choices=FirstUseProofs.choices,
        default=FirstUseProofs.CODE_PERMANENT,
    )
    captcha_enabled = models.BooleanField(_("CAPTCHA"), default=False)
    emailed_code_enabled = models.BooleanField(
        _("code envoyé par courriel"),
        default=False,
        help_text=_(
            "À la première utilisation, envoyer un code à usage unique au courriel au dossier."
        ),
    )
    first_use_collects_email = models.BooleanField(
        _("demander le courriel à la première utilisation"),
        default=False,
        help_text=_(
            "L'étudiant ou le membre saisit son courriel deux fois avant son mot de passe."
        ),
    )
    secret_question_count = models.PositiveSmallIntegerField(
        _("nombre de questions secrètes"),
        default=3,
        validators=[MaxValueValidator(5)],
    )

    password_min_length = models.PositiveSmallIntegerField(
        _("longueur minimale du mot de passe"),
        default=12,
        validators=[MinValueValidator(4), MaxValueValidator(128)],
    )
    password_max_length = models.PositiveSmallIntegerField(
        _("longueur maximale du mot de passe"),
        default=128,
        validators=[MinValueValidator(4), MaxValueValidator(128)],
    )
    password_min_letters = models.PositiveSmallIntegerField(_("lettres au minimum"), default=0)
    password_min_digits = models.PositiveSmallIntegerField(_("chiffres au minimum"), default=0)
    password_min_uppercase = models.PositiveSmallIntegerField(_("majuscules au minimum"), default=0)
    password_charset = models.CharField(
        _("caractères permis"),
        max_length=20,
        choices=PasswordCharset.choices,
        default=PasswordCharset.ANY,
    )
    password_trailing_digits = models.PositiveSmallIntegerField(
        _("doit se terminer par ce nombre de chiffres"), default=0
    )

    session_idle_minutes = models.PositiveSmallIntegerField(
        _("déconnexion après inactivité (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(720)],
    )
    second_factor_staff = models.CharField(
        _("double authentification : personnel (administration)"),
        max_length=10,
        choices=SecondFactor.choices,
        default=SecondFactor.REQUIRED,
    )
    second_factor_employees = models.CharField(
        _("double authentification : employés"),
        max_length=10,
        choices=SecondFactor.choices,
        default=SecondFactor.REQUIRED,
    )
    second_factor_students = models.CharField(
        _("double authentification : étudiants"),
        max_length=10,
        choices=SecondFactor.choices,
        default=SecondFactor.OPTIONAL,
        help_text=_(
            "Exigée : à sa prochaine connexion, la personne doit activer une application "
            "d'authentification ou une clé d'accès avant d'utiliser le portail."
        ),
    )
    second_factor_parents = models.CharField(
        _("double authentification : parents"),
        max_length=10,
        choices=SecondFactor.choices,
        default=SecondFactor.OPTIONAL,
    )
    enabled_modules = models.JSONField(_("modules activés"), default=default_modules, blank=True)
    payment_confirm_contact = models.BooleanField(
        _("faire confirmer les coordonnées avant un paiement"),
        default=False,
        help_text=_(
            "Le Centre de paiement demande à l'étudiant de confirmer ou corriger ses coordonnées."
        ),
    )
    restrict_on_overdue = models.BooleanField(
        _("limiter le portail au Centre de paiement en cas de solde en souffrance"),
        default=False,
    )

    parent_portal_enabled = models.BooleanField(
        _("portail des parents"),
        default=False,
        help_text=_(
            "Les parents, tuteurs et tutrices inscrits au dossier d'un enfant peuvent créer un "
            "compte et suivre leurs enfants."
        ),
    )
    parent_access_until_age = models.PositiveSmallIntegerField(
        _("fin de l'accès des parents à l'âge de"),
        null=True,
        blank=True,
        default=18,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_(
            "L'accès d'un parent prend fin à l'anniversaire de l'enfant, sauf si son dossier "
            "permet l'accès au-delà. Vide : l'accès ne prend pas fin avec l'âge."
        ),
    )
    passing_grade = models.PositiveSmallIntegerField(
        _("note de passage (%)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "La note finale qui accorde les crédits d'un cours au portail des parents : 60 au "
            "Québec, 50 en Ontario."
        ),
    )
    enrolment_confirmation_dates = models.CharField(
        _("dates de confirmation d'inscription (MM-JJ)"),
        max_length=60,
        blank=True,
        validators=[
            RegexValidator(
                r"^([01][0-9]-[0-3][0-9])?( [01][0-9]-[0-3][0-9])*$",
                _("Des dates MM-JJ séparées par une espace, ex. : 09-20 02-15."),
            )
        ],
        help_text=_(
            "La date limite proposée pour une nouvelle session : la première de ces dates qui "
            "tombe dans la session (ex. : 09-20 02-15 pour le 20 septembre et le 15 février)."
        ),
    )
    enrolment_late_fee = models.DecimalField(
        _("frais de retard de confirmation ($)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Proposés pour une nouvelle session ; 0 : aucuns frais."),
    )
    schedule_change_fee = models.DecimalField(
        _("frais par modification d'horaire ($)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Proposés pour une nouvelle session ; 0 : aucuns frais."),
    )
    diploma_credits = models.PositiveSmallIntegerField(
        _("crédits requis pour le diplôme"),
        default=0,
        validators=[MaxValueValidator(200)],
        help_text=_(
            "Ex. : 30 pour le diplôme d'études secondaires de l'Ontario. 0 : le nombre requis "
            "n'est pas affiché."
        ),
    )

    career_info_url = models.URLField(
        _("adresse de l'information sur les carrières (Repères)"),
        blank=True,
        help_text=_(
            "Le module Repères ouvre cette adresse (ex. : le site Repères de l'établissement). "
            "Vide : le module est désactivé."
        ),
    )
    library_pickup_days = models.PositiveSmallIntegerField(
        _("délai pour emprunter un document mis de côté (jours)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "Après ce délai, le document passe à la personne suivante de la file d'attente."
        ),
    )
    attestation_fee = models.DecimalField(
        _("frais d'une attestation de fréquentation ($)"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("0 : l'attestation est gratuite et produite dès la demande."),
    )
    full_time_min_courses = models.PositiveSmallIntegerField(
        _("temps plein : cours au minimum dans la session"),
        default=4,
        help_text=_(
            "Collèges du Québec : 4 cours ou 180 heures. 0 : ce critère ne s'applique pas."
        ),
    )
    full_time_min_hours = models.PositiveSmallIntegerField(
        _("temps plein : heures au minimum dans la session"),
        default=180,
        help_text=_("0 : ce critère ne s'applique pas."),
    )

    tax_slips_month = models.PositiveSmallIntegerField(
        _("relevés d'impôt disponibles à partir du mois"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_(
            "Les relevés d'une année sont offerts aux étudiants l'année suivante, à "
            "partir de ce mois et de ce jour (mi-février par défaut)."
        ),
    )
    tax_slips_day = models.PositiveSmallIntegerField(
        _("relevés d'impôt disponibles à partir du jour"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )

    objects = versioned_manager("institution")

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        errors = {}
        if self.password_min_length > self.password_max_length:
            errors["password_max_length"] = _(
                "La longueur maximale doit être au moins égale à la longueur minimale."
            )
        required = (
            self.password_min_letters + self.password_min_digits + self.password_trailing_digits
        )
        if required > self.password_max_length:
            errors["password_min_digits"] = _(
                "Les caractères exigés dépassent la longueur maximale du mot de passe."
            )
        unknown = set(self.enabled_modules or []) - {slug for slug, _label in MODULE_CHOICES}
        if unknown:
            errors["enabled_modules"] = _("Modules inconnus : %(names)s") % {
                "names": ", ".join(sorted(unknown))
            }
        if errors:
            raise ValidationError(errors)

    def module_enabled(self, slug: str) -> bool:
        if slug == "reperes" and not self.career_info_url:
            return False  # Repères only opens the institution's address: none, nothing to open
        return slug in (self.enabled_modules or [])

    @property
    def modules_on(self) -> list[str]:
        """The slugs of the modules this institution offers, as the menu shows them."""
        return [slug for slug in self.enabled_modules or [] if self.module_enabled(slug)]

    def second_factor_required(self, audience: str) -> bool:
        """Whether people of this audience ("student", "employee", "parent", "staff") must
        use a second factor."""
        field = {
            "student": "second_factor_students",
            "employee": "second_factor_employees",
            "parent": "second_factor_parents",
            "staff": "second_factor_staff",
        }.get(audience, "second_factor_staff")
        return getattr(self, field) == self.SecondFactor.REQUIRED

    @property
    def uses_code_permanent(self) -> bool:
        return self.first_use_proofs == self.FirstUseProofs.CODE_PERMANENT


@versioned("calendar")
class School(FastLoad, models.Model):
    """A school or campus of the institution (CEPEO's schools, the conservatoire's sites).
    Its name is in the kept calendar and news of the home page: a write bumps "calendar"."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="schools",
        verbose_name=_("établissement"),
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("nom"), max_length=200)
    is_main = models.BooleanField(_("école principale"), default=False)
    email = models.EmailField(_("courriel principal"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    address = models.TextField(_("adresse"), blank=True)
    offers_store = models.BooleanField(
        _("offre les « Services en ligne »"),
        default=False,
        help_text=_("Les parents peuvent y acheter les articles mis en vente par l'école."),
    )

    objects = versioned_manager("calendar")

    class Meta:
        verbose_name = _("école")
        verbose_name_plural = _("écoles")
        ordering = ["-is_main", "name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="school_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """One security-relevant event. Never holds a secret: no password, answer, code or token."""

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login.succeeded", _("Connexion réussie")
        LOGIN_FAILED = "login.failed", _("Connexion refusée")
        LOCKOUT = "lockout", _("Verrouillage après trop d'essais")
        LOGOUT = "logout", _("Déconnexion")
        FIRST_USE_IDENTITY_FAILED = (
            "first_use.identity_failed",
            _("Première utilisation : identité refusée"),
        )
        FIRST_USE_IDENTITY_VERIFIED = (
            "first_use.identity_verified",
            _("Première utilisation : identité vérifiée"),
        )
        FIRST_USE_CODE_SENT = "first_use.code_sent", _("Première utilisation : code envoyé")
        FIRST_USE_CODE_FAILED = "first_use.code_failed", _("Première utilisation : code refusé")
        FIRST_USE_CODE_VERIFIED = (
            "first_use.code_verified",
            _("Première utilisation : code vérifié"),
        )
        FIRST_USE_QUESTIONS_SET = (
            "first_use.questions_set",
            _("Première utilisation : questions choisies"),
        )
        FIRST_USE_EMAIL_SET = "first_use.email_set", _("Première utilisation : courriel saisi")
        FIRST_USE_COMPLETED = "first_use.completed", _("Première utilisation terminée")
        FIRST_USE_ALREADY_ACTIVE = (
            "first_use.already_active",
            _("Première utilisation : compte déjà activé"),
        )
        RECOVERY_STARTED = "recovery.started", _("Mot de passe oublié : demande")
        RECOVERY_FAILED = "recovery.failed", _("Mot de passe oublié : réponses refusées")
        RECOVERY_VERIFIED = "recovery.verified", _("Mot de passe oublié : identité vérifiée")
        RESET_LINK_SENT = "recovery.link_sent", _("Lien de réinitialisation envoyé")
        RESET_LINK_REFUSED = "recovery.link_refused", _("Lien de réinitialisation refusé")
        PASSWORD_RESET = "password.reset", _("Mot de passe réinitialisé")
        PASSWORD_CHANGED = "password.changed", _("Mot de passe modifié")
        QUESTIONS_CHANGED = "questions.changed", _("Questions secrètes modifiées")
        EMAIL_CHANGE_REQUESTED = "email.change_requested", _("Changement de courriel demandé")
        EMAIL_CHANGED = "email.changed", _("Courriel modifié")
        SESSIONS_ENDED = "sessions.ended", _("Autres sessions fermées")
        SESSION_EXPIRED = "session.expired", _("Session expirée")
        EMPLOYEE_ACTIVATED = "employee.activated", _("Compte d'employé activé")
        STAFF_UNLOCK = "staff.unlock", _("Déverrouillage par le personnel")
        STAFF_FIRST_USE_RESET = (
            "staff.first_use_reset",
            _("Première utilisation réinitialisée par le personnel"),
        )
        ACCOUNT_DISABLED = "account.disabled", _("Compte désactivé")
        CONTRIBUTION_REMOVED = "billing.contribution_removed", _("Cotisation volontaire retirée")
        CONTRIBUTION_RESTORED = "billing.contribution_restored", _("Cotisation volontaire remise")
        PAYMENT_STARTED = "billing.payment_started", _("Paiement commencé")
        PAYMENT_SUCCEEDED = "billing.payment_succeeded", _("Paiement approuvé")
        PAYMENT_FAILED = "billing.payment_failed", _("Paiement refusé ou expiré")
        PAYMENT_RECORDED = "billing.payment_recorded", _("Paiement au comptoir enregistré")
        PAYMENT_CANCELLED = "billing.payment_cancelled", _("Paiement annulé")
        PAYMENT_REFUNDED = "billing.payment_refunded", _("Paiement remboursé")
        RECEIPT_SENT = "billing.receipt_sent", _("Relevé de transaction envoyé")
        CONTACT_CONFIRMED = "students.contact_confirmed", _("Coordonnées confirmées")
        IMPORT = "import", _("Import d'un fichier du registrariat")
        IMPORT_ADMIN = "import.admin", _("Import d'un fichier depuis l'administration")
        MIO_SENT = "mio.sent", _("Message MIO envoyé")
        ATTESTATION_REQUESTED = "attestation.requested", _("Attestation de fréquentation demandée")
        ATTESTATION_REVOKED = "attestation.revoked", _("Attestation de fréquentation révoquée")
        TAX_PROFILE_UPDATED = "tax.profile_updated", _("NAS ou résidence déclarés")
        TAX_SLIP_ISSUED = "tax.slip_issued", _("Relevé d'impôt produit")
        PARENT_SIGNUP_REQUESTED = (
            "parents.signup_requested",
            _("Portail des parents : demande de création de compte"),
        )
        PARENT_SIGNUP_REFUSED = (
            "parents.signup_refused",
            _("Portail des parents : renseignements non concordants"),
        )
        PARENT_ACTIVATED = "parents.activated", _("Portail des parents : compte activé")
        PARENT_UNLINKED = "parents.unlinked", _("Portail des parents : enfant délié")
        PARENT_HELP_REQUESTED = "parents.help_requested", _("Formulaire d'aide aux parents envoyé")
        PARENT_HELP_ANSWERED = "parents.help_answered", _("Demande d'aide d'un parent répondue")
        STORE_ORDER_PLACED = "parents.order_placed", _("Services en ligne : commande passée")
        STORE_ORDER_CANCELLED = "parents.order_cancelled", _("Services en ligne : commande annulée")
        CAPTCHA_REFUSED = "captcha.refused", _("CAPTCHA refusé")
        SECOND_FACTOR_ENROLLED = "2fa.enrolled", _("Double authentification activée")
        SECOND_FACTOR_DISABLED = "2fa.disabled", _("Double authentification désactivée")
        SECOND_FACTOR_RESET = (
            "2fa.staff_reset",
            _("Double authentification réinitialisée par le personnel"),
        )
        SECOND_FACTOR_FAILED = "2fa.failed", _("Code de vérification refusé")
        RECOVERY_CODE_USED = "2fa.recovery_code_used", _("Code de récupération utilisé")
        RECOVERY_CODES_RENEWED = "2fa.recovery_codes_renewed", _("Codes de récupération renouvelés")
        PASSKEY_ADDED = "passkey.added", _("Clé d'accès ajoutée")
        PASSKEY_REMOVED = "passkey.removed", _("Clé d'accès retirée")
        NEW_DEVICE = "login.new_device", _("Connexion depuis un nouvel appareil")
        NOT_ME = "sessions.not_me", _("« Ce n'était pas vous ? » : sessions fermées")
        REAUTH_FAILED = "reauth.failed", _("Mot de passe de confirmation refusé")
        COURSE_CHOICE_SUBMITTED = "registration.choice", _("Choix de cours remis")
        ENROLMENT_CONFIRMED = "registration.confirmed", _("Inscription confirmée")
        LATE_FEE_CHARGED = "registration.late_fee", _("Frais de retard de confirmation facturés")
        PLACEMENT_RUN = "registration.placement", _("Placement des étudiants dans les groupes")
        SCHEDULE_CHANGED = "registration.schedule_changed", _("Modification d'horaire confirmée")
        SCHEDULE_CHANGE_CANCELLED = (
            "registration.schedule_change_cancelled",
            _("Modification d'horaire annulée par le personnel"),
        )

    kind = models.CharField(_("événement"), max_length=40, choices=Kind.choices, db_index=True)
    created_at = models.DateTimeField(_("date (UTC)"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("auteur"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        verbose_name=_("compte visé"),
    )
    identifier = models.CharField(_("identifiant saisi"), max_length=254, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("adresse du client"), null=True, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        verbose_name = _("événement de sécurité")
        verbose_name_plural = _("journal de sécurité")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{format_when(timezone.localtime(self.created_at), 'SHORT_DATETIME_FORMAT')} "
            f"{self.get_kind_display()}"
        )


class Confirmation(models.Model):
    """A confirmation number the portal showed someone for a sensitive step (course choice,
    enrolment confirmation, schedule change): one format everywhere (`portal.confirmations`),
    looked up by staff in the admin."""

    class Kind(models.TextChoices):
        COURSE_CHOICE = "course_choice", _("Choix de cours")
        ENROLMENT = "enrolment", _("Confirmation d'inscription")
        SCHEDULE_CHANGE = "schedule_change", _("Modification d'horaire")
        PAYMENT = "payment", _("Paiement")

    number = models.CharField(_("numéro de confirmation"), max_length=20, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="confirmations",
        verbose_name=_("compte"),
    )
    identifier = models.CharField(_("identifiant"), max_length=40, blank=True)
    summary = models.CharField(_("objet"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("numéro de confirmation")
        verbose_name_plural = _("numéros de confirmation")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number
