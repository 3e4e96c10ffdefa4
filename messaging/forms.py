"""MIO forms: who may be addressed is decided here from the sender's audience, and every
attachment is checked by its content as well as its name before anything is stored."""

import os
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from messaging import selectors
from students.models import Program, Section

MAX_FILES = 3
MAX_FILE_SIZE = 5 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
# Extension → (content type served back, the first bytes the file must start with).
ALLOWED_TYPES: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF"),
    ".png": ("image/png", b"\x89PNG"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".txt": ("text/plain; charset=utf-8", None),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP_MAGIC,
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP_MAGIC),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_TYPES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


def attachment_check(upload: UploadedFile) -> str:
    """The content type of an accepted file; a French error for any other. Both the name's
    extension and the first bytes must agree: a program renamed .pdf is refused."""
    name = upload.name or ""
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_TYPES:
        raise forms.ValidationError(
            _(
                "« %(name)s » : type de fichier refusé. "
                "Types acceptés : PDF, PNG, JPEG, TXT, DOCX, XLSX."
            ),
            params={"name": name},
        )
    if upload.size > MAX_FILE_SIZE:
        raise forms.ValidationError(
            _("« %(name)s » est trop volumineux (%(size)s) : %(max)s au plus par fichier."),
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(MAX_FILE_SIZE),
            },
        )
    content_type, magic = ALLOWED_TYPES[extension]
    upload.seek(0)
    if magic is not None:
        head = upload.read(len(magic))
        upload.seek(0)
        if head != magic:
            raise forms.ValidationError(
                _("« %(name)s » : son contenu ne correspond pas à son extension ; fichier refusé."),
                params={"name": name},
            )
    else:
        try:
            upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("« %(name)s » : un fichier texte doit être encodé en UTF-8 ; fichier refusé."),
                params={"name": name},
            ) from None
        finally:
            upload.seek(0)
    return content_type


class AttachmentsMixin(forms.Form):
    files = MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        help_text=_("Jusqu'à 3 fichiers de 5 Mo au plus : PDF, PNG, JPEG, TXT, DOCX ou XLSX."),
    )

    def clean_files(self) -> list[tuple[UploadedFile, str]]:
        uploads = self.cleaned_data.get("files") or []
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(
                _("Au plus %(max)s pièces jointes par message."), params={"max": MAX_FILES}
            )
        errors = []
        checked = []
        for upload in uploads:
            try:
                checked.append((upload, attachment_check(upload)))
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return checked


# About ten pages of text: longer is not a message, and nothing is saved past it.
BODY_MAX_LENGTH = 20_000


class BodyMixin(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "max_length": _(
                "Le message est trop long : %(limit_value)d caractères au plus "
                "(il en compte %(show_value)d)."
            )
        },
    )


class StudentComposeForm(AttachmentsMixin, BodyMixin):
    """A student writes to one of their teachers, to an office by its name (every member
    receives it), or to an employee known by name."""

    recipient = forms.ChoiceField(
        label=_("Destinataire"),
        error_messages={"invalid_choice": _("Choisissez un destinataire de la liste.")},
    )
    subject = forms.CharField(label=_("Objet"), max_length=200)

    field_order = ["recipient", "subject", "body", "files"]

    def __init__(
        self, *args: Any, choices: Sequence[User], offices: Sequence[Any] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # A user is chosen by their id, an office by "o" and its id.
        self.targets: dict[str, list[User]] = {str(user.pk): [user] for user in choices}
        self.targets.update({f"o{office.pk}": list(office.members.all()) for office in offices})
        teachers = [
            (str(u.pk), u.display_name) for u in choices if getattr(u, "is_my_teacher", False)
        ]
        others = [
            (str(u.pk), u.display_name) for u in choices if not getattr(u, "is_my_teacher", False)
        ]
        grouped: list[Any] = [("", _("— Choisissez —"))]
        if teachers:
            grouped.append((_("Mes enseignants"), teachers))
        if offices:
            grouped.append(
                (_("Services"), [(f"o{office.pk}", office.display_name) for office in offices])
            )
        if others:
            grouped.append((_("Personnel"), others))
        self.fields["recipient"].choices = grouped

    def clean_recipient(self) -> str:
        key = str(self.cleaned_data["recipient"])
        if key not in self.targets:
            raise forms.ValidationError(_("Choisissez un destinataire de la liste."))
        return key

    def recipients(self) -> list[User]:
        return self.targets[self.cleaned_data["recipient"]]


class EmployeeComposeForm(AttachmentsMixin, BodyMixin):
    """An employee writes to one student, a course section or a whole program's cohort."""

    STUDENT, SECTION, PROGRAM = "student", "section", "program"

    target = forms.ChoiceField(
        label=_("Envoyer à"),
        choices=[
            (STUDENT, _("Un étudiant")),
            (SECTION, _("Un groupe-cours")),
            (PROGRAM, _("Tous les étudiants d'un programme")),
        ],
        initial=STUDENT,
        widget=forms.RadioSelect,
    )
    matricule = forms.CharField(label=_("Matricule de l'étudiant"), max_length=20, required=False)
    section = forms.ModelChoiceField(
        label=_("Groupe-cours"), queryset=Section.objects.none(), required=False
    )
    program = forms.ModelChoiceField(
        label=_("Programme"), queryset=Program.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Objet"), max_length=200)

    field_order = ["target", "matricule", "section", "program", "subject", "body", "files"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = selectors.sections_for_employee(user)
        self.fields["section"].label_from_instance = lambda s: (
            f"{s.term.code} · {s.course.code} {s.course.title} · gr. {s.group}"
        )
        self.fields["program"].queryset = selectors.programs_for_employee()
        self._recipients: list[User] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        target = data.get("target")
        if target == self.STUDENT:
            matricule = (data.get("matricule") or "").strip()
            if not matricule:
                self.add_error("matricule", _("Indiquez le matricule de l'étudiant."))
                return data
            user = selectors.student_user_by_matricule(matricule)
            if user is None:
                self.add_error(
                    "matricule", _("Aucun étudiant ayant un compte ne porte ce matricule.")
                )
                return data
            self._recipients = [user]
        elif target == self.SECTION:
            section = data.get("section")
            if section is None:
                self.add_error("section", _("Choisissez un groupe-cours."))
                return data
            self._recipients = list(selectors.section_users(section))
            if not self._recipients:
                self.add_error("section", _("Aucun étudiant de ce groupe n'a de compte."))
        elif target == self.PROGRAM:
            program = data.get("program")
            if program is None:
                self.add_error("program", _("Choisissez un programme."))
                return data
            self._recipients = list(selectors.program_users(program))
            if not self._recipients:
                self.add_error("program", _("Aucun étudiant de ce programme n'a de compte."))
        return data

    def recipients(self) -> list[User]:
        return self._recipients


class ReplyForm(AttachmentsMixin, BodyMixin):
    """A reply goes to the original sender, under the same subject."""
