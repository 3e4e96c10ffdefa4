from django import forms
from django.utils.translation import gettext_lazy as _

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
        help_text=_("Le code imprimé au bas de l'attestation, ex. : 7K3M-Q9RT-2HXW-P4ND"),
    )
