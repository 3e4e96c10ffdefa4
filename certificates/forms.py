from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.forms.profile import CurrentPasswordMixin
from certificates.models import Attestation
from students.models import Term


class AttestationRequestForm(forms.Form):
    term = forms.ModelChoiceField(
        label=_("Session"),
        queryset=Term.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choisissez une session à laquelle vous êtes inscrit.")
        },
    )
    purpose = forms.ChoiceField(label=_("Motif de la demande"), choices=Attestation.Purpose.choices)
    language = forms.ChoiceField(
        label=_("Langue de l'attestation"), choices=Attestation.Language.choices
    )

    def __init__(self, *args: object, terms: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=40,
        help_text=_("Le code imprimé au bas de l'attestation, ex. : 7K3M-Q9RT-2HXW-P4ND"),
    )


class TaxProfileForm(CurrentPasswordMixin, forms.Form):
    """Declaring residence and the NAS is a sensitive change: the password is typed again."""

    field_order = ["quebec_resident", "sin", "current_password"]

    quebec_resident = forms.BooleanField(
        label=_("J'habitais au Québec le 31 décembre de l'année d'imposition"), required=False
    )
    sin = forms.CharField(
        label=_("Numéro d'assurance sociale (NAS)"),
        required=False,
        max_length=20,
        # Never sent back to the browser, not even after an error.
        widget=forms.PasswordInput(
            render_value=False, attrs={"inputmode": "numeric", "autocomplete": "off"}
        ),
        help_text=_("9 chiffres. Laissez vide pour conserver le numéro déjà inscrit."),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
