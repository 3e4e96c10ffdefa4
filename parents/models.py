"""Guardians on the children's files, the school store ("Services en ligne") and the parents'
help requests. A parent's account is an `accounts.User` of the parent audience, whose identifier
is the email; it reaches a child only through a `Guardian` row linked to it (see
`parents.selectors.student_for_parent`)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from portal.collation import by_name
from portal.models import School
from portal.templatetags.portal_format import money
from students.models import Student


class Guardian(models.Model):
    """A parent, tutor or tutrix as the school has them on a child's file (one row per child
    and guardian; `import_csv guardians`). `account` is the parent's portal account once it is
    created from this email; staff clear it (or `can_view`) to end the access at once."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("enfant")
    )
    last_name = models.CharField(_("nom de famille"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    # Always stored in lower case: it is the parent's login and the key of the match.
    email = models.EmailField(_("courriel"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    civic_number = models.CharField(_("numéro civique du domicile"), max_length=10, blank=True)
    relationship = models.CharField(
        _("lien avec l'enfant"), max_length=40, blank=True, help_text=_("Ex. : mère, père, tuteur")
    )
    can_view = models.BooleanField(
        _("accès au portail des parents"),
        default=True,
        help_text=_("Le dossier de l'enfant permet à ce parent de le suivre dans le portail."),
    )
    access_after_majority = models.BooleanField(
        _("accès maintenu après la majorité"),
        default=False,
        help_text=_(
            "Le dossier permet à ce parent de suivre l'enfant au-delà de l'âge où l'accès des "
            "parents prend fin (réglage de l'établissement)."
        ),
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardianships",
        verbose_name=_("compte du parent"),
    )
    linked_at = models.DateTimeField(_("lié le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("parent au dossier")
        verbose_name_plural = _("parents au dossier")
        ordering = by_name("student__last_name", "student__first_name", "last_name", "first_name")
        constraints = [
            models.UniqueConstraint(fields=["student", "email"], name="guardian_unique"),
        ]
        indexes = [models.Index(fields=["email"], name="guardian_email_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}> — {self.student}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class StoreItem(models.Model):
    """An article a school sells to parents: agenda, outing, yearbook…"""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="store_items", verbose_name=_("école")
    )
    name = models.CharField(_("article"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("prix"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    limit_per_child = models.PositiveSmallIntegerField(
        _("limite par enfant"), default=1, validators=[MinValueValidator(1)]
    )
    available_from = models.DateField(_("en vente à partir du"))
    available_until = models.DateField(_("en vente jusqu'au"))
    is_active = models.BooleanField(_("en vente"), default=True)

    class Meta:
        verbose_name = _("article des Services en ligne")
        verbose_name_plural = _("articles des Services en ligne")
        ordering = ["school", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__gte=models.F("available_from")),
                name="store_item_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({money(self.price)})"


class CartLine(models.Model):
    """An article in a parent's cart, for one child."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cart_lines",
        verbose_name=_("parent"),
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="+", verbose_name=_("enfant")
    )
    item = models.ForeignKey(
        StoreItem, on_delete=models.CASCADE, related_name="cart_lines", verbose_name=_("article")
    )
    quantity = models.PositiveSmallIntegerField(_("quantité"), validators=[MinValueValidator(1)])
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ajouté le"))

    class Meta:
        verbose_name = _("article au panier")
        verbose_name_plural = _("articles au panier")
        constraints = [
            models.UniqueConstraint(fields=["parent", "student", "item"], name="cart_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class StoreOrder(models.Model):
    """A checked-out cart: an invoice on the child's statement, paid through the payment
    centre by the parent. Cancelled with its invoice when the parent gives it up unpaid."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="store_orders",
        verbose_name=_("parent"),
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="store_orders", verbose_name=_("enfant")
    )
    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, related_name="store_order", verbose_name=_("facture")
    )
    created_at = models.DateTimeField(_("passée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("commande des Services en ligne")
        verbose_name_plural = _("commandes des Services en ligne")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.invoice.number} — {self.student}"


class StoreOrderLine(models.Model):
    order = models.ForeignKey(
        StoreOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("commande")
    )
    item = models.ForeignKey(
        StoreItem, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("article")
    )
    quantity = models.PositiveSmallIntegerField(_("quantité"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("prix unitaire"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("ligne de commande")
        verbose_name_plural = _("lignes de commande")

    def __str__(self) -> str:
        return f"{self.item.name} × {self.quantity}"


class HelpRequest(models.Model):
    """The "Formulaire d'aide aux parents": stored for the school's staff, emailed to the
    school's main address, marked answered in the admin."""

    parent_last_name = models.CharField(_("nom de famille du parent"), max_length=100)
    parent_first_name = models.CharField(_("prénom du parent"), max_length=100)
    email = models.EmailField(_("courriel"))
    day_phone = models.CharField(_("téléphone de jour"), max_length=30)
    child_last_name = models.CharField(_("nom de famille de l'enfant"), max_length=100)
    child_first_name = models.CharField(_("prénom de l'enfant"), max_length=100)
    grade = models.CharField(_("année d'étude"), max_length=40)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="help_requests", verbose_name=_("école")
    )
    description = models.TextField(_("description du problème"), max_length=4000)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("compte du parent"),
    )
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("répondue par"),
    )

    class Meta:
        verbose_name = _("demande d'aide d'un parent")
        verbose_name_plural = _("demandes d'aide des parents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.parent_first_name} {self.parent_last_name} — {self.school}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
