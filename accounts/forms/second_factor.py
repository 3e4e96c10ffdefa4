"""The second step's code, the enrolment's first code, turning the app off, naming a passkey."""

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.forms.profile import CurrentPasswordMixin


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres ou code de récupération"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        error_messages={"required": _("Entrez le code affiché par votre application.")},
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class EnrolConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres affiché par l'application"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Entrez le code affiché par votre application.")},
    )


class DisableForm(CurrentPasswordMixin, forms.Form):
    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request, self.user = request, request.user
        super().__init__(*args, **kwargs)


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label=_("Nom de la clé d'accès"),
        max_length=60,
        help_text=_("Par exemple : « Téléphone » ou « Ordinateur du bureau »."),
        error_messages={"required": _("Donnez un nom à la clé d'accès.")},
    )
