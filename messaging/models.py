"""MIO messages, documents, news and events. Files are stored under MEDIA_ROOT (outside the
static files) and served only to their recipients, by a view that checks access."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import School
from portal.templatetags.portal_format import format_when
from portal.versions import versioned, versioned_manager
from students.models import Student


class Message(models.Model):
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sent_messages",
        verbose_name=_("expéditeur"),
    )
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name=_("message d'origine"),
    )
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message MIO")
        verbose_name_plural = _("messages MIO")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class MessageRecipient(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("message")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="received_messages",
        verbose_name=_("destinataire"),
    )
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="message_recipient_unique"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.message} → {self.user}"


class Office(models.Model):
    """A service students may write to by its name ("Registrariat", "Aide financière"): a
    message to the office reaches each of its members, whose own names or logins the student
    never sees."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    name_en = models.CharField(_("nom (anglais)"), max_length=100, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="mio_offices",
        verbose_name=_("membres"),
        help_text=_("Les comptes du personnel qui lisent les messages adressés à ce service."),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("service (MIO)")
        verbose_name_plural = _("services (MIO)")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "fr").startswith("en"):
            return self.name_en
        return self.name


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name on disk: the original name is kept in the row, never used as a path.
    import uuid

    return f"mio/{uuid.uuid4().hex}"


class Attachment(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("fichier"), upload_to=attachment_path)
    name = models.CharField(_("nom"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.name


def document_path(instance: "Document", filename: str) -> str:
    import uuid

    return f"documents/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """A PDF addressed by staff to students (the merit transcript, back-to-school information)."""

    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("fichier PDF"), upload_to=document_path)
    created_at = models.DateTimeField(_("publié le"), auto_now_add=True, db_index=True)
    students = models.ManyToManyField(
        Student, through="DocumentRecipient", related_name="documents", verbose_name=_("étudiants")
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class DocumentRecipient(models.Model):
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("document")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="+", verbose_name=_("étudiant")
    )
    first_read_at = models.DateTimeField(_("lu pour la première fois le"), null=True, blank=True)

    class Meta:
        verbose_name = _("destinataire du document")
        verbose_name_plural = _("destinataires du document")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "student"], name="document_recipient_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.student}"


@versioned("calendar")
class NewsItem(models.Model):
    """Actualités et messages, per community: a school, or the whole institution. The home
    page keeps them with the month calendar until a write bumps "calendar"."""

    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("communauté"),
        help_text=_("Vide : tout l'établissement."),
    )
    published_on = models.DateField(_("publié le"))

    objects = versioned_manager("calendar")

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


@versioned("calendar")
class Event(models.Model):
    """An event or a deadline of the month calendar (kept like the news, see NewsItem)."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Événement")
        DEADLINE = "deadline", _("Date limite")

    title = models.CharField(_("titre"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.EVENT)
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("école"),
        help_text=_("Vide : tout l'établissement."),
    )

    objects = versioned_manager("calendar")

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("calendrier des événements")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{format_when(self.date)} {self.title}"
