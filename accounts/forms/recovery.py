from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.captcha import CAPTCHA_ERRORS
from accounts.forms.first_use import (
    IdentifierField,
    IdentityForm,
    SetPasswordForm,
    identifier_label,
)
from accounts.models import SecretQuestion, User
from portal.models import Institution
from portal.selectors import institution_current


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label=_("Code de sécurité"),
        help_text=_("Recopiez les caractères de l'image."),
        widget=CaptchaTextInput(attrs={"aria-label": _("Code de sécurité")}),
        error_messages=CAPTCHA_ERRORS,
    )


class RecoveryNumberForm(forms.Form):
    """ "Oublié votre mot de passe ?", step 1: the student's number."""

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["identifier"] = IdentifierField(
            length=institution.identifier_length, label=identifier_label(institution)
        )
        if institution.captcha_enabled:
            self.fields["captcha"] = captcha_field()


class AnswerInput(forms.TextInput):
    """A secret answer is never written back into a page, not even after an error."""

    def format_value(self, value: Any) -> None:
        return None


class RecoveryAnswersForm(forms.Form):
    """The account's questions, one answer each. Answers are compared normalised and hashed."""

    def __init__(self, *args: Any, questions: list[SecretQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for position, question in enumerate(questions, start=1):
            self.fields[f"answer_{question.pk}"] = forms.CharField(
                label=question.localized_text,
                max_length=100,
                widget=AnswerInput(attrs={"autocomplete": "off"}),
                help_text=_("Question #%(n)d") % {"n": position},
            )

    def answers(self) -> dict[int, str]:
        return {
            question.pk: self.cleaned_data[f"answer_{question.pk}"] for question in self.questions
        }


class MemberRecoveryForm(IdentityForm):
    """Members: matricule, last name, birthdate, postal code and, always, the CAPTCHA."""

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, institution=institution, **kwargs)
        if "captcha" not in self.fields:
            self.fields["captcha"] = captcha_field()


class EmployeeNumberForm(forms.Form):
    identifier = forms.CharField(label=_("No d'employé"), max_length=20)

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["identifier"].widget.attrs["autocomplete"] = "username"
        if institution.captcha_enabled:
            self.fields["captcha"] = captcha_field()

    def clean_identifier(self) -> str:
        return self.cleaned_data["identifier"].strip()


class ResetPasswordForm(SetPasswordForm):
    """The new password at the end of a link (Django's PasswordResetConfirmView passes the
    user first)."""

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, institution=institution_current(), person=user, **kwargs)
