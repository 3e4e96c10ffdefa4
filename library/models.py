"""The library: catalogue records and their copies, loans, holds, and the loan rules as data.

A copy's status is never stored: it is on loan while it has an unreturned loan, on the hold
shelf while a ready hold names it, available otherwise (library.selectors computes it).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.templatetags.portal_format import format_when
from students.models import Student


class DocumentType(models.TextChoices):
    BOOK = "book", _("Livre")
    PERIODICAL = "periodical", _("Périodique")
    VIDEO = "video", _("Vidéo")
    AUDIO = "audio", _("Enregistrement sonore")
    MAP = "map", _("Carte")
    ELECTRONIC = "electronic", _("Ressource électronique")
    OTHER = "other", _("Autre document")


# The MARC language codes (008/35-37) a French-speaking college's catalogue mostly holds.
LANGUAGES = {
    "fre": _("Français"),
    "eng": _("Anglais"),
    "spa": _("Espagnol"),
    "ger": _("Allemand"),
    "ita": _("Italien"),
}


def language_name(code: str) -> str:
    return str(LANGUAGES.get(code, code))


class Record(models.Model):
    """One catalogue record (a MARC 21 bibliographic record), known by its control number."""

    control_number = models.CharField(_("numéro de contrôle (001)"), max_length=50, unique=True)
    title = models.CharField(_("titre"), max_length=500)
    authors = models.CharField(_("auteurs"), max_length=1000, blank=True)
    subjects = models.TextField(_("sujets"), blank=True)
    isbn = models.CharField(_("ISBN"), max_length=20, blank=True)
    call_number = models.CharField(_("cote"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)
    language = models.CharField(_("langue"), max_length=3, blank=True)
    document_type = models.CharField(
        _("type de document"), max_length=12, choices=DocumentType.choices, default="book"
    )
    # Lower case without accents, kept by library.services.record_save: the search of
    # databases without full-text search (SQLite), and the ranking of title over subject there.
    title_folded = models.CharField(
        max_length=500, blank=True, editable=False, verbose_name=_("titre (sans accents)")
    )
    authors_folded = models.CharField(
        max_length=1000, blank=True, editable=False, verbose_name=_("auteurs (sans accents)")
    )
    subjects_folded = models.TextField(
        blank=True, editable=False, verbose_name=_("sujets (sans accents)")
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    @property
    def author_list(self) -> list[str]:
        return [name for name in self.authors.split(" ; ") if name]

    @property
    def subject_list(self) -> list[str]:
        return [subject for subject in self.subjects.split("\n") if subject]


class Copy(models.Model):
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="copies", verbose_name=_("notice")
    )
    barcode = models.CharField(_("code-barres"), max_length=50, unique=True)
    location = models.CharField(_("localisation"), max_length=200, blank=True)
    call_number = models.CharField(_("cote de l'exemplaire"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("exemplaire")
        verbose_name_plural = _("exemplaires")
        ordering = ["barcode"]

    def __str__(self) -> str:
        return f"{self.barcode} — {self.record.title}"


class LoanRule(models.Model):
    """The rules of loans and renewals for one type of document."""

    document_type = models.CharField(
        _("type de document"), max_length=12, choices=DocumentType.choices, unique=True
    )
    loan_days = models.PositiveSmallIntegerField(_("durée du prêt (jours)"), default=21)
    max_renewals = models.PositiveSmallIntegerField(_("renouvellements permis"), default=2)
    overdue_limit_days = models.PositiveSmallIntegerField(
        _("retard maximal pour renouveler (jours)"),
        default=7,
        help_text=_("Un prêt en retard de plus de ce nombre de jours ne peut être renouvelé."),
    )

    class Meta:
        verbose_name = _("règle de prêt")
        verbose_name_plural = _("règles de prêt")
        ordering = ["document_type"]

    def __str__(self) -> str:
        return str(self.get_document_type_display())


class Loan(models.Model):
    copy = models.ForeignKey(
        Copy, on_delete=models.PROTECT, related_name="loans", verbose_name=_("exemplaire")
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="loans", verbose_name=_("étudiant")
    )
    loaned_on = models.DateField(_("prêté le"))
    due_on = models.DateField(_("à rendre le"))
    returned_on = models.DateField(_("rendu le"), null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(_("renouvellements"), default=0)

    class Meta:
        verbose_name = _("prêt")
        verbose_name_plural = _("prêts")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["copy"],
                condition=Q(returned_on__isnull=True),
                name="library_one_open_loan_per_copy",
            )
        ]

    def __str__(self) -> str:
        return f"{self.copy.barcode} → {self.student.matricule}"

    def days_overdue(self, today: datetime.date) -> int:
        return max(0, (today - self.due_on).days)


class LoanReminder(models.Model):
    """One reminder sent about one loan: its uniqueness is what makes reminders go out once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Échéance proche")
        OVERDUE = "overdue", _("En retard")

    loan = models.ForeignKey(
        Loan, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("prêt")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("type"))
    due_on = models.DateField(verbose_name=_("échéance"))
    email = models.EmailField(verbose_name=_("courriel"))
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("envoyé le"))

    class Meta:
        verbose_name = _("rappel de prêt")
        verbose_name_plural = _("rappels de prêt")
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "kind", "due_on"], name="library_one_reminder_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.loan} ({self.get_kind_display()}, {format_when(self.due_on)})"


class Hold(models.Model):
    """A student's place in a record's queue (WAITING), then a copy kept for them (READY)
    until they borrow it (FULFILLED) or the pickup deadline passes (EXPIRED)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("En attente")
        READY = "ready", _("Prêt à emprunter")
        FULFILLED = "fulfilled", _("Emprunté")
        CANCELLED = "cancelled", _("Annulé")
        EXPIRED = "expired", _("Expiré")

    ACTIVE = (Status.WAITING, Status.READY)

    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="holds", verbose_name=_("notice")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="holds", verbose_name=_("étudiant")
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    placed_at = models.DateTimeField(_("demandé le"))
    copy = models.ForeignKey(
        Copy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="holds",
        verbose_name=_("exemplaire mis de côté"),
    )
    pickup_by = models.DateField(_("à emprunter au plus tard le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placée par"),
    )

    class Meta:
        verbose_name = _("mise de côté")
        verbose_name_plural = _("mises de côté")
        ordering = ["placed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "student"],
                condition=Q(status__in=["waiting", "ready"]),
                name="library_one_active_hold_per_record",
            ),
            models.UniqueConstraint(
                fields=["copy"],
                condition=Q(status="ready"),
                name="library_one_ready_hold_per_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record.title} — {self.student.matricule}"
