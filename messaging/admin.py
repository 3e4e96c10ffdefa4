"""Staff manage the news, the events calendar and the documents addressed to students."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from messaging.models import Document, DocumentRecipient, Event, NewsItem, Office
from portal.admin_a11y import TabularInline
from portal.models import School
from students.models import Program, Student


class DocumentRecipientInline(TabularInline):
    model = DocumentRecipient
    extra = 0
    autocomplete_fields = ["student"]
    readonly_fields = ["first_read_at"]


class DocumentForm(forms.ModelForm):
    """Besides the students added one by one, a document goes to every student of a school
    or of a program in one step (the merit transcript, the back-to-school information)."""

    to_school = forms.ModelChoiceField(
        School.objects.all(),
        required=False,
        label=_("Adresser à tous les étudiants de l'école"),
    )
    to_program = forms.ModelChoiceField(
        Program.objects.all(),
        required=False,
        label=_("Adresser à tous les étudiants du programme"),
    )

    class Meta:
        model = Document
        fields = ["title", "description", "file"]
        # Once a file is on record, Django shows "Actuellement … Modifier" in a fieldset whose
        # legend does not name the file input itself.
        widgets = {"file": forms.ClearableFileInput(attrs={"aria-label": _("Fichier PDF")})}

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            upload.seek(0)
            if not upload.read(5).startswith(b"%PDF-"):
                raise forms.ValidationError(_("Le fichier doit être un PDF."))
            upload.seek(0)
        return upload


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    inlines = [DocumentRecipientInline]
    list_display = ["title", "created_at", "recipient_count", "read_count"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["title", "description", "file"]}),
        (_("Destinataires en groupe"), {"fields": ["to_school", "to_program"]}),
    ]

    @admin.display(description=_("destinataires"))
    def recipient_count(self, document: Document) -> int:
        return document.recipients.count()

    @admin.display(description=_("lus"))
    def read_count(self, document: Document) -> int:
        return document.recipients.filter(first_read_at__isnull=False).count()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        students = Student.objects.none()
        if school := form.cleaned_data.get("to_school"):
            students = students | Student.objects.filter(school=school)
        if program := form.cleaned_data.get("to_program"):
            students = students | Student.objects.filter(program=program)
        document = form.instance
        already = set(document.recipients.values_list("student_id", flat=True))
        new = [
            DocumentRecipient(document=document, student_id=pk)
            for pk in students.values_list("pk", flat=True).distinct()
            if pk not in already
        ]
        if new:
            DocumentRecipient.objects.bulk_create(new, ignore_conflicts=True)
            self.message_user(
                request,
                ngettext(
                    "%(count)d étudiant ajouté aux destinataires.",
                    "%(count)d étudiants ajoutés aux destinataires.",
                    len(new),
                )
                % {"count": len(new)},
                messages.SUCCESS,
            )


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "published_on"]
    list_filter = ["school"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_on"


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "kind", "school"]
    list_filter = ["kind", "school"]
    search_fields = ["title"]
    date_hierarchy = "date"


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "position"]
    filter_horizontal = ["members"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "members":
            from accounts.models import User

            kwargs["queryset"] = User.objects.filter(
                audience__in=[User.Audience.EMPLOYEE, User.Audience.STAFF], is_active=True
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
