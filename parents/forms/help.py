"""The "Formulaire d'aide aux parents" (seed 004, "Contacter l'école"): every box must be
filled before the form is sent, each with its own message."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parents.models import HelpRequest
from portal.models import Institution, School
from students.forms import clean_phone

# "Année d'étude", as Ontario's and Quebec's schools name them, from kindergarten to the last
# year of secondary school. The value stored is the French label, as the school's staff read it.
GRADES = [
    ("Maternelle", pgettext_lazy("année d'étude", "Maternelle")),
    ("Jardin d'enfants", pgettext_lazy("année d'étude", "Jardin d'enfants")),
    ("1re année", pgettext_lazy("année d'étude", "1re année")),
    ("2e année", pgettext_lazy("année d'étude", "2e année")),
    ("3e année", pgettext_lazy("année d'étude", "3e année")),
    ("4e année", pgettext_lazy("année d'étude", "4e année")),
    ("5e année", pgettext_lazy("année d'étude", "5e année")),
    ("6e année", pgettext_lazy("année d'étude", "6e année")),
    ("7e année", pgettext_lazy("année d'étude", "7e année")),
    ("8e année", pgettext_lazy("année d'étude", "8e année")),
    ("9e année", pgettext_lazy("année d'étude", "9e année")),
    ("10e année", pgettext_lazy("année d'étude", "10e année")),
    ("11e année", pgettext_lazy("année d'étude", "11e année")),
    ("12e année", pgettext_lazy("année d'étude", "12e année")),
]


def _required(message: str) -> dict[str, Any]:
    return {"required": message}


class HelpRequestForm(forms.Form):
    # Votre information
    parent_last_name = forms.CharField(
        label=_("Nom de famille"),
        max_length=HelpRequest._meta.get_field("parent_last_name").max_length,
        error_messages=_required(_("Entrez votre nom de famille.")),
    )
    parent_first_name = forms.CharField(
        label=_("Prénom"),
        max_length=HelpRequest._meta.get_field("parent_first_name").max_length,
        error_messages=_required(_("Entrez votre prénom.")),
    )
    email = forms.EmailField(
        label=_("Courriel"),
        max_length=254,
        error_messages={
            **_required(_("Entrez votre adresse courriel.")),
            "invalid": _("Entrez une adresse courriel valide, ex. : nom@exemple.ca."),
        },
    )
    day_phone = forms.CharField(
        label=_("Téléphone de jour"),
        max_length=30,
        error_messages=_required(_("Entrez un numéro de téléphone où vous joindre le jour.")),
    )
    # Information sur votre/un de vos enfant(s)
    child_last_name = forms.CharField(
        label=_("Nom de famille"),
        max_length=HelpRequest._meta.get_field("child_last_name").max_length,
        error_messages=_required(_("Entrez le nom de famille de l'enfant.")),
    )
    child_first_name = forms.CharField(
        label=_("Prénom"),
        max_length=HelpRequest._meta.get_field("child_first_name").max_length,
        error_messages=_required(_("Entrez le prénom de l'enfant.")),
    )
    grade = forms.ChoiceField(
        label=_("Année d'étude"),
        choices=[("", _("Choisir")), *GRADES],
        error_messages={
            **_required(_("Choisissez l'année d'étude de l'enfant.")),
            "invalid_choice": _("Choisissez l'année d'étude de l'enfant dans la liste."),
        },
    )
    school = forms.ModelChoiceField(
        label=_("École"),
        queryset=School.objects.none(),
        empty_label=_("Choisir"),
        error_messages={
            **_required(_("Choisissez l'école de l'enfant.")),
            "invalid_choice": _("Choisissez l'école de l'enfant dans la liste."),
        },
    )
    description = forms.CharField(
        label=_("Description du problème"),
        max_length=HelpRequest._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=_required(_("Décrivez le problème.")),
    )

    parent_fields = ("parent_last_name", "parent_first_name", "email", "day_phone")
    child_fields = ("child_last_name", "child_first_name", "grade", "school", "description")

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = institution.schools.order_by("name")
        autocomplete = {
            "parent_last_name": "family-name",
            "parent_first_name": "given-name",
            "email": "email",
            "day_phone": "tel",
            "child_last_name": "off",
            "child_first_name": "off",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value

    def clean_day_phone(self) -> str:
        return clean_phone(self.cleaned_data["day_phone"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    @property
    def parent_boxes(self) -> list[forms.BoundField]:
        return [self[name] for name in self.parent_fields]

    @property
    def child_boxes(self) -> list[forms.BoundField]:
        return [self[name] for name in self.child_fields]
