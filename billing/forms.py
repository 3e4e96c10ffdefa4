import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.providers import luhn_valid


class DemoCardForm(forms.Form):
    """The demo processor's card form, like seed 002's "P@iement en ligne"."""

    card_number = forms.CharField(
        label=_("Numéro de la carte de crédit"),
        max_length=23,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-number"}),
    )
    expiry = forms.CharField(
        label=_("Date d'expiration (MM/AA)"),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/AA"}),
    )
    cvc = forms.CharField(
        label=_("Code de sécurité (CVC)"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-csc"}),
    )
    email = forms.EmailField(
        label=_("Adresse électronique (confirmation de transaction)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_card_number(self) -> str:
        number = re.sub(r"[\s-]", "", self.cleaned_data["card_number"])
        if not luhn_valid(number):
            raise forms.ValidationError(_("Ce numéro de carte n'est pas valide."))
        return number

    def clean_expiry(self) -> datetime.date:
        match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", self.cleaned_data["expiry"])
        if not match or not 1 <= int(match[1]) <= 12:
            raise forms.ValidationError(_("Écrivez la date d'expiration ainsi : MM/AA."))
        year = int(match[2]) + (2000 if len(match[2]) == 2 else 0)
        month = int(match[1])
        today = timezone.localdate()
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError(_("Cette carte est expirée."))
        return datetime.date(year, month, 1)

    def clean_cvc(self) -> str:
        cvc = self.cleaned_data["cvc"].strip()
        if not re.fullmatch(r"\d{3,4}", cvc):
            raise forms.ValidationError(_("Le code de sécurité compte 3 ou 4 chiffres."))
        return cvc


class ReceiptEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Courriel"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


def selected_numbers(data: Any) -> list[str]:
    """The invoice numbers ticked on the statement (the server decides what they cost)."""
    return sorted({number.strip() for number in data.getlist("factures") if number.strip()})
