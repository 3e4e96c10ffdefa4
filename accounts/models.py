import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.fastload import FastLoad
from portal.templatetags.portal_format import format_when


class PortalUserManager(UserManager):
    def get_by_audience(self, audience: str, identifier: str) -> "User":
        return self.get(audience=audience, identifier=identifier)


class User(FastLoad, AbstractUser):
    """Every person who logs in. Students, employees and parents log in with an identifier
    of their audience (matricule, employee number, email); staff log in to the admin with
    their username."""

    class Audience(models.TextChoices):
        STUDENT = "student", _("Étudiant")
        EMPLOYEE = "employee", _("Employé")
        PARENT = "parent", _("Parent")
        STAFF = "staff", _("Personnel du registrariat")

    audience = models.CharField(
        _("type de compte"), max_length=10, choices=Audience.choices, default=Audience.STAFF
    )
    # Always a string: "00875" keeps its zeros.
    identifier = models.CharField(_("identifiant"), max_length=254, blank=True)
    activated_at = models.DateTimeField(_("activé le"), null=True, blank=True)

    objects = PortalUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "identifier"],
                condition=~Q(identifier=""),
                name="user_audience_identifier_unique",
            ),
        ]

    @staticmethod
    def username_for(audience: str, identifier: str) -> str:
        return f"{audience}:{identifier}"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.identifier or self.username


class SecretQuestion(models.Model):
    """A question from the list staff manage; students pick theirs at first use."""

    text = models.CharField(_("question (français)"), max_length=200, unique=True)
    text_en = models.CharField(_("question (anglais)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("proposée"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("question secrète")
        verbose_name_plural = _("questions secrètes")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.localized_text

    @property
    def localized_text(self) -> str:
        if (get_language() or "fr").startswith("en") and self.text_en:
            return self.text_en
        return self.text


class SecretAnswer(models.Model):
    """A user's answer, normalised then hashed with the password hasher: staff cannot read it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="secret_answers",
        verbose_name=_("compte"),
    )
    question = models.ForeignKey(
        SecretQuestion, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )
    answer_hash = models.CharField(max_length=256, verbose_name=_("empreinte de la réponse"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("ordre"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créée le"))

    class Meta:
        verbose_name = _("réponse secrète")
        verbose_name_plural = _("réponses secrètes")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="secret_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.question}"


class FirstUseFlow(models.Model):
    """A first use in progress. Its state is a row, not the session, so that a step can be
    checked against what was really verified (see docs/decisions/0001-first-use-state.md).
    The browser holds only this row's id, inside its server-side session."""

    class Step(models.TextChoices):
        CODE = "code", _("Code reçu par courriel")
        QUESTIONS = "questions", _("Questions secrètes")
        EMAIL = "email", _("Courriel")
        PASSWORD = "password", _("Mot de passe")
        DONE = "done", _("Terminé")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="first_use_flows",
        verbose_name=_("étudiant"),
    )
    steps = models.JSONField(default=list, verbose_name=_("étapes"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("étape en cours"))
    code_hash = models.CharField(max_length=256, blank=True, verbose_name=_("empreinte du code"))
    code_expires_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("code valide jusqu'au")
    )
    code_attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("essais du code"))
    code_sends = models.PositiveSmallIntegerField(default=0, verbose_name=_("envois du code"))
    # Hashed answers and the chosen email wait here until the password step creates the account.
    answers = models.JSONField(default=list, blank=True, verbose_name=_("réponses"))
    email = models.EmailField(blank=True, verbose_name=_("courriel"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))
    expires_at = models.DateTimeField(verbose_name=_("expire le"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terminé le"))

    class Meta:
        verbose_name = _("première utilisation en cours")
        verbose_name_plural = _("premières utilisations en cours")

    def __str__(self) -> str:
        return f"{self.student} ({self.current_step})"

    @property
    def current_step(self) -> str:
        if self.completed_at:
            return self.Step.DONE
        return self.steps[self.position] if self.position < len(self.steps) else self.Step.DONE

    @property
    def is_live(self) -> bool:
        return self.completed_at is None and self.expires_at > timezone.now()


class UserSession(FastLoad, AbstractBaseSession):
    """A server-side session that knows whose it is, so that a person can see their sessions
    and end the others, and a password reset or a disabled account can end them all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("compte"),
    )
    ip_address = models.GenericIPAddressField(_("adresse"), null=True, blank=True)
    user_agent = models.CharField(_("appareil"), max_length=300, blank=True)
    last_seen = models.DateTimeField(_("dernière activité"), auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        seen = format_when(timezone.localtime(self.last_seen), "SHORT_DATETIME_FORMAT")
        return f"{self.user} {seen}"

    @classmethod
    def get_session_store_class(cls) -> type:
        from accounts.session_store import SessionStore

        return SessionStore


class TOTPDevice(models.Model):
    """An authenticator app's shared secret. Until `confirmed_at`, an enrolment in progress:
    the first right code confirms it. `last_step` is the time-step of the last code accepted:
    a code is never accepted twice, nor one older than it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="totp_device",
        verbose_name=_("compte"),
    )
    # Base32, as authenticator apps read it. It must be readable to check codes.
    secret = models.CharField(max_length=64, verbose_name=_("secret"))
    confirmed_at = models.DateTimeField(_("activée le"), null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True, verbose_name=_("dernier pas utilisé"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))

    class Meta:
        verbose_name = _("application d'authentification")
        verbose_name_plural = _("applications d'authentification")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """One of ten single-use codes for a lost device, hashed like a password."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recovery_codes",
        verbose_name=_("compte"),
    )
    code_hash = models.CharField(max_length=256, verbose_name=_("empreinte du code"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("utilisé le"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))

    class Meta:
        verbose_name = _("code de récupération")
        verbose_name_plural = _("codes de récupération")

    def __str__(self) -> str:
        return str(self.user)


class Passkey(models.Model):
    """A WebAuthn credential (a passkey) the person registered and named."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="passkeys",
        verbose_name=_("compte"),
    )
    name = models.CharField(_("nom"), max_length=60)
    credential_id = models.CharField(
        max_length=1400, unique=True, verbose_name=_("identifiant de la clé")
    )  # base64url
    public_key = models.BinaryField(verbose_name=_("clé publique"))
    sign_count = models.PositiveBigIntegerField(default=0, verbose_name=_("compteur de signatures"))
    transports = models.JSONField(default=list, blank=True, verbose_name=_("transports"))
    created_at = models.DateTimeField(_("ajoutée le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé d'accès")
        verbose_name_plural = _("clés d'accès")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class KnownDevice(models.Model):
    """A browser this account signed in from: the hash of its device cookie, never the id."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="known_devices",
        verbose_name=_("compte"),
    )
    device_hash = models.CharField(max_length=64, verbose_name=_("empreinte de l'appareil"))
    user_agent = models.CharField(_("appareil"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse"), null=True, blank=True)
    first_seen = models.DateTimeField(auto_now_add=True, verbose_name=_("vu la première fois le"))
    last_seen = models.DateTimeField(auto_now=True, verbose_name=_("vu la dernière fois le"))

    class Meta:
        verbose_name = _("appareil connu")
        verbose_name_plural = _("appareils connus")
        constraints = [
            models.UniqueConstraint(fields=["user", "device_hash"], name="known_device_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.user_agent[:40]}"
