"""The payment centre's records. Money is Decimal with two places (CAD), never a float."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.templatetags.portal_format import format_when, money
from students.models import Student

ZERO = Decimal("0.00")


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("À payer")
        PAID = "paid", _("Payée")
        CANCELLED = "cancelled", _("Annulée")

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("étudiant")
    )
    number = models.CharField(_("numéro"), max_length=30, unique=True)
    session = models.CharField(
        pgettext_lazy("school term", "session"), max_length=20, help_text=_("Ex. : AUT-2026")
    )
    description = models.CharField(_("description"), max_length=200)
    due_date = models.DateField(_("échéance"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    # Fees kept minus approved payments, stored for the admin's lists ("À payer", the order by
    # balance) so that they read an index instead of summing every invoice's lines and
    # payments. Kept by billing.balances.invoice_balances_refresh, which every service and
    # import that changes a line, a payment's status or an allocation calls; `check_balances`
    # finds and fixes drift. The student's pages still compute the balance (selectors).
    stored_balance = models.DecimalField(
        _("solde"), max_digits=12, decimal_places=2, default=ZERO, editable=False
    )

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["due_date", "number"]
        indexes = [
            # The admin's list reads its first page in this order.
            models.Index(fields=["due_date", "number"], name="invoice_list_order"),
            # "À payer" and "En souffrance": only the open invoices with a balance, in order.
            models.Index(
                fields=["due_date", "number"],
                condition=Q(status="open", stored_balance__gt=0),
                name="invoice_unpaid_order",
            ),
            # The "solde" column's order (-stored_balance, -pk): read backwards, the first page
            # without a sort of every invoice.
            models.Index(fields=["stored_balance", "id"], name="invoice_balance_order"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()


class InvoiceLine(models.Model):
    """A fee. A voluntary contribution (marked * on the statement) may be removed by the
    student in "Détails" before paying, and put back."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("facture")
    )
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("montant"), max_digits=10, decimal_places=2)
    voluntary = models.BooleanField(_("cotisation volontaire"), default=False)
    removed = models.BooleanField(_("retirée par l'étudiant"), default=False)
    # Counted in the tax slips (Relevé 8, T2202) when paid: tuition, not parking or a club.
    tax_eligible = models.BooleanField(_("admissible aux relevés d'impôt"), default=False)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("ordre"))

    class Meta:
        verbose_name = _("ligne de facture")
        verbose_name_plural = _("lignes de facture")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed=False) | Q(voluntary=True),
                name="only_voluntary_lines_removed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount} $)"


class Payment(models.Model):
    class Provider(models.TextChoices):
        DEMO = "demo", _("Paiement en ligne (démonstration)")
        STRIPE = "stripe", _("Paiement en ligne (Stripe)")
        CASH = "cash", _("Comptant")
        DEBIT = "debit", _("Carte de débit")
        CHEQUE = "cheque", _("Chèque certifié")
        CARD = "card", _("Carte de crédit au comptoir")

    class Status(models.TextChoices):
        PENDING = "pending", _("En cours")
        SUCCEEDED = "succeeded", _("Approuvé")
        FAILED = "failed", _("Refusé")
        EXPIRED = "expired", _("Expiré")
        CANCELLED = "cancelled", _("Annulé")
        REFUNDED = "refunded", _("Remboursé")

    IN_PERSON = (Provider.CASH, Provider.DEBIT, Provider.CHEQUE, Provider.CARD)

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="payments", verbose_name=_("étudiant")
    )
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    provider = models.CharField(_("mode"), max_length=10, choices=Provider.choices)
    amount = models.DecimalField(_("montant"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, default="CAD")
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # Stripe's Checkout Session id: unique, so that one session is fulfilled once.
    provider_session_id = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        verbose_name=_("identifiant de session du fournisseur"),
    )
    provider_payment_id = models.CharField(
        max_length=255, blank=True, verbose_name=_("identifiant de paiement du fournisseur")
    )
    # Where the browser goes to pay (Stripe Checkout's page), kept so a double click reuses it.
    checkout_url = models.URLField(
        max_length=1000, blank=True, verbose_name=_("adresse de la page de paiement")
    )
    idempotency_key = models.CharField(
        max_length=64, unique=True, verbose_name=_("clé d'idempotence")
    )
    card_brand = models.CharField(_("carte"), max_length=20, blank=True)
    card_last4 = models.CharField(_("4 derniers chiffres"), max_length=4, blank=True)
    authorization_number = models.CharField(_("no d'autorisation"), max_length=30, blank=True)
    receipt_email = models.EmailField(_("courriel de confirmation"), blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    # How many times the person pressed "Prolonger" on the card form (WCAG 2.2.1), up to
    # billing.services.PAYMENT_EXTENSIONS_MAX.
    extensions = models.PositiveSmallIntegerField(_("prolongations"), default=0)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    completed_at = models.DateTimeField(_("complété le"), null=True, blank=True)
    # Who paid online when it is not the student: a parent buying in the school store.
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments_made",
        verbose_name=_("payé par"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    reason = models.CharField(_("motif (annulation, remboursement)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} $ ({self.get_status_display()})"

    @property
    def masked_card(self) -> str:
        return f"{self.card_brand.upper()} ************{self.card_last4}" if self.card_last4 else ""


class Allocation(models.Model):
    """How much of a payment goes to one invoice."""

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("paiement")
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("facture")
    )
    amount = models.DecimalField(_("montant"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} ← {money(self.amount)}"


class Receipt(models.Model):
    """The "Relevé de transaction" of an approved payment, with its own number."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="receipt", verbose_name=_("paiement")
    )
    number = models.CharField(_("numéro"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("émis le"), default=timezone.now)

    class Meta:
        verbose_name = _("reçu")
        verbose_name_plural = _("reçus")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number


class InvoiceReminder(models.Model):
    """A reminder emailed about an invoice (`send_invoice_reminders`): one per invoice, kind and
    due date, so a job run twice, or on two servers, never emails twice; a new due date earns a
    new reminder."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Échéance proche")
        OVERDUE = "overdue", _("En souffrance")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("facture")
    )
    kind = models.CharField(_("rappel"), max_length=10, choices=Kind.choices)
    due_date = models.DateField(_("échéance"))
    email = models.EmailField(_("envoyé à"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rappel de facture")
        verbose_name_plural = _("rappels de facture")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "kind", "due_date"], name="invoice_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.get_kind_display()} {format_when(self.due_date)}"
