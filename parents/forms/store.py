"""The store's forms ("Services en ligne"): an article and a quantity, nothing else. Prices
never come from the browser; limits and availability are the service's to check."""

from django import forms
from django.utils.translation import gettext_lazy as _

# Far above any school's limit per child: only a guard against absurd input.
QUANTITY_MAX = 99

QUANTITY_ERRORS = {
    "required": _("Indiquez une quantité."),
    "invalid": _("La quantité doit être un nombre entier."),
    "min_value": _("La quantité doit être d'au moins 1."),
    "max_value": _("La quantité ne peut pas dépasser %(limit_value)s."),
}


class CartAddForm(forms.Form):
    """ "Ajouter au panier" under an article of the store page."""

    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    quantity = forms.IntegerField(
        label=_("Quantité"),
        min_value=1,
        max_value=QUANTITY_MAX,
        initial=1,
        error_messages=QUANTITY_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control"}),
    )


class CartLineForm(forms.Form):
    """A cart line's "Mettre à jour" (a new quantity) or "Retirer"."""

    UPDATE = "update"
    REMOVE = "remove"

    line = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(choices=[(UPDATE, UPDATE), (REMOVE, REMOVE)])
    quantity = forms.IntegerField(
        label=_("Quantité"),
        min_value=1,
        max_value=QUANTITY_MAX,
        required=False,
        error_messages=QUANTITY_ERRORS,
    )

    def clean(self) -> dict:
        data = super().clean()
        missing = data.get("action") == self.UPDATE and data.get("quantity") is None
        if missing and "quantity" not in self.errors:
            self.add_error("quantity", QUANTITY_ERRORS["required"])
        return data


def form_error_text(form: forms.Form) -> str:
    """The form's errors as one sentence for a message (the page redirects after POST)."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
