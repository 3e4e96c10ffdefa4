"""Attestations de fréquentation: what a student asked for, what it certifies, and whether a
third party may still trust it (a code on the document, checked on /verifier/)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from students.models import Student, Term


class Attestation(models.Model):
    class Purpose(models.TextChoices):
        INSURANCE = "insurance", _("Assurance")
        LOANS = "loans", _("Prêts et bourses")
        EMPLOYMENT = "employment", _("Emploi")
        OTHER = "other", _("Autre")

    class Language(models.TextChoices):
        FR = "fr", _("Français")
        EN = "en", _("English")

    student = models.ForeignKey(
        Student,
        on_delete=models.PROTECT,
        related_name="attestations",
        verbose_name=_("étudiant"),
    )
    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("session")
    )
    purpose = models.CharField(_("motif"), max_length=20, choices=Purpose.choices)
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices)
    code = models.CharField(_("code de vérification"), max_length=16, unique=True)
    fee = models.DecimalField(_("frais"), max_digits=7, decimal_places=2)
    invoice = models.OneToOneField(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attestation",
        verbose_name=_("facture"),
    )
    # What it certifies, as computed when requested.
    full_time = models.BooleanField(_("temps plein"))
    courses = models.PositiveSmallIntegerField(_("cours"))
    hours = models.DecimalField(_("heures"), max_digits=6, decimal_places=1)
    requested_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    issued_at = models.DateTimeField(_("émise le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    revoked_reason = models.CharField(_("motif de la révocation"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("révoquée par"),
    )

    class Meta:
        verbose_name = _("attestation de fréquentation")
        verbose_name_plural = _("attestations de fréquentation")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.student} · {self.term}"

    @property
    def status_label(self) -> str:
        return str(_("Temps plein") if self.full_time else _("Temps partiel"))

    @property
    def is_valid(self) -> bool:
        return self.issued_at is not None and self.revoked_at is None


class TaxProfile(models.Model):
    """What the tax slips need from the student: Quebec residence (the Relevé 8 needs a NAS)
    and the NAS itself, encrypted (certificates.sin); only its last 3 digits are kept in clear,
    for the masked display."""

    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, related_name="tax_profile", verbose_name=_("étudiant")
    )
    quebec_resident = models.BooleanField(_("résident du Québec au 31 décembre"), default=False)
    sin_encrypted = models.TextField(_("NAS chiffré"), blank=True, editable=False)
    sin_last3 = models.CharField(_("3 derniers chiffres du NAS"), max_length=3, blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("renseignements fiscaux")
        verbose_name_plural = _("renseignements fiscaux")
        permissions = [("reveal_sin", _("Peut révéler le numéro d'assurance sociale"))]

    def __str__(self) -> str:
        return str(self.student)

    @property
    def has_sin(self) -> bool:
        return bool(self.sin_encrypted)

    @property
    def sin_masked(self) -> str:
        from certificates.sin import sin_mask

        return sin_mask(self.sin_last3)


class TaxSlip(models.Model):
    """One Relevé 8 or T2202 of a student for a calendar year. A correction is a new slip that
    replaces the previous one (`replaces`); both are kept, only the latest is current."""

    class Kind(models.TextChoices):
        RL8 = "rl8", _("Relevé 8")
        T2202 = "t2202", _("T2202")

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="tax_slips", verbose_name=_("étudiant")
    )
    year = models.PositiveSmallIntegerField(_("année"), db_index=True)
    kind = models.CharField(_("relevé"), max_length=5, choices=Kind.choices)
    number = models.CharField(_("numéro"), max_length=30, unique=True)
    eligible_fees = models.DecimalField(
        _("frais de scolarité admissibles"), max_digits=10, decimal_places=2
    )
    months_full_time = models.PositiveSmallIntegerField(_("mois à temps plein"))
    months_part_time = models.PositiveSmallIntegerField(_("mois à temps partiel"))
    # One row per term: {"term", "from" (AA/MM), "to", "fees", "full_time", "months"}.
    periods = models.JSONField(_("sessions"), default=list)
    sin_last3 = models.CharField(_("3 derniers chiffres du NAS"), max_length=3, blank=True)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("remplace le relevé"),
    )
    issued_at = models.DateTimeField(_("produit le"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("produit par"),
    )

    class Meta:
        verbose_name = _("relevé d'impôt")
        verbose_name_plural = _("relevés d'impôt")
        ordering = ["-year", "student", "kind", "-issued_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_amended(self) -> bool:
        return self.replaces_id is not None
