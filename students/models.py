"""The registrar's records. Staff create them (admin or `import_csv`); first use links a user."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.collation import by_name
from portal.fastload import FastLoad
from portal.models import School
from portal.templatetags.portal_format import format_when


class Program(FastLoad, models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("nom"), max_length=200)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.name and self.name != self.code else self.code


class Person(FastLoad, models.Model):
    last_name = models.CharField(_("nom de famille"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    email = models.EmailField(_("courriel"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Student(Person):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Féminin")
        MALE = "M", _("Masculin")
        OTHER = "X", _("Non précisé")

    # Identifiers are strings: "00875" keeps its zeros.
    matricule = models.CharField(_("matricule"), max_length=20, unique=True)
    code_permanent = models.CharField(_("code permanent"), max_length=12, blank=True)
    birthdate = models.DateField(_("date de naissance"))
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    phone_alt = models.CharField(_("autre téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    program = models.ForeignKey(
        Program,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("programme"),
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="students", verbose_name=_("école")
    )
    grade = models.CharField(
        _("année d'étude"), max_length=40, blank=True, help_text=_("Ex. : 9e année")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student",
        verbose_name=_("compte"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("étudiant")
        verbose_name_plural = _("étudiants")
        # French order ("Bélanger" before "Bouchard"): portal.collation.
        ordering = [*by_name("last_name", "first_name"), "matricule"]
        # The admin's list reads its first page in this order (docs/performance.md).
        indexes = [
            models.Index(fields=["last_name", "first_name", "matricule"], name="student_list_order")
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.matricule})"

    @property
    def is_activated(self) -> bool:
        return self.user_id is not None and self.user.has_usable_password()


class Employee(Person):
    employee_number = models.CharField(_("numéro d'employé"), max_length=20, unique=True)
    department = models.CharField(_("département"), max_length=120, blank=True)
    office = models.CharField(_("bureau"), max_length=40, blank=True)
    phone_extension = models.CharField(_("poste téléphonique"), max_length=10, blank=True)
    availability = models.CharField(
        _("heures de disponibilité"),
        max_length=200,
        blank=True,
        help_text=_("Ex. : mardi 13 h à 15 h, jeudi 10 h à 12 h"),
    )
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name=_("école"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
        verbose_name=_("compte"),
    )

    class Meta:
        verbose_name = _("employé")
        verbose_name_plural = _("employés")
        ordering = by_name("last_name", "first_name")

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.employee_number})"


# --- Courses, terms, sections, results (the student services modules) ------------------------


class Term(FastLoad, models.Model):
    """A session: AUT-2026 (autumn), HIV-2027 (winter), ETE-2027 (summer)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))

    class Meta:
        verbose_name = pgettext_lazy("school term", "session")
        verbose_name_plural = pgettext_lazy("school term", "sessions")
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return self.code

    def contains(self, day: datetime.date) -> bool:
        """Whether the term is under way on that day."""
        return self.starts_on <= day <= self.ends_on


class Course(FastLoad, models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    credits = models.DecimalField(_("unités (pondération)"), max_digits=4, decimal_places=2)
    program = models.ForeignKey(
        Program,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
        verbose_name=_("programme"),
    )
    program_term = models.PositiveSmallIntegerField(
        _("session de la grille"),
        null=True,
        blank=True,
        help_text=_("Session du programme où le cours est prévu (1, 2, 3…)."),
    )

    class Meta:
        verbose_name = pgettext_lazy("singular", "cours")
        verbose_name_plural = pgettext_lazy("plural", "cours")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Section(FastLoad, models.Model):
    """A course's group in a term, with its teacher and the group's Cote R statistics."""

    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="sections", verbose_name=_("session")
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sections", verbose_name=_("cours")
    )
    group = models.CharField(_("groupe"), max_length=10)
    teacher = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sections",
        verbose_name=_("enseignant"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("Nombre de places du groupe pour le placement. Vide : sans limite."),
    )
    # Entered by staff from the ministry's figures (Cote R): the group's strength indicators.
    idgz = models.DecimalField(
        _("IDGZ (indicateur de dispersion du groupe)"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
    )
    ifgz = models.DecimalField(
        _("IFGZ (indicateur de force du groupe)"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("groupe-cours")
        verbose_name_plural = _("groupes-cours")
        ordering = ["term__starts_on", "course__code", "group"]
        constraints = [
            models.UniqueConstraint(fields=["term", "course", "group"], name="section_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.course.code} gr. {self.group}"


class Meeting(FastLoad, models.Model):
    class Day(models.IntegerChoices):
        MONDAY = 1, _("Lundi")
        TUESDAY = 2, _("Mardi")
        WEDNESDAY = 3, _("Mercredi")
        THURSDAY = 4, _("Jeudi")
        FRIDAY = 5, _("Vendredi")
        SATURDAY = 6, _("Samedi")
        SUNDAY = 7, _("Dimanche")

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("groupe-cours")
    )
    day = models.PositiveSmallIntegerField(_("jour"), choices=Day.choices)
    start = models.TimeField(_("début"))
    end = models.TimeField(_("fin"))
    room = models.CharField(_("local"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("plage horaire")
        verbose_name_plural = _("plages horaires")
        ordering = ["day", "start"]

    def __str__(self) -> str:
        return f"{self.get_day_display()} {self.start:%H:%M}-{self.end:%H:%M} {self.room}"


class Enrolment(FastLoad, models.Model):
    """A student in a section, with the final grade and attendance once known."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("étudiant")
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("groupe-cours")
    )
    final_grade = models.DecimalField(
        _("note finale"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    absences = models.PositiveSmallIntegerField(_("absences (heures)"), default=0)
    lateness = models.PositiveSmallIntegerField(_("retards"), default=0)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(fields=["student", "section"], name="enrolment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.section}"


class Evaluation(FastLoad, models.Model):
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        related_name="evaluations",
        verbose_name=_("groupe-cours"),
    )
    title = models.CharField(_("titre"), max_length=120)
    weight = models.DecimalField(_("pondération (%)"), max_digits=5, decimal_places=2)
    date = models.DateField(_("date"), null=True, blank=True)
    class_average = models.DecimalField(
        _("moyenne du groupe (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Affichée aux étudiants une fois saisie."),
    )

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["date", "id"], name="evaluation_list_order")]
        constraints = [
            models.UniqueConstraint(fields=["section", "title"], name="evaluation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.section} — {self.title}"


class Mark(FastLoad, models.Model):
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="marks", verbose_name=_("évaluation")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="marks", verbose_name=_("étudiant")
    )
    mark = models.DecimalField(_("note"), max_digits=6, decimal_places=2)
    max_mark = models.DecimalField(_("sur"), max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(_("saisie le"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "student"], name="mark_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.evaluation.title}: {self.mark}/{self.max_mark}"

    @property
    def percent(self) -> Decimal:
        return self.mark * 100 / self.max_mark


class ScheduleRetrieval(models.Model):
    """The first time a student retrieved a term's schedule (seed 001: mandatory)."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="retrievals", verbose_name=_("étudiant")
    )
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="retrievals", verbose_name=_("session")
    )
    retrieved_at = models.DateTimeField(_("récupéré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("récupération d'horaire")
        verbose_name_plural = _("récupérations d'horaire")
        constraints = [
            models.UniqueConstraint(fields=["student", "term"], name="retrieval_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.term}"


class ImportFile(models.Model):
    """A file a staff member sent to the admin's import page, kept on the server between the
    dry run and the confirmation, so that what is imported is what was checked (the browser
    never sends it again). Its SHA-256 goes to the audit log; the file is deleted once
    imported, or when the same person sends another one."""

    kind = models.CharField(_("type d'import"), max_length=40)
    file = models.FileField(_("fichier"), upload_to="imports/")
    name = models.CharField(_("nom du fichier envoyé"), max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("envoyé par"),
    )
    uploaded_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("fichier à importer")
        verbose_name_plural = _("fichiers à importer")

    def __str__(self) -> str:
        return self.name


# --- Qui a consulté mon dossier (Law 25) ----------------------------------------------------


class RecordAccess(models.Model):
    """Staff opened something about this student in the admin: their record, account, marks,
    final grades, invoices or payments. Written by students.admin_access; the student (and a
    parent, for a minor child) sees these in "Profil personnel"; never written for a person
    reading their own data. Name and role are kept as they were, should the staff leave."""

    class What(models.TextChoices):
        RECORD = "record", _("Dossier de l'étudiant")
        ACCOUNT = "account", _("Compte du portail")
        MARKS = "marks", _("Notes d'évaluation")
        FINAL_GRADES = "final_grades", _("Notes finales et absences")
        INVOICE = "invoice", _("Facture")
        PAYMENT = "payment", _("Paiement")
        RECEIPT = "receipt", _("Relevé de transaction")
        SIN = "sin", _("Numéro d'assurance sociale")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("étudiant")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("membre du personnel"),
    )
    staff_name = models.CharField(_("nom du membre du personnel"), max_length=200)
    staff_role = models.CharField(_("fonction"), max_length=200, blank=True)
    what = models.CharField(_("consulté"), max_length=20, choices=What.choices)
    item = models.CharField(_("élément"), max_length=200, blank=True)
    history = models.BooleanField(_("historique des modifications"), default=False)
    ip_address = models.GenericIPAddressField(_("adresse du client"), null=True, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("consultation d'un dossier")
        verbose_name_plural = _("consultations des dossiers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["student", "-created_at"], name="record_access_student_idx")
        ]

    def __str__(self) -> str:
        when = format_when(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")
        return f"{when} {self.staff_name} · {self.get_what_display()}"
