"""The registrar's side of the parents' portal: the guardians on file and their links to
parents' accounts, the school store's articles and orders, and the parents' help requests."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parents.models import Guardian, HelpRequest, StoreItem, StoreOrder, StoreOrderLine
from parents.services.guardians import guardian_link_sync, guardians_unlink
from parents.services.help import help_request_answer
from portal.admin_a11y import TabularInline
from portal.templatetags.portal_format import money
from students.admin_imports import ImportableAdmin

# --- Guardians on file --------------------------------------------------------------------------


class LinkedFilter(admin.SimpleListFilter):
    title = _("compte du parent")
    parameter_name = "compte"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("Lié à un compte")), ("no", _("Sans compte"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(account__isnull=False)
        if self.value() == "no":
            return queryset.filter(account__isnull=True)
        return queryset


@admin.register(Guardian)
class GuardianAdmin(ImportableAdmin):
    """Rows come from `import_csv guardians`; a row is linked to a parent's account by its
    email, never by hand. Unlinking, or unchecking "accès au portail des parents", ends the
    parent's access to the child at their next page."""

    list_display = [
        "student",
        "last_name",
        "first_name",
        "email",
        "relationship",
        "can_view",
        "access_after_majority",
        "account",
    ]
    list_filter = [
        LinkedFilter,
        "can_view",
        "access_after_majority",
        "relationship",
        "student__school",
    ]
    search_fields = [
        "last_name",
        "first_name",
        "email",
        "student__matricule",
        "student__last_name",
        "student__first_name",
    ]
    list_select_related = ["student", "account"]
    autocomplete_fields = ["student"]
    readonly_fields = ["account", "linked_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["student", "relationship"]}),
        (
            _("Parent, tuteur ou tutrice"),
            {"fields": ["last_name", "first_name", "email", "phone", "civic_number"]},
        ),
        (_("Accès au portail des parents"), {"fields": ["can_view", "access_after_majority"]}),
        (_("Compte"), {"fields": ["account", "linked_at", "created_at", "updated_at"]}),
    ]
    actions = ["unlink"]

    @admin.action(description=_("Délier le compte du parent"), permissions=["change"])
    def unlink(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = guardians_unlink(request=request, actor=request.user, guardians=queryset)
        self.message_user(
            request,
            _(
                "%(count)d parent(s) délié(s) de leur compte : ils n'ont plus accès à ces "
                "enfants. Une prochaine importation qui liste ce courriel les reliera ; pour un "
                "retrait durable, décochez « accès au portail des parents » au dossier."
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request: HttpRequest, obj: Guardian, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "email" in form.changed_data:
            # The link follows the email, as an import would have it.
            guardian_link_sync(request=request, actor=request.user, guardian=obj)


# --- The school store ---------------------------------------------------------------------------


@admin.register(StoreItem)
class StoreItemAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "school",
        "price",
        "limit_per_child",
        "available_from",
        "available_until",
        "is_active",
    ]
    list_filter = ["school", "is_active"]
    search_fields = ["name", "description"]
    list_select_related = ["school"]
    date_hierarchy = "available_from"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "school":
            kwargs["help_text"] = _(
                "Les parents voient les articles des écoles qui offrent les « Services en "
                "ligne » (réglage de l'école dans Établissements)."
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StoreOrderLineInline(TabularInline):
    model = StoreOrderLine
    extra = 0
    fields = ["item", "quantity", "unit_price"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("item")


@admin.register(StoreOrder)
class StoreOrderAdmin(admin.ModelAdmin):
    """Read-only: an order is its invoice (paid or cancelled in the payment centre)."""

    list_display = ["invoice", "parent", "student", "created_at", "total_display"]
    list_filter = ["student__school", "created_at"]
    search_fields = [
        "invoice__number",
        "parent__identifier",
        "parent__last_name",
        "student__matricule",
        "student__last_name",
        "student__first_name",
    ]
    list_select_related = ["invoice", "parent", "student"]
    fields = ["invoice", "parent", "student", "created_at", "total_display"]
    readonly_fields = fields
    inlines = [StoreOrderLineInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        line_total = ExpressionWrapper(
            F("lines__quantity") * F("lines__unit_price"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
        return super().get_queryset(request).annotate(total=Sum(line_total))

    @admin.display(description=_("total"), ordering="total")
    def total_display(self, order: StoreOrder) -> str:
        return money(order.total or 0)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Help requests ------------------------------------------------------------------------------


class AnsweredFilter(admin.SimpleListFilter):
    title = _("répondue")
    parameter_name = "repondue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", _("À répondre")), ("yes", _("Répondue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        return queryset


@admin.register(HelpRequest)
class HelpRequestAdmin(admin.ModelAdmin):
    """What the parent wrote is kept as written: staff read it, answer the parent by email or
    phone, then mark it answered."""

    list_display = [
        "created_at",
        "parent_name",
        "email",
        "day_phone",
        "child_name",
        "grade",
        "school",
        "answered",
    ]
    list_filter = [AnsweredFilter, "school", "created_at"]
    search_fields = [
        "parent_last_name",
        "parent_first_name",
        "email",
        "child_last_name",
        "child_first_name",
    ]
    list_select_related = ["school"]
    date_hierarchy = "created_at"
    # Unanswered first, then the newest.
    ordering = [F("answered_at").asc(nulls_first=True), "-created_at"]
    fieldsets = [
        (
            _("Information du parent"),
            {"fields": ["parent_last_name", "parent_first_name", "email", "day_phone", "account"]},
        ),
        (
            _("Information sur l'enfant"),
            {"fields": ["child_last_name", "child_first_name", "grade", "school"]},
        ),
        (None, {"fields": ["description", "created_at"]}),
        (_("Réponse"), {"fields": ["answered_at", "answered_by"]}),
    ]
    readonly_fields = [
        "parent_last_name",
        "parent_first_name",
        "email",
        "day_phone",
        "account",
        "child_last_name",
        "child_first_name",
        "grade",
        "school",
        "description",
        "created_at",
        "answered_at",
        "answered_by",
    ]
    actions = ["mark_answered"]

    @admin.display(description=_("parent"), ordering="parent_last_name")
    def parent_name(self, help_request: HelpRequest) -> str:
        return f"{help_request.parent_first_name} {help_request.parent_last_name}"

    @admin.display(description=_("enfant"), ordering="child_last_name")
    def child_name(self, help_request: HelpRequest) -> str:
        return f"{help_request.child_first_name} {help_request.child_last_name}"

    @admin.display(description=_("répondue"), boolean=True, ordering="answered_at")
    def answered(self, help_request: HelpRequest) -> bool:
        return help_request.is_answered

    @admin.action(description=_("Marquer comme répondue"), permissions=["change"])
    def mark_answered(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = sum(
            help_request_answer(request=request, actor=request.user, help_request=help_request)
            for help_request in queryset.select_related("school", "account")
        )
        self.message_user(
            request,
            _("%(count)d demande(s) marquée(s) comme répondue(s).") % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A request comes from a parent, through "Contacter l'école".
        return False
