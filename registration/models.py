"""Next term's registration: the choice window and the confirmation deadline of a term, the
elective lists, the students' course choices (with their history), the placement's runs, the
enrolment confirmations and the late fees charged. The offerings are the grille de cheminement
(`Course.program`, `Course.program_term`) with the sections of the term."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from portal.models import Confirmation
from portal.templatetags.portal_format import money
from students.models import Course, Section, Student, Term


class TermRegistration(models.Model):
    """A term's calendar of registration: when course choice is open, and until when the
    students must confirm their enrolment before the late fee applies."""

    term = models.OneToOneField(
        Term, on_delete=models.CASCADE, related_name="registration", verbose_name=_("session")
    )
    choice_opens = models.DateTimeField(_("ouverture du choix de cours"))
    choice_closes = models.DateTimeField(_("fermeture du choix de cours"))
    confirmation_deadline = models.DateField(
        _("date limite de confirmation d'inscription"),
        help_text=_("La confirmation est possible du début de la session à cette date."),
    )
    late_fee = models.DecimalField(
        _("frais de retard ($)"),
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    placed_at = models.DateTimeField(_("placement fait le"), null=True, blank=True)
    change_opens = models.DateTimeField(
        _("ouverture de la modification d'horaire"), null=True, blank=True
    )
    change_closes = models.DateTimeField(
        _("fermeture de la modification d'horaire"),
        null=True,
        blank=True,
        help_text=_("Vides : pas de modification d'horaire pour cette session."),
    )
    change_fee = models.DecimalField(
        _("frais par modification d'horaire ($)"),
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Facturés pour chaque modification confirmée ; 0 : aucuns frais."),
    )

    class Meta:
        verbose_name = _("calendrier d'inscription")
        verbose_name_plural = _("calendriers d'inscription")
        ordering = ["term__starts_on"]

    def __str__(self) -> str:
        return str(self.term)

    def clean(self) -> None:
        if self.choice_opens and self.choice_closes and self.choice_opens >= self.choice_closes:
            raise ValidationError(
                {"choice_closes": _("La fermeture doit suivre l'ouverture du choix de cours.")}
            )
        if (self.change_opens is None) != (self.change_closes is None):
            raise ValidationError(
                {
                    "change_closes": _(
                        "Donnez l'ouverture et la fermeture de la modification d'horaire, "
                        "ou laissez les deux vides."
                    )
                }
            )
        if self.change_opens and self.change_closes and self.change_opens >= self.change_closes:
            raise ValidationError(
                {
                    "change_closes": _(
                        "La fermeture doit suivre l'ouverture de la modification d'horaire."
                    )
                }
            )

    def choice_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.choice_opens <= now < self.choice_closes

    def change_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.change_opens is None or self.change_closes is None:
            return False
        return self.change_opens <= now < self.change_closes

    def confirmation_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.term.starts_on <= today <= self.term.ends_on

    def confirmation_late(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return today > self.confirmation_deadline


class ElectiveList(models.Model):
    """A list of courses a student ranks (cours complémentaires, éducation physique): `size`
    ranks, 1 being the first choice; the placement gives one course of the list."""

    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="elective_lists", verbose_name=_("session")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("nom"), max_length=120)
    size = models.PositiveSmallIntegerField(
        _("nombre de choix à classer"), default=6, validators=[MinValueValidator(1)]
    )
    courses = models.ManyToManyField(Course, related_name="elective_lists", verbose_name=_("cours"))

    class Meta:
        verbose_name = _("liste de cours au choix")
        verbose_name_plural = _("listes de cours au choix")
        ordering = ["term__starts_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["term", "code"], name="elective_list_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.name}"


class CourseChoice(models.Model):
    """One submission of a student's course choice. A resubmission within the window replaces
    the current one (`replaced_at` set) and keeps it as history."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="course_choices", verbose_name=_("étudiant")
    )
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="course_choices", verbose_name=_("session")
    )
    confirmation = models.OneToOneField(
        Confirmation, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmation")
    )
    submitted_at = models.DateTimeField(_("remis le"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("remplacé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("choix de cours")
        verbose_name_plural = _("choix de cours")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term"],
                condition=Q(replaced_at__isnull=True),
                name="course_choice_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.term} ({self.confirmation.number})"


class ChosenCourse(models.Model):
    """A course in a choice: a course of the grid (no list, no rank) or a ranked elective."""

    choice = models.ForeignKey(
        CourseChoice,
        on_delete=models.CASCADE,
        related_name="courses",
        verbose_name=_("choix de cours"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="+", verbose_name=_("cours")
    )
    elective_list = models.ForeignKey(
        ElectiveList,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("liste de cours au choix"),
    )
    rank = models.PositiveSmallIntegerField(_("rang"), null=True, blank=True)

    class Meta:
        verbose_name = _("cours choisi")
        verbose_name_plural = _("cours choisis")
        ordering = ["elective_list_id", "rank", "course__code"]
        constraints = [
            models.UniqueConstraint(fields=["choice", "course"], name="chosen_course_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} ({self.rank})" if self.rank else self.course.code


class EnrolmentConfirmation(models.Model):
    """A student confirmed their presence in the term's courses (once per term)."""

    student = models.ForeignKey(
        Student,
        on_delete=models.CASCADE,
        related_name="enrolment_confirmations",
        verbose_name=_("étudiant"),
    )
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="confirmations", verbose_name=_("session")
    )
    confirmation = models.OneToOneField(
        Confirmation, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmation")
    )
    confirmed_at = models.DateTimeField(_("confirmée le"), auto_now_add=True)
    late = models.BooleanField(_("après la date limite"), default=False)

    class Meta:
        verbose_name = _("confirmation d'inscription")
        verbose_name_plural = _("confirmations d'inscription")
        ordering = ["-confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "term"], name="enrolment_confirmed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.term}"


class LateFee(models.Model):
    """The late fee charged to a student for a term: at most once (the unique constraint is the
    last guard; the services lock the student's row first)."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="late_fees", verbose_name=_("étudiant")
    )
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="late_fees", verbose_name=_("session")
    )
    invoice_number = models.CharField(_("facture"), max_length=30)
    amount = models.DecimalField(_("montant"), max_digits=8, decimal_places=2)
    charged_at = models.DateTimeField(_("facturés le"), auto_now_add=True)
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("facturés par"),
    )

    class Meta:
        verbose_name = _("frais de retard")
        verbose_name_plural = _("frais de retard")
        constraints = [
            models.UniqueConstraint(fields=["student", "term"], name="late_fee_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.term} {money(self.amount)}"


class ScheduleChange(models.Model):
    """A confirmed schedule change (Modification d'horaire): the sections the student left and
    joined (`lines`), the fee's invoice, the confirmation number. Staff may cancel it:
    the previous sections come back where places allow, and the fee is cancelled or refunded."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmée")
        CANCELLED = "cancelled", _("Annulée")

    class FeeOutcome(models.TextChoices):
        NONE = "", _("—")
        CANCELLED = "cancelled", _("Facture annulée")
        REFUNDED = "refunded", _("Paiement remboursé")
        REFUND_DUE = "refund_due", _("Remboursement à faire au comptoir")

    student = models.ForeignKey(
        Student,
        on_delete=models.CASCADE,
        related_name="schedule_changes",
        verbose_name=_("étudiant"),
    )
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="schedule_changes", verbose_name=_("session")
    )
    confirmation = models.OneToOneField(
        Confirmation, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmation")
    )
    # The invoice, not its line: the invoice import replaces lines, and a reference to a line
    # would add a lookup to every replacement (tests/billing/test_import_invoices.py).
    fee_invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("facture des frais"),
    )
    fee_amount = models.DecimalField(
        _("frais facturés ($)"), max_digits=8, decimal_places=2, default=0
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.CONFIRMED, db_index=True
    )
    confirmed_at = models.DateTimeField(_("confirmée le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("annulée par"),
    )
    fee_outcome = models.CharField(
        _("frais à l'annulation"), max_length=10, choices=FeeOutcome.choices, blank=True
    )
    cancel_note = models.CharField(_("résultat de l'annulation"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("modification d'horaire")
        verbose_name_plural = _("modifications d'horaire")
        ordering = ["-confirmed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.student} {self.term} ({self.confirmation.number})"


class ScheduleChangeLine(models.Model):
    """One course whose section changed: from `previous` to `new`."""

    change = models.ForeignKey(
        ScheduleChange,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("modification d'horaire"),
    )
    previous = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="+", verbose_name=_("groupe quitté")
    )
    new = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="+", verbose_name=_("nouveau groupe")
    )

    class Meta:
        verbose_name = _("groupe changé")
        verbose_name_plural = _("groupes changés")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.previous.course.code} {self.previous.group} → {self.new.group}"
