import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from students.models import Student

POSTAL_CODE_RE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$")
PHONE_DIGITS_RE = re.compile(r"\D")


def clean_postal_code(value: str) -> str:
    """A Canadian postal code, written A1A 1A1."""
    compact = re.sub(r"[\s-]+", "", value or "").upper()
    if not POSTAL_CODE_RE.match(compact):
        raise forms.ValidationError(
            _("Le code postal doit avoir la forme A1A 1A1."), code="postal_code"
        )
    return f"{compact[:3]} {compact[3:]}"


def clean_phone(value: str) -> str:
    """A North American number of 10 digits (a leading 1 is dropped), written 514 555-0123."""
    digits = PHONE_DIGITS_RE.sub("", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        raise forms.ValidationError(
            _("Le numéro de téléphone compte 10 chiffres, ex. : 514 555-0123."), code="phone"
        )
    return f"{digits[:3]} {digits[3:6]}-{digits[6:]}"


class ContactForm(forms.ModelForm):
    """Coordonnées: address, postal code, phones and email, validated for Canada."""

    class Meta:
        model = Student
        # Not the email: it is where reset links go, so it changes only through Profil
        # personnel (password, a verification link, a notice to the old address).
        fields = ["address", "postal_code", "phone", "phone_alt"]
        labels = {
            "address": _("Adresse"),
            "postal_code": _("Code postal"),
            "phone": _("Téléphone"),
            "phone_alt": _("Autre téléphone"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("address", "postal_code", "phone"):
            self.fields[name].required = True
        autocomplete = {
            "address": "street-address",
            "postal_code": "postal-code",
            "phone": "tel",
            "phone_alt": "tel",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value

    def clean_postal_code(self) -> str:
        return clean_postal_code(self.cleaned_data["postal_code"])

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean_phone_alt(self) -> str:
        value = self.cleaned_data["phone_alt"]
        return clean_phone(value) if value else ""
