"""Modification d'horaire's forms: the student's wishes (read from the query string: asking for
alternatives changes nothing), and the chosen alternative with the password again."""

from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.reauth import PasswordAgainForm
from registration.change_selectors import ChangeOffer
from registration.schedule_search import Wishes


def _minutes(value: Any) -> int | None:
    return None if value is None else value.hour * 60 + value.minute


class WishesForm(forms.Form):
    keep = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Garder ces groupes"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Les cours cochés restent dans leur groupe actuel."),
    )
    not_before = forms.TimeField(
        label=gettext_lazy("Aucun cours avant"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("HH:MM, par exemple 10:00"),
    )
    not_after = forms.TimeField(
        label=gettext_lazy("Aucun cours après"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("HH:MM, par exemple 16:00"),
    )
    free_day = forms.TypedChoiceField(
        label=gettext_lazy("Journée libre"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, offer: ChangeOffer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (
                section.pk,
                f"{section.course_code} {section.course_title} ({_('gr.')} {section.group})",
            )
            for section in offer.current
        ]
        self.fields["free_day"].choices = [("", _("Aucune préférence"))] + [
            (number, capfirst(str(WEEKDAYS[number]))) for number in range(5)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        before, after = cleaned.get("not_before"), cleaned.get("not_after")
        if before and after and before >= after:
            self.add_error("not_after", _("L'heure « après » doit suivre l'heure « avant »."))
        return cleaned

    def wishes(self) -> Wishes:
        data = self.cleaned_data
        return Wishes(
            keep=frozenset(data.get("keep") or []),
            not_before=_minutes(data.get("not_before")),
            not_after=_minutes(data.get("not_after")),
            free_day=data.get("free_day"),
        )


class ChangeConfirmForm(PasswordAgainForm):
    # The chosen alternative, carried along; the view reads and checks it itself.
    sections = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)

    field_order = ["sections", "password"]
