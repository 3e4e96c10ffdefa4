""" "Importer un fichier" under the admin's lists of imported records (docs/import.md).

A ModelAdmin that inherits `ImportableAdmin` gets a button above its list, a page to send a
CSV file or an Excel workbook (.xlsx) of one of the kinds that import its model, the dry run's
report (creations, updates, removals, every error with its line), and a confirmation that
imports the kept file for real with the same engine as `import_csv`. Only staff who may add
and change the kind's records see the button and the pages.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import Importer, ImportRefused, importers, kinds_for_model
from students.imports.uploads import (
    import_upload_check,
    import_upload_confirm,
    import_upload_discard,
    import_upload_store,
)
from students.models import ImportFile

# PORTAL_IMPORT_MAX_MB: the largest file the admin's import page accepts.
MAX_BYTES = int(getattr(settings, "PORTAL_IMPORT_MAX_MB", 50)) * 1024 * 1024
SUFFIXES = (".csv", ".txt", ".xlsx")


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type de dossiers"))
    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        widget=forms.FileInput(attrs={"accept": ",".join(SUFFIXES)}),
        help_text=gettext_lazy(
            "Un fichier CSV encodé en UTF-8 (séparé par des virgules ou des points-virgules) "
            "ou un classeur Excel (.xlsx) : la première feuille est lue, ligne 1 = noms des "
            "colonnes."
        ),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(SUFFIXES):
            raise forms.ValidationError(
                _("Envoyez un fichier CSV (.csv) ou un classeur Excel (.xlsx).")
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse %(max)d Mo.") % {"max": MAX_BYTES // (1024 * 1024)}
            )
        return upload


def may_import(request: HttpRequest, importer: type[Importer]) -> bool:
    """Staff who may add and change the records the kind writes."""
    opts = importer.model._meta
    user = request.user
    return (
        user.is_active
        and user.is_staff
        and all(
            user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("add", "change")
        )
    )


class ImportableAdmin(admin.ModelAdmin):
    change_list_template = "admin/imports/change_list.html"

    def import_kinds(self, request: HttpRequest) -> dict[str, type[Importer]]:
        """The kinds that import this admin's model and that `request.user` may run."""
        available = importers()
        return {
            kind: available[kind]
            for kind in kinds_for_model(self.model)
            if may_import(request, available[kind])
        }

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "importer/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "importer/<int:pk>/",
                self.admin_site.admin_view(self.import_report_view),
                name="{}_{}_import_report".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if self.import_kinds(request):
            context["import_url"] = self._url("import")
        return super().changelist_view(request, context)

    # The pages

    def import_view(self, request: HttpRequest) -> HttpResponse:
        kinds = self.import_kinds(request)
        if not kinds:
            raise PermissionDenied
        choices = [(kind, str(importer.label or kind)) for kind, importer in kinds.items()]
        form = ImportUploadForm(
            request.POST or None,
            request.FILES or None,
            kinds=choices,
            initial={"kind": request.GET.get("kind")},
        )
        if request.method == "POST" and form.is_valid():
            upload = import_upload_store(
                kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], actor=request.user
            )
            return redirect(self._url("import_report", upload.pk))
        columns = [
            (str(importer.label or kind), kind, _columns(importer))
            for kind, importer in kinds.items()
        ]
        return self._render(
            request, "admin/imports/upload.html", {"form": form, "columns": columns}
        )

    def import_report_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        # Another person's file is not found, like a missing one.
        upload = get_object_or_404(ImportFile, pk=pk, uploaded_by=request.user)
        importer = self.import_kinds(request).get(upload.kind)
        if importer is None:
            raise PermissionDenied
        if request.method == "POST":
            if "cancel" in request.POST:
                import_upload_discard(upload=upload)
                self.message_user(request, _("Import annulé : rien n'a été enregistré."))
                return HttpResponseRedirect(self._url("changelist"))
            return self._confirm(request, upload)
        try:
            report = import_upload_check(upload=upload)
        except ImportRefused as refused:
            import_upload_discard(upload=upload)
            return self._refused(request, upload, importer, refused)
        return self._render(
            request,
            "admin/imports/report.html",
            {"upload": upload, "label": importer.label or upload.kind, "report": report},
        )

    def _confirm(self, request: HttpRequest, upload: ImportFile) -> HttpResponse:
        importer = importers()[upload.kind]
        try:
            report = import_upload_confirm(upload=upload, actor=request.user, request=request)
        except ImportRefused as refused:
            import_upload_discard(upload=upload)
            return self._refused(request, upload, importer, refused)
        self.message_user(
            request,
            _("Fichier « %(name)s » importé : %(summary)s.")
            % {"name": upload.name, "summary": report.summary},
            messages.SUCCESS,
        )
        for note in report.notes:
            self.message_user(request, note, messages.WARNING)
        return HttpResponseRedirect(self._url("changelist"))

    def _refused(
        self,
        request: HttpRequest,
        upload: ImportFile,
        importer: type[Importer],
        refused: ImportRefused,
    ) -> HttpResponse:
        return self._render(
            request,
            "admin/imports/report.html",
            {"upload": upload, "label": importer.label or upload.kind, "errors": refused.errors},
        )

    def _render(self, request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Importer un fichier"),
                "changelist_url": self._url("changelist"),
                "import_url": self._url("import"),
                **context,
            },
        )

    def _url(self, name: str, *args: Any) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=args,
        )


def _columns(importer: type[Importer]) -> list[tuple[str, bool]]:
    return [(header, header in importer.required) for header in importer.columns]
